"""Time-based refresh, forced re-reads, dropping entries, cancellation and event loops."""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import uuid
from typing import TYPE_CHECKING, Any

import pytest

import fig_secret_aws._provider
from fig_secret_aws import (
    EventLoopMismatchError,
    InvalidClientNameError,
    SecretAccessDeniedError,
)
from tests.harness import Delay, ErrorReply

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.harness import FaultProxy
    from tests.provider_fixtures import ProviderFactory

THROTTLED = ErrorReply("ThrottlingException", "Rate exceeded")


class FakeClock:
    """A clock for the provider's cache that moves only when a test advances it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(fig_secret_aws._provider, "_clock", fake)

    return fake


def _store(admin: Any, secret_name: str) -> str:
    """Store a new GUID as the current value of *secret_name*, creating it if needed."""
    value = str(uuid.uuid4())
    try:
        admin.put_secret_value(SecretId=secret_name, SecretString=value)
    except admin.exceptions.ResourceNotFoundException:
        admin.create_secret(Name=secret_name, SecretString=value)

    return value


@pytest.mark.asyncio
async def test_expired_entry_is_reread(
    admin: Any, clock: FakeClock, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    old = _store(admin, "FIG_ROTATED_SECRET")
    provider = make_provider(cache_ttl=60)
    assert await provider.get_secret("Rotated") == old
    new = _store(admin, "FIG_ROTATED_SECRET")

    clock.advance(59)
    assert await provider.get_secret("Rotated") == old
    clock.advance(2)
    assert await provider.get_secret("Rotated") == new
    assert proxy.count("GetSecretValue") == 2


@pytest.mark.asyncio
async def test_crowd_after_expiry_causes_one_read(
    admin: Any, clock: FakeClock, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    """One caller re-reads; the others keep the current value meanwhile."""
    old = _store(admin, "FIG_CROWD_SECRET")
    provider = make_provider(cache_ttl=60)
    await provider.get_secret("Crowd")
    new = _store(admin, "FIG_CROWD_SECRET")
    clock.advance(61)
    proxy.latency = 0.05

    values = await asyncio.gather(*(provider.get_secret("Crowd") for _ in range(100)))

    assert values[0] == new
    assert values[1:] == [old] * 99
    assert proxy.count("GetSecretValue") == 2
    assert await provider.get_secret("Crowd") == new


@pytest.mark.asyncio
async def test_no_ttl_never_rereads(
    admin: Any, clock: FakeClock, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    old = _store(admin, "FIG_FOREVER_SECRET")
    provider = make_provider(cache_ttl=None)
    await provider.get_secret("Forever")
    _store(admin, "FIG_FOREVER_SECRET")

    clock.advance(10**9)

    assert await provider.get_secret("Forever") == old
    assert proxy.count() == 1


@pytest.mark.asyncio
async def test_failed_reread_serves_old_value_then_waits(
    admin: Any,
    clock: FakeClock,
    make_provider: ProviderFactory,
    proxy: FaultProxy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    old = _store(admin, "FIG_OUTAGE_SECRET")
    provider = make_provider(cache_ttl=60, refresh_failure_delay=30, max_attempts=2)
    await provider.get_secret("Outage")
    new = _store(admin, "FIG_OUTAGE_SECRET")
    proxy.inject("GetSecretValue", THROTTLED, times=2)
    caplog.set_level(logging.WARNING, logger="fig_secret_aws")
    clock.advance(61)

    assert await provider.get_secret("Outage") == old
    assert proxy.count("GetSecretValue") == 3
    warnings = [record.getMessage() for record in caplog.records]
    assert any("serving the cached value for 30 s more" in message for message in warnings)

    clock.advance(29)
    assert await provider.get_secret("Outage") == old
    assert proxy.count("GetSecretValue") == 3

    clock.advance(2)
    assert await provider.get_secret("Outage") == new
    assert proxy.count("GetSecretValue") == 4


@pytest.mark.asyncio
async def test_refresh_forces_reread(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    _store(admin, "FIG_FORCED_SECRET")
    provider = make_provider(cache_ttl=None)
    await provider.get_secret("Forced")
    new = _store(admin, "FIG_FORCED_SECRET")

    assert await provider.refresh("Forced") == new
    assert await provider.get_secret("Forced") == new
    assert proxy.count() == 2


@pytest.mark.asyncio
async def test_concurrent_refreshes_share_one_read(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    _store(admin, "FIG_REJECTED_SECRET")
    provider = make_provider()
    await provider.get_secret("Rejected")
    new = _store(admin, "FIG_REJECTED_SECRET")
    proxy.latency = 0.05

    values = await asyncio.gather(*(provider.refresh("Rejected") for _ in range(10)))

    assert values == [new] * 10
    assert proxy.count() == 2


@pytest.mark.asyncio
async def test_refresh_does_not_reuse_older_fetch(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    """A refresh asked for while a read is under way waits for a read of its own."""
    _store(admin, "FIG_ORDERED_SECRET")
    provider = make_provider()
    proxy.inject("GetSecretValue", Delay(0.3))
    first = asyncio.ensure_future(provider.get_secret("Ordered"))
    await asyncio.sleep(0.1)
    new = _store(admin, "FIG_ORDERED_SECRET")

    refreshed = await provider.refresh("Ordered")
    await first

    assert refreshed == new
    assert proxy.count() == 2


@pytest.mark.asyncio
async def test_failed_refresh_raises_and_keeps_cache(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    old = _store(admin, "FIG_DENIED_SECRET")
    provider = make_provider()
    await provider.get_secret("Denied")
    proxy.inject("GetSecretValue", ErrorReply("AccessDeniedException", "not authorized"))

    with pytest.raises(SecretAccessDeniedError):
        await provider.refresh("Denied")

    assert await provider.get_secret("Denied") == old
    assert proxy.count() == 2


@pytest.mark.asyncio
async def test_invalidate_drops_entry_and_aliases(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    _store(admin, "FIG_MYSERVICE_SECRET")
    provider = make_provider()
    await provider.get_secret("My Service")
    await provider.get_secret("MyService")
    new = _store(admin, "FIG_MYSERVICE_SECRET")

    provider.invalidate("MYSERVICE")

    assert await provider.get_secret("MyService") == new
    assert await provider.get_secret("My Service") == new
    assert proxy.count() == 4


@pytest.mark.asyncio
async def test_invalidate_during_fetch_skips_caching(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    _store(admin, "FIG_MIDFLIGHT_SECRET")
    provider = make_provider()
    proxy.inject("GetSecretValue", Delay(0.2))
    fetch = asyncio.ensure_future(provider.get_secret("Midflight"))
    await asyncio.sleep(0.05)

    provider.invalidate("Midflight")
    await fetch

    assert provider._cache == {}
    new = _store(admin, "FIG_MIDFLIGHT_SECRET")
    assert await provider.get_secret("Midflight") == new


def test_invalidate_validates_name() -> None:
    provider = fig_secret_aws.AwsSecretProvider()

    with pytest.raises(InvalidClientNameError):
        provider.invalidate("bad#name")


@pytest.mark.asyncio
async def test_cancelled_leader_lets_waiter_proceed(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    stored = _store(admin, "FIG_CANCELLED_SECRET")
    provider = make_provider()
    proxy.inject("GetSecretValue", Delay(0.5))
    leader = asyncio.ensure_future(provider.get_secret("Cancelled"))
    # Opening the client can take longer than a fixed pause on a loaded machine: wait until the
    # leader's request is held by the proxy.
    for _ in range(500):
        if proxy.count("GetSecretValue") == 1:
            break
        await asyncio.sleep(0.01)
    waiter = asyncio.ensure_future(provider.get_secret("Cancelled"))
    await asyncio.sleep(0.05)

    leader.cancel()

    assert await asyncio.wait_for(waiter, timeout=5) == stored
    assert leader.cancelled()
    assert provider._flights == {}
    assert proxy.count("GetSecretValue") == 2


@pytest.mark.asyncio
async def test_cancelled_waiter_leaves_leader_alone(
    admin: Any, make_provider: ProviderFactory
) -> None:
    stored = _store(admin, "FIG_PATIENT_SECRET")
    provider = make_provider()
    leader = asyncio.ensure_future(provider.get_secret("Patient"))
    waiter = asyncio.ensure_future(provider.get_secret("Patient"))
    await asyncio.sleep(0)

    waiter.cancel()

    assert await asyncio.wait_for(leader, timeout=5) == stored
    assert provider._flights == {}


@pytest.mark.asyncio
async def test_cancelling_everyone_leaves_no_state(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    stored = _store(admin, "FIG_ABANDONED_SECRET")
    provider = make_provider()
    proxy.inject("GetSecretValue", Delay(0.5))
    tasks = [asyncio.ensure_future(provider.get_secret("Abandoned")) for _ in range(5)]
    await asyncio.sleep(0.05)

    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    assert provider._flights == {}
    assert provider._cache == {}
    assert await asyncio.wait_for(provider.get_secret("Abandoned"), timeout=5) == stored


@pytest.mark.asyncio
async def test_lock_table_bounded_after_thousands_of_names(
    admin: Any, make_provider: ProviderFactory
) -> None:
    for index in range(0, 2000, 2):
        admin.create_secret(Name=f"FIG_BULK{index}_SECRET", SecretString=str(uuid.uuid4()))
    provider = make_provider(max_pool_connections=20)
    peak = 0

    async def fetch(index: int) -> None:
        nonlocal peak
        peak = max(peak, len(provider._flights))
        try:
            await provider.get_secret(f"Bulk{index}")
        except fig_secret_aws.SecretNotFoundError:
            assert index % 2 == 1

    for start in range(0, 2000, 250):
        await asyncio.gather(*(fetch(index) for index in range(start, start + 250)))

    assert provider._flights == {}
    assert len(provider._cache) == 1000
    assert peak <= 250


class _LoopThread:
    """An event loop running in a thread of its own, like a second worker's loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coroutine: Any, timeout: float = 10) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


