"""Cold fan-out: 1,000 concurrent callers over 50 existing client names, 20 ms per request.

Every round starts cold: a new client with an empty connection pool, and an empty cache. The
latency proxy adds 20 ms before forwarding each request to moto and counts the requests. The
floor, the provider and the one-lock model use the same client configuration and pool size.
"""

from __future__ import annotations

import asyncio
import gc
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiobotocore.session import AioSession

from benchmarks._report import Row, duration, median, times, verdict_at_least, verdict_at_most
from benchmarks._services import client_config, seed_secrets
from benchmarks.dotnet_model import OneLockProvider
from fig_secret_aws import AwsSecretProvider, secret_name_for

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from benchmarks._services import LatencyProxy

    # A contender gets the proxy URL, the client names and the pool size, and returns seconds.
    Contender = Callable[[str, list[str], int], Awaitable[float]]

NAME_COUNT = 50
CALLER_COUNT = 1000
LATENCY = 0.020

# No round may take longer than this. The slowest, a client per call, took 20 to 45 s here.
_ROUND_TIMEOUT = 120.0
_ONE_LOCK_ROUNDS = 3


@dataclass(frozen=True)
class _Round:
    wall: float
    calls: int
    max_concurrent: int
    timed_out: bool = False


def _callers(names: list[str]) -> list[str]:
    """Return the client name of each caller, spread evenly over *names*."""
    return [names[index % len(names)] for index in range(CALLER_COUNT)]


async def _floor(proxy_url: str, names: list[str], pool_size: int) -> float:
    """Gather exactly one ``GetSecretValue`` per name on one raw client."""
    session = AioSession()
    async with session.create_client(
        "secretsmanager", endpoint_url=proxy_url, config=client_config(pool_size)
    ) as client:
        started = time.perf_counter()
        await asyncio.gather(
            *(client.get_secret_value(SecretId=secret_name_for(name)) for name in names)
        )

        return time.perf_counter() - started


async def _provider(proxy_url: str, names: list[str], pool_size: int) -> float:
    async with AwsSecretProvider(
        endpoint_url=proxy_url, auto_create=False, max_pool_connections=pool_size
    ) as provider:
        started = time.perf_counter()
        await asyncio.gather(*(provider.get_secret(name) for name in _callers(names)))

        return time.perf_counter() - started


async def _one_lock(proxy_url: str, names: list[str], pool_size: int) -> float:
    session = AioSession()
    async with session.create_client(
        "secretsmanager", endpoint_url=proxy_url, config=client_config(pool_size)
    ) as client:
        model = OneLockProvider(client, auto_create=False)
        started = time.perf_counter()
        await asyncio.gather(*(model.get_secret(name) for name in _callers(names)))

        return time.perf_counter() - started


async def _client_per_call(
    proxy_url: str,
    names: list[str],
    pool_size: int,  # noqa: ARG001 (each client has botocore's default pool and sends one request)
) -> float:
    """Open a client with botocore's defaults for every call, as code without a shared one does."""
    session = AioSession()

    async def get_secret(client_name: str) -> str:
        async with session.create_client("secretsmanager", endpoint_url=proxy_url) as client:
            reply = await client.get_secret_value(SecretId=secret_name_for(client_name))

            return reply["SecretString"]

    started = time.perf_counter()
    await asyncio.gather(*(get_secret(name) for name in _callers(names)))

    return time.perf_counter() - started


async def _measure(
    contender: Contender, proxy: LatencyProxy, names: list[str], pool_size: int
) -> _Round:
    proxy.reset(LATENCY)
    # A full collection set off by an earlier round's garbage would land in a random round.
    gc.collect()
    try:
        wall = await asyncio.wait_for(contender(proxy.url, names, pool_size), _ROUND_TIMEOUT)
    except asyncio.TimeoutError:
        # Counted at the timeout, so the table shows a lower bound instead of no row.
        return _Round(_ROUND_TIMEOUT, proxy.count(), proxy.max_concurrent(), timed_out=True)

    return _Round(wall, proxy.count(), proxy.max_concurrent())


async def run(moto_url: str, proxy: LatencyProxy, rounds: int, pool_size: int) -> list[Row]:
    """Measure each strategy over *rounds* interleaved cold rounds, and the slow ones over fewer.

    A client per call takes 20 to 45 s per round on two cores, so it runs once.
    """
    names = [f"FanOut{index:02d}" for index in range(NAME_COUNT)]
    await seed_secrets(moto_url, [secret_name_for(name) for name in names])

    contenders: dict[str, tuple[Contender, int]] = {
        "floor": (_floor, rounds),
        "provider": (_provider, rounds),
        "one_lock": (_one_lock, min(rounds, _ONE_LOCK_ROUNDS)),
        "client_per_call": (_client_per_call, 1),
    }
    results: dict[str, list[_Round]] = {key: [] for key in contenders}
    for round_number in range(rounds):
        for key, (contender, its_rounds) in contenders.items():
            if round_number < its_rounds:
                results[key].append(await _measure(contender, proxy, names, pool_size))

    return _rows(results, pool_size)


def _summary(rounds: list[_Round]) -> tuple[float, str]:
    calls = " or ".join(str(count) for count in sorted({result.calls for result in rounds}))
    in_flight = max(result.max_concurrent for result in rounds)
    wall = median([result.wall for result in rounds])
    stopped = " (stopped at the time limit)" if any(result.timed_out for result in rounds) else ""

    return wall, f"{duration(wall)}{stopped}, {calls} calls, ≤{in_flight} in flight"


def _rows(results: dict[str, list[_Round]], pool_size: int) -> list[Row]:
    measurement = (
        f"2. Cold fan-out: {CALLER_COUNT:,} callers, {NAME_COUNT} names, "
        f"+{LATENCY * 1000:.0f} ms per request, pool {pool_size}"
    )
    floor_wall, floor_text = _summary(results["floor"])
    provider_wall, provider_text = _summary(results["provider"])
    one_lock_wall, one_lock_text = _summary(results["one_lock"])
    per_call_wall, per_call_text = _summary(results["client_per_call"])
    provider_calls = sorted({result.calls for result in results["provider"]})

    provider_vs_floor = provider_wall / floor_wall
    one_lock_vs_provider = one_lock_wall / provider_wall
    per_call_vs_provider = per_call_wall / provider_wall

    return [
        Row(
            measurement,
            f"floor: {NAME_COUNT} `GetSecretValue` gathered on one raw aiobotocore client",
            floor_text,
            "1.00x",
        ),
        Row(
            measurement,
            "fig-secret-aws: API calls",
            " or ".join(str(count) for count in provider_calls),
            "",
            f"exactly {NAME_COUNT}",
            "met" if provider_calls == [NAME_COUNT] else "missed",
        ),
        Row(
            measurement,
            "fig-secret-aws: wall time",
            provider_text,
            f"{times(provider_vs_floor)} the floor",
            "≤ 1.2x the floor",
            verdict_at_most(provider_vs_floor, 1.2),
        ),
        Row(
            measurement,
            "model of the .NET provider (one lock for every name)",
            one_lock_text,
            f"{times(one_lock_vs_provider)} fig-secret-aws",
            "≥ 5x fig-secret-aws",
            verdict_at_least(one_lock_vs_provider, 5.0),
        ),
        Row(
            measurement,
            "a new aiobotocore client per call (botocore's default configuration)",
            per_call_text,
            f"{times(per_call_vs_provider)} fig-secret-aws",
        ),
    ]
