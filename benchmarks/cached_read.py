"""Cached read: the time of one read of a warm cache, against the floor and two alternatives.

The floor is an awaited coroutine that returns a dict entry: the least an async cached read can
cost. aws-secretsmanager-caching and Powertools are synchronous, so they are called directly.
Every contender is warmed up first, so no measured call reaches the server. Batches run
interleaved and the median batch counts, so a slow moment on the machine hits every contender.
"""

from __future__ import annotations

import gc
import time
from typing import TYPE_CHECKING, Any

import boto3  # type: ignore[import-untyped]
from aws_lambda_powertools.utilities.parameters import SecretsProvider
from aws_secretsmanager_caching import SecretCache, SecretCacheConfig  # type: ignore[import-untyped]

from benchmarks._report import Row, duration, median, times, verdict_at_least, verdict_at_most
from benchmarks._services import seed_secrets
from fig_secret_aws import AwsSecretProvider, secret_name_for

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

MEASUREMENT = "1. Cached read, per call (warm cache)"
CLIENT_NAME = "CachedRead"

# Calls per batch, chosen so that each batch takes roughly 20 to 400 ms here.
_ASYNC_CALLS = 200_000
_POWERTOOLS_CALLS = 50_000
_CACHING_CALLS = 10_000

# Powertools' cache lifetime in seconds, long enough that no measured call re-reads.
_MAX_AGE_SECONDS = 3600


async def _time_async(read: Callable[[str], Awaitable[str]], name: str, calls: int) -> float:
    """Return the seconds per ``await read(name)``, over *calls* calls in a loop."""
    gc.collect()
    started = time.perf_counter()
    for _ in range(calls):
        await read(name)

    return (time.perf_counter() - started) / calls


def _time_sync(read: Callable[[str], object], name: str, calls: int) -> float:
    """Return the seconds per ``read(name)``, over *calls* calls in a loop."""
    gc.collect()
    started = time.perf_counter()
    for _ in range(calls):
        read(name)

    return (time.perf_counter() - started) / calls


async def run(moto_url: str, batches: int) -> list[Row]:
    """Time every contender over *batches* interleaved batches and return the table rows."""
    secret_name = secret_name_for(CLIENT_NAME)
    await seed_secrets(moto_url, [secret_name])

    boto3_client: Any = boto3.client("secretsmanager", endpoint_url=moto_url)
    caching = SecretCache(config=SecretCacheConfig(), client=boto3_client)
    powertools = SecretsProvider(boto3_client=boto3_client)

    def read_powertools(name: str) -> object:
        return powertools.get(name, max_age=_MAX_AGE_SECONDS)

    async with AwsSecretProvider(endpoint_url=moto_url, auto_create=False) as provider:
        value = await provider.get_secret(CLIENT_NAME)
        table = {CLIENT_NAME: value}

        async def read_floor(name: str) -> str:
            return table[name]

        # Warm every cache, and check that all of them hold the same value.
        warm = {caching.get_secret_string(secret_name), read_powertools(secret_name), value}
        if len(warm) != 1:
            msg = "The contenders returned different values for the same secret."
            raise RuntimeError(msg)

        samples: dict[str, list[float]] = {"floor": [], "provider": [], "pt": [], "caching": []}
        for _ in range(batches):
            samples["floor"].append(await _time_async(read_floor, CLIENT_NAME, _ASYNC_CALLS))
            samples["provider"].append(
                await _time_async(provider.get_secret, CLIENT_NAME, _ASYNC_CALLS)
            )
            samples["pt"].append(_time_sync(read_powertools, secret_name, _POWERTOOLS_CALLS))
            samples["caching"].append(
                _time_sync(caching.get_secret_string, secret_name, _CACHING_CALLS)
            )

    boto3_client.close()

    return _rows({key: median(values) for key, values in samples.items()})


def _rows(per_call: dict[str, float]) -> list[Row]:
    provider = per_call["provider"]
    provider_vs_floor = provider / per_call["floor"]
    powertools_vs_provider = per_call["pt"] / provider
    caching_vs_provider = per_call["caching"] / provider

    return [
        Row(
            MEASUREMENT,
            "floor: an awaited coroutine that returns a dict entry",
            duration(per_call["floor"]),
            "1.00x",
        ),
        Row(
            MEASUREMENT,
            "fig-secret-aws `await provider.get_secret(name)`",
            duration(provider),
            f"{times(provider_vs_floor)} the floor",
            "≤ 3x the floor",
            verdict_at_most(provider_vs_floor, 3.0),
        ),
        Row(
            MEASUREMENT,
            f"Powertools `SecretsProvider.get(name, max_age={_MAX_AGE_SECONDS})`",
            duration(per_call["pt"]),
            f"{times(powertools_vs_provider)} fig-secret-aws",
            "≥ 5x fig-secret-aws",
            verdict_at_least(powertools_vs_provider, 5.0),
        ),
        Row(
            MEASUREMENT,
            "aws-secretsmanager-caching `SecretCache.get_secret_string(name)`",
            duration(per_call["caching"]),
            f"{times(caching_vs_provider)} fig-secret-aws",
            "≥ 100x fig-secret-aws",
            verdict_at_least(caching_vs_provider, 100.0),
        ),
    ]
