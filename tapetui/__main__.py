"""``python -m tapetui``: the same as the ``tapetui`` command."""

from __future__ import annotations

import sys

from tapetui.cli import main

sys.exit(main())
