"""Rows of the results table, target checks, and number formatting."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence


@dataclass(frozen=True)
class Row:
    """One line of the results table."""

    measurement: str
    implementation: str
    result: str
    ratio: str = ""
    target: str = ""
    verdict: str = ""


def median(samples: Sequence[float]) -> float:
    """Return the median of *samples*."""
    return statistics.median(samples)


def duration(seconds: float) -> str:
    """Format *seconds* in the unit that keeps three significant digits readable."""
    if seconds < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.1f} ms"

    return f"{seconds:.2f} s"


def times(ratio: float) -> str:
    """Format a ratio such as ``2.31x`` or ``240x``."""
    if ratio >= 100:
        return f"{ratio:.0f}x"
    if ratio >= 10:
        return f"{ratio:.1f}x"

    return f"{ratio:.2f}x"


def verdict_at_most(value: float, limit: float) -> str:
    """Return ``met`` when *value* is at most *limit*, else ``missed``."""
    return "met" if value <= limit else "missed"


def verdict_at_least(value: float, limit: float) -> str:
    """Return ``met`` when *value* is at least *limit*, else ``missed``."""
    return "met" if value >= limit else "missed"


def render(rows: Iterable[Row]) -> str:
    """Return the rows as one markdown table that names each measurement on its first row."""
    lines = [
        "| measurement | implementation | result | ratio | target | verdict |",
        "|---|---|---|---|---|---|",
    ]
    previous = None
    for row in rows:
        measurement = row.measurement if row.measurement != previous else ""
        previous = row.measurement
        cells = (measurement, row.implementation, row.result, row.ratio, row.target, row.verdict)
        lines.append("| " + " | ".join(cells) + " |")

    return "\n".join(lines)
