"""Tests of the test harness itself, driven by a plain aiobotocore client."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from tests.harness import (
    REMOVED_VARIABLES,
    Delay,
    DropAfterForward,
    DropBeforeForward,
    ErrorReply,
    FaultProxy,
    RecordedCall,
    Stall,
    child_process_environment,
    isolated_aws_environment,
)

if TYPE_CHECKING:
    from pathlib import Path

    from aiobotocore.session import ClientCreatorContext
    from types_aiobotocore_secretsmanager import SecretsManagerClient

    from tests.harness import MotoServer

SECRET_NAME = "harness/example"
SECRET_VALUE = "placeholder-value-for-harness-tests"


def secrets_client(
    url: str, read_timeout: float = 1.0
) -> ClientCreatorContext[SecretsManagerClient]:
    """Create an aiobotocore Secrets Manager client for `url` that never retries."""
    config = AioConfig(
        retries={"total_max_attempts": 1}, connect_timeout=1, read_timeout=read_timeout
    )
    return get_session().create_client(
        "secretsmanager", region_name="eu-west-1", endpoint_url=url, config=config
    )


def seed_secret(admin: Any, name: str = SECRET_NAME) -> None:
    """Create secret `name` in moto directly, bypassing the proxy."""
    admin.create_secret(Name=name, SecretString=SECRET_VALUE)


def secret_exists(admin: Any, name: str) -> bool:
    """Return whether moto stores secret `name`."""
    names = [entry["Name"] for entry in admin.list_secrets()["SecretList"]]
    return name in names


async def wait_for_calls(proxy: FaultProxy, count: int, timeout: float = 5.0) -> None:
    """Wait until the proxy has recorded `count` requests; raise TimeoutError after `timeout` s."""

    async def poll() -> None:
        # The proxy runs in another thread, so there is no asyncio event to await here.
        while proxy.count() < count:  # noqa: ASYNC110
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)


async def raw_exchange(url: str, data: bytes) -> bytes:
    """Send `data` on one new connection to `url` and return everything read until EOF."""
    parts = urlsplit(url)
    assert parts.hostname is not None
    assert parts.port is not None
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        writer.write(data)
        await writer.drain()
        return await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()
        await writer.wait_closed()


def list_secrets_request(*, close: bool) -> bytes:
    """Build a raw ListSecrets request as aiobotocore would send it, minus the signature."""
    body = b"{}"
    connection = "close" if close else "keep-alive"
    return (
        b"POST / HTTP/1.1\r\n"
        b"Host: 127.0.0.1\r\n"
        b"X-Amz-Target: secretsmanager.ListSecrets\r\n"
        b"Content-Type: application/x-amz-json-1.1\r\n"
        b"Authorization: AWS4-HMAC-SHA256 Credential=testing/20240101/eu-west-1/"
        b"secretsmanager/aws4_request, SignedHeaders=host, Signature=0\r\n"
        b"Content-Length: %d\r\n"
        b"Connection: %s\r\n\r\n%s" % (len(body), connection.encode(), body)
    )


# Forwarding and recording


@pytest.mark.asyncio
async def test_forwarding_records_calls(proxy: FaultProxy) -> None:
    """Forwarded requests reach moto and are recorded with operation and secret id."""
    async with secrets_client(proxy.url) as client:
        await client.create_secret(Name=SECRET_NAME, SecretString=SECRET_VALUE)
        response = await client.get_secret_value(SecretId=SECRET_NAME)

    value_matches = response["SecretString"] == SECRET_VALUE
    assert value_matches, "GetSecretValue through the proxy returned a different SecretString"
    assert [(call.operation, call.secret_id, call.fault) for call in proxy.calls] == [
        ("CreateSecret", SECRET_NAME, None),
        ("GetSecretValue", SECRET_NAME, None),
    ]
    assert proxy.count("GetSecretValue") == 1
    assert proxy.count("secretsmanager.GetSecretValue") == 1
    assert proxy.count(secret_id=SECRET_NAME) == 2
    assert proxy.count("GetSecretValue", secret_id="other") == 0


@pytest.mark.asyncio
async def test_calls_keep_arrival_order(proxy: FaultProxy) -> None:
    """Recorded start times follow the order in which requests arrived."""
    async with secrets_client(proxy.url) as client:
        for _ in range(3):
            await client.list_secrets()

    calls = proxy.calls
    assert len(calls) == 3
    assert all(isinstance(call, RecordedCall) for call in calls)
    assert [call.started_at for call in calls] == sorted(call.started_at for call in calls)


@pytest.mark.asyncio
async def test_calls_is_a_copy(proxy: FaultProxy) -> None:
    """Changing the list returned by `calls` leaves the recording intact."""
    async with secrets_client(proxy.url) as client:
        await client.list_secrets()

    proxy.calls.clear()

    assert proxy.count() == 1


# Error replies


@pytest.mark.asyncio
async def test_error_reply_raises_client_error(proxy: FaultProxy, admin: Any) -> None:
    """ErrorReply surfaces as a ClientError with the injected code, message and status."""
    seed_secret(admin)
    proxy.inject("GetSecretValue", ErrorReply("ThrottlingException", "Rate exceeded", status=429))

    async with secrets_client(proxy.url) as client:
        with pytest.raises(ClientError) as caught:
            await client.get_secret_value(SecretId=SECRET_NAME)

    error = caught.value.response["Error"]
    assert error["Code"] == "ThrottlingException"
    assert error["Message"] == "Rate exceeded"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert proxy.calls[0].fault == "ErrorReply"


@pytest.mark.asyncio
async def test_error_reply_times_two(proxy: FaultProxy, admin: Any) -> None:
    """A fault injected with times=2 applies to two calls, then requests pass again."""
    seed_secret(admin)
    proxy.inject("GetSecretValue", ErrorReply("InternalServiceError", "boom", 500), times=2)

    async with secrets_client(proxy.url) as client:
        for _ in range(2):
            with pytest.raises(ClientError, match="InternalServiceError"):
                await client.get_secret_value(SecretId=SECRET_NAME)
        await client.get_secret_value(SecretId=SECRET_NAME)

    assert [call.fault for call in proxy.calls] == ["ErrorReply", "ErrorReply", None]


@pytest.mark.asyncio
async def test_fault_without_limit_repeats(proxy: FaultProxy) -> None:
    """A fault injected with times=None applies to every matching call."""
    proxy.inject("ListSecrets", ErrorReply("InternalServiceError", "down", 500), times=None)

    async with secrets_client(proxy.url) as client:
        for _ in range(4):
            with pytest.raises(ClientError, match="InternalServiceError"):
                await client.list_secrets()

    assert proxy.count("ListSecrets") == 4


@pytest.mark.asyncio
async def test_faults_run_in_fifo_order(proxy: FaultProxy) -> None:
    """Faults queued for one operation apply in the order they were injected."""
    proxy.inject("ListSecrets", ErrorReply("FirstError", "first"))
    proxy.inject("ListSecrets", ErrorReply("SecondError", "second"))

    async with secrets_client(proxy.url) as client:
        with pytest.raises(ClientError, match="FirstError"):
            await client.list_secrets()
        with pytest.raises(ClientError, match="SecondError"):
            await client.list_secrets()
        await client.list_secrets()


@pytest.mark.asyncio
async def test_wildcard_fault_matches_any_operation(proxy: FaultProxy) -> None:
    """A fault injected for "*" applies to whichever operation comes next."""
    proxy.inject("*", ErrorReply("AccessDeniedException", "denied"))

    async with secrets_client(proxy.url) as client:
        with pytest.raises(ClientError, match="AccessDeniedException"):
            await client.describe_secret(SecretId=SECRET_NAME)
        await client.list_secrets()


@pytest.mark.asyncio
async def test_operation_fault_before_wildcard(proxy: FaultProxy) -> None:
    """A fault for the request's own operation applies before a "*" fault."""
    proxy.inject("*", ErrorReply("WildcardError", "wildcard"))
    proxy.inject("ListSecrets", ErrorReply("SpecificError", "specific"))

    async with secrets_client(proxy.url) as client:
        with pytest.raises(ClientError, match="SpecificError"):
            await client.list_secrets()
        with pytest.raises(ClientError, match="WildcardError"):
            await client.list_secrets()


