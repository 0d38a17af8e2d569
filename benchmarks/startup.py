"""A fresh process: the time to import each library, and from process start to the first secret.

Each run is a new interpreter (``benchmarks/startup_child.py``) that reads one existing secret
straight from moto, with no added latency. The first run of each library is a discarded warm-up,
so that every measured run finds bytecode caches and the OS file cache warm. Runs are interleaved
and the median counts.
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
import time
from pathlib import Path

from benchmarks._report import Row, duration, median, times
from benchmarks._services import seed_secrets
from fig_secret_aws import secret_name_for

MEASUREMENT = "4. Fresh process (median of {runs} runs)"
CLIENT_NAME = "StartUp"
CHILD = Path(__file__).with_name("startup_child.py")
LABELS = {
    "python": "`python` itself, importing nothing",
    "fig-secret-aws": "fig-secret-aws",
    "powertools": "Powertools `parameters.get_secret`",
    "aws-secretsmanager-caching": "aws-secretsmanager-caching `SecretCache`",
}

_CHILD_TIMEOUT = 60.0


def _run_once(library: str, secret_name: str) -> tuple[float, float]:
    """Return the child's import seconds and the seconds from its start until it held the secret."""
    started = time.perf_counter()
    child = subprocess.Popen(  # noqa: S603 (this interpreter and a script of this repository)
        [sys.executable, str(CHILD), library, CLIENT_NAME, secret_name],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    readable, _, _ = select.select([child.stdout], [], [], _CHILD_TIMEOUT)
    line = child.stdout.readline() if readable else ""
    first_secret = time.perf_counter() - started
    try:
        child.wait(_CHILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait(_CHILD_TIMEOUT)
    child.stdout.close()
    if child.returncode != 0 or not line:
        msg = f"The start-up child for {library} failed with exit code {child.returncode}."
        raise RuntimeError(msg)

    return float(json.loads(line)["import_seconds"]), first_secret


async def run(moto_url: str, runs: int) -> list[Row]:
    """Start *runs* fresh processes per library, after one warm-up each, and return the rows."""
    secret_name = secret_name_for(CLIENT_NAME)
    await seed_secrets(moto_url, [secret_name])

    imports: dict[str, list[float]] = {library: [] for library in LABELS}
    first_secrets: dict[str, list[float]] = {library: [] for library in LABELS}
    for run_number in range(runs + 1):
        for library in LABELS:
            import_seconds, first_secret = _run_once(library, secret_name)
            if run_number > 0:
                imports[library].append(import_seconds)
                first_secrets[library].append(first_secret)

    return _rows(
        runs,
        {library: median(samples) for library, samples in imports.items()},
        {library: median(samples) for library, samples in first_secrets.items()},
    )


def _rows(runs: int, imports: dict[str, float], first_secrets: dict[str, float]) -> list[Row]:
    measurement = MEASUREMENT.format(runs=runs)
    ours = first_secrets["fig-secret-aws"]
    rows = [
        Row(measurement, LABELS["python"], f"started in {duration(first_secrets['python'])}"),
    ]
    for library in ("fig-secret-aws", "powertools", "aws-secretsmanager-caching"):
        result = (
            f"import {duration(imports[library])}; first secret {duration(first_secrets[library])}"
        )
        ratio = f"{times(first_secrets[library] / ours)} fig-secret-aws"
        if library == "fig-secret-aws":
            ratio = ""
        rows.append(Row(measurement, LABELS[library], result, ratio))

    return rows
