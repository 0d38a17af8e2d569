"""Unreadable secrets, permanent failures, and the content of error messages."""

from __future__ import annotations

import logging
import pickle
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from fig_secret_aws import (
    AwsConfigurationError,
    AwsCredentialsError,
    AwsSecretProvider,
    FigSecretError,
    InvalidClientNameError,
    SecretAccessDeniedError,
    SecretBinaryValueError,
    SecretDecryptionError,
    SecretScheduledForDeletionError,
    SecretsManagerRequestError,
    SecretsManagerUnavailableError,
    SecretVersionNotFoundError,
)
from tests.harness import ErrorReply

if TYPE_CHECKING:
    from tests.harness import FaultProxy
    from tests.provider_fixtures import ProviderFactory


@pytest.mark.asyncio
@pytest.mark.parametrize("auto_create", [False, True])
async def test_scheduled_for_deletion_says_how_to_restore(
    auto_create: bool, admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    admin.create_secret(Name="FIG_RETIRED_SECRET", SecretString="x" * 36)
    admin.delete_secret(SecretId="FIG_RETIRED_SECRET", RecoveryWindowInDays=7)
    provider = make_provider(auto_create=auto_create)

    with pytest.raises(SecretScheduledForDeletionError) as caught:
        await provider.get_secret("Retired")

    assert "restore-secret --secret-id FIG_RETIRED_SECRET" in str(caught.value)
    assert proxy.count("CreateSecret") == 0
    assert proxy.count("GetSecretValue") == 1


@pytest.mark.asyncio
async def test_create_on_name_pending_deletion_raises_scheduled(
    make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    """AWS returns InvalidRequestException when a create reuses a name pending deletion."""
    proxy.inject(
        "CreateSecret",
        ErrorReply(
            "InvalidRequestException",
            "You can't create this secret because a secret with this name is already "
            "scheduled for deletion.",
        ),
    )
    provider = make_provider(auto_create=True)

    with pytest.raises(SecretScheduledForDeletionError, match="FIG_REBORN_SECRET"):
        await provider.get_secret("Reborn")
    assert proxy.count("CreateSecret") == 1


@pytest.mark.asyncio
@pytest.mark.parametrize("auto_create", [False, True])
async def test_secret_without_current_version(
    auto_create: bool, admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    admin.create_secret(Name="FIG_EMPTY_SECRET")
    provider = make_provider(auto_create=auto_create)

    with pytest.raises(SecretVersionNotFoundError) as caught:
        await provider.get_secret("Empty")

    assert "AWSCURRENT" in str(caught.value)
    assert "put-secret-value --secret-id FIG_EMPTY_SECRET" in str(caught.value)
    assert proxy.count("CreateSecret") == 0


@pytest.mark.asyncio
@pytest.mark.parametrize("auto_create", [False, True])
async def test_binary_secret_is_rejected(
    auto_create: bool, admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    admin.create_secret(Name="FIG_BINARY_SECRET", SecretBinary=b"\x00\x01binary")
    provider = make_provider(auto_create=auto_create)

    with pytest.raises(SecretBinaryValueError, match="SecretBinary"):
        await provider.get_secret("Binary")
    assert proxy.count("CreateSecret") == 0


PERMANENT_GET_FAULTS = [
    pytest.param(
        ErrorReply(
            "AccessDeniedException",
            "User: arn:aws:sts::123456789012:assumed-role/app is not authorized to perform: "
            "secretsmanager:GetSecretValue",
        ),
        SecretAccessDeniedError,
        "secretsmanager:GetSecretValue",
        id="iam-denied",
    ),
    pytest.param(
        ErrorReply("AccessDeniedException", "Access to KMS is not allowed"),
        SecretAccessDeniedError,
        "kms:Decrypt",
        id="kms-denied",
    ),
    pytest.param(
        ErrorReply("DecryptionFailure", "The KMS key is disabled."),
        SecretDecryptionError,
        "kms:Decrypt",
        id="kms-decryption-failure",
    ),
    pytest.param(
        ErrorReply("KMSDisabledException", "The KMS key is disabled."),
        SecretDecryptionError,
        "could not decrypt",
        id="kms-disabled-on-read",
    ),
    pytest.param(
        ErrorReply("ExpiredTokenException", "The security token in the request is expired"),
        AwsCredentialsError,
        "Refresh the credentials",
        id="expired-token",
    ),
    pytest.param(
        ErrorReply("UnrecognizedClientException", "The security token is invalid."),
        AwsCredentialsError,
        "UnrecognizedClientException",
        id="invalid-token",
    ),
    pytest.param(
        ErrorReply("InvalidParameterException", "An invalid parameter was given."),
        SecretsManagerRequestError,
        "InvalidParameterException",
        id="invalid-parameter",
    ),
]


@pytest.mark.asyncio
@pytest.mark.parametrize(("fault", "error_type", "hint"), PERMANENT_GET_FAULTS)
async def test_permanent_fault_fails_on_first_call(
    fault: ErrorReply,
    error_type: type[FigSecretError],
    hint: str,
    make_provider: ProviderFactory,
    proxy: FaultProxy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    proxy.inject("GetSecretValue", fault, times=None)
    provider = make_provider(auto_create=True)
    caplog.set_level(logging.DEBUG)

    with pytest.raises(error_type) as caught:
        await provider.get_secret("Guarded")

    assert proxy.count() == 1
    assert hint in str(caught.value)
    assert "FIG_GUARDED_SECRET" in str(caught.value)
    assert caught.value.secret_name == "FIG_GUARDED_SECRET"
    assert isinstance(caught.value.__cause__, ClientError)
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.mark.asyncio
async def test_access_denied_names_the_action(
    make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    proxy.inject("CreateSecret", ErrorReply("AccessDeniedException", "not authorized"))
    provider = make_provider(auto_create=True)

    with pytest.raises(SecretAccessDeniedError) as caught:
        await provider.get_secret("No Create")

    assert caught.value.action == "secretsmanager:CreateSecret"
    assert "secretsmanager:CreateSecret" in str(caught.value)


@pytest.mark.asyncio
async def test_kms_encryption_failure_on_create(
    make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    proxy.inject("CreateSecret", ErrorReply("EncryptionFailure", "The key is pending deletion."))
    provider = make_provider(auto_create=True, kms_key_id="alias/gone")

    with pytest.raises(SecretDecryptionError, match="kms:GenerateDataKey"):
        await provider.get_secret("Encrypted")


@pytest.mark.asyncio
async def test_no_region_raises_configuration_error(
    monkeypatch: pytest.MonkeyPatch, endpoint_url: str, make_provider: ProviderFactory
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    provider = make_provider(region_name=None, endpoint_url=endpoint_url)

    with pytest.raises(AwsConfigurationError, match="region_name=") as caught:
        await provider.get_secret("Anywhere")

    assert isinstance(caught.value.__cause__, BotoCoreError)


@pytest.mark.asyncio
async def test_no_credentials_raises_credentials_error(
    monkeypatch: pytest.MonkeyPatch, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    provider = make_provider()

    with pytest.raises(AwsCredentialsError, match="No usable AWS credentials") as caught:
        await provider.get_secret("Keyless")

    assert isinstance(caught.value.__cause__, BotoCoreError)
    assert proxy.count() == 0


@pytest.mark.asyncio
async def test_unreachable_endpoint_gives_up_after_max_attempts(
    make_provider: ProviderFactory, unused_port_url: str
) -> None:
    provider = make_provider(endpoint_url=unused_port_url, max_attempts=3)

    with pytest.raises(SecretsManagerUnavailableError, match="could not reach") as caught:
        await provider.get_secret("Offline")

    assert caught.value.attempts == 3
    assert unused_port_url in str(caught.value)


@pytest.mark.asyncio
@pytest.mark.parametrize("client_name", ["", "bad#name", "caf\u00e9", "a" * 600])
async def test_invalid_name_makes_no_call(
    client_name: str, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    provider = make_provider(auto_create=True)

    with pytest.raises(InvalidClientNameError):
        await provider.get_secret(client_name)
    assert proxy.count() == 0


@pytest.mark.asyncio
@pytest.mark.parametrize("client_name", [None, 7, b"Orders", ["Orders"]])
async def test_non_string_name_raises_type_error(
    client_name: object, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    provider = make_provider()

    with pytest.raises(TypeError, match="must be a str"):
        await provider.get_secret(client_name)  # type: ignore[arg-type]
    assert proxy.count() == 0


@pytest.mark.parametrize(
    ("options", "error_type", "match"),
    [
        pytest.param({"cache_ttl": 0}, ValueError, "cache_ttl", id="zero-ttl"),
        pytest.param({"cache_ttl": -5}, ValueError, "cache_ttl", id="negative-ttl"),
        pytest.param({"cache_ttl": "60"}, ValueError, "cache_ttl", id="string-ttl"),
        pytest.param({"auto_create": "yes"}, TypeError, "auto_create", id="string-auto-create"),
        pytest.param({"max_attempts": 0}, ValueError, "max_attempts", id="zero-attempts"),
        pytest.param({"max_attempts": 2.5}, TypeError, "max_attempts", id="float-attempts"),
        pytest.param({"read_timeout": 0}, ValueError, "read_timeout", id="zero-timeout"),
        pytest.param({"max_pool_connections": 0}, ValueError, "max_pool", id="empty-pool"),
        pytest.param(
            {"retry_base_delay": -1}, ValueError, "^retry_base_delay", id="negative-delay"
        ),
        pytest.param({"max_retry_time": "10"}, ValueError, "^max_retry_time", id="string-time"),
        pytest.param({"retry_max_delay": None}, ValueError, "^retry_max_delay", id="none-delay"),
        pytest.param({"region_name": 5}, TypeError, "region_name", id="int-region"),
        pytest.param({"region_name": ""}, ValueError, "region_name", id="empty-region"),
        pytest.param({"endpoint_url": " "}, ValueError, "endpoint_url", id="blank-endpoint"),
        pytest.param({"profile_name": b"ops"}, TypeError, "profile_name", id="bytes-profile"),
        pytest.param({"tags": {"team": 1}}, TypeError, "tags", id="int-tag-value"),
        pytest.param({"tags": [("team", "a")]}, TypeError, "tags", id="tag-pairs"),
        pytest.param({"session": "not a session"}, TypeError, "AioSession", id="string-session"),
        pytest.param(
            {"client": object(), "region_name": "eu-west-1"},
            AwsConfigurationError,
            "client= alone",
            id="client-and-region",
        ),
    ],
)
def test_bad_options_rejected_at_construction(
    options: dict[str, Any], error_type: type[Exception], match: str
) -> None:
    with pytest.raises(error_type, match=match):
        AwsSecretProvider(**options)


@pytest.mark.parametrize(
    "error",
    [
        SecretAccessDeniedError("denied", secret_name="FIG_A_SECRET", action="kms:Decrypt"),
        SecretsManagerUnavailableError("down", secret_name="FIG_A_SECRET", attempts=5),
        SecretsManagerRequestError("odd", secret_name="FIG_A_SECRET", error_code="Odd"),
        InvalidClientNameError("bad name"),
    ],
    ids=type,
)
def test_errors_survive_pickling(error: FigSecretError) -> None:
    """Errors cross process boundaries, such as from a ProcessPoolExecutor, intact."""
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 (our own bytes)

    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert copy.__dict__ == error.__dict__


@pytest.mark.asyncio
async def test_partial_credentials_raise_credentials_error(
    monkeypatch: pytest.MonkeyPatch, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    provider = make_provider()

    with pytest.raises(AwsCredentialsError, match="incomplete") as caught:
        await provider.get_secret("Half Keyed")

    assert isinstance(caught.value.__cause__, BotoCoreError)
    assert proxy.count() == 0