@pytest.mark.asyncio
async def test_fault_for_other_operation_ignored(proxy: FaultProxy) -> None:
    """A fault queued for one operation leaves other operations alone."""
    proxy.inject("GetSecretValue", ErrorReply("ThrottlingException", "slow down"))

    async with secrets_client(proxy.url) as client:
        await client.list_secrets()

    assert proxy.calls[0].fault is None


@pytest.mark.asyncio
async def test_reset_clears_faults_and_calls(proxy: FaultProxy) -> None:
    """reset() drops queued faults, recorded calls and latency."""
    proxy.inject("ListSecrets", ErrorReply("ThrottlingException", "slow down"), times=None)
    proxy.latency = 0.2
    async with secrets_client(proxy.url) as client:
        with pytest.raises(ClientError):
            await client.list_secrets()

    proxy.reset()

    assert proxy.calls == []
    assert proxy.latency == 0.0
    async with secrets_client(proxy.url) as client:
        await client.list_secrets()
    assert proxy.calls[0].fault is None


# Timing faults


@pytest.mark.asyncio
async def test_delay_adds_latency(proxy: FaultProxy) -> None:
    """Delay waits the given time before forwarding the request."""
    proxy.inject("ListSecrets", Delay(0.5))

    async with secrets_client(proxy.url) as client:
        started = time.monotonic()
        await client.list_secrets()
        elapsed = time.monotonic() - started

    assert elapsed >= 0.5
    assert proxy.calls[0].fault == "Delay"


