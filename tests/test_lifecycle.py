"""Opening and closing: async with, first use without it, aclose(), and a caller's client."""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING, Any

import pytest
from aiobotocore.session import AioSession

from fig_secret_aws import AwsSecretProvider, FigSecretError, ProviderClosedError

if TYPE_CHECKING:
    from tests.harness import FaultProxy
    from tests.provider_fixtures import ProviderFactory


@pytest.fixture
def stored(admin: Any) -> str:
    value = str(uuid.uuid4())
    admin.create_secret(Name="FIG_LIFECYCLE_SECRET", SecretString=value)

    return value


def test_provider_identity() -> None:
    provider = AwsSecretProvider()

    assert provider.name == "Aws"
    assert provider.is_enabled is True


@pytest.mark.asyncio
async def test_async_with_opens_and_closes(stored: str, endpoint_url: str) -> None:
    async with AwsSecretProvider(endpoint_url=endpoint_url, region_name="eu-west-1") as provider:
        assert await provider.get_secret("Lifecycle") == stored

    assert provider.closed
    with pytest.raises(ProviderClosedError, match="closed with aclose"):
        await provider.get_secret("Lifecycle")


@pytest.mark.asyncio
async def test_first_use_without_async_with(stored: str, endpoint_url: str) -> None:
    provider = AwsSecretProvider(endpoint_url=endpoint_url, region_name="eu-west-1")
    try:
        assert await provider.get_secret("Lifecycle") == stored
    finally:
        await provider.aclose()


@pytest.mark.asyncio
async def test_aclose_is_idempotent(stored: str, make_provider: ProviderFactory) -> None:
    provider = make_provider()
    await provider.get_secret("Lifecycle")

    await provider.aclose()
    await provider.aclose()

    assert provider.closed


@pytest.mark.asyncio
async def test_aclose_before_first_use(make_provider: ProviderFactory, proxy: FaultProxy) -> None:
    provider = make_provider()

    await provider.aclose()

    with pytest.raises(ProviderClosedError):
        await provider.get_secret("Lifecycle")
    assert proxy.count() == 0


@pytest.mark.asyncio
async def test_closed_provider_cannot_reopen(make_provider: ProviderFactory) -> None:
    provider = make_provider()
    await provider.aclose()

    with pytest.raises(ProviderClosedError):
        async with provider:
            pass


@pytest.mark.asyncio
async def test_closed_error_is_runtime_error(make_provider: ProviderFactory) -> None:
    provider = make_provider()
    await provider.aclose()

    with pytest.raises(RuntimeError):
        await provider.get_secret("Lifecycle")


@pytest.mark.asyncio
async def test_callers_client_is_used_and_left_open(stored: str, endpoint_url: str) -> None:
    session = AioSession()
    async with session.create_client(
        "secretsmanager", region_name="eu-west-1", endpoint_url=endpoint_url
    ) as client:
        async with AwsSecretProvider(client=client) as provider:
            assert await provider.get_secret("Lifecycle") == stored

        described = await client.describe_secret(SecretId="FIG_LIFECYCLE_SECRET")
        assert described["Name"] == "FIG_LIFECYCLE_SECRET"


@pytest.mark.asyncio
async def test_aiobotocore_session_is_used(stored: str, endpoint_url: str) -> None:
    session = AioSession()
    calls: list[str] = []
    session.register("before-call.secrets-manager", lambda model, **_: calls.append(model.name))

    async with AwsSecretProvider(
        session=session, endpoint_url=endpoint_url, region_name="eu-west-1"
    ) as provider:
        assert await provider.get_secret("Lifecycle") == stored

    assert calls == ["GetSecretValue"]


@pytest.mark.asyncio
async def test_profile_with_session_rejected(endpoint_url: str) -> None:
    provider = AwsSecretProvider(
        session=AioSession(), profile_name="ops", endpoint_url=endpoint_url
    )

    with pytest.raises(FigSecretError, match="either session= or profile_name="):
        await provider.get_secret("Lifecycle")
    await provider.aclose()


@pytest.mark.asyncio
async def test_unknown_profile_raises_configuration_error(endpoint_url: str) -> None:
    provider = AwsSecretProvider(profile_name="does-not-exist", endpoint_url=endpoint_url)

    with pytest.raises(FigSecretError, match="'does-not-exist' was not found"):
        await provider.get_secret("Lifecycle")
    await provider.aclose()


@pytest.mark.asyncio
async def test_aclose_during_fetch_caches_nothing(
    stored: str, endpoint_url: str, proxy: FaultProxy
) -> None:
    """A caller's client stays open, so the fetch finishes after aclose() and is not cached."""
    proxy.latency = 0.2
    async with AioSession().create_client(
        "secretsmanager", region_name="eu-west-1", endpoint_url=endpoint_url
    ) as client:
        provider = AwsSecretProvider(client=client)
        fetch = asyncio.ensure_future(provider.get_secret("Lifecycle"))
        await asyncio.sleep(0.05)

        await provider.aclose()

        assert await fetch == stored
        assert provider._cache == {}
        with pytest.raises(ProviderClosedError):
            await provider.get_secret("Lifecycle")


@pytest.mark.asyncio
async def test_aclose_interrupts_fetch_without_retries(
    stored: str, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    provider = make_provider()
    proxy.latency = 0.2
    fetch = asyncio.ensure_future(provider.get_secret("Lifecycle"))
    await asyncio.sleep(0.05)

    await provider.aclose()

    with pytest.raises(ProviderClosedError, match="interrupted"):
        await fetch
    assert proxy.count() <= 1
