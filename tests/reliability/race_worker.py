"""One process of the multi-process create race, run by test_process_race.py.

The worker opens one provider with auto-create on, writes its ready file, waits for the go
file, then runs its tasks at once. Each task reads every client name in its own random order.
It writes to stdout one JSON document: for each name, the SHA-256 digest of the value each task
got (never the value itself), and the errors the tasks raised. Its log records, at DEBUG, go to
stderr so that the test can check them for secret values.

Usage: race_worker.py ENDPOINT_URL READY_FILE GO_FILE TASKS TIMEOUT NAME...
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
import sys
import time
from pathlib import Path

from fig_secret_aws import AwsSecretProvider

_POLL_SECONDS = 0.002


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


async def _wait_for(path: Path, deadline: float) -> None:
    # A blocking stat() every few milliseconds is what this wait is for: nothing else runs yet.
    while not path.exists():  # noqa: ASYNC240
        if time.monotonic() > deadline:
            msg = f"{path} did not appear before the deadline"
            raise TimeoutError(msg)
        await asyncio.sleep(_POLL_SECONDS)


async def _read_all(provider: AwsSecretProvider, names: list[str], seed: int) -> dict[str, str]:
    order = list(names)
    random.Random(seed).shuffle(order)

    return {name: _digest(await provider.get_secret(name)) for name in order}


async def _race(
    endpoint_url: str, ready: Path, go: Path, tasks: int, timeout: float, names: list[str]
) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    async with AwsSecretProvider(
        endpoint_url=endpoint_url, region_name="eu-west-1", auto_create=True
    ) as provider:
        ready.touch()  # noqa: ASYNC240 (before any task starts)
        await _wait_for(go, deadline)
        started = time.monotonic()
        outcomes = await asyncio.wait_for(
            asyncio.gather(
                *(_read_all(provider, names, seed) for seed in range(tasks)),
                return_exceptions=True,
            ),
            timeout=max(0.0, deadline - time.monotonic()),
        )
        elapsed = time.monotonic() - started

    digests: dict[str, list[str]] = {name: [] for name in names}
    errors = []
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            errors.append(f"{type(outcome).__name__}: {outcome}")
            continue
        for name, digest in outcome.items():
            digests[name].append(digest)

    return {"digests": digests, "errors": errors, "elapsed_seconds": elapsed}


def main(arguments: list[str]) -> int:
    """Run the worker with command-line *arguments* and return the exit status."""
    endpoint_url, ready, go, tasks, timeout, *names = arguments
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    race = _race(endpoint_url, Path(ready), Path(go), int(tasks), float(timeout), names)
    result = asyncio.run(race)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")

    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
