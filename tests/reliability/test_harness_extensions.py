"""Harness parts added for reliability tests: reply statuses, error replies, silent endpoints."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

import pytest
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from tests.harness import DropBeforeForward, SilentEndpoint, Stall, aws_errors

if TYPE_CHECKING:
    from aiobotocore.session import ClientCreatorContext
    from types_aiobotocore_secretsmanager import SecretsManagerClient

    from tests.harness import FaultProxy

SECRET_NAME = "harness/status"


def _client(url: str, read_timeout: float = 1.0) -> ClientCreatorContext[SecretsManagerClient]:
    config = AioConfig(
        retries={"total_max_attempts": 1}, connect_timeout=1, read_timeout=read_timeout
    )
    return get_session().create_client(
        "secretsmanager", region_name="eu-west-1", endpoint_url=url, config=config
    )


@pytest.mark.asyncio
async def test_calls_record_reply_status(proxy: FaultProxy) -> None:
    """Each call records the status the client got, or None when no reply was written."""
    proxy.inject("GetSecretValue", aws_errors.THROTTLING)
    proxy.inject("GetSecretValue", DropBeforeForward())
    proxy.inject("GetSecretValue", Stall(1.0))

    async with _client(proxy.url, read_timeout=0.3) as client:
        await client.create_secret(Name=SECRET_NAME, SecretString="status-test-value")
        with pytest.raises(ClientError):
            await client.get_secret_value(SecretId=SECRET_NAME)
        with pytest.raises(ConnectionClosedError):
            await client.get_secret_value(SecretId=SECRET_NAME)
        with pytest.raises(ReadTimeoutError):
            await client.get_secret_value(SecretId=SECRET_NAME)
        await client.get_secret_value(SecretId=SECRET_NAME)
        with pytest.raises(ClientError):
            await client.create_secret(Name=SECRET_NAME, SecretString="status-test-value")

    assert [call.status for call in proxy.calls] == [200, 400, None, None, 200, 400]
    assert proxy.count("CreateSecret", status=200) == 1
    assert proxy.count("CreateSecret", status=400) == 1
    assert proxy.count("GetSecretValue", SECRET_NAME, status=200) == 1


@pytest.mark.asyncio
async def test_aws_error_reply_reaches_client(proxy: FaultProxy) -> None:
    proxy.inject("GetSecretValue", aws_errors.access_denied("secretsmanager:GetSecretValue"))

    async with _client(proxy.url) as client:
        with pytest.raises(ClientError) as caught:
            await client.get_secret_value(SecretId=SECRET_NAME)

    assert caught.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "secretsmanager:GetSecretValue" in caught.value.response["Error"]["Message"]


def test_silent_endpoint_accepts_but_never_replies() -> None:
    with (
        SilentEndpoint() as endpoint,
        socket.create_connection(
            ("127.0.0.1", int(endpoint.url.rsplit(":", 1)[1])), timeout=1.0
        ) as connection,
    ):
        connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        with pytest.raises(TimeoutError):
            connection.recv(1)


def test_silent_endpoint_with_full_backlog_never_connects() -> None:
    with SilentEndpoint(backlog_full=True) as endpoint, pytest.raises(TimeoutError):
        socket.create_connection(("127.0.0.1", int(endpoint.url.rsplit(":", 1)[1])), timeout=0.5)
