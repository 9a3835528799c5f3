"""The fix of ``watch_rejected`` says what to watch instead, by what ``watch()`` refused: a
Keras 3 ``Variable`` (its ``.value``), a symbolic Keras input (Keras 2 or 3: the tensor passed to
the model), anything else (a real tensor or variable); only the first names Keras 3."""

from __future__ import annotations

from tapetui.explain import watch_causes
from tapetui.trace.events import WatchEvent, WatchItem

from .timeline import Timeline

KERAS2_INPUT = (
    "ValueError: Passed in object KerasTensor(type_spec=TensorSpec(shape=(None, 2), "
    "dtype=tf.float32, name='input_1'), name='input_1') of type 'KerasTensor', not tf.Tensor "
    "or tf.Variable or ExtensionType."
)


def _fix(error: str, items: list[WatchItem]) -> str:
    t = Timeline("with tape:\n    tape.watch(thing)\n")
    tape = t.tape(1)
    t.enter(tape, 1)
    t.watch(tape, [], 2)
    watch = t.trace.events[-1]
    assert isinstance(watch, WatchEvent)
    watch.empty, watch.error, watch.items = False, error, items
    (cause,) = watch_causes(t.trace).values()
    assert cause.code == "watch_rejected"
    return cause.fix


def test_a_keras_2_symbolic_input_is_told_to_watch_the_tensor_passed_to_the_model() -> None:
    item = WatchItem(None, "KerasTensor 'input_1'", "ignored", "not a tensor or variable")
    fix = _fix(KERAS2_INPUT, [item])
    assert fix == (
        "`model.inputs` and `tf.keras.Input` are symbolic (they hold no values): watch, and "
        "differentiate with respect to, the tensor you pass to the model (`x` in `model(x)`)."
    )


def test_a_keras_3_variable_is_told_to_watch_its_value() -> None:
    item = WatchItem(3, "layer.kernel", "ignored", "a Keras Variable, not a tf.Variable")
    fix = _fix("ValueError: Passed in object <KerasVariable shape=(2, 1)>", [item])
    assert "`tape.watch(layer.kernel.value)`" in fix and "Keras 3" in fix


def test_anything_else_is_told_to_watch_real_tensors() -> None:
    item = WatchItem(None, "'a string'", "ignored", "not a tensor or variable")
    fix = _fix("ValueError: Passed in object 'a string' of type 'str'", [item])
    assert fix == "Watch, and differentiate with respect to, real tensors or variables."
