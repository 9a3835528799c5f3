"""How much a recording keeps: the limits that bound a trace's size and the recorder's memory.

TensorFlow-free, so the parent process and the CLI can build one and pass it to the child.

A run is recorded in full detail (every op, tensor value, backward step) until it creates its
``tapes`` + 1th gradient tape, or its ``repeats`` + 1th tape at one place (a loop's next step;
only while ``tapes`` is limited), or records its ``ops`` + 1th op, whichever comes first. From then on it is *summarised*: tapes,
gradient calls with their target and result values, variables, printed output and errors are
still recorded, but ops are no longer observed at all (TensorFlow runs them as it does without
tapetui) and the recorder drops its per-op state. So a training loop shows its first steps in
detail and the values of every later step, in bounded memory and at close to TensorFlow's own
speed (``tapetui.record.steps``).
Summarised gradient calls have no backward steps and no ops to explain a ``None`` with:
``meta.summarised.from_seq`` is the first event of the summarised part.

``graph`` keeps ``tf.function``s compiled (``--graph``): each call is then one op, and what runs
inside it is not recorded. By default the recording child runs them eagerly, op by op
(``tapetui.record.functions``).

What stays per step even when summarised: each tape's record, its enter/exit events and its
gradient call (a few hundred bytes to a few kB a step), so a loop of a million steps still grows
the trace by that much per step; ``ops`` and ``elements`` bound everything else.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, fields
from typing import Any

ELEMENTS = 64
"""Tensors with at most this many elements are stored whole; larger ones as a summary."""
PREVIEW = 8
"""Leading elements kept in a large tensor's summary."""
TAPES = 10
"""Tapes recorded in full detail; from the next tape on the run is summarised."""
REPEATS = 3
"""Tapes made at one place (the same line, called from the same lines) recorded in full detail:
a loop's first steps. Nobody steps through more of a loop op by op, and each detailed step costs
several times a plain one, so a training loop is summarised from its fourth step."""
OPS = 20_000
"""Ops recorded in full detail (about 10-20 MB of trace); after them the run is summarised."""


@dataclass(frozen=True)
class Budget:
    """The recording limits; ``0`` for ``tapes``, ``repeats`` or ``ops`` means unlimited."""

    elements: int = ELEMENTS
    """Elements of a tensor stored whole; a larger tensor keeps a summary (size, min, max, mean,
    NaN/Inf counts and its first ``preview`` elements), computed in bounded memory."""
    preview: int = PREVIEW
    """Leading elements kept in a large tensor's summary."""
    tapes: int = TAPES
    """Gradient tapes recorded in full detail before the rest of the run is summarised."""
    repeats: int = REPEATS
    """Tapes made at one place recorded in full detail before the rest of the run is summarised,
    within ``tapes``: with ``tapes`` 0 every tape is recorded in detail."""
    ops: int = OPS
    """Ops recorded in full detail before the rest of the run is summarised."""
    graph: bool = False
    """Keep ``tf.function``s compiled: each call is one op, its inside is not recorded."""

    def __post_init__(self) -> None:
        if not isinstance(self.graph, bool):
            raise ValueError(f"the budget's graph must be True or False, not {self.graph!r}")
        for f in _LIMITS:
            value = getattr(self, f.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(
                    f"the budget's {f.name} must be a whole number >= 0, not {value!r}"
                )

    def as_meta(self) -> dict[str, Any]:
        """The limits as they are written into a trace's meta (``graph`` is ``meta.functions``)."""
        return {f.name: getattr(self, f.name) for f in _LIMITS}

    def as_options(self) -> list[str]:
        """Command-line options of ``python -m tapetui.record`` that give this budget."""
        limits = [f"--budget-{f.name}={getattr(self, f.name)}" for f in _LIMITS]
        return [*limits, "--graph"] if self.graph else limits

    @property
    def functions(self) -> str:
        """How ``tf.function``s run while recording: ``"compiled"`` or ``"eager"``."""
        return "compiled" if self.graph else "eager"

    def detailed_tapes_exceeded(self, count: int) -> bool:
        return 0 < self.tapes < count

    def detailed_ops_exceeded(self, count: int) -> bool:
        return 0 < self.ops < count

    def detailed_repeats_exceeded(self, count: int) -> bool:
        return 0 < self.tapes and 0 < self.repeats < count


_LIMITS = [f for f in fields(Budget) if f.name != "graph"]
"""The numeric limits, each an option ``--budget-NAME N``."""

DEFAULT_BUDGET = Budget()


_HELP = {
    "elements": "keep tensors of up to N elements whole, larger ones as a summary (default %(default)s)",
    "preview": "leading values kept in a large tensor's summary (default %(default)s)",
    "tapes": "record the first N tapes in full detail, then tapes, gradients and values only (default %(default)s; 0: no limit)",
    "repeats": "of those tapes, record at most N made at one place (a loop's first N steps) in full detail (default %(default)s; 0: no limit; no effect with --budget-tapes 0)",
    "ops": "record the first N ops in full detail, then tapes, gradients and values only (default %(default)s; 0: no limit)",
}


def add_budget_options(parser: argparse.ArgumentParser) -> None:
    """``--budget-elements N`` and the like, one per limit, defaulting to ``DEFAULT_BUDGET``;
    and ``--graph``."""
    for f in _LIMITS:
        parser.add_argument(
            f"--budget-{f.name}",
            dest=f"budget_{f.name}",
            type=int,
            default=getattr(DEFAULT_BUDGET, f.name),
            metavar="N",
            help=_HELP[f.name],
        )
    parser.add_argument(
        "--graph",
        action="store_true",
        help="keep tf.functions compiled: each call is one op and its inside is not recorded "
        "(default: run them eagerly, op by op)",
    )


def budget_from_options(options: argparse.Namespace) -> Budget:
    limits = {f.name: getattr(options, f"budget_{f.name}") for f in _LIMITS}
    return Budget(**limits, graph=bool(getattr(options, "graph", False)))
