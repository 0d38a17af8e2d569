"""A secret value never reaches a log record, an exception message or a repr."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pytest

from fig_secret_aws import FigSecretError
from tests.harness import ErrorReply

if TYPE_CHECKING:
    from tests.harness import FaultProxy
    from tests.provider_fixtures import ProviderFactory

CANARY = "canary-7f3e-SECRET-VALUE-9b2d-never-print-me"


def _leaks(caplog: pytest.LogCaptureFixture, value: str) -> list[str]:
    return [
        f"{record.name}: {record.getMessage()[:80]}..."
        for record in caplog.records
        if value in record.getMessage() or value in str(record.args)
    ]


@pytest.mark.asyncio
async def test_fetched_value_not_logged_at_any_level(
    admin: Any, make_provider: ProviderFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """botocore's DEBUG body logs are redacted too."""
    admin.create_secret(Name="FIG_CANARY_SECRET", SecretString=CANARY)
    caplog.set_level(logging.DEBUG)
    provider = make_provider(cache_ttl=None)

    assert await provider.get_secret("Canary") == CANARY

    assert any(record.name == "botocore.parsers" for record in caplog.records)
    assert _leaks(caplog, CANARY) == []
    assert CANARY not in repr(provider)
    assert CANARY not in repr(provider._cache)


@pytest.mark.asyncio
async def test_created_value_not_logged_at_any_level(
    make_provider: ProviderFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    provider = make_provider(auto_create=True)

    created = await provider.get_secret("Created Canary")

    assert any(record.name == "botocore.endpoint" for record in caplog.records)
    assert _leaks(caplog, created) == []
    assert created not in repr(provider)


@pytest.mark.asyncio
async def test_weak_value_warned_once_without_value(
    admin: Any, make_provider: ProviderFactory, caplog: pytest.LogCaptureFixture
) -> None:
    admin.create_secret(Name="FIG_WEAK_SECRET", SecretString="aaaa-bbbb")
    caplog.set_level(logging.WARNING, logger="fig_secret_aws")
    provider = make_provider()

    assert await provider.get_secret("Weak") == "aaaa-bbbb"
    await provider.refresh("Weak")

    warnings = [record for record in caplog.records if "Fig API rejects" in record.getMessage()]
    assert len(warnings) == 1
    assert "FIG_WEAK_SECRET" in warnings[0].getMessage()
    assert _leaks(caplog, "aaaa-bbbb") == []


@pytest.mark.asyncio
async def test_errors_never_carry_the_value(
    admin: Any,
    make_provider: ProviderFactory,
    proxy: FaultProxy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An error raised after a value was cached does not contain that value."""
    admin.create_secret(Name="FIG_CANARY_SECRET", SecretString=CANARY)
    caplog.set_level(logging.DEBUG)
    provider = make_provider(max_attempts=2)
    await provider.get_secret("Canary")
    proxy.inject("GetSecretValue", ErrorReply("ThrottlingException", "Rate exceeded"), times=None)

    with pytest.raises(FigSecretError) as caught:
        await provider.refresh("Canary")

    assert CANARY not in str(caught.value)
    assert CANARY not in repr(caught.value)
    assert _leaks(caplog, CANARY) == []
