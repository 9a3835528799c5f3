"""Gradient calls that raised, and the notes about a call that are not causes."""

from __future__ import annotations

import math
import re

from tapetui.explain import wording
from tapetui.explain.causes import Cause, Evidence, Note
from tapetui.explain.context import CallContext, at
from tapetui.explain.nosources import no_sources_note
from tapetui.explain.plain_target import plain_target_cause
from tapetui.explain.pyfunc import py_function_notes
from tapetui.trace.events import MissingGradientsEvent, WatchEvent
from tapetui.trace.model import GradientCall, Trace


def error_cause(ctx: CallContext) -> Cause:
    """Why the gradient call raised."""
    call, error = ctx.call, ctx.call.error
    assert error is not None
    asked = Evidence(call.file, call.line, f"{error.type} raised here", call.seq)
    earlier = [
        c
        for c in ctx.trace.gradient_calls.values()
        if c.tape == call.tape and c.seq < call.seq and c.error is None
    ]
    tape = ctx.tape_name
    if not ctx.view.tape.persistent and (earlier or "non-persistent" in error.message):
        first = (
            f" by the call at {at(earlier[0].line, earlier[0].file)}"
            if earlier
            else " by an earlier gradient call"
        )
        marks = [Evidence(c.file, c.line, f"{tape} used (and released)", c.seq) for c in earlier]
        return Cause(
            "persistent_reuse",
            f"{tape} is not persistent and was already used{first}; a non-persistent tape "
            f"releases its recording after one gradient call, so the call at {at(call.line, call.file)} "
            "raised.",
            f"Create it with `tf.GradientTape(persistent=True)` (and `del {tape.strip('`')}` "
            "when done), or record a new tape for each gradient.",
            [*marks, asked],
        )
    if error.type == "LookupError":
        return _no_gradient(ctx, asked)
    rejected = _rejected_watch(ctx.trace, call)
    if rejected is not None:
        return _after_rejected_watch(ctx, rejected, asked)
    plain_target = plain_target_cause(ctx, asked)
    if plain_target is not None:
        return plain_target
    plain = _plain_sources(ctx)
    if plain:
        return Cause(
            "exception",
            f"`{tape.strip('`')}.{call.method}` at {at(call.line, call.file)} raised "
            f"{error.type} because its sources hold {plain}, which is not a tensor or a "
            "variable: every source must be a `tf.Variable` or a `tf.Tensor` the tape watched.",
            "Leave it out of the sources, or make it a `tf.Variable` (or a watched tensor) if "
            "its gradient is wanted.",
            [asked],
        )
    return Cause(
        "exception",
        f"`{tape.strip('`')}.{call.method}` at {at(call.line, call.file)} raised {error.type}: "
        f"{error.message.strip().splitlines()[0] if error.message.strip() else ''}".rstrip(": "),
        "Read the exception message; the traceback points at the scenario's line.",
        [Evidence(error.file or call.file, error.line or call.line, error.type, call.seq)],
    )


def _plain_sources(ctx: CallContext) -> str:
    """The sources that are plain Python or NumPy values (recorded under a synthetic id, with
    no TensorFlow tensor behind them), in words: ``the Python/NumPy value 0.5 (float64)``."""
    trace = ctx.trace
    found = []
    for ref in ctx.call.source_ids:
        tensor = trace.tensors.get(ref)
        if ref >= 0 or ref in trace.variables or tensor is None or tensor.producer is not None:
            continue
        value = "" if tensor.data is None else f" {tensor.data}"
        found.append(f"the Python/NumPy value{value} ({tensor.dtype})")
    return ", ".join(found)


def _no_gradient(ctx: CallContext, asked: Evidence) -> Cause:
    error = ctx.call.error
    assert error is not None
    found = re.search(r"op type: (\w+)", error.message) or re.search(
        r"operation '(\w+)'", error.message
    )
    op_type = found.group(1) if found else None
    ops = [
        op
        for op in ctx.trace.ops.values()
        if op_type in (op.op_type, op.function) and ctx.view.tape.id in op.recorded_by
    ]
    name = f"`{op_type}`" if op_type else "an op"
    where = f" ({ctx.statement(ops[0])})" if ops else ""
    marks = [ctx.evidence(op, f"{op_type} recorded here, without a gradient") for op in ops[:3]]
    return Cause(
        "no_gradient_registered",
        f"TensorFlow has no gradient registered for {name}{where}, which {ctx.tape_name} "
        f"recorded on the way to {ctx.target_name}.",
        "Register one with `@tf.RegisterGradient`, wrap the computation in `tf.custom_gradient`, "
        "or keep that op off the path to the target (`tf.stop_gradient` around it).",
        [*marks, asked],
    )


