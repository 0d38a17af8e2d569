"""Memory: bytes the provider's cache keeps per cached client name, over 2,000 names.

The provider first reads a few names, so its client, connection pool and lazily built botocore
state exist before tracing starts. tracemalloc then traces the reads of 2,000 more names, in
bursts of 50 concurrent callers. After a garbage collection, the cache is cleared: the traced
bytes that this frees are the cache's growth. What stays allocated belongs to botocore's and
asyncio's own state. It was 125 to 128 KiB after 2,000 names and 146 KiB after 6,000, so it is
not a cost per name. The client names are made before tracing starts: each is
the caller's string, which the cache only refers to. A count by structure (`sys.getsizeof` of
each entry and the objects only it refers to, plus the cache dict's growth) checks the figure.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import tracemalloc

from benchmarks._report import Row
from benchmarks._services import seed_secrets
from fig_secret_aws import AwsSecretProvider, secret_name_for

NAME_COUNT = 2000
WARM_UP_COUNT = 50
BURST = 50
MEASUREMENT = f"5. Memory per cached client name ({NAME_COUNT:,} names)"

_TIMEOUT = 300.0


async def _read_in_bursts(provider: AwsSecretProvider, names: list[str]) -> None:
    for start in range(0, len(names), BURST):
        await asyncio.gather(*(provider.get_secret(name) for name in names[start : start + BURST]))


def _structural_bytes(provider: AwsSecretProvider, names: list[str], dict_growth: int) -> int:
    """Return the bytes of the cache entries of *names*, by `sys.getsizeof`, plus *dict_growth*."""
    total = dict_growth
    for name in names:
        entry = provider._cache[name]  # noqa: SLF001 (the benchmark inspects the cache itself)
        parts = (entry, entry.value, entry.secret_name, entry.fetch_number, entry.expires_at)
        total += sum(sys.getsizeof(part) for part in parts)

    return total


async def run(moto_url: str) -> list[Row]:
    """Fetch the names through the provider under tracemalloc and return the table row."""
    names = [f"Memory{index:04d}" for index in range(WARM_UP_COUNT + NAME_COUNT)]
    await seed_secrets(moto_url, [secret_name_for(name) for name in names])
    warm_up, measured = names[:WARM_UP_COUNT], names[WARM_UP_COUNT:]

    async with AwsSecretProvider(endpoint_url=moto_url, auto_create=False) as provider:
        cache = provider._cache  # noqa: SLF001 (the benchmark measures the cache itself)
        await _read_in_bursts(provider, warm_up)
        dict_before = sys.getsizeof(cache)
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            await asyncio.wait_for(_read_in_bursts(provider, measured), _TIMEOUT)
            gc.collect()
            fetched = tracemalloc.get_traced_memory()[0]
            structural = _structural_bytes(provider, measured, sys.getsizeof(cache) - dict_before)
            cache.clear()
            gc.collect()
            cleared = tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()

    cache_per_name = (fetched - cleared) / NAME_COUNT
    elsewhere = cleared - before

    return [
        Row(
            MEASUREMENT,
            "fig-secret-aws: bytes freed by clearing the cache (tracemalloc)",
            f"{cache_per_name:.0f} bytes per name",
        ),
        Row(
            MEASUREMENT,
            "fig-secret-aws: the same, counted by structure (`sys.getsizeof`)",
            f"{structural / NAME_COUNT:.0f} bytes per name",
        ),
        Row(
            MEASUREMENT,
            "not counted: traced bytes still allocated outside the cache",
            f"{elsewhere / 1024:.0f} KiB in all",
        ),
    ]
