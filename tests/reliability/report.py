"""Print the reliability figures of a test run as a Markdown table.

Usage: ``python -m tests.reliability.report FIGURES_JSON``, where the file was written by the
``tests.figures`` plugin. ``nox -s reliability`` runs it after the test suite. The exit status
is 1 when the run failed, a secret leaked, or a bad name caused a request, and 0 otherwise.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

NOT_RUN = "not run"

# Each row's result is a template over the figures, in which ``{f[NAME]}`` is the figure NAME.
ROWS = [
    (
        "transient faults, alone and in bursts",
        (
            "{f[transient.faults_injected]} injected in {f[transient.cases]} cases, all survived; "
            "at most {f[transient.max_attempts_used]} attempts used"
        ),
    ),
    (
        "permanent faults",
        (
            "{f[permanent.failed_on_first_request]} of {f[permanent.cases]} failed on the first "
            "request with their own error class"
        ),
    ),
    (
        "retries exhausted",
        (
            "{f[exhausted.waiters_with_same_error]} of {f[exhausted.waiters]} waiters in "
            "{f[exhausted.cases]} cases got the one shared error; the next call started afresh "
            "in {f[exhausted.fresh_next_calls]} cases"
        ),
    ),
    *(
        (
            f"endpoint never responds: {label}",
            (
                f"{{f[unanswered.{key}.attempts]}} attempts, gave up after "
                f"{{f[unanswered.{key}.elapsed_seconds]}} s (time bound "
                f"{{f[unanswered.{key}.bound_seconds]}} s)"
            ),
        )
        for key, label in [
            ("stall_max_attempts", "request stalls, ended by max_attempts"),
            ("stall_max_retry_time", "request stalls, ended by max_retry_time"),
            ("closed_port_max_attempts", "closed port, ended by max_attempts"),
            ("closed_port_max_retry_time", "closed port, ended by max_retry_time"),
            ("silent_listener", "connection taken but never read (read timeout)"),
            ("full_backlog", "connection never accepted (connect timeout)"),
        ]
    ),
    (
        "multi-process create race",
        (
            "{f[race.processes]} processes x {f[race.tasks_per_process]} tasks x "
            "{f[race.client_names]} names: {f[race.calls_agreeing]} of {f[race.calls]} reads "
            "agreed, {f[race.creates_succeeded]} of {f[race.create_requests]} creates succeeded, "
            "{f[race.task_errors]} task errors"
        ),
    ),
    (
        "bad client names",
        (
            "{f[bad_input.rejected]} of {f[bad_input.names]} names and {f[bad_input.non_strings]} "
            "non-strings rejected; {f[bad_input.requests]} requests sent"
        ),
    ),
    (
        "secret values leaked",
        (
            "{f[secrecy.leaks]} leaks in {f[secrecy.log_records]} log records, {f[secrecy.errors]} "
            "errors, {f[secrecy.reprs]} reprs and {f[secrecy.outputs]} outputs of "
            "{f[secrecy.tests]} tests ({f[secrecy.known_values]} known values)"
        ),
    ),
]


class _Formatted:
    """The figures as text for the templates. A missing figure raises KeyError."""

    def __init__(self, figures: dict[str, float]) -> None:
        self._figures = figures

    def __getitem__(self, name: str) -> str:
        value = float(self._figures[name])

        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"


def render(figures: dict[str, float]) -> str:
    """Return the Markdown table of *figures*, with "not run" in rows whose figures are missing."""
    formatted = _Formatted(figures)
    lines = ["| check | result |", "|---|---|"]
    for check, template in ROWS:
        try:
            result = template.format(f=formatted)
        except KeyError:
            result = NOT_RUN
        lines.append(f"| {check} | {result} |")

    return "\n".join(lines)


def main(arguments: list[str]) -> int:
    """Print the table for the figures file in *arguments* and return the exit status."""
    if len(arguments) != 1:
        sys.stderr.write("usage: python -m tests.reliability.report FIGURES_JSON\n")
        return 2

    path = Path(arguments[0])
    if not path.exists():
        sys.stderr.write(f"{path} does not exist: the test run wrote no figures\n")
        return 1

    document = json.loads(path.read_text(encoding="utf-8"))
    figures = document.get("figures", {})
    sys.stdout.write(render(figures) + "\n")

    exit_status = document.get("exit_status")
    failed = exit_status != 0
    leaked = figures.get("secrecy.leaks", 0) != 0
    requested = figures.get("bad_input.requests", 0) != 0
    if failed:
        sys.stderr.write(f"The test run failed (pytest exit status {exit_status}).\n")
    if leaked:
        sys.stderr.write("A secret value leaked.\n")
    if requested:
        sys.stderr.write("A bad client name caused a request.\n")

    return 1 if failed or leaked or requested else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
