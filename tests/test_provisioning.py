"""Provisioning through the provider: `ensure_secret` and `rotate_secret`."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import pytest

from fig_secret_aws import (
    EnsureResult,
    InvalidSecretValueError,
    ProviderClosedError,
    RotateResult,
    SecretAccessDeniedError,
    SecretNotFoundError,
    SecretScheduledForDeletionError,
)
from tests.harness import DropAfterForward, ErrorReply

if TYPE_CHECKING:
    from tests.harness import FaultProxy
    from tests.provider_fixtures import ProviderFactory

OLD_VALUE = "1c0a6a4e-3f5e-4f7a-9d42-6b1f0c9e8a11"
NEW_VALUE = "9e2b7d14-55c3-4b8e-a0f6-d3c1e7a94b52"

NOT_FOUND_ON_DESCRIBE = ErrorReply(
    "ResourceNotFoundException", "Secrets Manager can't find the specified secret."
)
MARKED_FOR_DELETION = ErrorReply(
    "InvalidRequestException",
    "You can't perform this operation on the secret because it was marked for deletion.",
)
THROTTLING = ErrorReply("ThrottlingException", "Rate exceeded")


def _access_denied(action: str) -> ErrorReply:
    return ErrorReply(
        "AccessDeniedException",
        f"User: arn:aws:sts::123456789012:assumed-role/ops/cli is not authorized to perform: "
        f"{action} because no identity-based policy allows the {action} action",
    )


def _stage_value(admin: Any, secret_name: str, stage: str) -> str:
    reply = admin.get_secret_value(SecretId=secret_name, VersionStage=stage)

    return str(reply["SecretString"])


# ensure_secret


@pytest.mark.asyncio
async def test_ensure_creates_missing_secret(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    """A missing secret is created holding a GUID, even with auto-create off."""
    provider = make_provider(auto_create=False)

    result = await provider.ensure_secret("New Service")

    assert isinstance(result, EnsureResult)
    assert result.created is True
    assert result.secret_name == "FIG_NEWSERVICE_SECRET"
    described = admin.describe_secret(SecretId="FIG_NEWSERVICE_SECRET")
    assert result.arn == described["ARN"]
    assert described["Description"] == "Fig client secret for FIG_NEWSERVICE_SECRET"
    value = _stage_value(admin, "FIG_NEWSERVICE_SECRET", "AWSCURRENT")
    assert str(uuid.UUID(value)) == value
    assert value not in repr(result)
    assert proxy.count("DescribeSecret") == 1
    assert proxy.count("CreateSecret") == 1


@pytest.mark.asyncio
async def test_ensure_leaves_existing_secret(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    created = admin.create_secret(Name="FIG_KEPT_SECRET", SecretString=OLD_VALUE)
    provider = make_provider()

    result = await provider.ensure_secret("Kept", description="other", tags={"a": "b"})

    assert result == EnsureResult(secret_name="FIG_KEPT_SECRET", arn=created["ARN"], created=False)
    assert _stage_value(admin, "FIG_KEPT_SECRET", "AWSCURRENT") == OLD_VALUE
    assert "Tags" not in admin.describe_secret(SecretId="FIG_KEPT_SECRET")
    assert proxy.count("CreateSecret") == 0
    assert proxy.count("GetSecretValue") == 0


@pytest.mark.asyncio
async def test_ensure_applies_description_key_and_tags(
    admin: Any, make_provider: ProviderFactory
) -> None:
    provider = make_provider()

    await provider.ensure_secret(
        "Custom",
        description="Orders API client secret",
        kms_key_id="alias/fig-secrets",
        tags={"team": "orders", "env": "prod"},
    )

    described = admin.describe_secret(SecretId="FIG_CUSTOM_SECRET")
    assert described["Description"] == "Orders API client secret"
    assert described["KmsKeyId"] == "alias/fig-secrets"
    assert {tag["Key"]: tag["Value"] for tag in described["Tags"]} == {
        "team": "orders",
        "env": "prod",
    }


@pytest.mark.asyncio
async def test_ensure_defaults_to_provider_key_and_tags(
    admin: Any, make_provider: ProviderFactory
) -> None:
    provider = make_provider(kms_key_id="alias/provider-key", tags={"owner": "platform"})

    await provider.ensure_secret("Defaults")

    described = admin.describe_secret(SecretId="FIG_DEFAULTS_SECRET")
    assert described["KmsKeyId"] == "alias/provider-key"
    assert described["Tags"] == [{"Key": "owner", "Value": "platform"}]


@pytest.mark.asyncio
async def test_ensure_lost_create_race_reports_existing(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    """Another process creates the secret between DescribeSecret and CreateSecret."""
    created = admin.create_secret(Name="FIG_RACED_SECRET", SecretString=OLD_VALUE)
    proxy.inject("DescribeSecret", NOT_FOUND_ON_DESCRIBE)
    provider = make_provider()

    result = await provider.ensure_secret("Raced")

    assert result == EnsureResult(secret_name="FIG_RACED_SECRET", arn=created["ARN"], created=False)
    assert _stage_value(admin, "FIG_RACED_SECRET", "AWSCURRENT") == OLD_VALUE
    assert proxy.count("CreateSecret") == 1
    assert proxy.count("DescribeSecret") == 2


@pytest.mark.asyncio
async def test_ensure_secret_pending_deletion_raises(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    admin.create_secret(Name="FIG_RETIRED_SECRET", SecretString=OLD_VALUE)
    admin.delete_secret(SecretId="FIG_RETIRED_SECRET", RecoveryWindowInDays=7)
    provider = make_provider()

    with pytest.raises(SecretScheduledForDeletionError) as caught:
        await provider.ensure_secret("Retired")

    assert "restore-secret --secret-id FIG_RETIRED_SECRET" in str(caught.value)
    assert proxy.count("CreateSecret") == 0


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("operation", "action"),
    [
        ("DescribeSecret", "secretsmanager:DescribeSecret"),
        ("CreateSecret", "secretsmanager:CreateSecret"),
    ],
)
async def test_ensure_access_denied_names_action(
    operation: str, action: str, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    proxy.inject(operation, _access_denied(action))
    provider = make_provider()

    with pytest.raises(SecretAccessDeniedError) as caught:
        await provider.ensure_secret("Denied")

    assert caught.value.action == action
    assert caught.value.secret_name == "FIG_DENIED_SECRET"


@pytest.mark.asyncio
async def test_ensure_drops_cached_value_of_recreated_secret(
    admin: Any, make_provider: ProviderFactory
) -> None:
    """A secret deleted for good and created again by ensure_secret is read anew."""
    admin.create_secret(Name="FIG_REBORN_SECRET", SecretString=OLD_VALUE)
    provider = make_provider(cache_ttl=None)
    assert await provider.get_secret("Reborn") == OLD_VALUE
    admin.delete_secret(SecretId="FIG_REBORN_SECRET", ForceDeleteWithoutRecovery=True)

    await provider.ensure_secret("Reborn")

    assert await provider.get_secret("Reborn") == _stage_value(
        admin, "FIG_REBORN_SECRET", "AWSCURRENT"
    )


# rotate_secret


@pytest.mark.asyncio
async def test_rotate_moves_current_and_previous(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    created = admin.create_secret(Name="FIG_ROTATED_SECRET", SecretString=OLD_VALUE)
    provider = make_provider()

    result = await provider.rotate_secret("Rotated", NEW_VALUE)

    assert isinstance(result, RotateResult)
    assert result.secret_name == "FIG_ROTATED_SECRET"
    assert result.arn == created["ARN"]
    assert _stage_value(admin, "FIG_ROTATED_SECRET", "AWSCURRENT") == NEW_VALUE
    assert _stage_value(admin, "FIG_ROTATED_SECRET", "AWSPREVIOUS") == OLD_VALUE
    current = admin.get_secret_value(SecretId="FIG_ROTATED_SECRET")
    assert result.version_id == current["VersionId"]
    assert NEW_VALUE not in repr(result)
    assert proxy.count("PutSecretValue") == 1


@pytest.mark.asyncio
async def test_rotate_caches_new_value(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    admin.create_secret(Name="FIG_CACHED_SECRET", SecretString=OLD_VALUE)
    provider = make_provider(cache_ttl=None)
    assert await provider.get_secret("Cached") == OLD_VALUE

    await provider.rotate_secret("Cached", NEW_VALUE)

    assert await provider.get_secret("Cached") == NEW_VALUE
    assert proxy.count("GetSecretValue") == 1


@pytest.mark.asyncio
async def test_rotate_drops_other_names_of_same_secret(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    """Client names "My Shared" and "MyShared" share one secret, so a rotation updates both."""
    admin.create_secret(Name="FIG_MYSHARED_SECRET", SecretString=OLD_VALUE)
    provider = make_provider(cache_ttl=None)
    assert await provider.get_secret("My Shared") == OLD_VALUE

    await provider.rotate_secret("MyShared", NEW_VALUE)

    assert await provider.get_secret("My Shared") == NEW_VALUE
    assert proxy.count("GetSecretValue") == 2


@pytest.mark.asyncio
async def test_rotate_refresh_reads_after_rotation(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    """refresh() after a rotation sends a new read instead of reusing an older one."""
    admin.create_secret(Name="FIG_REREAD_SECRET", SecretString=OLD_VALUE)
    provider = make_provider(cache_ttl=None)
    await provider.rotate_secret("Reread", NEW_VALUE)

    assert await provider.refresh("Reread") == NEW_VALUE
    assert proxy.count("GetSecretValue") == 1


@pytest.mark.asyncio
async def test_rotate_lost_reply_stores_one_version(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    """The retry after a lost reply reuses the request token, so no second version appears."""
    admin.create_secret(Name="FIG_LOSTREPLY_SECRET", SecretString=OLD_VALUE)
    proxy.inject("PutSecretValue", DropAfterForward())
    provider = make_provider()

    result = await provider.rotate_secret("Lost Reply", NEW_VALUE)

    versions = admin.list_secret_version_ids(SecretId="FIG_LOSTREPLY_SECRET")["Versions"]
    assert len(versions) == 2
    assert proxy.count("PutSecretValue") == 2
    assert _stage_value(admin, "FIG_LOSTREPLY_SECRET", "AWSPREVIOUS") == OLD_VALUE
    current = admin.get_secret_value(SecretId="FIG_LOSTREPLY_SECRET")
    assert current["VersionId"] == result.version_id


@pytest.mark.asyncio
async def test_rotate_retries_throttling(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    admin.create_secret(Name="FIG_THROTTLED_SECRET", SecretString=OLD_VALUE)
    proxy.inject("PutSecretValue", THROTTLING, times=2)
    provider = make_provider()

    await provider.rotate_secret("Throttled", NEW_VALUE)

    assert proxy.count("PutSecretValue") == 3
    assert _stage_value(admin, "FIG_THROTTLED_SECRET", "AWSCURRENT") == NEW_VALUE


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("value", "problem"),
    [
        pytest.param("too-short-secret-value", "22 characters", id="short"),
        pytest.param(f" {NEW_VALUE}", "whitespace", id="leading-space"),
        pytest.param(f"{NEW_VALUE}\n", "whitespace", id="trailing-newline"),
        pytest.param("ab" * 20, "only 2 distinct character(s)", id="few-distinct"),
        pytest.param("", "0 characters", id="empty"),
    ],
)
async def test_rotate_rejects_value_fig_rejects(
    value: str, problem: str, admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    admin.create_secret(Name="FIG_WEAKNEW_SECRET", SecretString=OLD_VALUE)
    provider = make_provider()

    with pytest.raises(InvalidSecretValueError) as caught:
        await provider.rotate_secret("Weak New", value)

    assert problem in str(caught.value)
    assert isinstance(caught.value, ValueError)
    if value.strip():
        assert value.strip() not in str(caught.value)
    assert proxy.count() == 0


@pytest.mark.asyncio
async def test_rotate_rejects_non_string_value(make_provider: ProviderFactory) -> None:
    provider = make_provider()

    with pytest.raises(TypeError, match="must be a str, not bytes"):
        await provider.rotate_secret("Bytes", NEW_VALUE.encode())  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_rotate_missing_secret_says_ensure(
    make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    provider = make_provider()

    with pytest.raises(SecretNotFoundError) as caught:
        await provider.rotate_secret("Never Made", NEW_VALUE)

    assert "FIG_NEVERMADE_SECRET" in str(caught.value)
    assert "fig-secret-aws ensure 'Never Made'" in str(caught.value)
    assert caught.value.__cause__ is not None
    assert proxy.count("CreateSecret") == 0


@pytest.mark.asyncio
async def test_rotate_secret_pending_deletion_raises(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    """AWS rejects PutSecretValue on a secret pending deletion; moto does not, so the proxy does."""
    admin.create_secret(Name="FIG_PENDING_SECRET", SecretString=OLD_VALUE)
    proxy.inject("PutSecretValue", MARKED_FOR_DELETION)
    provider = make_provider()

    with pytest.raises(SecretScheduledForDeletionError, match="restore-secret"):
        await provider.rotate_secret("Pending", NEW_VALUE)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("message_action", "action"),
    [
        ("secretsmanager:PutSecretValue", "secretsmanager:PutSecretValue"),
        ("kms:GenerateDataKey", "kms:GenerateDataKey"),
    ],
)
async def test_rotate_access_denied_names_action(
    message_action: str,
    action: str,
    admin: Any,
    make_provider: ProviderFactory,
    proxy: FaultProxy,
) -> None:
    admin.create_secret(Name="FIG_LOCKED_SECRET", SecretString=OLD_VALUE)
    proxy.inject("PutSecretValue", _access_denied(message_action))
    provider = make_provider(cache_ttl=None)
    assert await provider.get_secret("Locked") == OLD_VALUE

    with pytest.raises(SecretAccessDeniedError) as caught:
        await provider.rotate_secret("Locked", NEW_VALUE)

    assert caught.value.action == action
    assert await provider.get_secret("Locked") == OLD_VALUE
    assert _stage_value(admin, "FIG_LOCKED_SECRET", "AWSCURRENT") == OLD_VALUE


@pytest.mark.asyncio
async def test_provisioning_after_aclose_raises(make_provider: ProviderFactory) -> None:
    provider = make_provider()
    await provider.aclose()

    with pytest.raises(ProviderClosedError):
        await provider.ensure_secret("Closed")
    with pytest.raises(ProviderClosedError):
        await provider.rotate_secret("Closed", NEW_VALUE)
