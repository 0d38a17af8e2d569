"""An ``aioboto3.Session`` works wherever an aiobotocore session does.

aioboto3 is an optional extra that pins one aiobotocore release, so these tests run only
where it is installed, such as in the ``tests_aioboto3`` nox session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

aioboto3 = pytest.importorskip("aioboto3")

if TYPE_CHECKING:
    from tests.harness import FaultProxy
    from tests.provider_fixtures import ProviderFactory

OLD_VALUE = "2a9c4e61-0b7d-4f38-95e2-c1d6a8b3f704"
NEW_VALUE = "e84f0b3c-1d5a-4c96-a27e-5f9b0c8d3e16"


@pytest.mark.asyncio
async def test_aioboto3_session_reads_secret(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    admin.create_secret(Name="FIG_AIOBOTO_SECRET", SecretString=OLD_VALUE)
    provider = make_provider(session=aioboto3.Session())

    assert await provider.get_secret("Aioboto") == OLD_VALUE
    assert await provider.get_secret("Aioboto") == OLD_VALUE
    assert proxy.count("GetSecretValue") == 1


@pytest.mark.asyncio
async def test_aioboto3_session_creates_and_rotates(
    admin: Any, make_provider: ProviderFactory, proxy: FaultProxy
) -> None:
    provider = make_provider(session=aioboto3.Session(), auto_create=True)

    created = await provider.get_secret("Aioboto Created")
    ensured = await provider.ensure_secret("Aioboto Created")
    await provider.rotate_secret("Aioboto Created", NEW_VALUE)

    assert ensured.created is False
    reply = admin.get_secret_value(SecretId="FIG_AIOBOTOCREATED_SECRET", VersionStage="AWSPREVIOUS")
    assert reply["SecretString"] == created
    assert await provider.get_secret("Aioboto Created") == NEW_VALUE
    assert proxy.count("CreateSecret") == 1
