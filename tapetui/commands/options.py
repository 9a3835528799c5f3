"""What every ``tapetui`` command shares: the usage error, the parser that raises it, and the
option types (seed, timeout, budget, terminal size)."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import NoReturn

from tapetui.record.budget import Budget, add_budget_options, budget_from_options

SEEDS = 2**32
"""Seeds run from 0 to 2**32 - 1, the range NumPy's generator takes."""
MAX_SIZE = (1000, 500)
"""The largest ``--size`` (columns, rows)."""
SHOWN_PATH = 160
"""Characters of a path shown in a message before it is cut (an overlong path is thousands)."""


class UsageError(Exception):
    """Bad input from the user: one sentence, exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse with its errors as one sentence (its own usage text would be several lines)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def shown(path: str | Path) -> str:
    """A path as a message shows it: cut when overlong."""
    text = str(path)
    if len(text) <= SHOWN_PATH:
        return text
    return f"{text[: SHOWN_PATH - 1]}… ({len(text)} characters)"


def _seed(text: str) -> int:
    try:
        seed = int(text)
    except ValueError:
        seed = -1
    if not 0 <= seed < SEEDS:
        raise argparse.ArgumentTypeError(
            f"{text!r:.40} is not a seed; give a whole number from 0 to {SEEDS - 1}"
        )
    return seed


def _timeout(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not 0 < seconds < math.inf:
        raise argparse.ArgumentTypeError(f"{text!r:.40} is not a number of seconds above 0")
    return seconds


def add_seed(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--seed",
        type=_seed,
        default=0,
        help="RNG seed for the scenario, 0 to 2**32-1 (default 0; TensorFlow's global seed is "
        "its own default plus this, so ops given their own seeds draw as they do without tapetui)",
    )


def add_run_options(parser: argparse.ArgumentParser) -> None:
    add_seed(parser)
    parser.add_argument(
        "--timeout", type=_timeout, default=None, help="stop the scenario after SECONDS"
    )
    add_budget_options(parser)


def budget(args: argparse.Namespace) -> Budget:
    try:
        return budget_from_options(args)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def parse_size(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise UsageError(f"--size {text!r:.40} is not WIDTHxHEIGHT, e.g. 120x40") from None
    if width < 20 or height < 10:
        raise UsageError(f"--size {text!r:.40} is too small; use at least 20x10")
    if width > MAX_SIZE[0] or height > MAX_SIZE[1]:
        raise UsageError(
            f"--size {text!r:.40} is too large; use at most {MAX_SIZE[0]}x{MAX_SIZE[1]}"
        )
    return width, height
