"""Cache and single flight: one round trip per uncached name, distinct names in parallel."""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.harness import FaultProxy
    from tests.provider_fixtures import ProviderFactory


@pytest.mark.asyncio
async def test_hundred_concurrent_callers_make_one_call(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    stored = str(uuid.uuid4())
    admin.create_secret(Name="FIG_CROWDED_SECRET", SecretString=stored)
    proxy.latency = 0.05
    provider = make_provider()

    values = await asyncio.gather(*(provider.get_secret("Crowded") for _ in range(100)))

    assert values == [stored] * 100
    assert proxy.count() == 1


@pytest.mark.asyncio
async def test_hundred_concurrent_callers_create_once(
    make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    proxy.latency = 0.02
    provider = make_provider(auto_create=True)

    values = await asyncio.gather(*(provider.get_secret("Fresh Crowd") for _ in range(100)))

    assert len(set(values)) == 1
    assert proxy.count("GetSecretValue") == 1
    assert proxy.count("CreateSecret") == 1


@pytest.mark.asyncio
async def test_distinct_names_fetch_in_parallel(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    for name in ("FIG_LEFT_SECRET", "FIG_RIGHT_SECRET"):
        admin.create_secret(Name=name, SecretString=str(uuid.uuid4()))
    proxy.latency = 0.3
    provider = make_provider()

    await asyncio.gather(provider.get_secret("Left"), provider.get_secret("Right"))

    assert proxy.max_concurrent("GetSecretValue") == 2


@pytest.mark.asyncio
async def test_cache_hit_makes_no_call(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    admin.create_secret(Name="FIG_HOT_SECRET", SecretString=str(uuid.uuid4()))
    provider = make_provider()
    first = await provider.get_secret("Hot")

    for _ in range(1000):
        assert await provider.get_secret("Hot") == first
    assert proxy.count() == 1


@pytest.mark.asyncio
async def test_cache_hit_takes_no_lock(admin: Any, make_provider: ProviderFactory) -> None:
    """A cached read completes without yielding to the event loop."""
    admin.create_secret(Name="FIG_NOLOCK_SECRET", SecretString=str(uuid.uuid4()))
    provider = make_provider()
    value = await provider.get_secret("No Lock")

    coroutine = provider.get_secret("No Lock")
    with pytest.raises(StopIteration) as finished:
        coroutine.send(None)

    assert finished.value.value == value
    assert provider._flights == {}


@pytest.mark.asyncio
async def test_lock_table_empty_after_fetches(admin: Any, make_provider: ProviderFactory) -> None:
    admin.create_secret(Name="FIG_PRESENT_SECRET", SecretString=str(uuid.uuid4()))
    provider = make_provider(auto_create=False)

    await provider.get_secret("Present")
    results = await asyncio.gather(
        *(provider.get_secret(f"Absent{index}") for index in range(20)), return_exceptions=True
    )

    assert all(isinstance(result, Exception) for result in results)
    assert provider._flights == {}
