"""Fault matrix: transient faults are survived within the retry bounds, permanent ones fail fast.

Every case runs the real provider against moto through the fault proxy. The figures of each
passing case are added to the run's figures for ``nox -s reliability``.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from fig_secret_aws import (
    AwsCredentialsError,
    FigSecretError,
    SecretAccessDeniedError,
    SecretDecryptionError,
    SecretNotFoundError,
    SecretScheduledForDeletionError,
    SecretsManagerRequestError,
    SecretsManagerUnavailableError,
    SecretVersionNotFoundError,
)
from tests.harness import DropAfterForward, DropBeforeForward, Stall, aws_errors

if TYPE_CHECKING:
    from tests.figures import Figures
    from tests.harness import Fault, FaultProxy
    from tests.provider_fixtures import ProviderFactory

MAX_ATTEMPTS = 5
READ_TIMEOUT = 0.3
CONNECT_TIMEOUT = 1.0
MAX_RETRY_TIME = 10.0
# Added to every upper bound on time: room for a slow, shared machine. The bounds check that
# the retry loop stops, not how fast it runs.
SLACK_SECONDS = 2.0

# A stall outlasts the client's read timeout, so each one costs the client one timed-out attempt.
STALL = Stall(READ_TIMEOUT * 4)

TRANSIENT_FAULTS = [
    pytest.param(aws_errors.THROTTLING, id="throttling"),
    pytest.param(aws_errors.TOO_MANY_REQUESTS, id="http-429"),
    pytest.param(aws_errors.INTERNAL_SERVICE_ERROR, id="http-500"),
    pytest.param(aws_errors.BAD_GATEWAY, id="http-502-unknown-code"),
    pytest.param(aws_errors.SERVICE_UNAVAILABLE, id="http-503"),
    pytest.param(aws_errors.GATEWAY_TIMEOUT, id="http-504"),
    pytest.param(DropBeforeForward(), id="dropped-before-server"),
    pytest.param(DropAfterForward(), id="dropped-after-server"),
    pytest.param(STALL, id="read-timeout"),
]

BURSTS = [
    pytest.param(1, id="alone"),
    pytest.param(MAX_ATTEMPTS - 1, id="burst"),
]


def _store(admin: Any, secret_name: str) -> str:
    value = f"reliability-{uuid.uuid4()}"
    admin.create_secret(Name=secret_name, SecretString=value)

    return value


def _retry_time_bound() -> float:
    """Return the longest a retry sequence may take with this module's settings, plus slack."""
    return MAX_RETRY_TIME + CONNECT_TIMEOUT + READ_TIMEOUT + SLACK_SECONDS


def _faults_applied(proxy: FaultProxy) -> int:
    return sum(1 for call in proxy.calls if call.fault is not None)


@pytest.fixture
def provider_options() -> dict[str, Any]:
    """Retry bounds of this module: fast backoff, short read timeout, the default tries."""
    return {
        "max_attempts": MAX_ATTEMPTS,
        "max_retry_time": MAX_RETRY_TIME,
        "connect_timeout": CONNECT_TIMEOUT,
        "read_timeout": READ_TIMEOUT,
    }


@pytest.mark.asyncio
@pytest.mark.parametrize("times", BURSTS)
@pytest.mark.parametrize("fault", TRANSIENT_FAULTS)
async def test_read_survives_transient_fault(
    fault: Fault,
    times: int,
    admin: Any,
    make_provider: ProviderFactory,
    proxy: FaultProxy,
    provider_options: dict[str, Any],
    figures: Figures,
) -> None:
    stored = _store(admin, "FIG_FLAKYREAD_SECRET")
    proxy.inject("GetSecretValue", fault, times=times)
    provider = make_provider(**provider_options)

    started = time.monotonic()
    value = await provider.get_secret("Flaky Read")
    elapsed = time.monotonic() - started

    assert value == stored
    assert proxy.count("GetSecretValue") == times + 1
    assert proxy.count("GetSecretValue") <= MAX_ATTEMPTS
    assert elapsed < _retry_time_bound()
    figures.add("transient.cases")
    figures.add("transient.faults_injected", _faults_applied(proxy))
    figures.keep_max("transient.max_attempts_used", proxy.count("GetSecretValue"))


@pytest.mark.asyncio
@pytest.mark.parametrize("times", BURSTS)
@pytest.mark.parametrize("fault", TRANSIENT_FAULTS)
async def test_create_survives_transient_fault(
    fault: Fault,
    times: int,
    admin: Any,
    make_provider: ProviderFactory,
    proxy: FaultProxy,
    provider_options: dict[str, Any],
    figures: Figures,
) -> None:
    """The create is retried with one request token, so a lost reply never adds a version."""
    proxy.inject("CreateSecret", fault, times=times)
    provider = make_provider(auto_create=True, **provider_options)

    started = time.monotonic()
    value = await provider.get_secret("Flaky Create")
    elapsed = time.monotonic() - started

    stored = admin.get_secret_value(SecretId="FIG_FLAKYCREATE_SECRET")["SecretString"]
    versions = admin.list_secret_version_ids(SecretId="FIG_FLAKYCREATE_SECRET")["Versions"]
    assert value == stored
    assert len(versions) == 1
    assert proxy.count("CreateSecret") == times + 1
    assert elapsed < _retry_time_bound()
    figures.add("transient.cases")
    figures.add("transient.faults_injected", _faults_applied(proxy))
    figures.keep_max("transient.max_attempts_used", proxy.count("CreateSecret"))


