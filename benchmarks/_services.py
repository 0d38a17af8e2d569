"""Local services for the benchmarks: moto's server and the latency proxy, each in a process.

Everything listens on 127.0.0.1, and the benchmark process and its children run in the isolated
AWS environment (fake keys, no instance metadata, empty AWS config files, every other ``AWS_*``
variable removed, every endpoint pointed at the local moto server).
"""

from __future__ import annotations

import asyncio
import os
import select
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession
from botocore.exceptions import ClientError

from fig_secret_aws._local import isolated_aws_environment

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from types import TracebackType

    from types_aiobotocore_secretsmanager import SecretsManagerClient
    from typing_extensions import Self

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
LOCAL_HOST = "127.0.0.1"

# Bounds on waiting for a child process, so that a broken one stops the run instead of hanging it.
_START_TIMEOUT = 30.0
_REPLY_TIMEOUT = 10.0
_STOP_TIMEOUT = 10.0
_SEED_ATTEMPTS = 3
_LOG_TAIL_CHARACTERS = 4000

# The .NET environment names would switch auto-create on, so they are removed as well.
_DOTNET_ENVIRONMENT_VARIABLES = ("ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT")


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOCAL_HOST, 0))

        return int(probe.getsockname()[1])


def client_config(max_pool_connections: int) -> AioConfig:
    """Return the configuration the provider gives its own client, with this pool size.

    The floor and the one-lock model use it too, so that only the strategy differs.
    """
    return AioConfig(
        connect_timeout=2.0,
        read_timeout=5.0,
        max_pool_connections=max_pool_connections,
        retries={"total_max_attempts": 1, "mode": "standard"},
    )


def _wait_until_listening(url: str, server: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    # An empty ProxyHandler keeps HTTP_PROXY and similar variables from rerouting the request.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            output = log.read().decode(errors="replace")
            msg = f"moto's server exited with code {server.returncode}:\n{output}"
            raise RuntimeError(msg)
        try:
            with opener.open(f"{url}/moto-api/", timeout=1.0) as reply:
                reply.read()
        except (urllib.error.URLError, OSError):
            time.sleep(0.05)
        else:
            return

    msg = f"moto's server did not reply at {url} within {_START_TIMEOUT} s."
    raise RuntimeError(msg)


def _print_log_tail(log: IO[bytes]) -> None:
    """Print the end of moto's output to stderr, to help explain a failed run."""
    log.seek(0)
    output = log.read().decode(errors="replace")[-_LOG_TAIL_CHARACTERS:]
    print(f"moto's server output ends with:\n{output}", file=sys.stderr)


def _stop(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    if process.poll() is not None:
        return

    process.terminate()
    try:
        process.wait(_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(_STOP_TIMEOUT)


@contextmanager
def local_secrets_manager() -> Iterator[str]:
    """Isolate this process's AWS environment, run moto's server in a child, and yield its URL.

    The child inherits the isolated environment. Both are undone on exit.
    """
    url = f"http://{LOCAL_HOST}:{free_port()}"
    with isolated_aws_environment(url), tempfile.TemporaryFile() as log:
        saved = {name: os.environ.pop(name, None) for name in _DOTNET_ENVIRONMENT_VARIABLES}
        port = url.rsplit(":", maxsplit=1)[-1]
        command = [sys.executable, "-m", "moto.server", "-H", LOCAL_HOST, "-p", port]
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            _wait_until_listening(url, server, log)
            yield url
        except BaseException:
            _print_log_tail(log)
            raise
        finally:
            _stop(server)
            for name, value in saved.items():
                if value is not None:
                    os.environ[name] = value


class LatencyProxy:
    """The tests' fault proxy, run by ``benchmarks.latency_proxy`` in a child process.

    It adds `latency` seconds before forwarding each request to moto, and counts the requests.
    """

    def __init__(self, upstream_url: str) -> None:
        self._upstream_url = upstream_url
        self._process: subprocess.Popen[str] | None = None
        self.url = ""

    def __enter__(self) -> Self:
        command = [sys.executable, "-m", "benchmarks.latency_proxy", self._upstream_url]
        self._process = subprocess.Popen(  # noqa: S603
            command,
            cwd=REPOSITORY_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.url = self._read_line(_START_TIMEOUT)

        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._process is None:
            return

        if self._process.stdin is not None:
            self._process.stdin.close()  # the proxy stops at the end of its input
        try:
            self._process.wait(_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            _stop(self._process)
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._process = None

    def reset(self, latency: float) -> None:
        """Forget recorded requests, then add *latency* seconds before every forwarded one."""
        self._ask("reset")
        self._ask(f"latency {latency}")

    def count(self, operation: str | None = None) -> int:
        """Return how many requests (of *operation*) the proxy received since the last reset."""
        return int(self._ask("count" if operation is None else f"count {operation}"))

    def max_concurrent(self) -> int:
        """Return the most requests in flight at once since the last reset."""
        return int(self._ask("max_concurrent"))

    def _ask(self, command: str) -> str:
        assert self._process is not None
        assert self._process.stdin is not None
        self._process.stdin.write(command + "\n")
        self._process.stdin.flush()
        reply = self._read_line(_REPLY_TIMEOUT)
        if reply.startswith("error"):
            msg = f"The latency proxy rejected {command!r}: {reply}"
            raise RuntimeError(msg)

        return reply

    def _read_line(self, timeout: float) -> str:
        assert self._process is not None
        assert self._process.stdout is not None
        readable, _, _ = select.select([self._process.stdout], [], [], timeout)
        line = self._process.stdout.readline() if readable else ""
        if not line:
            msg = (
                f"The latency proxy did not reply within {timeout} s "
                f"(exit code {self._process.poll()})."
            )
            raise RuntimeError(msg)

        return line.strip()


async def _create_once(client: SecretsManagerClient, secret_name: str, attempt: int) -> bool:
    """Create *secret_name*, and return ``False`` after a 5xx reply worth another attempt."""
    try:
        await client.create_secret(Name=secret_name, SecretString=str(uuid.uuid4()))
    except ClientError as exc:
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        code = exc.response.get("Error", {}).get("Code")
        if attempt > 1 and code == "ResourceExistsException":
            return True  # an earlier attempt created it, though its reply was an error
        if status < 500 or attempt == _SEED_ATTEMPTS:
            raise

        return False

    return True


async def seed_secrets(endpoint_url: str, secret_names: Sequence[str]) -> None:
    """Create each secret in moto holding a new GUID, a few requests at a time.

    A reply with a 5xx status is retried a few times, because moto's threaded server once
    replied HTTP 500 to one of some 2,000 concurrent ``CreateSecret`` requests here. A retry
    that finds the secret already created counts as done.
    """
    session = AioSession()
    limit = asyncio.Semaphore(8)
    async with session.create_client(
        "secretsmanager", endpoint_url=endpoint_url, config=client_config(8)
    ) as client:

        async def create(secret_name: str) -> None:
            async with limit:
                for attempt in range(1, _SEED_ATTEMPTS + 1):
                    if await _create_once(client, secret_name, attempt):
                        return

        await asyncio.wait_for(asyncio.gather(*(create(name) for name in secret_names)), 300)
