"""Recordings shared by tests in several folders: each is made once per test session."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tapetui.record import record
from tapetui.record.budget import Budget
from tapetui.trace.model import Trace

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def nan_traces() -> dict[str, Trace]:
    """Every scenario of ``scenarios/nan`` recorded in full detail, two at a time."""
    names = sorted(p.name for p in (ROOT / "scenarios" / "nan").glob("*.py"))
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            found = list(pool.map(_record_nan, names))
    finally:
        os.chdir(cwd)
    return dict(zip(names, found, strict=True))


def _record_nan(name: str) -> Trace:
    return record(Path("scenarios") / "nan" / name, budget=Budget(tapes=0, ops=0))


@pytest.fixture(scope="session")
def keras_fit_trace() -> Trace:
    """``scenarios/keras/fit.py`` (a two-layer Dense MLP under Keras ``fit``), recorded once."""
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        return record(Path("scenarios") / "keras" / "fit.py")
    finally:
        os.chdir(cwd)
