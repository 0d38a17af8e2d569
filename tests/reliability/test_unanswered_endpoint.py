"""Against an endpoint that never responds, a call ends within the retry bounds.

The bound the README documents: at most ``max_attempts`` requests, and an end within
``max_retry_time`` plus one request's ``connect_timeout`` and ``read_timeout``, because no
attempt starts after ``max_retry_time`` and a request that gets no reply ends at its timeouts.
Each test measures a real sequence with small timeouts and checks it against that bound plus
slack for a slow machine. The tests ended by ``max_retry_time`` also check the attempt count,
so a retry loop that started one more attempt after ``max_retry_time`` fails them. backoff's
own ``max_time`` did that, because it compares the time at which the failed attempt started.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest

from fig_secret_aws import AwsSecretProvider, SecretsManagerUnavailableError
from tests.harness import SilentEndpoint, Stall

if TYPE_CHECKING:
    from tests.figures import Figures
    from tests.harness import FaultProxy
    from tests.provider_fixtures import ProviderFactory

SLACK_SECONDS = 1.0
# Longer than every read timeout below, so a stalled request always times out on the client.
STALL = Stall(10.0)


def _bound(options: dict[str, Any]) -> float:
    """Return the documented bound on the time of one retry sequence for *options*."""
    return float(options["max_retry_time"] + options["connect_timeout"] + options["read_timeout"])


async def _time_failure(
    provider: AwsSecretProvider,
) -> tuple[SecretsManagerUnavailableError, float]:
    """Open *provider*, then return the error of one get_secret call and the time it took."""
    async with provider:
        started = time.monotonic()
        with pytest.raises(SecretsManagerUnavailableError) as caught:
            await provider.get_secret("Unanswered")
        elapsed = time.monotonic() - started

    return caught.value, elapsed


def _record(figures: Figures, variant: str, attempts: int, elapsed: float, bound: float) -> None:
    figures.set(f"unanswered.{variant}.attempts", attempts)
    figures.set(f"unanswered.{variant}.elapsed_seconds", round(elapsed, 2))
    figures.set(f"unanswered.{variant}.bound_seconds", bound)


@pytest.mark.asyncio
async def test_stall_every_call_stops_at_max_attempts(
    make_provider: ProviderFactory, proxy: FaultProxy, figures: Figures
) -> None:
    """With time to spare, max_attempts ends the sequence, and no create is attempted."""
    options = {
        "max_attempts": 3,
        "max_retry_time": 30.0,
        "connect_timeout": 0.5,
        "read_timeout": 0.3,
    }
    proxy.inject("*", STALL, times=None)
    provider = make_provider(auto_create=True, **options)

    error, elapsed = await _time_failure(provider)

    assert error.attempts == 3
    assert proxy.count("GetSecretValue") == 3
    assert proxy.count("CreateSecret") == 0
    assert elapsed < _bound(options) + SLACK_SECONDS
    _record(figures, "stall_max_attempts", error.attempts, elapsed, _bound(options))


@pytest.mark.asyncio
async def test_stall_every_call_stops_at_max_retry_time(
    make_provider: ProviderFactory, proxy: FaultProxy, figures: Figures
) -> None:
    """No attempt starts after max_retry_time, so the sequence ends one timeout after it.

    The first attempt times out at 2.0 s, before max_retry_time (2.1 s), so a second one
    starts and times out at about 4.0 s. A third attempt would end near 6.0 s, past the bound.
    """
    options = {
        "max_attempts": 100,
        "max_retry_time": 2.1,
        "connect_timeout": 0.5,
        "read_timeout": 2.0,
    }
    proxy.inject("*", STALL, times=None)
    provider = make_provider(**options)

    error, elapsed = await _time_failure(provider)

    assert 1 <= error.attempts <= 2
    assert proxy.count("GetSecretValue") == error.attempts
    assert elapsed < _bound(options) + SLACK_SECONDS
    _record(figures, "stall_max_retry_time", error.attempts, elapsed, _bound(options))


@pytest.mark.asyncio
async def test_closed_port_stops_at_max_attempts(
    make_provider: ProviderFactory, unused_port_url: str, figures: Figures
) -> None:
    options = {
        "max_attempts": 4,
        "max_retry_time": 30.0,
        "connect_timeout": 0.5,
        "read_timeout": 0.5,
    }
    provider = make_provider(endpoint_url=unused_port_url, **options)

    error, elapsed = await _time_failure(provider)

    assert error.attempts == 4
    assert unused_port_url in str(error)
    assert elapsed < _bound(options) + SLACK_SECONDS
    _record(figures, "closed_port_max_attempts", error.attempts, elapsed, _bound(options))


@pytest.mark.asyncio
async def test_closed_port_stops_at_max_retry_time(
    make_provider: ProviderFactory, unused_port_url: str, figures: Figures
) -> None:
    """Refused connections fail at once, so the backoff delays use up max_retry_time."""
    options = {
        "max_attempts": 1000,
        "max_retry_time": 1.0,
        "connect_timeout": 0.5,
        "read_timeout": 0.5,
        "retry_base_delay": 0.05,
        "retry_max_delay": 0.1,
    }
    provider = make_provider(endpoint_url=unused_port_url, **options)

    error, elapsed = await _time_failure(provider)

    assert 2 <= error.attempts < 1000
    assert elapsed < _bound(options) + SLACK_SECONDS
    _record(figures, "closed_port_max_retry_time", error.attempts, elapsed, _bound(options))


@pytest.mark.asyncio
async def test_silent_listener_trips_read_timeout(
    make_provider: ProviderFactory, figures: Figures
) -> None:
    """A server that takes the connection and never replies: each attempt ends at read_timeout."""
    options = {
        "max_attempts": 100,
        "max_retry_time": 1.1,
        "connect_timeout": 0.5,
        "read_timeout": 1.0,
    }
    with SilentEndpoint() as endpoint:
        provider = make_provider(endpoint_url=endpoint.url, **options)
        error, elapsed = await _time_failure(provider)

    assert 1 <= error.attempts <= 2
    assert elapsed < _bound(options) + SLACK_SECONDS
    _record(figures, "silent_listener", error.attempts, elapsed, _bound(options))


@pytest.mark.asyncio
async def test_full_backlog_trips_connect_timeout(
    make_provider: ProviderFactory, figures: Figures
) -> None:
    """A server whose connection queue is full: each attempt ends at connect_timeout."""
    options = {
        "max_attempts": 100,
        "max_retry_time": 1.1,
        "connect_timeout": 1.0,
        "read_timeout": 0.5,
    }
    with SilentEndpoint(backlog_full=True) as endpoint:
        provider = make_provider(endpoint_url=endpoint.url, **options)
        error, elapsed = await _time_failure(provider)

    assert 1 <= error.attempts <= 2
    assert elapsed < _bound(options) + SLACK_SECONDS
    _record(figures, "full_backlog", error.attempts, elapsed, _bound(options))