@pytest.mark.asyncio
async def test_mixed_burst_is_survived(
    admin: Any,
    make_provider: ProviderFactory,
    proxy: FaultProxy,
    provider_options: dict[str, Any],
    figures: Figures,
) -> None:
    """Different transient faults in a row use up all but the last allowed attempt."""
    stored = _store(admin, "FIG_MIXED_SECRET")
    for fault in (aws_errors.THROTTLING, DropBeforeForward(), STALL, aws_errors.BAD_GATEWAY):
        proxy.inject("GetSecretValue", fault)
    provider = make_provider(**provider_options)

    assert await provider.get_secret("Mixed") == stored
    assert [call.fault for call in proxy.calls] == [
        "ErrorReply",
        "DropBeforeForward",
        "Stall",
        "ErrorReply",
        None,
    ]
    figures.add("transient.cases")
    figures.add("transient.faults_injected", _faults_applied(proxy))
    figures.keep_max("transient.max_attempts_used", proxy.count())


PERMANENT_READ_FAULTS = [
    pytest.param(
        aws_errors.access_denied("secretsmanager:GetSecretValue"),
        SecretAccessDeniedError,
        id="access-denied",
    ),
    pytest.param(aws_errors.KMS_ACCESS_DENIED, SecretAccessDeniedError, id="kms-access-denied"),
    pytest.param(aws_errors.DECRYPTION_FAILURE, SecretDecryptionError, id="kms-decryption"),
    pytest.param(aws_errors.EXPIRED_TOKEN, AwsCredentialsError, id="expired-token"),
    pytest.param(aws_errors.UNRECOGNIZED_CLIENT, AwsCredentialsError, id="invalid-token"),
    pytest.param(aws_errors.INVALID_SIGNATURE, AwsCredentialsError, id="invalid-signature"),
    pytest.param(aws_errors.VERSION_NOT_FOUND, SecretVersionNotFoundError, id="no-current"),
    pytest.param(
        aws_errors.MARKED_FOR_DELETION, SecretScheduledForDeletionError, id="marked-deleted"
    ),
    pytest.param(aws_errors.INVALID_PARAMETER, SecretsManagerRequestError, id="invalid-param"),
]

PERMANENT_CREATE_FAULTS = [
    pytest.param(
        aws_errors.access_denied("secretsmanager:CreateSecret"),
        SecretAccessDeniedError,
        id="access-denied",
    ),
    pytest.param(
        aws_errors.access_denied("secretsmanager:TagResource"),
        SecretAccessDeniedError,
        id="tag-access-denied",
    ),
    pytest.param(aws_errors.ENCRYPTION_FAILURE, SecretDecryptionError, id="kms-encryption"),
    pytest.param(aws_errors.KMS_DISABLED, SecretDecryptionError, id="kms-disabled"),
    pytest.param(aws_errors.KMS_INVALID_STATE, SecretDecryptionError, id="kms-invalid-state"),
    pytest.param(aws_errors.EXPIRED_TOKEN, AwsCredentialsError, id="expired-token"),
    pytest.param(
        aws_errors.NAME_PENDING_DELETION, SecretScheduledForDeletionError, id="pending-deletion"
    ),
    pytest.param(aws_errors.LIMIT_EXCEEDED, SecretsManagerRequestError, id="limit-exceeded"),
    pytest.param(aws_errors.INVALID_PARAMETER, SecretsManagerRequestError, id="invalid-param"),
]