@pytest.mark.asyncio
async def test_latency_applies_to_every_call(proxy: FaultProxy) -> None:
    """The latency attribute delays every forwarded request."""
    proxy.latency = 0.2

    async with secrets_client(proxy.url) as client:
        started = time.monotonic()
        await client.list_secrets()
        await client.list_secrets()
        elapsed = time.monotonic() - started

    assert elapsed >= 0.4


@pytest.mark.asyncio
async def test_stall_trips_read_timeout(proxy: FaultProxy) -> None:
    """Stall keeps the reply back long enough to trip the client's read timeout."""
    proxy.inject("ListSecrets", Stall(2.0))

    async with secrets_client(proxy.url, read_timeout=0.3) as client:
        with pytest.raises(ReadTimeoutError):
            await client.list_secrets()

    assert proxy.calls[0].fault == "Stall"


# Connection drops


@pytest.mark.asyncio
async def test_drop_before_forward_skips_moto(proxy: FaultProxy, admin: Any) -> None:
    """DropBeforeForward closes the connection and moto never receives the request."""
    proxy.inject("CreateSecret", DropBeforeForward())

    async with secrets_client(proxy.url) as client:
        with pytest.raises(ConnectionClosedError):
            await client.create_secret(Name=SECRET_NAME, SecretString=SECRET_VALUE)

    assert not secret_exists(admin, SECRET_NAME)
    assert proxy.calls[0].fault == "DropBeforeForward"


@pytest.mark.asyncio
async def test_drop_after_forward_reaches_moto(proxy: FaultProxy, admin: Any) -> None:
    """DropAfterForward loses the reply although moto carried the request out."""
    proxy.inject("CreateSecret", DropAfterForward())

    async with secrets_client(proxy.url) as client:
        with pytest.raises(ConnectionClosedError):
            await client.create_secret(Name=SECRET_NAME, SecretString=SECRET_VALUE)

    assert secret_exists(admin, SECRET_NAME)
    assert proxy.calls[0].fault == "DropAfterForward"


@pytest.mark.asyncio
async def test_client_recovers_after_drop(proxy: FaultProxy) -> None:
    """The same client succeeds on the next request after a dropped connection."""
    proxy.inject("ListSecrets", DropBeforeForward())

    async with secrets_client(proxy.url) as client:
        with pytest.raises(ConnectionClosedError):
            await client.list_secrets()
        await client.list_secrets()

    assert proxy.count("ListSecrets") == 2


# Concurrency


@pytest.mark.asyncio
async def test_max_concurrent_sees_overlap(proxy: FaultProxy) -> None:
    """Two delayed calls sent together are seen in flight at the same time."""
    proxy.inject("ListSecrets", Delay(0.5), times=2)

    async with secrets_client(proxy.url) as client:
        await asyncio.gather(client.list_secrets(), client.list_secrets())

    assert proxy.max_concurrent("ListSecrets") == 2
    assert proxy.max_concurrent() == 2
    assert proxy.max_concurrent("GetSecretValue") == 0


@pytest.mark.asyncio
async def test_max_concurrent_sequential_is_one(proxy: FaultProxy) -> None:
    """Calls made one after another never overlap."""
    async with secrets_client(proxy.url) as client:
        for _ in range(3):
            await client.list_secrets()

    assert proxy.max_concurrent() == 1


@pytest.mark.asyncio
async def test_reset_forgets_requests_in_flight(proxy: FaultProxy) -> None:
    """A request in flight during reset() does not distort the counts that follow."""
    proxy.inject("ListSecrets", Delay(0.5))

    async with secrets_client(proxy.url) as client:
        slow_call = asyncio.ensure_future(client.list_secrets())
        await wait_for_calls(proxy, 1)
        proxy.reset()
        await slow_call
        proxy.inject("ListSecrets", Delay(0.3), times=2)
        await asyncio.gather(client.list_secrets(), client.list_secrets())

    assert proxy.count() == 2
    assert proxy.max_concurrent() == 2


