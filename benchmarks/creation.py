"""Development creation: API calls per new client name, against the one-lock model of .NET.

Both create 50 new names at once through the latency proxy, which counts every request.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from aiobotocore.session import AioSession

from benchmarks._report import Row, duration, times, verdict_at_most
from benchmarks._services import client_config
from benchmarks.dotnet_model import OneLockProvider
from benchmarks.fan_out import LATENCY
from fig_secret_aws import AwsSecretProvider

if TYPE_CHECKING:
    from benchmarks._services import LatencyProxy

NAME_COUNT = 50

_TIMEOUT = 120.0


async def _create_with_provider(proxy_url: str, names: list[str], pool_size: int) -> float:
    async with AwsSecretProvider(
        endpoint_url=proxy_url, auto_create=True, max_pool_connections=pool_size
    ) as provider:
        started = time.perf_counter()
        await asyncio.gather(*(provider.get_secret(name) for name in names))

        return time.perf_counter() - started


async def _create_with_one_lock(proxy_url: str, names: list[str], pool_size: int) -> float:
    session = AioSession()
    async with session.create_client(
        "secretsmanager", endpoint_url=proxy_url, config=client_config(pool_size)
    ) as client:
        model = OneLockProvider(client, auto_create=True)
        started = time.perf_counter()
        await asyncio.gather(*(model.get_secret(name) for name in names))

        return time.perf_counter() - started


def _calls_text(proxy: LatencyProxy, wall: float) -> tuple[float, str]:
    reads = proxy.count("GetSecretValue")
    creates = proxy.count("CreateSecret")
    total = proxy.count()
    per_name = total / NAME_COUNT
    text = (
        f"{per_name:.2f} per name ({reads} `GetSecretValue` + {creates} `CreateSecret`"
        f"{'' if total == reads + creates else f' + {total - reads - creates} other'}), "
        f"{duration(wall)}"
    )

    return per_name, text


async def run(proxy: LatencyProxy, pool_size: int) -> list[Row]:
    """Create new names with the provider and with the model, and return the table rows."""
    proxy.reset(LATENCY)
    names = [f"Created{index:02d}" for index in range(NAME_COUNT)]
    wall = await asyncio.wait_for(_create_with_provider(proxy.url, names, pool_size), _TIMEOUT)
    provider_per_name, provider_text = _calls_text(proxy, wall)

    proxy.reset(LATENCY)
    names = [f"ModelCreated{index:02d}" for index in range(NAME_COUNT)]
    wall = await asyncio.wait_for(_create_with_one_lock(proxy.url, names, pool_size), _TIMEOUT)
    model_per_name, model_text = _calls_text(proxy, wall)

    measurement = (
        f"3. Development creation of {NAME_COUNT} new names, "
        f"+{LATENCY * 1000:.0f} ms per request, pool {pool_size}"
    )

    return [
        Row(
            measurement,
            "fig-secret-aws (`auto_create=True`)",
            provider_text,
            "",
            "2 calls per name",
            verdict_at_most(provider_per_name, 2.0),
        ),
        Row(
            measurement,
            "model of the .NET provider (read, create, read again)",
            model_text,
            f"{times(model_per_name / provider_per_name)} the calls of fig-secret-aws",
        ),
    ]
