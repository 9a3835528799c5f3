"""Which TensorFlow releases tapetui's hooks support, checked before TensorFlow is imported.

An unsupported TensorFlow (or none) is one sentence at start-up, exit code 2, in the recording
child and in the ``record``/``report`` commands: never a traceback from a private API that moved.
The version is read from the installed package's metadata, so checking costs no TensorFlow
import (the parent side never imports it).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util

SUPPORTED_TF = ((2, 16), (2, 22))
"""TensorFlow versions (from, to exclusive) the hooks were written and checked for
(``compat/run`` checks each)."""

_DISTRIBUTIONS = (
    "tensorflow",
    "tensorflow-cpu",
    "tensorflow-intel",
    "tensorflow-macos",
    "tensorflow-aarch64",
    "tf-nightly",
    "tf-nightly-cpu",
)
"""The packages that install the ``tensorflow`` module."""


class UnsupportedTensorFlow(Exception):
    """The TensorFlow installed is one tapetui cannot hook; the message is one sentence."""


def supported_range() -> str:
    (low_major, low_minor), (high_major, high_minor) = SUPPORTED_TF
    return f"{low_major}.{low_minor} to {high_major}.{high_minor - 1}"


def installed_version() -> str | None:
    """The installed TensorFlow's version (``2.21.0``), ``None`` when none is installed, ``""``
    when a ``tensorflow`` module is there but no package says which version it is."""
    for name in _DISTRIBUTIONS:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "" if importlib.util.find_spec("tensorflow") is not None else None


def is_supported(version: str) -> bool:
    try:
        major, minor = (int(part) for part in version.split(".")[:2])
    except ValueError:
        return False
    low, high = SUPPORTED_TF
    return low <= (major, minor) < high


def unsupported_reason() -> str | None:
    """The sentence to stop with, or ``None`` when this TensorFlow is supported (or of a
    version no package names, which is left to run)."""
    version = installed_version()
    (low_major, low_minor), (high_major, high_minor) = SUPPORTED_TF
    wanted = f"pip install 'tensorflow>={low_major}.{low_minor},<{high_major}.{high_minor}'"
    if version is None:
        return f"TensorFlow is not installed; tapetui supports {supported_range()} ({wanted})."
    if version == "" or is_supported(version):
        return None
    return (
        f"TensorFlow {version} is not supported; tapetui supports TensorFlow "
        f"{supported_range()} ({wanted})."
    )


def check_tensorflow() -> None:
    """Raise ``UnsupportedTensorFlow`` unless the installed TensorFlow is supported."""
    reason = unsupported_reason()
    if reason is not None:
        raise UnsupportedTensorFlow(reason)
