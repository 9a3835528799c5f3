"""``tf.function``s while recording: run eagerly, op by op, but traced first as compiled code is.

Compiled, a function's ops, tapes and gradient calls run inside one graph op that the eager
hooks cannot see into, so by default the recording child runs function bodies eagerly
(TensorFlow's own ``run_functions_eagerly``). Running eagerly alone would hide what compiled
execution does: an error only tracing raises (``.numpy()`` on a symbolic tensor, a Python ``if``
on a tensor without AutoGraph, a ``tf.Variable`` created on every call) would not happen, and a
debugger that makes the bug disappear is worse than none. So each call is first traced as
TensorFlow traces it (``get_concrete_function``, from TensorFlow's own cache: once per input
signature), with the recorder muted, and only then run eagerly. A trace-time error is raised
from the call, at the user's line, exactly as under plain ``python``. A function called from the
eager body of another is not traced again: the outer function's trace traced it.

What tracing first keeps of compiled execution: its errors, and its side effects on the first
call (a Keras layer built, a ``tf.Variable`` made once by ``if self.v is None``), so the eager
call that follows finds them made, as the compiled call would, and its output: what the trace
printed (a ``print`` in the body, a warning) is written out, once per trace, as the compiled call
prints it. Python code in the body then runs again on every call, eagerly: what it writes to
stdout and stderr, and the warnings it shows, are dropped (``_Quiet``), so a ``print`` in a
function prints as often as without tapetui; ``tf.print`` and a ``tf.py_function``'s Python
function, which TensorFlow runs on every call, print on every call as they do compiled. When
tracing fails, the call is still run eagerly, its output dropped, so that the tapes, gradient
calls and ops that led to the error are recorded (a Keras ``fit`` step whose loss has no gradient
fails while tracing, in ``apply_gradients``: the gradient call that gave the ``None``s explains
it); then what the trace printed is written out and its error raised, as plain ``python`` does.

A function whose trace calls ``tf.gradients`` or whose own code reads what only a graph tensor
has (``x.op``, ``x.name``) runs compiled from that trace, which it could not eagerly; what the
trace printed is then written out, as the compiled call printed it.

``jit_compile=True`` functions run compiled (``tapetui.record.tf_hooks.Hooks.patch_function_calls``):
XLA fuses and reorders ops, so eager values and errors would not be XLA's.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import warnings
import weakref
from typing import Any, TextIO

from tapetui.record import tf_function_hooks as tff
from tapetui.record import tf_hooks as tfh
from tapetui.record.guard import Tracing
from tapetui.record.recorder import Recorder


class _HeldOutput:
    """Stands for stdout or stderr while a function is traced: keeps what is written."""

    def __init__(self, real: Any, writes: list[tuple[Any, str]]) -> None:
        self.real = real
        self.writes = writes

    def write(self, text: str) -> int:
        self.writes.append((self.real, text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


class _BodyOutput:
    """Stands for stdout or stderr while a function body runs eagerly (``_Quiet``): this thread's
    writes are dropped, the trace wrote them as the compiled call does; other threads' go
    through, as do those of a ``tf.py_function``'s Python function (``tff.AT_EXECUTION``), which a
    compiled call runs too. Once its body is done it passes everything through (the scenario
    may have kept it, or another thread's body wrapped it)."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.thread = threading.get_ident()
        self.active = True

    def _dropped(self) -> bool:
        return self.active and threading.get_ident() == self.thread and not tff.AT_EXECUTION.depth

    def write(self, text: str) -> int:
        if self._dropped():
            return len(text)
        written: int = self.real.write(text)
        return written

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


class _Quiet:
    """``with _Quiet():`` — the body of a function runs eagerly after its trace printed what
    the compiled call prints: this thread's writes to stdout and stderr and its warnings are
    dropped until the block ends (a warning still counts in Python's registries and in a
    ``catch_warnings(record=True)`` the body itself opens)."""

    def __enter__(self) -> None:
        self.streams = sys.stdout, sys.stderr
        self.wrapped = tuple(None if s is None else _BodyOutput(s) for s in self.streams)
        sys.stdout, sys.stderr = self.wrapped  # a stream that is None (pythonw) stays None
        self.show = warnings.showwarning
        thread, show = threading.get_ident(), self.show

        def showwarning(*args: Any, **kwargs: Any) -> None:
            if threading.get_ident() != thread or tff.AT_EXECUTION.depth:
                show(*args, **kwargs)

        warnings.showwarning = showwarning
        self.showwarning = showwarning

    def __exit__(self, *_: object) -> None:
        for wrapped in self.wrapped:
            if wrapped is not None:
                wrapped.active = False
        if sys.stdout is self.wrapped[0]:  # else the scenario (or another thread) set it since
            sys.stdout = self.streams[0]
        if sys.stderr is self.wrapped[1]:
            sys.stderr = self.streams[1]
        if warnings.showwarning is self.showwarning:
            warnings.showwarning = self.show


class _Body(threading.local):
    depth = 0
    """How many traced-first functions' bodies this thread is running eagerly right now."""
    last: _Call | None = None
    """The last call this thread traced first."""


_NOTHING = contextlib.nullcontext()


class _Call:
    """A function call, by weak references: a call again with the very same arguments (a Keras
    ``fit`` step, given the epoch's iterator) finds in TensorFlow's cache the trace this one
    found, so it is not looked up again (about 1 ms a step for ``fit``)."""

    def __init__(self, fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.refs = [weakref.ref(obj) for obj in (fn, *args, *kwargs.values())]
        self.names = tuple(kwargs)
        self.device = tff.device_name()

    @staticmethod
    def of(fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> _Call | None:
        """The call, when every argument is known to a trace by its identity; else ``None``."""
        if not all(isinstance(a, tfh.TRACE_KEYED_BY_IDENTITY) for a in (*args, *kwargs.values())):
            return None
        try:
            return _Call(fn, args, kwargs)
        except TypeError:  # an object without weak references
            return None

    def again(self, fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
        objects = (fn, *args, *kwargs.values())
        return (
            len(objects) == len(self.refs)
            and tuple(kwargs) == self.names
            and all(ref() is obj for ref, obj in zip(self.refs, objects, strict=True))
            and tff.device_name() == self.device
        )


def trace_before_eager_call(rec: Recorder) -> Any:
    """How ``tf_hooks.Hooks.patch_function_calls`` runs each eager call of a function: traced first,
    unless it is called from the eager body of another function, whose trace traced it too (a
    Keras ``fit`` step is two nested functions)."""
    body = _Body()

    def eager_call(fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any], run: Any) -> Any:
        failed: _TraceError | None = None
        last = body.last
        if not body.depth and (last is None or not last.again(fn, args, kwargs)):
            _note(rec, "eager_functions", tff.function_name(fn))
            failed = _trace_first(rec, fn, args, kwargs)
            if failed is None and tfh.eager():
                tff.count_eager_call(fn, tff.TRACING.retraced)
            if failed is None and tff.TRACING.symbolic:  # tf.gradients runs in graphs only
                body.last = None
                why = (
                    "graph_only_functions" if tff.TRACING.graph_only else "graph_gradient_functions"
                )
                _note(rec, why, tff.function_name(fn))
                with tff.functions_compiled(), tff.function_body():
                    return run()
            body.last = _Call.of(fn, args, kwargs) if failed is None else None
        elif not body.depth and tfh.eager():
            tff.count_eager_call(fn, False)  # the same call again: TensorFlow's cache, no trace
        outermost = not body.depth
        body.depth += 1
        try:
            if failed is None:
                with tff.function_body(), _Quiet() if outermost else _NOTHING:
                    result = run()
                return dense_output_gradients(result, tff.function_name(fn))
            with tff.function_body():
                _record_anyway(rec, fn, failed.unfinished, run)
            failed.raise_()
        finally:
            body.depth -= 1

    return eager_call


def dense_output_gradients(result: Any, name: str) -> Any:
    """``result`` of a function body run eagerly, with the outputs a tape records passed
    through one ``tf.custom_gradient`` step named ``name`` that makes the gradients arriving
    at them dense: a compiled call's backward function is given dense tensors
    (``ConcreteFunction`` converts ``IndexedSlices``), so ``tape.gradient`` through
    ``tf.gather(f(x), …)`` returns a ``Tensor``, not ``IndexedSlices``, as under plain ``python``."""
    flat = tfh.tf.nest.flatten(result)
    picks = [
        i
        for i, t in enumerate(flat)
        if isinstance(t, tfh.EagerTensor)
        and tfh.is_differentiable_dtype(t.dtype)
        and tfh.tf_would_record([t])
    ]
    if not picks:
        return result

    def function_output(*tensors: Any) -> Any:
        def dense(*grads: Any) -> list[Any]:
            return [None if g is None else tfh.tf.convert_to_tensor(g) for g in grads]

        return list(tensors), dense

    function_output.__name__ = name
    made = tfh.tf.custom_gradient(function_output)(*(flat[i] for i in picks))
    for i, tensor in zip(picks, made, strict=True):
        flat[i] = tensor
    return tfh.tf.nest.pack_sequence_as(result, flat)


class _TraceError:
    """What tracing raised, and what it printed before (written out when it is raised)."""

    def __init__(
        self, error: BaseException, writes: list[tuple[Any, str]], unfinished: list[Any]
    ) -> None:
        self.error = error
        self.writes = writes
        self.unfinished = unfinished
        """The initializers of the variables the trace made (``tff.initialize_unfinished``)."""

    def raise_(self) -> None:
        for stream, text in self.writes:
            stream.write(text)
        raise self.error.with_traceback(self.error.__traceback__)


def _record_anyway(rec: Recorder, fn: Any, unfinished: list[Any], run: Any) -> None:
    """Run the call eagerly, its output held back and dropped, before the trace's error is
    raised: its tapes, gradient calls and ops are what the error is explained by (a Keras
    ``fit`` step whose loss has no gradient fails while tracing, at ``apply_gradients``). The
    warnings it showed are forgotten as its output is dropped: plain ``python`` never ran it,
    and shows them where the scenario next meets them. The variables the trace made (a model
    first built by the step) are initialised first, unrecorded, as TensorFlow would have once
    the trace was done: uninitialised, the eager body could not run at all."""
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _HeldOutput(streams[0], []), _HeldOutput(streams[1], [])
    shown = _ShownWarnings([])
    try:
        with shown:
            with Tracing(rec), contextlib.suppress(Exception):  # else the body finds them unset
                tff.initialize_unfinished(fn, unfinished)
            run()
    except Exception:  # the same error, or none: the trace's is the one python raises
        pass
    finally:
        sys.stdout, sys.stderr = streams
        shown.forget()


def _trace_first(
    rec: Recorder, fn: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> _TraceError | None:
    """Trace ``fn`` as a compiled call would; what tracing raised, if it did."""
    writes: list[tuple[Any, str]] = []
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _HeldOutput(streams[0], writes), _HeldOutput(streams[1], writes)
    error: BaseException | None = None
    made: list[Any] = []
    with Tracing(rec):  # the trace's tapes and calls are not the scenario's eager ones
        try:
            with _ShownWarnings(writes):
                tff.trace_function(fn, args, kwargs, made)
        except BaseException as exc:  # raised later, outside the recorder's guard
            error = exc
        finally:
            sys.stdout, sys.stderr = streams
    if error is None:  # what the compiled call prints: the eager run that follows is quiet
        for stream, text in writes:
            stream.write(text)
    for var in made:  # at the call's line: the trace ran AutoGraph's copy of the body
        with rec.guard():
            rec.on_variable_created(var)
    return None if error is None else _TraceError(error, writes, tff.TRACING.unfinished)


class _ShownWarnings:
    """Notes the warnings shown while a function is traced, so that Python's "shown once"
    registries can forget them again: the trace's output is dropped, and the eager call that
    follows must show them as the compiled call showed them (Keras warns that gradients do not
    exist for some variables while its train step is traced). Each is shown only if the held
    output ``held`` is written out, in its place there: dropped, it is neither printed nor
    added to the list of a ``warnings.catch_warnings(record=True)`` around the call (which
    the eager call adds it to, once, as the compiled call did)."""

    def __init__(self, held: list[tuple[Any, str]]) -> None:
        self.shown: list[tuple[str, type[Warning], str, int]] = []
        self.held = held

    def __enter__(self) -> _ShownWarnings:
        self._show = warnings.showwarning

        def showwarning(
            message: Warning | str,
            category: type[Warning],
            filename: str,
            lineno: int,
            file: TextIO | None = None,
            line: str | None = None,
        ) -> None:
            self.shown.append((str(message), category, filename, lineno))
            self.held.append(
                (_Shown(self._show, (message, category, filename, lineno, file, line)), "")
            )

        warnings.showwarning = showwarning
        return self

    def __exit__(self, *_: object) -> None:
        warnings.showwarning = self._show

    def forget(self) -> None:
        for text, category, filename, lineno in self.shown:
            once = getattr(warnings, "onceregistry", None)  # not in the type stubs
            if isinstance(once, dict):
                once.pop((text, category), None)
            for module in list(sys.modules.values()):
                if getattr(module, "__file__", None) == filename:
                    registry = getattr(module, "__warningregistry__", None)
                    if isinstance(registry, dict):
                        registry.pop((text, category, lineno), None)


class _Shown:
    """A warning held back with a trace's output: "written" out, it is shown."""

    def __init__(self, show: Any, args: tuple[Any, ...]) -> None:
        self.show, self.args = show, args

    def write(self, _: str) -> None:
        self.show(*self.args)


def note_xla_call(rec: Recorder) -> Any:
    """Names the XLA-compiled functions that ran (``meta.xla_functions``): each call is one op."""
    return lambda name: _note(rec, "xla_functions", name)


def _note(rec: Recorder, key: str, name: str) -> None:
    """``name`` added to the trace's meta list ``key`` (``eager_functions``, ``xla_functions``)."""
    names = rec.notes.setdefault(key, [])
    if name not in names:
        names.append(name)
