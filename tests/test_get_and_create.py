"""Reading a secret, creating it in Development, and the create race, against moto over HTTP."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

import pytest

from fig_secret_aws import SecretNotFoundError
from tests.harness import DropAfterForward, ErrorReply

if TYPE_CHECKING:
    from tests.harness import FaultProxy
    from tests.provider_fixtures import ProviderFactory

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
NOT_FOUND = ErrorReply(
    "ResourceNotFoundException", "Secrets Manager can't find the specified secret."
)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "stored",
    [
        pytest.param("  leading and trailing spaces  ", id="spaces"),
        pytest.param('{"clientSecret": "not decoded"}', id="json-text"),
        pytest.param("line one\nline two\n", id="newlines"),
        pytest.param("d\u00e9j\u00e0-vu-\u2603-\U0001f512-0123456789abcdef", id="non-ascii"),
    ],
)
async def test_value_returned_verbatim(
    stored: str, admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    admin.create_secret(Name="FIG_ORDERS_SECRET", SecretString=stored)
    provider = make_provider(auto_create=False)

    assert await provider.get_secret("Orders") == stored
    assert proxy.count() == 1


@pytest.mark.asyncio
async def test_missing_secret_in_production_raises_not_found(
    make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    provider = make_provider(auto_create=False)

    with pytest.raises(SecretNotFoundError) as caught:
        await provider.get_secret("Billing Api")

    message = str(caught.value)
    assert caught.value.secret_name == "FIG_BILLINGAPI_SECRET"
    assert "'FIG_BILLINGAPI_SECRET'" in message
    assert "auto_create=True" in message
    assert "create-secret --name FIG_BILLINGAPI_SECRET" in message
    assert proxy.count("GetSecretValue") == 1
    assert proxy.count("CreateSecret") == 0


@pytest.mark.asyncio
async def test_not_found_error_chains_botocore_error(make_provider: ProviderFactory) -> None:
    provider = make_provider(auto_create=False)

    with pytest.raises(SecretNotFoundError) as caught:
        await provider.get_secret("Nobody")

    cause = caught.value.__cause__
    assert cause is not None
    assert type(cause).__name__ == "ResourceNotFoundException"


@pytest.mark.asyncio
async def test_development_creates_secret_in_two_calls(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    provider = make_provider(auto_create=True)

    value = await provider.get_secret("New Service")

    assert GUID.match(value)
    assert [call.operation for call in proxy.calls] == ["GetSecretValue", "CreateSecret"]
    stored = admin.get_secret_value(SecretId="FIG_NEWSERVICE_SECRET")
    assert stored["SecretString"] == value
    described = admin.describe_secret(SecretId="FIG_NEWSERVICE_SECRET")
    assert described["Description"] == "Fig client secret for FIG_NEWSERVICE_SECRET"


@pytest.mark.asyncio
async def test_created_secret_carries_kms_key_and_tags(
    admin: Any, make_provider: ProviderFactory
) -> None:
    provider = make_provider(
        auto_create=True, kms_key_id="alias/fig-secrets", tags={"team": "payments"}
    )

    await provider.get_secret("Tagged")

    described = admin.describe_secret(SecretId="FIG_TAGGED_SECRET")
    assert described["KmsKeyId"] == "alias/fig-secrets"
    assert described["Tags"] == [{"Key": "team", "Value": "payments"}]


@pytest.mark.asyncio
async def test_each_created_secret_gets_its_own_guid(make_provider: ProviderFactory) -> None:
    provider = make_provider(auto_create=True)

    first = await provider.get_secret("First")
    second = await provider.get_secret("Second")

    assert first != second


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        pytest.param({"ASPNETCORE_ENVIRONMENT": "Development"}, True, id="aspnetcore"),
        pytest.param({"ASPNETCORE_ENVIRONMENT": "dEvElOpMeNt"}, True, id="any-case"),
        pytest.param({"DOTNET_ENVIRONMENT": "Development"}, True, id="dotnet"),
        pytest.param(
            {"ASPNETCORE_ENVIRONMENT": "Production", "DOTNET_ENVIRONMENT": "Development"},
            False,
            id="aspnetcore-wins",
        ),
        pytest.param({"ASPNETCORE_ENVIRONMENT": "Development "}, False, id="no-trimming"),
        pytest.param({"ASPNETCORE_ENVIRONMENT": "Staging"}, False, id="staging"),
        pytest.param({}, False, id="unset"),
    ],
)
async def test_auto_create_none_follows_environment(
    variables: dict[str, str],
    expected: bool,
    monkeypatch: pytest.MonkeyPatch,
    make_provider: ProviderFactory,
    proxy: FaultProxy,
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    provider = make_provider(auto_create=None)

    assert provider.auto_create is expected
    if expected:
        await provider.get_secret("Env Decided")
        assert proxy.count("CreateSecret") == 1
    else:
        with pytest.raises(SecretNotFoundError):
            await provider.get_secret("Env Decided")
        assert proxy.count("CreateSecret") == 0


@pytest.mark.asyncio
async def test_environment_read_at_construction_only(
    monkeypatch: pytest.MonkeyPatch, make_provider: ProviderFactory
) -> None:
    provider = make_provider(auto_create=None)
    monkeypatch.setenv("ASPNETCORE_ENVIRONMENT", "Development")

    with pytest.raises(SecretNotFoundError):
        await provider.get_secret("Late Variable")


@pytest.mark.asyncio
async def test_create_race_adopts_winner_value(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    """Another process created the secret between our read and our create."""
    admin.create_secret(Name="FIG_RACED_SECRET", SecretString="winner-" + str(uuid.uuid4()))
    winner = admin.get_secret_value(SecretId="FIG_RACED_SECRET")["SecretString"]
    proxy.inject("GetSecretValue", NOT_FOUND)
    provider = make_provider(auto_create=True)

    value = await provider.get_secret("Raced")

    assert value == winner
    assert [call.operation for call in proxy.calls] == [
        "GetSecretValue",
        "CreateSecret",
        "GetSecretValue",
    ]
    assert len(admin.list_secret_version_ids(SecretId="FIG_RACED_SECRET")["Versions"]) == 1


@pytest.mark.asyncio
async def test_create_race_waits_until_winner_is_readable(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    admin.create_secret(Name="FIG_SLOWWINNER_SECRET", SecretString=str(uuid.uuid4()))
    winner = admin.get_secret_value(SecretId="FIG_SLOWWINNER_SECRET")["SecretString"]
    proxy.inject("GetSecretValue", NOT_FOUND, times=3)
    provider = make_provider(auto_create=True)

    assert await provider.get_secret("Slow Winner") == winner
    assert proxy.count("GetSecretValue") == 4
    assert proxy.count("CreateSecret") == 1


@pytest.mark.asyncio
async def test_lost_create_reply_keeps_one_value(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    """The server created the secret but its reply was lost; the retry must not add a GUID."""
    proxy.inject("CreateSecret", DropAfterForward())
    provider = make_provider(auto_create=True)

    value = await provider.get_secret("Lost Reply")

    assert admin.get_secret_value(SecretId="FIG_LOSTREPLY_SECRET")["SecretString"] == value
    versions = admin.list_secret_version_ids(SecretId="FIG_LOSTREPLY_SECRET")["Versions"]
    assert len(versions) == 1
    assert proxy.count("CreateSecret") == 2


@pytest.mark.asyncio
async def test_client_names_sharing_a_secret_share_its_value(
    admin: Any, make_provider: ProviderFactory
) -> None:
    admin.create_secret(Name="FIG_MYSERVICE_SECRET", SecretString=str(uuid.uuid4()))
    provider = make_provider(auto_create=False)

    assert await provider.get_secret("My Service") == await provider.get_secret("MyService")