def _rejected_watch(trace: Trace, call: GradientCall) -> WatchEvent | None:
    """The last ``watch()`` on the call's tape that raised before it, preferring one that was
    given one of the call's sources."""
    raised = [
        e
        for e in trace.events
        if isinstance(e, WatchEvent) and e.error and e.tape == call.tape and e.seq < call.seq
    ]
    sources = set(call.source_ids)
    shared: list[WatchEvent | None] = [e for e in raised if any(i.ref in sources for i in e.items)]
    return (shared or raised or [None])[-1]


def _after_rejected_watch(ctx: CallContext, watch: WatchEvent, asked: Evidence) -> Cause:
    call, error = ctx.call, ctx.call.error
    assert error is not None and watch.error is not None
    sources = set(call.source_ids)
    same = [i.label for i in watch.items if i.ref in sources]
    given = f", given {', '.join(same)} as a source," if same else ""
    message = error.message.strip().splitlines()[0] if error.message.strip() else ""
    rejected = watch.error.strip().splitlines()[0].rstrip(".")
    return Cause(
        "watch_rejected",
        f"`watch()` at {at(watch.line, watch.file)} raised {rejected}; then "
        f"`{ctx.tape_name.strip('`')}.{call.method}` at {at(call.line, call.file)}{given} raised "
        f"{error.type}: {message}".rstrip(": "),
        watch_fix(watch),
        [Evidence(watch.file, watch.line, "watch() raised", watch.seq), asked],
    )


def watch_fix(watch: WatchEvent) -> str:
    """The fix for a ``watch()`` that raised, by what it was given: a Keras 3 ``Variable``, a
    symbolic Keras tensor (``model.inputs``, ``tf.keras.Input``, in Keras 3 and Keras 2 alike),
    or something else that is not a tensor."""
    keras_variable = "KerasVariable" in (watch.error or "")
    if keras_variable or any((i.reason or "").startswith("a Keras Variable") for i in watch.items):
        return (
            "Watch the tf.Variable under the Keras 3 Variable (`tape.watch(layer.kernel.value)`) "
            "or leave `watch_accessed_variables=True`."
        )
    if "KerasTensor" in (watch.error or ""):
        return (
            "`model.inputs` and `tf.keras.Input` are symbolic (they hold no values): watch, and "
            "differentiate with respect to, the tensor you pass to the model (`x` in `model(x)`)."
        )
    return "Watch, and differentiate with respect to, real tensors or variables."


def watch_causes(trace: Trace) -> dict[int, Cause]:
    """``watch_rejected`` for every ``tape.watch()`` that raised, by the watch event's seq."""
    causes: dict[int, Cause] = {}
    for event in trace.events:
        if isinstance(event, WatchEvent) and event.error:
            causes[event.seq] = Cause(
                "watch_rejected",
                f"`watch()` at {at(event.line, event.file)} raised: {event.error.strip().splitlines()[0]}",
                watch_fix(event),
                [Evidence(event.file, event.line, "watch() raised", event.seq)],
            )
    return causes


def call_notes(ctx: CallContext, results: list[Cause | None]) -> list[Note]:
    """Remarks on the call that are not causes of a missing gradient."""
    call, tape, notes = ctx.call, ctx.tape_name, []
    if call.inside_context:
        notes.append(
            Note(
                "gradient_inside_context",
                f"`{call.method}` at {at(call.line, call.file)} was called inside the `with` block of {tape},"
                " so the tape also recorded the gradient computation itself (useful only for "
                "higher-order gradients).",
            )
        )
    weighted = " weighted by output_gradients" if call.output_gradients is not None else ""
    for ref in call.target_ids if call.method == "gradient" else []:
        shape = ctx.trace.tensors[ref].shape if ref in ctx.trace.tensors else None
        if shape and math.prod(shape) > 1:
            notes.append(
                Note(
                    "non_scalar_target",
                    f"{ctx.name(ref)} has shape {tuple(shape)}: the result is the gradient of the "
                    f"sum of its elements{weighted}.",
                )
            )
    notes += [
        Note("missing_gradients_warning", wording.missing_gradients_warning(ctx, event, results))
        for event in ctx.flow.missing_gradients.get(call.id, [])
        if event.outcome == "warned"
    ]
    notes += [Note("py_function_left_tensorflow", text) for text in py_function_notes(ctx)]
    empty = no_sources_note(ctx)
    if empty is not None:
        notes.append(Note("no_sources", empty))
    missing = [ctx.name(s) for s, c, r in _zipped(call, results) if c is not None and r is not None]
    if call.unconnected_gradients == "zero" and missing:
        notes.append(
            Note(
                "zeros_instead_of_none",
                f"unconnected_gradients=ZERO turned the missing gradient of {', '.join(missing)} "
                "into zeros; the cause is still shown.",
            )
        )
    return notes


