"""Fixtures that build providers pointed at the fault proxy, closed after each test."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING, Any, Protocol

import pytest
import pytest_asyncio

from fig_secret_aws import AwsSecretProvider
from tests.harness import ISOLATED_REGION

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


class ProviderFactory(Protocol):
    """Build an `AwsSecretProvider` with test defaults; keyword options override them."""

    def __call__(self, **options: Any) -> AwsSecretProvider: ...


# Backoff delays of a millisecond keep retry tests fast; only the attempt counts matter there.
FAST_RETRIES: dict[str, Any] = {
    "retry_base_delay": 0.001,
    "retry_max_delay": 0.002,
    "connect_timeout": 1.0,
    "read_timeout": 2.0,
}


@pytest_asyncio.fixture
async def make_provider(endpoint_url: str) -> AsyncIterator[ProviderFactory]:
    """Build providers that talk to moto through the proxy; every one is closed afterwards."""
    providers: list[AwsSecretProvider] = []

    def make(**options: Any) -> AwsSecretProvider:
        options.setdefault("endpoint_url", endpoint_url)
        options.setdefault("region_name", ISOLATED_REGION)
        options.setdefault("auto_create", False)
        for name, value in FAST_RETRIES.items():
            options.setdefault(name, value)
        provider = AwsSecretProvider(**options)
        providers.append(provider)

        return provider

    yield make

    for provider in providers:
        await provider.aclose()


@pytest.fixture
def unused_port_url() -> str:
    """Return a URL on 127.0.0.1 where nothing listens (the port was bound, then freed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    return f"http://127.0.0.1:{port}"