@pytest.fixture
def other_loop() -> Iterator[_LoopThread]:
    loop_thread = _LoopThread()
    try:
        yield loop_thread
    finally:
        loop_thread.close()


@pytest.mark.asyncio
async def test_other_event_loop_raises_clear_error(
    admin: Any, endpoint_url: str, other_loop: _LoopThread
) -> None:
    stored = _store(admin, "FIG_HOME_SECRET")
    _store(admin, "FIG_AWAY_SECRET")
    provider = fig_secret_aws.AwsSecretProvider(endpoint_url=endpoint_url, region_name="eu-west-1")
    try:
        assert await asyncio.to_thread(other_loop.run, provider.get_secret("Home")) == stored

        assert await provider.get_secret("Home") == stored
        with pytest.raises(EventLoopMismatchError, match="another event loop"):
            await provider.get_secret("Away")
    finally:
        await asyncio.to_thread(other_loop.run, provider.aclose())


@pytest.mark.asyncio
async def test_run_coroutine_threadsafe_from_worker_thread(
    admin: Any, make_provider: ProviderFactory
) -> None:
    stored = _store(admin, "FIG_THREADED_SECRET")
    provider = make_provider()
    loop = asyncio.get_running_loop()

    def from_worker_thread() -> str:
        future = asyncio.run_coroutine_threadsafe(provider.get_secret("Threaded"), loop)
        return future.result(timeout=10)

    results = await asyncio.gather(*(asyncio.to_thread(from_worker_thread) for _ in range(4)))

    assert results == [stored] * 4


