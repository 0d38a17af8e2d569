"""Run every benchmark side by side and print one markdown table of the results.

Run from the repository root as ``python -m benchmarks.run`` (``python -m nox -s bench`` does
that in its own environment). moto's server and the latency proxy run as child processes on
127.0.0.1, and everything runs in the isolated AWS environment, so nothing leaves the machine.
Progress goes to stderr; the table, and whether each target is met, go to stdout. A missed
target does not change the exit code, because the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import os
import platform
import sys
import time
from typing import TYPE_CHECKING

from benchmarks import cached_read, creation, fan_out, memory, startup
from benchmarks._report import render
from benchmarks._services import LatencyProxy, local_secrets_manager

if TYPE_CHECKING:
    from benchmarks._report import Row

_VERSIONED = (
    "fig-secret-aws",
    "aiobotocore",
    "botocore",
    "aiohttp",
    "boto3",
    "aws-secretsmanager-caching",
    "aws-lambda-powertools",
    "moto",
)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:  # noqa: PTH123
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass

    return platform.processor() or "unknown"


def _load_average() -> str:
    try:
        last_minute, last_five_minutes, last_fifteen_minutes = os.getloadavg()
    except OSError:
        return "unknown"

    return f"{last_minute:.2f}, {last_five_minutes:.2f}, {last_fifteen_minutes:.2f}"


def _machine(load_at_start: str) -> str:
    versions = ", ".join(f"{name} {importlib.metadata.version(name)}" for name in _VERSIONED)

    return (
        f"Machine: {os.cpu_count()} CPUs ({_cpu_model()}), "
        f"Python {platform.python_version()} on {platform.system()}.\n"
        f"Load average (1, 5, 15 min): {load_at_start} at the start, "
        f"{_load_average()} at the end.\n"
        f"Versions: {versions}."
    )


def _progress(message: str, started: float) -> None:
    print(f"[{time.perf_counter() - started:6.1f} s] {message}", file=sys.stderr, flush=True)


async def _run_all(moto_url: str, proxy: LatencyProxy, rounds: int, pool_size: int) -> list[Row]:
    started = time.perf_counter()
    rows: list[Row] = []

    _progress("1/5 cached read", started)
    rows += await cached_read.run(moto_url, rounds)
    _progress("2/5 cold fan-out (a client per call alone takes 20 to 45 s)", started)
    rows += await fan_out.run(moto_url, proxy, rounds, pool_size)
    _progress("3/5 development creation", started)
    rows += await creation.run(proxy, pool_size)
    _progress("4/5 fresh processes", started)
    rows += await startup.run(moto_url, rounds)
    _progress("5/5 memory", started)
    rows += await memory.run(moto_url)
    _progress("done", started)

    return rows


def main() -> None:
    """Parse the options, start the local services, and print the results table."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=9,
        help="batches, rounds or processes per contender; the median counts (default: 9)",
    )
    parser.add_argument(
        "--pool-size",
        type=int,
        default=10,
        help=(
            "max_pool_connections of the fan-out and creation clients; the default is the "
            "provider's own default (default: 10)"
        ),
    )
    options = parser.parse_args()
    if options.rounds < 1:
        parser.error("--rounds must be at least 1")
    if options.pool_size < 1:
        parser.error("--pool-size must be at least 1")

    load_at_start = _load_average()
    with local_secrets_manager() as moto_url, LatencyProxy(moto_url) as proxy:
        rows = asyncio.run(_run_all(moto_url, proxy, options.rounds, options.pool_size))

    print(_machine(load_at_start))
    print()
    print(render(rows))


if __name__ == "__main__":
    main()
