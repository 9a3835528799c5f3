"""A one-line strip of steps around the cursor: forward ops, gradient calls, backward steps."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widget import Widget

from tapetui.trace import Trace
from tapetui.ui.literal import literal_line
from tapetui.ui.steps import Step
from tapetui.ui.values import step_name


class _Names(dict[int, str]):
    """Step names by index, made only for the steps the strip reaches (a trace may have
    hundreds of thousands)."""

    def __init__(self, trace: Trace, steps: list[Step]) -> None:
        super().__init__()
        self.trace, self.steps = trace, steps

    def __missing__(self, index: int) -> str:
        name = self[index] = step_name(self.trace, self.steps[index])
        return name


def _layer(step: Step) -> str | None:
    """The Keras layer a forward op ran in (``dense_1``), else ``None``."""
    return getattr(step.event, "layer", None) if step.kind == "forward" else None


KIND_STYLES = {"backward": "magenta", "gradient": "cyan", "sum": "magenta", "error": "red"}
UNRECORDED = "dim"
"""A forward op no tape recorded (a variable's creation, an op on unwatched values)."""

LEGEND = [
    ("Mul", "", "an op a tape recorded"),
    ("AssignVariableOp", UNRECORDED, "an op no tape recorded (dim)"),
    ("∂Mul", KIND_STYLES["backward"], "a backward step"),
    ("Σx", KIND_STYLES["sum"], "gradients summed for a tensor"),
    ("grad dz/dx", KIND_STYLES["gradient"], "a gradient call"),
    ("raised", KIND_STYLES["error"], "the scenario raised"),
]
"""What the timeline's styles mean (the help shows it)."""


def step_style(step: Step) -> str:
    """How a step is drawn in the strip when it is not the current one."""
    if step.kind == "forward":
        return "" if getattr(step.event, "recorded_by", None) else UNRECORDED
    return KIND_STYLES.get(step.kind, "")


class Timeline(Widget):
    """The steps around the current one; the current step is shown reversed."""

    DEFAULT_CSS = """
    Timeline { height: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.trace: Trace | None = None
        self.steps: list[Step] = []
        self.index = 0
        self.spans: list[tuple[int, int, int]] = []
        """Where each shown step is drawn: ``(first cell, cell after it, step index)``."""

    class StepClicked(Message):
        """A step of the strip was clicked."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        index = None if offset is None else self.step_at(offset.x)
        if index is not None:
            self.post_message(self.StepClicked(index))

    def step_at(self, x: int) -> int | None:
        """The index of the step drawn at column ``x``, if any."""
        return next((index for start, end, index in self.spans if start <= x < end), None)

    def show(self, trace: Trace, steps: list[Step], index: int) -> None:
        self.trace, self.steps, self.index = trace, steps, index
        self.refresh()

    def render(self) -> Text:
        self.spans = []
        if self.trace is None or not self.steps:
            return Text("timeline: no steps yet", style="dim")
        width = max(20, self.size.width)
        names = _Names(self.trace, self.steps)
        lo = hi = self.index
        used = self._width(names, self.index) + 2
        while True:
            grew = False
            if hi + 1 < len(self.steps) and used + self._width(names, hi + 1) + 3 < width:
                hi, used, grew = hi + 1, used + self._width(names, hi + 1) + 3, True
            if lo > 0 and used + self._width(names, lo - 1) + 3 < width:
                lo, used, grew = lo - 1, used + self._width(names, lo - 1) + 3, True
            if not grew:
                break
        return self._strip(names, lo, hi)

    def _width(self, names: _Names, i: int) -> int:
        """A step's width in the strip, with the layer label that starts its group."""
        layer = _layer(self.steps[i])
        starts = layer is not None and (i == 0 or layer != _layer(self.steps[i - 1]))
        return len(names[i]) + (len(layer) + 3 if starts and layer else 0)

    def _strip(self, names: _Names, lo: int, hi: int) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("◂ " if lo > 0 else "  ", style="dim")
        for i in range(lo, hi + 1):
            if i > lo:
                text.append(" · ", style="dim")
            style = "reverse bold" if i == self.index else step_style(self.steps[i])
            layer = _layer(self.steps[i])
            if layer is not None and (i == lo or layer != _layer(self.steps[i - 1])):
                # ops grouped by Keras layer
                text.append_text(literal_line(f"{layer} ▸ ", "dim italic"))
            start = text.cell_len
            text.append_text(literal_line(names[i], style))
            self.spans.append((start, text.cell_len, i))
        if hi + 1 < len(self.steps):
            text.append(" ▸", style="dim")
        return text