@pytest.mark.asyncio
@pytest.mark.parametrize("seed", range(5))
async def test_random_interleavings_serve_only_stored_values(
    seed: int, admin: Any, clock: FakeClock, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    """Random gets, cancels, refreshes, drops and rotations over four names stay consistent."""
    rng = random.Random(seed)
    names = ["Alpha", "Beta", "Gamma", "Delta"]
    stored: dict[str, set[str]] = {name: set() for name in names}
    for name in names:
        stored[name].add(_store(admin, fig_secret_aws.secret_name_for(name)))
    provider = make_provider(cache_ttl=30)
    proxy.latency = 0.002
    served: list[tuple[str, str]] = []
    tasks: list[asyncio.Task[str]] = []

    async def get(name: str, refresh: bool) -> str:
        value = await (provider.refresh(name) if refresh else provider.get_secret(name))
        served.append((name, value))

        return value

    for _ in range(200):
        name = rng.choice(names)
        action = rng.random()
        if action < 0.45:
            tasks.append(asyncio.ensure_future(get(name, refresh=False)))
        elif action < 0.55:
            tasks.append(asyncio.ensure_future(get(name, refresh=True)))
        elif action < 0.70 and tasks:
            rng.choice(tasks).cancel()
        elif action < 0.80:
            provider.invalidate(name)
        elif action < 0.90:
            stored[name].add(_store(admin, fig_secret_aws.secret_name_for(name)))
        else:
            clock.advance(rng.uniform(0, 40))
        await asyncio.sleep(rng.choice([0, 0, 0.001, 0.005]))

    await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=30)

    assert served
    assert all(value in stored[name] for name, value in served)
    assert provider._flights == {}
    for client_name, entry in provider._cache.items():
        assert entry.value in stored[client_name]
    for name in names:
        provider.invalidate(name)
        current = admin.get_secret_value(SecretId=fig_secret_aws.secret_name_for(name))
        assert await provider.get_secret(name) == current["SecretString"]
