"""A small hand-built trace (x = 3; y = x·x; z = y·y; two gradient calls) for plain unit tests."""

from __future__ import annotations

from tapetui.trace import (
    BackwardStepEvent,
    GradientCall,
    GradientCallEvent,
    GradientSumEvent,
    OpEvent,
    OutputEvent,
    Tape,
    TapeEnterEvent,
    TapeExitEvent,
    Tensor,
    Trace,
    WatchEvent,
    WatchItem,
)

SOURCE = '''"""Two gradients from one persistent tape."""
import tensorflow as tf

x = tf.constant(3.0)
with tf.GradientTape(persistent=True) as tape:
    tape.watch(x)
    y = x * x
    z = y * y
dz_dx = tape.gradient(z, x)
dy_dx = tape.gradient(y, x)
print(dz_dx.numpy(), dy_dx.numpy())
'''

F = "square_twice.py"


def _t(id: int, value: float, name: str | None = None, producer: int | None = None) -> Tensor:
    return Tensor(id, "float32", [], value, name=name, producer=producer)


def square_twice() -> Trace:
    """x = 3 → y = 9 → z = 81; dz/dx = 108, dy/dx = 6."""
    trace = Trace(scenario=F, status="finished", exit_code=0, sources={F: SOURCE})
    tensors = [
        _t(10, 3.0, "x"),
        _t(11, 9.0, "y", 1),
        _t(12, 81.0, "z", 2),
        _t(20, 1.0),
        _t(21, 9.0),
        _t(22, 9.0),
        _t(23, 18.0),
        _t(24, 54.0),
        _t(25, 54.0),
        _t(26, 108.0, "dz_dx"),
        _t(30, 1.0),
        _t(31, 3.0),
        _t(32, 3.0),
        _t(33, 6.0, "dy_dx"),
    ]
    trace.tensors = {t.id: t for t in tensors}
    trace.tapes = {
        1: Tape(1, F, 5, True, True, enter_seq=0, exit_seq=4, watched=[10], label="tape")
    }
    trace.gradient_calls = {
        1: GradientCall(
            1,
            1,
            "gradient",
            F,
            9,
            11,
            12,
            10,
            results=26,
            target_ids=[12],
            source_ids=[10],
            result_ids=[26],
        ),
        2: GradientCall(
            2,
            1,
            "gradient",
            F,
            10,
            17,
            11,
            10,
            results=33,
            target_ids=[11],
            source_ids=[10],
            result_ids=[33],
        ),
    }
    trace.events = [
        TapeEnterEvent(0, F, 5, tape=1),
        WatchEvent(1, F, 6, tape=1, items=[WatchItem(10, "x", "watched")]),
        OpEvent(2, F, 7, op=1, op_type="Mul", inputs=[10, 10], outputs=[11], recorded_by=[1]),
        OpEvent(3, F, 8, op=2, op_type="Mul", inputs=[11, 11], outputs=[12], recorded_by=[1]),
        TapeExitEvent(4, F, 8, tape=1),
        BackwardStepEvent(5, F, 8, call=1, op=2, op_type="Mul", upstream=[20], produced=[21, 22]),
        GradientSumEvent(6, F, 7, call=1, tensor=11, contributions=[21, 22], total=23),
        BackwardStepEvent(7, F, 7, call=1, op=1, op_type="Mul", upstream=[23], produced=[24, 25]),
        GradientSumEvent(8, F, 4, call=1, tensor=10, contributions=[24, 25], total=26),
        GradientCallEvent(9, F, 9, call=1),
        BackwardStepEvent(10, F, 7, call=2, op=1, op_type="Mul", upstream=[30], produced=[31, 32]),
        GradientSumEvent(11, F, 4, call=2, tensor=10, contributions=[31, 32], total=33),
        GradientCallEvent(12, F, 10, call=2),
        OutputEvent(13, F, 11, text="108.0 6.0\n"),
    ]
    trace.reindex()
    return trace
