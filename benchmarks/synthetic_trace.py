"""Write a synthetic trace of a training loop with about N forward ops, for UI and load benchmarks.

    python benchmarks/synthetic_trace.py --ops 100000 -o /tmp/big.json
    python benchmarks/synthetic_trace.py --ops 100000 --none -o /tmp/none.json  # every gradient None

The shape mimics a real recording: one tape per step, a chain of recorded ops, one gradient call
and one backward step per op, then the variable's update, an op no tape records.
"""

from __future__ import annotations

import argparse
import math

from tapetui.trace import (
    BackwardStepEvent,
    GradientCall,
    GradientCallEvent,
    OpEvent,
    Tape,
    TapeEnterEvent,
    TapeExitEvent,
    Tensor,
    Trace,
    Variable,
    save,
)

OPS_PER_STEP = 10
SOURCE = """import tensorflow as tf
w = tf.Variable(1.0)
for step in range(STEPS):
    with tf.GradientTape() as tape:
        h = w * 1.0
        loss = h * h
    grad = tape.gradient(loss, w)
    w.assign_sub(0.1 * grad)
"""
OP_TYPES = ["ReadVariableOp", "Mul", "AddV2", "Square", "Mean"]


class _Builder:
    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.next_id = 2

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def seq(self) -> int:
        return len(self.trace.events)

    def tensor(self, value: float, producer: int | None) -> int:
        tid = self.new_id()
        self.trace.tensors[tid] = Tensor(
            id=tid, dtype="float32", shape=[], data=value, producer=producer, line=5
        )
        return tid


def _one_step(b: _Builder, step: int, none: bool = False) -> None:
    trace, f = b.trace, "synthetic.py"
    trace.tapes[step] = Tape(
        id=step,
        file=f,
        line=4,
        persistent=False,
        watch_accessed_variables=True,
        enter_seq=b.seq(),
        watched=[1],
    )
    trace.events.append(TapeEnterEvent(seq=b.seq(), file=f, line=4, tape=step))
    previous, ops = 1, []
    for k in range(OPS_PER_STEP - 1):
        op = b.new_id()
        out = b.tensor(math.sin(step + k), op)
        trace.events.append(
            OpEvent(
                seq=b.seq(),
                file=f,
                line=5 + k % 2,
                op=op,
                op_type=OP_TYPES[k % len(OP_TYPES)],
                inputs=[previous],
                outputs=[out],
                recorded_by=[step],
            )
        )
        ops.append((op, previous, out))
        previous = out
    trace.tapes[step].exit_seq = b.seq()
    trace.events.append(TapeExitEvent(seq=b.seq(), file=f, line=6, tape=step))
    result = None if none else b.tensor(0.5 / (step + 1), None)
    for op, _, out in reversed(ops):
        grad = b.tensor(0.1, None)
        trace.events.append(
            BackwardStepEvent(
                seq=b.seq(),
                file=f,
                line=5,
                call=step,
                op=op,
                op_type="Mul",
                upstream=[out],
                produced=[grad],
            )
        )
    trace.gradient_calls[step] = GradientCall(
        id=step,
        tape=step,
        method="gradient",
        file=f,
        line=7,
        seq=b.seq(),
        target=previous,
        sources=1,
        results=result,
        target_ids=[previous],
        source_ids=[1],
        result_ids=[result],
    )
    trace.events.append(GradientCallEvent(seq=b.seq(), file=f, line=7, call=step))
    update = b.new_id()  # w.assign_sub(0.1 * grad): after the tape closed, so nothing records it
    trace.events.append(
        OpEvent(
            seq=b.seq(),
            file=f,
            line=8,
            op=update,
            op_type="AssignSubVariableOp",
            inputs=[1] if result is None else [1, result],
            outputs=[],
        )
    )


def synthetic_trace(ops: int, none: bool = False) -> Trace:
    """About ``ops`` forward ops; with ``none`` every gradient call returns ``None``."""
    trace = Trace(scenario="synthetic.py", status="finished", exit_code=0)
    trace.sources["synthetic.py"] = SOURCE
    trace.variables[1] = Variable(
        id=1, name="w", dtype="float32", shape=[], trainable=True, pyname="w", data=1.0, line=2
    )
    builder = _Builder(trace)
    for step in range(1, ops // OPS_PER_STEP + 1):
        _one_step(builder, step, none)
    trace.reindex()
    return trace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ops", type=int, default=100_000)
    parser.add_argument("--none", action="store_true", help="every gradient call returns None")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    trace = synthetic_trace(args.ops, args.none)
    save(trace, args.output)
    print(f"wrote {args.output}: {len(trace.events)} events, {len(trace.tapes)} tapes")


if __name__ == "__main__":
    main()
