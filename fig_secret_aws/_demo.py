"""The ``fig-secret-aws demo`` command: the main job end to end on a local Secrets Manager.

No AWS account is used and no secret value is printed.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

from aiobotocore.session import AioSession

from fig_secret_aws import AwsSecretProvider, SecretNotFoundError, secret_name_for
from fig_secret_aws._local import LOCAL_REGION, isolated_aws_environment, local_secrets_manager

if TYPE_CHECKING:
    from typing import TextIO

__all__ = ["run_demo"]

_DEMO_TASKS = 50


def run_demo(out: TextIO) -> None:
    """Start a local Secrets Manager, run the demo against it and write the report to *out*.

    Raises:
        ModuleNotFoundError: moto is not installed; install ``fig-secret-aws[local]``.

    """
    with local_secrets_manager() as endpoint_url, isolated_aws_environment(endpoint_url):
        asyncio.run(_run_demo(endpoint_url, out))


async def _run_demo(endpoint_url: str, out: TextIO) -> None:
    calls: Counter[str] = Counter()

    def count_call(model: Any, **_: Any) -> None:  # noqa: ANN401
        calls[model.name] += 1

    session = AioSession()
    session.register("before-call.secrets-manager", count_call)

    def write(line: str = "") -> None:
        print(line, file=out)

    def call_summary() -> str:
        summary = ", ".join(f"{count} {name}" for name, count in sorted(calls.items()))
        calls.clear()

        return summary or "no requests"

    write(f"fig-secret-aws demo: moto's Secrets Manager at {endpoint_url}, fake credentials")
    write("Secret values are never printed; lengths and equality are shown instead.")
    write()

    async with AwsSecretProvider(
        session=session,
        endpoint_url=endpoint_url,
        region_name=LOCAL_REGION,
    ) as admin:
        # Provision one secret the way an ops engineer would before a production deploy.
        await admin.ensure_secret("Order Service")
    calls.clear()

    write("1. Production: the secret exists and auto-create is off")
    async with AwsSecretProvider(
        session=session,
        endpoint_url=endpoint_url,
        region_name=LOCAL_REGION,
        auto_create=False,
    ) as provider:
        started = time.perf_counter()
        secret = await provider.get_secret("Order Service")
        elapsed = (time.perf_counter() - started) * 1000
        write(
            f"   {secret_name_for('Order Service')}: {len(secret)} characters, read in "
            f"{elapsed:.1f} ms ({call_summary()})"
        )

        started = time.perf_counter()
        reads = 10_000
        for _ in range(reads):
            await provider.get_secret("Order Service")
        per_read = (time.perf_counter() - started) / reads * 1e6
        write(f"   {reads:,} cached reads: {per_read:.2f} us each ({call_summary()})")
        write()

        write("2. Production: a client whose secret was never created")
        try:
            await provider.get_secret("Inventory")
        except SecretNotFoundError as exc:
            write(f"   {type(exc).__name__}: {exc}")
        write(f"   ({call_summary()})")
        write()

    write(f"3. Development: {_DEMO_TASKS} concurrent tasks start up and ask for a new secret")
    async with AwsSecretProvider(
        session=session,
        endpoint_url=endpoint_url,
        region_name=LOCAL_REGION,
        auto_create=True,
    ) as provider:
        started = time.perf_counter()
        values = await asyncio.gather(
            *(provider.get_secret("Billing Worker") for _ in range(_DEMO_TASKS)),
        )
        elapsed = (time.perf_counter() - started) * 1000
        agreed = "all got the same value" if len(set(values)) == 1 else "VALUES DIFFER"
        write(
            f"   {secret_name_for('Billing Worker')} created in {elapsed:.1f} ms; "
            f"{len(values)} tasks, {agreed} ({call_summary()})"
        )
    write()
    write("Done. The local server is stopped and nothing was stored outside this process.")
