"""Whatever a scenario did, every None gets exactly one known cause pointing at real lines."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tapetui.explain import CAUSE_CODES, explain

from .timeline import Timeline

ACTIONS = st.lists(
    st.sampled_from(
        "mul add round stop_gradient to_int numpy assign enter exit watch stop resume reset "
        "constant".split()
    ),
    min_size=1,
    max_size=14,
)


def _play(actions: list[str], picks: list[int]) -> tuple[Timeline, int, list[int]]:
    t = Timeline("\n".join(f"line_{n} = step()" for n in range(1, 40)))
    w = t.variable("w", 2.0, 1)
    frozen = t.variable("frozen", 1.0, 2, trainable=False)
    values = [w, frozen, t.constant("c", 3.0, 3)]
    tape = t.tape(4, persistent=True)
    inside = paused = False

    def pick(i: int) -> int:
        return values[picks[i % len(picks)] % len(values)]

    for i, action in enumerate(actions):
        line = 5 + i
        a = pick(i)
        if a in t.trace.variables and action not in ("assign", "watch"):
            a = t.read(a, line, 2.0)
        if action in ("mul", "add"):
            values.append(t.op("Mul" if action == "mul" else "AddV2", [a, pick(i + 1)], line))
        elif action in ("round", "stop_gradient"):
            values.append(t.op("Round" if action == "round" else "StopGradient", [a], line))
        elif action == "to_int":
            values.append(t.op("Cast", [a], line, dtype="int32"))
        elif action in ("numpy", "constant"):
            if action == "numpy":
                t.to_numpy(a, line)
            values.append(t.constant(None, float(i), line))
        elif action == "assign":
            t.assign(w, values[-1], line, "assign_add")
        elif action == "enter" and not inside:
            t.enter(tape, line)
            inside = True
        elif action == "exit" and inside:
            t.exit(tape, line)
            inside = paused = False
        elif action == "watch" and inside:
            t.watch(tape, [pick(i)], line)
        elif action == "stop" and inside and not paused:
            t.stop(tape, line)
            paused = True
        elif action == "resume" and paused:
            t.resume(tape, line)
            paused = False
        elif action == "reset" and inside:
            t.reset(tape, line)
    sources = [w, frozen, values[2]]
    return t, tape, sources


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions=ACTIONS, picks=st.lists(st.integers(0, 40), min_size=1, max_size=8))
def test_every_none_has_one_known_cause_on_real_lines(actions: list[str], picks: list[int]) -> None:
    t, tape, sources = _play(actions, picks)
    target = len(t.trace.tensors) and max(t.trace.tensors)
    call = t.gradient(tape, target, sources, 39, [None] * len(sources))
    explanation = explain(t.trace)[call]
    assert len(explanation.results) == len(sources)
    for cause in explanation.results:
        assert cause is not None
        assert cause.code in CAUSE_CODES and cause.code not in cause.others
        assert set(cause.others) <= set(CAUSE_CODES)
        assert cause.sentence and cause.fix
        assert all(1 <= line <= 39 for line in cause.evidence_lines)
        assert 39 in cause.evidence_lines
