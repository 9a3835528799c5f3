"""Stepping through a trace: order of steps and the debugger's jumps (no Textual)."""

from __future__ import annotations

from tapetui.ui.steps import BACKWARD, FORWARD, GRADIENT, SUM, Stepper, build_steps
from tests.ui.handmade import square_twice


def test_steps_follow_the_order_tensorflow_ran_them() -> None:
    kinds = [s.kind for s in build_steps(square_twice())]
    assert kinds == [
        FORWARD,
        FORWARD,
        BACKWARD,
        SUM,
        BACKWARD,
        SUM,
        GRADIENT,
        BACKWARD,
        SUM,
        GRADIENT,
    ]


def test_forward_ops_belong_to_the_tape_that_recorded_them() -> None:
    assert {s.tape for s in build_steps(square_twice())} == {1}


def test_next_and_previous_stop_at_the_ends() -> None:
    stepper = Stepper(square_twice())
    assert stepper.previous() is None and stepper.index == 0
    assert stepper.next() is stepper.steps[1]
    stepper.last()
    assert stepper.next() is None and stepper.index == len(stepper.steps) - 1


def test_partner_jumps_from_forward_op_to_its_backward_step_and_back() -> None:
    stepper = Stepper(square_twice())
    stepper.go(1)  # z = y * y
    backward = stepper.partner()
    assert backward is not None and backward.kind == BACKWARD and backward.line == 8
    forward = stepper.partner()
    assert forward is not None and forward.index == 1


def test_next_gradient_call_skips_to_calls_and_stops_after_the_last() -> None:
    stepper = Stepper(square_twice())
    lines = []
    while (step := stepper.next_gradient_call()) is not None:
        lines.append(step.line)
    assert lines == [9, 10]
    previous = stepper.next_gradient_call(forward=False)
    assert previous is not None and previous.line == 9


def test_go_to_tape_moves_to_the_tapes_first_step() -> None:
    stepper = Stepper(square_twice())
    stepper.last()
    step = stepper.go_to_tape(1)
    assert step is not None and step.index == 0


def test_stepping_logic_loads_without_textual() -> None:
    import subprocess
    import sys

    code = "import sys, tapetui.ui.steps, tapetui.ui.describe; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