def _zipped(
    call: GradientCall, results: list[Cause | None]
) -> list[tuple[int, Cause | None, int | None]]:
    values = call.result_ids
    return [
        (source, cause, values[i] if i < len(values) else None)
        for i, (source, cause) in enumerate(zip(call.source_ids, results, strict=False))
    ]


# --- an optimizer given None gradients ---------------------------------------------------------


def optimizer_events(trace: Trace) -> list[MissingGradientsEvent]:
    """Every time a Keras optimizer was given ``None`` gradients, in timeline order."""
    return [e for e in trace.events if type(e) is MissingGradientsEvent]


def optimizer_error(trace: Trace) -> MissingGradientsEvent | None:
    """The optimizer's raise that ended the scenario ("No gradients provided for any
    variable"), when that is how it ended: the same exception the scenario died of."""
    error = trace.error
    if error is None or error.type != "ValueError":
        return None
    raised = [e for e in optimizer_events(trace) if e.outcome == "raised"]
    if not raised or not _same_exception(error.type, error.message, raised[-1].message):
        return None
    return raised[-1]


def _same_exception(kind: str, ended: str, raised: str) -> bool:
    """Whether the exception the scenario died of is the optimizer's: the same message, or
    that message inside a ``tf.function``'s ``in user code:`` report, which ends with it."""
    return ended == raised or (
        bool(raised) and ended.rstrip().endswith(f"{kind}: {raised.rstrip()}")
    )


def no_gradients_cause(
    event: MissingGradientsEvent,
    ctx: CallContext | None,
    results: list[Cause | None],
) -> Cause:
    """``no_gradients_provided``: the optimizer got ``None`` for every variable; why each one is
    ``None``, from the gradient call that returned them (``ctx``, when it was recorded)."""
    raised = Evidence(event.file, event.line, "the optimizer raised ValueError here", event.seq)
    if ctx is None:
        return Cause(
            "no_gradients_provided",
            wording.no_gradients_unlinked(event),
            "Compute the loss from the model's outputs inside the tape's `with` block, and pass "
            "the gradients `tape.gradient(loss, model.trainable_variables)` returns.",
            [raised],
        )
    sentence, fix, evidence = wording.no_gradients_provided(ctx, event, results)
    return Cause("no_gradients_provided", sentence, fix, [*evidence, raised])


_PYTORCH = ("torch", "torchvision", "torchaudio")
_PIP_NAMES = {
    "sklearn": "scikit-learn",
    "cv2": "opencv-python",
    "PIL": "pillow",
    "yaml": "pyyaml",
    "skimage": "scikit-image",
}
"""Modules whose pip package has another name."""


def missing_module_cause(trace: Trace) -> Cause | None:
    """``missing_module`` when the scenario raised ``ModuleNotFoundError``: which module, and how
    to install it; for PyTorch, that tapetui debugs TensorFlow. From the recorded exception's
    type and message (``No module named 'x'``), never from the scenario's source."""
    error = trace.error
    if error is None or error.type != "ModuleNotFoundError":
        return None
    found = re.match(r"No module named '([^']+)'", error.message.strip())
    if found is None:
        return None
    name = found.group(1)
    top = name.split(".")[0]
    where = f" at {at(error.line, error.file)}" if error.line is not None else ""
    evidence = [Evidence(error.file, error.line, "ModuleNotFoundError", None)]
    if top in _PYTORCH:
        return Cause(
            "missing_module",
            f"No module named '{name}'{where}: the scenario uses PyTorch; tapetui debugs "
            "TensorFlow's GradientTape; PyTorch code is not recorded.",
            "Debug TensorFlow code with tapetui; run PyTorch code with python "
            f"(`pip install {top}` installs it).",
            evidence,
        )
    if "." in name:  # Python names the first part it cannot find: the package was found
        parent, _, sub = name.rpartition(".")
        return Cause(
            "missing_module",
            f"No module named '{name}'{where}: `{parent}` is installed but has no module `{sub}`.",
            f"Check the name, and that the installed `{top}` is a version that has it.",
            evidence,
        )
    package = _PIP_NAMES.get(name, name)
    return Cause(
        "missing_module",
        f"No module named '{name}'{where}: install it with pip install {package}.",
        f"Install it into the Python that runs tapetui: `python -m pip install {package}`.",
        evidence,
    )
