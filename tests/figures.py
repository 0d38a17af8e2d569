"""Pytest plugin that collects the figures the reliability tests measure.

Tests add to named figures through the `figures` fixture (or `FIGURES`). When the environment
variable named by `FIGURES_ENV` is set to a file path, the figures and the run's exit status are
written there as JSON when the run ends, for ``nox -s reliability`` to print as a table.
Otherwise they are discarded.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

__all__ = ["FIGURES", "FIGURES_ENV", "Figures"]

FIGURES_ENV = "FIG_RELIABILITY_FIGURES"


class Figures:
    """Named numbers measured during the run: counters, maxima and single readings."""

    def __init__(self) -> None:
        self._values: dict[str, float] = {}
        self._lock = threading.Lock()

    def add(self, name: str, amount: float = 1) -> None:
        """Add *amount* to the counter *name*, which starts at 0."""
        with self._lock:
            self._values[name] = self._values.get(name, 0) + amount

    def keep_max(self, name: str, value: float) -> None:
        """Set *name* to *value* if it is larger than the value kept so far."""
        with self._lock:
            self._values[name] = max(self._values.get(name, value), value)

    def set(self, name: str, value: float) -> None:
        """Set *name* to *value*, replacing any earlier value."""
        with self._lock:
            self._values[name] = value

    def as_dict(self) -> dict[str, float]:
        """Return a copy of every figure, sorted by name."""
        with self._lock:
            return dict(sorted(self._values.items()))


FIGURES = Figures()
"""The figures of this run."""


@pytest.fixture(scope="session")
def figures() -> Figures:
    """Provide the figures of this run."""
    return FIGURES


def pytest_sessionfinish(exitstatus: int) -> None:
    """Write the figures as JSON to the file named by the environment variable, if set."""
    path = os.environ.get(FIGURES_ENV)
    if not path:
        return

    document = {"exit_status": int(exitstatus), "figures": FIGURES.as_dict()}
    Path(path).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