# HTTP handling


@pytest.mark.asyncio
async def test_keep_alive_serves_several_requests(proxy: FaultProxy) -> None:
    """One connection carries several requests, each with its own reply."""
    request = list_secrets_request(close=False)
    last_request = list_secrets_request(close=True)

    reply = await raw_exchange(proxy.url, request + request + last_request)

    assert reply.count(b"HTTP/1.1 200 OK\r\n") == 3
    assert proxy.count("ListSecrets") == 3


@pytest.mark.asyncio
async def test_reply_has_single_server_header(proxy: FaultProxy) -> None:
    """The proxy keeps one Server header of moto's two and one Content-Length."""
    reply = await raw_exchange(proxy.url, list_secrets_request(close=True))

    head, _, body = reply.partition(b"\r\n\r\n")
    header_names = [line.split(b":", 1)[0].lower() for line in head.split(b"\r\n")[1:]]
    assert header_names.count(b"server") == 1
    assert header_names.count(b"content-length") == 1
    assert b"transfer-encoding" not in header_names
    assert f"content-length: {len(body)}".encode() in head.lower()


@pytest.mark.asyncio
async def test_malformed_request_gets_400(proxy: FaultProxy) -> None:
    """A request with an invalid Content-Length gets a 400 reply and is not recorded."""
    reply = await raw_exchange(
        proxy.url, b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: lots\r\n\r\n"
    )

    assert reply.startswith(b"HTTP/1.1 400 ")
    assert proxy.count() == 0


@pytest.mark.asyncio
async def test_chunked_request_is_forwarded(proxy: FaultProxy) -> None:
    """A chunked request body is decoded and forwarded with a Content-Length."""
    body = b'{"Name": "harness/chunked", "SecretString": "placeholder"}'
    request = (
        b"POST / HTTP/1.1\r\n"
        b"Host: 127.0.0.1\r\n"
        b"X-Amz-Target: secretsmanager.CreateSecret\r\n"
        b"Content-Type: application/x-amz-json-1.1\r\n"
        b"Authorization: AWS4-HMAC-SHA256 Credential=testing/20240101/eu-west-1/"
        b"secretsmanager/aws4_request, SignedHeaders=host, Signature=0\r\n"
        b"Transfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n"
        b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    )

    reply = await raw_exchange(proxy.url, request)

    assert reply.startswith(b"HTTP/1.1 200 ")
    assert proxy.calls[0].secret_id == "harness/chunked"


@pytest.mark.asyncio
async def test_expect_continue_gets_interim_reply(proxy: FaultProxy) -> None:
    """A request with Expect: 100-continue gets 100 Continue before the final reply."""
    request = list_secrets_request(close=True).replace(
        b"Connection: close\r\n", b"Connection: close\r\nExpect: 100-continue\r\n"
    )

    reply = await raw_exchange(proxy.url, request)

    assert reply.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 ")
    assert proxy.count("ListSecrets") == 1


@pytest.mark.asyncio
async def test_unreachable_upstream_gets_502(caplog: pytest.LogCaptureFixture) -> None:
    """A proxy whose upstream refuses connections replies 502 and logs the failure."""
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        closed_port = placeholder.getsockname()[1]

    with FaultProxy(f"http://127.0.0.1:{closed_port}") as own_proxy:
        reply = await raw_exchange(own_proxy.url, list_secrets_request(close=True))

    assert reply.startswith(b"HTTP/1.1 502 ")
    assert "could not forward" in caplog.text


# Lifecycle and input checks


@pytest.mark.asyncio
async def test_own_proxy_starts_and_stops(moto_server: MotoServer) -> None:
    """A separately started proxy forwards requests and stops cleanly, twice if asked."""
    with FaultProxy(moto_server.url) as own_proxy:
        async with secrets_client(own_proxy.url) as client:
            await client.list_secrets()
        assert own_proxy.count("ListSecrets") == 1

    own_proxy.stop()
    with pytest.raises(RuntimeError, match="not running"):
        _ = own_proxy.url


def test_stop_ends_stalled_connection(moto_server: MotoServer) -> None:
    """stop() returns promptly while a connection is stalled."""
    own_proxy = FaultProxy(moto_server.url)
    own_proxy.start()
    own_proxy.inject("ListSecrets", Stall(30.0))

    async def stalled_call() -> None:
        async with secrets_client(own_proxy.url, read_timeout=0.2) as client:
            with pytest.raises(ReadTimeoutError):
                await client.list_secrets()

    asyncio.run(stalled_call())
    started = time.monotonic()
    own_proxy.stop()

    assert time.monotonic() - started < 2.0


