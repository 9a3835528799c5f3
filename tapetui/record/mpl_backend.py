"""matplotlib backend of the recording child: ``plt.show()`` saves each figure as a PNG.

Imported by matplotlib itself (``MPLBACKEND=module://tapetui.record.mpl_backend``), so only when
the scenario uses matplotlib. Drawing is Agg's; showing saves the figure (``tapetui.record.figures``)
and, as a window the user closes would, then closes the figures a blocking ``show()`` showed. A
file the scenario's ``savefig`` writes is listed as well.
"""

from __future__ import annotations

import os
from typing import Any

import matplotlib
from matplotlib._pylab_helpers import Gcf
from matplotlib.backend_bases import FigureManagerBase
from matplotlib.backends.backend_agg import FigureCanvasAgg

from tapetui.record import figures


class FigureManagerTapetui(FigureManagerBase):
    """Shows a figure by saving it."""

    def show(self) -> None:
        figures.shown(self.canvas.figure)

    @classmethod
    def pyplot_show(cls, *, block: bool | None = None) -> None:
        managers = Gcf.get_all_fig_managers()
        for manager in managers:
            manager.show()
        if block is None:
            block = not matplotlib.is_interactive()
        if block:  # a blocking show() returns once its windows are closed
            for manager in managers:
                Gcf.destroy(manager)


class FigureCanvasTapetui(FigureCanvasAgg):
    """Agg's canvas; a file the scenario saves a figure to is listed in the trace too."""

    manager_class: Any = FigureManagerTapetui

    def print_figure(self, filename: Any, *args: Any, **kwargs: Any) -> Any:
        result = super().print_figure(filename, *args, **kwargs)
        if isinstance(filename, (str, os.PathLike)):
            figures.saved(os.fspath(filename))
        return result


FigureCanvas = FigureCanvasTapetui
FigureManager = FigureManagerTapetui
