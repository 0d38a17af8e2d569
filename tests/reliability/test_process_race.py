"""Many processes start at once with auto-create on: one secret, and one value, per name.

Each worker process (race_worker.py) opens one provider and runs its tasks as soon as the go
file appears. Every task reads every client name, so each process sends one read per name and,
on a miss, one create. The processes race each other's creates through the fault proxy, whose
added latency widens the window in which they overlap. Workers report digests of the values,
never the values. Every wait is bounded, and workers still running at the end are killed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from fig_secret_aws import secret_name_for
from tests.harness import child_process_environment
from tests.secrecy_guard import record_output

if TYPE_CHECKING:
    from tests.figures import Figures
    from tests.harness import FaultProxy

WORKER = Path(__file__).with_name("race_worker.py")
PROCESSES = 8
TASKS_PER_PROCESS = 20
CLIENT_NAMES = [f"Race Service {index}" for index in range(10)]
# Workers import aiobotocore and open a provider before they report ready. On a loaded
# two-core machine that takes seconds, so the bounds are generous.
READY_TIMEOUT_SECONDS = 90.0
RACE_TIMEOUT_SECONDS = 60.0
PROXY_LATENCY_SECONDS = 0.05


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _wait_until_ready(
    ready_files: list[Path], workers: list[subprocess.Popen[bytes]], deadline: float
) -> None:
    while not all(path.exists() for path in ready_files):
        exited = [worker.args for worker in workers if worker.poll() is not None]
        if exited:
            pytest.fail(f"a race worker exited before the start: {exited[0]!r}")
        if time.monotonic() > deadline:
            pytest.fail(f"race workers were not ready within {READY_TIMEOUT_SECONDS} s")
        time.sleep(0.05)


def _run_workers(tmp_path: Path, endpoint_url: str) -> list[dict[str, Any]]:
    """Start the workers, release them together, and return each one's report."""
    environment = child_process_environment(endpoint_url, tmp_path / "aws")
    go_file = tmp_path / "go"
    ready_files = [tmp_path / f"ready-{index}" for index in range(PROCESSES)]
    workers: list[subprocess.Popen[bytes]] = []
    with contextlib.ExitStack() as files:
        try:
            for index, ready_file in enumerate(ready_files):
                stdout = files.enter_context((tmp_path / f"worker-{index}.out").open("wb"))
                stderr = files.enter_context((tmp_path / f"worker-{index}.err").open("wb"))
                command = [
                    sys.executable,
                    str(WORKER),
                    endpoint_url,
                    str(ready_file),
                    str(go_file),
                    str(TASKS_PER_PROCESS),
                    str(RACE_TIMEOUT_SECONDS),
                    *CLIENT_NAMES,
                ]
                workers.append(
                    subprocess.Popen(command, stdout=stdout, stderr=stderr, env=environment)  # noqa: S603
                )

            _wait_until_ready(ready_files, workers, time.monotonic() + READY_TIMEOUT_SECONDS)
            go_file.touch()
            deadline = time.monotonic() + RACE_TIMEOUT_SECONDS + 30
            for worker in workers:
                worker.wait(timeout=max(0.1, deadline - time.monotonic()))
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
                    worker.wait()

    reports = []
    for index, worker in enumerate(workers):
        stdout_text = (tmp_path / f"worker-{index}.out").read_text(encoding="utf-8")
        stderr_text = (tmp_path / f"worker-{index}.err").read_text(encoding="utf-8")
        record_output(f"stdout of race worker {index}", stdout_text)
        record_output(f"stderr of race worker {index}", stderr_text)
        assert worker.returncode == 0, f"race worker {index} exited with {worker.returncode}"
        reports.append(json.loads(stdout_text))

    return reports


def test_processes_agree_on_one_created_secret_per_name(
    tmp_path: Path, admin: Any, proxy: FaultProxy, figures: Figures
) -> None:
    proxy.latency = PROXY_LATENCY_SECONDS

    reports = _run_workers(tmp_path, proxy.url)

    stored = {}
    for name in CLIENT_NAMES:
        secret_name = secret_name_for(name)
        stored[name] = _digest(admin.get_secret_value(SecretId=secret_name)["SecretString"])
        versions = admin.list_secret_version_ids(SecretId=secret_name)["Versions"]
        assert len(versions) == 1, f"{secret_name} has {len(versions)} versions"
        assert proxy.count("CreateSecret", secret_name, status=200) == 1, secret_name
    assert [report["errors"] for report in reports] == [[]] * PROCESSES
    agreeing = 0
    for name in CLIENT_NAMES:
        digests = [digest for report in reports for digest in report["digests"][name]]
        assert len(digests) == PROCESSES * TASKS_PER_PROCESS
        assert set(digests) == {stored[name]}, f"processes disagree on {name!r}"
        agreeing += len(digests)

    figures.set("race.processes", PROCESSES)
    figures.set("race.tasks_per_process", TASKS_PER_PROCESS)
    figures.set("race.client_names", len(CLIENT_NAMES))
    figures.set("race.calls", PROCESSES * TASKS_PER_PROCESS * len(CLIENT_NAMES))
    figures.set("race.calls_agreeing", agreeing)
    figures.set("race.task_errors", sum(len(report["errors"]) for report in reports))
    figures.set("race.create_requests", proxy.count("CreateSecret"))
    figures.set("race.creates_succeeded", proxy.count("CreateSecret", status=200))
    figures.set("race.seconds", round(max(report["elapsed_seconds"] for report in reports), 2))
