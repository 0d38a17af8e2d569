"""Shared fixtures: moto on 127.0.0.1, the fault proxy in front of it, and AWS isolation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3  # type: ignore[import-untyped]
import pytest

from tests.harness import ISOLATED_REGION, FaultProxy, MotoServer, apply_isolated_aws_environment

pytest_plugins = ["tests.figures", "tests.provider_fixtures", "tests.secrecy_guard"]

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    """Provide the moto server shared by the whole run."""
    with MotoServer() as server:
        yield server


@pytest.fixture(scope="session")
def _proxy_server(moto_server: MotoServer) -> Iterator[FaultProxy]:
    """Provide the fault proxy shared by the whole run; tests use `proxy`, which resets it."""
    with FaultProxy(moto_server.url) as proxy:
        yield proxy


@pytest.fixture(scope="session", autouse=True)
def _isolated_aws_environment(
    moto_server: MotoServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """Apply the isolated AWS environment to os.environ for the whole run."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield apply_isolated_aws_environment(
            monkeypatch, moto_server.url, tmp_path_factory.mktemp("aws-isolation")
        )


@pytest.fixture(autouse=True)
def _no_dotnet_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Remove the .NET environment-name variables so that every test starts without them."""
    monkeypatch.delenv("ASPNETCORE_ENVIRONMENT", raising=False)
    monkeypatch.delenv("DOTNET_ENVIRONMENT", raising=False)


@pytest.fixture
def _fresh_moto(moto_server: MotoServer) -> MotoServer:
    """Wipe moto's state once per test, before `proxy` or `admin` hand it out."""
    moto_server.reset()
    return moto_server


@pytest.fixture
def proxy(_fresh_moto: MotoServer, _proxy_server: FaultProxy) -> FaultProxy:
    """Provide the fault proxy after wiping moto's state and the proxy's calls and faults."""
    _proxy_server.reset()
    return _proxy_server


@pytest.fixture
def endpoint_url(proxy: FaultProxy) -> str:
    """Return the proxy URL that clients under test connect to."""
    return proxy.url


@pytest.fixture
def admin(_fresh_moto: MotoServer) -> Iterator[Any]:
    """Provide a boto3 Secrets Manager client that talks to moto directly, bypassing the proxy."""
    client = boto3.client(
        "secretsmanager", region_name=ISOLATED_REGION, endpoint_url=_fresh_moto.url
    )
    try:
        yield client
    finally:
        client.close()