def _check_fails_fast(
    error: FigSecretError,
    expected: type[FigSecretError],
    secret_name: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Check the parts every permanent failure shares: its class, secret, cause and no ERROR log."""
    assert type(error) is expected
    assert error.secret_name == secret_name
    assert secret_name in str(error)
    assert isinstance(error.__cause__, ClientError)
    assert [record for record in caplog.records if record.levelno >= logging.ERROR] == []


@pytest.mark.asyncio
@pytest.mark.parametrize(("fault", "expected"), PERMANENT_READ_FAULTS)
async def test_permanent_read_fault_fails_first_call(
    fault: Fault,
    expected: type[FigSecretError],
    make_provider: ProviderFactory,
    proxy: FaultProxy,
    provider_options: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    figures: Figures,
) -> None:
    """No retry and, although auto-create is on, no create attempt either."""
    proxy.inject("GetSecretValue", fault, times=None)
    provider = make_provider(auto_create=True, **provider_options)

    with pytest.raises(FigSecretError) as caught:
        await provider.get_secret("Denied Read")

    _check_fails_fast(caught.value, expected, "FIG_DENIEDREAD_SECRET", caplog)
    assert proxy.count("GetSecretValue") == 1
    assert proxy.count("CreateSecret") == 0
    figures.add("permanent.cases")
    figures.add("permanent.failed_on_first_request")


@pytest.mark.asyncio
async def test_missing_secret_fails_first_call(
    make_provider: ProviderFactory,
    proxy: FaultProxy,
    provider_options: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    figures: Figures,
) -> None:
    """moto's own not-found reply, with auto-create off."""
    provider = make_provider(auto_create=False, **provider_options)

    with pytest.raises(FigSecretError) as caught:
        await provider.get_secret("Absent")

    _check_fails_fast(caught.value, SecretNotFoundError, "FIG_ABSENT_SECRET", caplog)
    assert proxy.count() == 1
    figures.add("permanent.cases")
    figures.add("permanent.failed_on_first_request")


@pytest.mark.asyncio
@pytest.mark.parametrize(("fault", "expected"), PERMANENT_CREATE_FAULTS)
async def test_permanent_create_fault_fails_first_call(
    fault: Fault,
    expected: type[FigSecretError],
    admin: Any,
    make_provider: ProviderFactory,
    proxy: FaultProxy,
    provider_options: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    figures: Figures,
) -> None:
    proxy.inject("CreateSecret", fault, times=None)
    provider = make_provider(auto_create=True, tags={"team": "fig"}, **provider_options)

    with pytest.raises(FigSecretError) as caught:
        await provider.get_secret("Denied Create")

    _check_fails_fast(caught.value, expected, "FIG_DENIEDCREATE_SECRET", caplog)
    assert [call.operation for call in proxy.calls] == ["GetSecretValue", "CreateSecret"]
    assert admin.list_secrets()["SecretList"] == []
    figures.add("permanent.cases")
    figures.add("permanent.failed_on_first_request")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("fault", "action"),
    [
        pytest.param(
            aws_errors.access_denied("secretsmanager:GetSecretValue"),
            "secretsmanager:GetSecretValue",
            id="iam",
        ),
        pytest.param(aws_errors.KMS_ACCESS_DENIED, "kms:Decrypt", id="kms"),
    ],
)
async def test_access_denied_names_refused_action(
    fault: Fault, action: str, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    proxy.inject("GetSecretValue", fault)
    provider = make_provider()

    with pytest.raises(SecretAccessDeniedError) as caught:
        await provider.get_secret("Denied")

    assert caught.value.action == action
    assert action in str(caught.value)


EXHAUSTING_FAULTS = [
    pytest.param("GetSecretValue", aws_errors.THROTTLING, id="read-throttling"),
    pytest.param("GetSecretValue", aws_errors.SERVICE_UNAVAILABLE, id="read-http-503"),
    pytest.param("GetSecretValue", DropBeforeForward(), id="read-dropped-before-server"),
    pytest.param("GetSecretValue", DropAfterForward(), id="read-dropped-after-server"),
    pytest.param("GetSecretValue", STALL, id="read-timeout"),
    pytest.param("CreateSecret", aws_errors.INTERNAL_SERVICE_ERROR, id="create-http-500"),
    pytest.param("CreateSecret", DropAfterForward(), id="create-dropped-after-server"),
]
WAITERS = 10
EXHAUSTED_ATTEMPTS = 3


@pytest.mark.asyncio
@pytest.mark.parametrize(("operation", "fault"), EXHAUSTING_FAULTS)
async def test_exhausted_retries_fail_every_waiter_alike(
    operation: str,
    fault: Fault,
    admin: Any,
    make_provider: ProviderFactory,
    proxy: FaultProxy,
    provider_options: dict[str, Any],
    figures: Figures,
) -> None:
    """One retry sequence serves every waiter, all get its error, and the next call is new."""
    if operation == "GetSecretValue":
        _store(admin, "FIG_EXHAUSTED_SECRET")
    proxy.inject(operation, fault, times=EXHAUSTED_ATTEMPTS)
    provider = make_provider(
        auto_create=True, **{**provider_options, "max_attempts": EXHAUSTED_ATTEMPTS}
    )

    results = await asyncio.gather(
        *(provider.get_secret("Exhausted") for _ in range(WAITERS)), return_exceptions=True
    )

    error = results[0]
    assert isinstance(error, SecretsManagerUnavailableError)
    assert all(result is error for result in results)
    assert error.attempts == EXHAUSTED_ATTEMPTS
    assert proxy.count(operation) == EXHAUSTED_ATTEMPTS
    assert "'FIG_EXHAUSTED_SECRET'" in str(error)
    assert f"gave up after {EXHAUSTED_ATTEMPTS} attempt(s)" in str(error)

    calls_before = proxy.count()
    value = await provider.get_secret("Exhausted")

    assert value == admin.get_secret_value(SecretId="FIG_EXHAUSTED_SECRET")["SecretString"]
    assert proxy.count() > calls_before
    assert proxy.calls[calls_before].operation == "GetSecretValue"
    figures.add("exhausted.cases")
    figures.add("exhausted.waiters", WAITERS)
    figures.add("exhausted.waiters_with_same_error", sum(result is error for result in results))
    figures.add("exhausted.fresh_next_calls")
