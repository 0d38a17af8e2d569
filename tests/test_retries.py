"""One retry layer: transient faults are retried within bounds, others fail at once."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import pytest

from fig_secret_aws import SecretsManagerUnavailableError
from tests.harness import DropAfterForward, DropBeforeForward, ErrorReply, Stall

if TYPE_CHECKING:
    from tests.harness import Fault, FaultProxy
    from tests.provider_fixtures import ProviderFactory

TRANSIENT_FAULTS = [
    pytest.param(ErrorReply("ThrottlingException", "Rate exceeded"), id="throttling"),
    pytest.param(ErrorReply("TooManyRequestsException", "Slow down", status=429), id="http-429"),
    pytest.param(ErrorReply("InternalServiceError", "Oops", status=500), id="internal-error"),
    pytest.param(ErrorReply("ServiceUnavailable", "Busy", status=503), id="http-503"),
    pytest.param(ErrorReply("SomethingNew", "Bad gateway", status=502), id="unknown-5xx"),
    pytest.param(DropBeforeForward(), id="connection-dropped"),
    pytest.param(DropAfterForward(), id="reply-lost"),
    pytest.param(Stall(2.0), id="read-timeout"),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("fault", TRANSIENT_FAULTS)
async def test_transient_fault_is_retried(
    fault: Fault, admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    admin.create_secret(Name="FIG_FLAKY_SECRET", SecretString="f" * 8 + "-0123456789abcdef-flaky")
    proxy.inject("GetSecretValue", fault, times=2)
    provider = make_provider(read_timeout=0.5)

    assert await provider.get_secret("Flaky") == "f" * 8 + "-0123456789abcdef-flaky"
    assert proxy.count("GetSecretValue") == 3


@pytest.mark.asyncio
async def test_exhausted_retries_raise_unavailable(
    make_provider: ProviderFactory, proxy: FaultProxy, caplog: pytest.LogCaptureFixture
) -> None:
    proxy.inject("GetSecretValue", ErrorReply("ThrottlingException", "Rate exceeded"), times=None)
    provider = make_provider(max_attempts=4)
    caplog.set_level(logging.INFO, logger="fig_secret_aws")

    with pytest.raises(SecretsManagerUnavailableError) as caught:
        await provider.get_secret("Throttled")

    assert caught.value.attempts == 4
    assert "gave up after 4 attempt(s)" in str(caught.value)
    assert "ThrottlingException" in str(caught.value)
    assert proxy.count("GetSecretValue") == 4
    retries = [record for record in caplog.records if "retrying in" in record.getMessage()]
    assert len(retries) == 3


@pytest.mark.asyncio
async def test_botocore_does_not_retry_underneath(
    make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    """With one attempt allowed, a 500 reaches the server exactly once."""
    proxy.inject("GetSecretValue", ErrorReply("InternalServiceError", "x", status=500), times=None)
    provider = make_provider(max_attempts=1)

    with pytest.raises(SecretsManagerUnavailableError):
        await provider.get_secret("Once")
    assert proxy.count() == 1


@pytest.mark.asyncio
async def test_retry_time_bound_stops_attempts(
    make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    """Slow failures stop once max_retry_time has passed, before max_attempts."""
    proxy.inject("GetSecretValue", Stall(1.0), times=None)
    provider = make_provider(max_attempts=50, max_retry_time=0.5, read_timeout=0.2)

    with pytest.raises(SecretsManagerUnavailableError) as caught:
        await provider.get_secret("Slow")

    assert 2 <= caught.value.attempts < 10


@pytest.mark.asyncio
async def test_create_is_retried_with_same_token(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    proxy.inject("CreateSecret", ErrorReply("InternalServiceError", "x", status=500))
    provider = make_provider(auto_create=True)

    value = await provider.get_secret("Retried Create")

    assert proxy.count("CreateSecret") == 2
    assert admin.get_secret_value(SecretId="FIG_RETRIEDCREATE_SECRET")["SecretString"] == value


@pytest.mark.asyncio
async def test_waiters_share_failure_of_one_sequence(
    make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    """Ten callers of a failing name cause one retry sequence, and all get its error."""
    proxy.inject("GetSecretValue", ErrorReply("ThrottlingException", "x"), times=None)
    proxy.latency = 0.05
    provider = make_provider(max_attempts=3)

    results = await asyncio.gather(
        *(provider.get_secret("Shared Failure") for _ in range(10)), return_exceptions=True
    )

    assert all(isinstance(result, SecretsManagerUnavailableError) for result in results)
    assert len({id(result) for result in results}) == 1
    assert proxy.count("GetSecretValue") == 3


@pytest.mark.asyncio
async def test_next_call_after_failure_starts_afresh(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    admin.create_secret(Name="FIG_RECOVERS_SECRET", SecretString="r" * 4 + "-0123456789-recovers")
    proxy.inject("GetSecretValue", ErrorReply("ThrottlingException", "x"), times=2)
    provider = make_provider(max_attempts=2)

    with pytest.raises(SecretsManagerUnavailableError):
        await provider.get_secret("Recovers")

    assert await provider.get_secret("Recovers") == "r" * 4 + "-0123456789-recovers"
    assert proxy.count("GetSecretValue") == 3
