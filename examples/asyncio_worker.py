"""An asyncio worker whose tasks share one provider, and so one cached Fig client secret.

    python examples/asyncio_worker.py --local   # a local Secrets Manager; no AWS account
    python examples/asyncio_worker.py           # AWS, through the default credential chain

Every job sends the client secret to the Fig API. The first job's read fetches the secret,
tasks that ask meanwhile wait for that one request, and later jobs read it from memory. The
INFO log shows one "Fetched secret" line however many jobs and tasks there are.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from typing import TYPE_CHECKING

from example_support import HTTP_OK, FakeFigApi, FigClient, local_aws

from fig_secret_aws import AwsSecretProvider, FigSecretError

if TYPE_CHECKING:
    from collections.abc import Sequence

CLIENT_NAME = "Billing Worker"


async def work(queue: asyncio.Queue[int], fig: FigClient) -> list[int]:
    """Take jobs from *queue* until it is empty; return the Fig API status of each."""
    statuses: list[int] = []
    while True:
        try:
            queue.get_nowait()
        except asyncio.QueueEmpty:
            return statuses

        statuses.append(await fig.fetch_settings())


async def run(jobs: int, tasks: int) -> int:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for job in range(jobs):
        queue.put_nowait(job)

    async with AwsSecretProvider() as provider:
        fig = FigClient(CLIENT_NAME, provider, FakeFigApi())
        results = await asyncio.gather(*(work(queue, fig) for _ in range(tasks)))

    statuses = [status for statuses in results for status in statuses]
    accepted = statuses.count(HTTP_OK)
    print(
        f"{len(statuses)} jobs done by {tasks} tasks sharing one provider: "
        f"{accepted} accepted by Fig, {len(statuses) - accepted} rejected",
        flush=True,
    )

    return 0 if accepted == len(statuses) else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--local", action="store_true", help="use a local Secrets Manager")
    parser.add_argument("--jobs", type=int, default=200, help="number of jobs (default: 200)")
    parser.add_argument("--tasks", type=int, default=20, help="worker tasks (default: 20)")
    arguments = parser.parse_args(argv)

    logging.basicConfig(format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("fig_secret_aws").setLevel(logging.INFO)

    with local_aws(CLIENT_NAME) if arguments.local else contextlib.nullcontext():
        try:
            return asyncio.run(run(arguments.jobs, arguments.tasks))
        except FigSecretError as exc:
            print(f"asyncio_worker: {type(exc).__name__}: {exc}", file=sys.stderr)

            return 1


if __name__ == "__main__":
    raise SystemExit(main())