def test_proxy_rejects_non_local_upstream() -> None:
    """FaultProxy refuses an upstream that is not an http URL on the loopback address."""
    for url in (
        "http://aws.example.invalid:80",
        "https://127.0.0.1:443",
        "http://127.0.0.1",
        "ftp://::1",
    ):
        with pytest.raises(ValueError, match="upstream URL"):
            FaultProxy(url)


def test_start_twice_raises(moto_server: MotoServer) -> None:
    """Starting a running proxy raises instead of leaking a second thread."""
    with FaultProxy(moto_server.url) as own_proxy, pytest.raises(RuntimeError, match="already"):
        own_proxy.start()


def test_inject_rejects_bad_input(proxy: FaultProxy) -> None:
    """inject() raises on an empty operation, a non-fault and a non-positive count."""
    with pytest.raises(ValueError, match="operation"):
        proxy.inject("", Delay(0.1))
    with pytest.raises(TypeError, match="fault must be"):
        proxy.inject("ListSecrets", "ErrorReply")  # type: ignore[arg-type]
    for bad_times in (0, -1, True, 1.5):
        with pytest.raises(ValueError, match="times"):
            proxy.inject("ListSecrets", Delay(0.1), times=bad_times)  # type: ignore[arg-type]


def test_faults_reject_bad_values() -> None:
    """Fault constructors reject negative, infinite or too long waits and invalid replies."""
    for seconds in (-0.1, float("inf"), float("nan"), 61.0):
        with pytest.raises(ValueError, match="seconds"):
            Delay(seconds)
        with pytest.raises(ValueError, match="seconds"):
            Stall(seconds)
    with pytest.raises(ValueError, match="code"):
        ErrorReply("", "message")
    with pytest.raises(ValueError, match="status"):
        ErrorReply("ThrottlingException", "message", status=200)


def test_latency_rejects_negative(proxy: FaultProxy) -> None:
    """Setting a negative latency raises and keeps the old value."""
    with pytest.raises(ValueError, match="latency"):
        proxy.latency = -1.0

    assert proxy.latency == 0.0


# Environment isolation


def test_environment_is_isolated(moto_server: MotoServer) -> None:
    """The session environment has no profile and points Secrets Manager at 127.0.0.1."""
    assert "AWS_PROFILE" not in os.environ
    assert os.environ["AWS_ENDPOINT_URL_SECRETS_MANAGER"] == moto_server.url
    assert urlsplit(os.environ["AWS_ENDPOINT_URL_SECRETS_MANAGER"]).hostname == "127.0.0.1"
    assert os.environ["AWS_EC2_METADATA_DISABLED"] == "true"
    for name in REMOVED_VARIABLES:
        assert name not in os.environ, name


def test_config_files_are_empty() -> None:
    """AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE name existing empty files."""
    for variable in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        with open(os.environ[variable], "rb") as file:  # noqa: PTH123
            assert file.read() == b"", variable


def test_child_environment_is_isolated(tmp_path: Path) -> None:
    """child_process_environment strips profiles and foreign AWS settings and keeps the rest."""
    base = {
        "PATH": "/usr/bin",
        "AWS_PROFILE": "production",
        "AWS_ENDPOINT_URL_STS": "http://127.0.0.2:1",
        "DOTNET_ENVIRONMENT": "Development",
        "HTTPS_PROXY": "http://127.0.0.3:3128",
    }

    environment = child_process_environment("http://127.0.0.1:5000", tmp_path, base)

    assert environment["PATH"] == "/usr/bin"
    assert environment["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5000"
    assert environment["AWS_ENDPOINT_URL_SECRETS_MANAGER"] == "http://127.0.0.1:5000"
    assert environment["AWS_ACCESS_KEY_ID"] == "testing"
    for removed in ("AWS_PROFILE", "AWS_ENDPOINT_URL_STS", "DOTNET_ENVIRONMENT", "HTTPS_PROXY"):
        assert removed not in environment, removed


def test_isolation_rejects_remote_endpoint(tmp_path: Path) -> None:
    """isolated_aws_environment refuses any endpoint that is not on the loopback address."""
    for url in ("https://secretsmanager.example.invalid", "http://localhost:5000"):
        with pytest.raises(ValueError, match="endpoint URL"):
            isolated_aws_environment(url, tmp_path)
