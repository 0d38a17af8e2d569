"""The examples, each run end to end in a child process: start, requests or jobs, clean stop.

Each example runs twice: against the tests' moto server through the proxy, with the isolated
environment that a production service would get from its platform, and in its ``--local``
mode, which starts a Secrets Manager of its own. Children run with warnings as errors.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.harness import child_process_environment

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.harness import FaultProxy

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

CANARY = "7c4e1f0a-93b2-4d6e-8a15-f2c9b0d3e6a7"

START_TIMEOUT = 60.0
REQUEST_TIMEOUT = 30.0
STOP_TIMEOUT = 60.0


class Example:
    """An example script running in a child process, its output going to files."""

    def __init__(
        self, script: str, arguments: list[str], environment: dict[str, str], directory: Path
    ) -> None:
        self.script = script
        self._stdout_path = directory / f"{script}.stdout"
        self._stderr_path = directory / f"{script}.stderr"
        with self._stdout_path.open("w") as stdout, self._stderr_path.open("w") as stderr:
            self.process = subprocess.Popen(  # noqa: S603 (the interpreter running the tests)
                [sys.executable, "-W", "error", str(EXAMPLES / script), *arguments],
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                env=environment,
                cwd=EXAMPLES,
            )

    @property
    def stdout(self) -> str:
        return self._stdout_path.read_text()

    @property
    def stderr(self) -> str:
        return self._stderr_path.read_text()

    def url(self) -> str:
        """Wait for the "Serving on URL" line and return the URL."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            for line in self.stdout.splitlines():
                if line.startswith("Serving on "):
                    return line.removeprefix("Serving on ")
            if self.process.poll() is not None:
                break
            time.sleep(0.05)

        pytest.fail(f"{self.script} did not start serving:\n{self.stderr}")

    def interrupt(self) -> int:
        """Send SIGINT, as Ctrl+C or a process manager would, and return the exit code."""
        self.process.send_signal(signal.SIGINT)

        return self.wait()

    def wait(self) -> int:
        return self.process.wait(timeout=STOP_TIMEOUT)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)


@pytest.fixture
def environment(proxy: FaultProxy, tmp_path: Path) -> dict[str, str]:
    """Return an isolated environment whose AWS endpoint is the proxy in front of moto."""
    return child_process_environment(proxy.url, tmp_path / "aws")


@pytest.fixture
def start(environment: dict[str, str], tmp_path: Path) -> Iterator[Any]:
    """Start examples; any still running at the end of the test is killed."""
    started: list[Example] = []

    def run(script: str, *arguments: str) -> Example:
        example = Example(script, list(arguments), environment, tmp_path)
        started.append(example)

        return example

    yield run

    for example in started:
        example.kill()


def _get_json(url: str) -> dict[str, Any]:
    # An empty ProxyHandler keeps HTTP_PROXY and similar variables from rerouting the request.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=REQUEST_TIMEOUT) as response:
        assert response.status == 200
        document: dict[str, Any] = json.loads(response.read())

    return document


def _assert_clean(example: Example) -> None:
    output = example.stdout + example.stderr
    assert CANARY not in output
    assert "Warning" not in output
    assert "Traceback" not in output
    assert "Unclosed" not in output


WEB_APPS = [
    pytest.param("fastapi_app.py", "Orders API", "FIG_ORDERSAPI_SECRET", id="fastapi"),
    pytest.param("aiohttp_app.py", "Orders Web", "FIG_ORDERSWEB_SECRET", id="aiohttp"),
]


@pytest.mark.parametrize(("script", "client_name", "secret_name"), WEB_APPS)
def test_web_app_uses_secret_from_aws(
    script: str,
    client_name: str,
    secret_name: str,
    admin: Any,
    proxy: FaultProxy,
    start: Any,
) -> None:
    """Three requests, one GetSecretValue, the value never in a reply or the output."""
    admin.create_secret(Name=secret_name, SecretString=CANARY)
    example = start(script, "--port", "0")
    url = example.url()

    replies = [_get_json(f"{url}/fig-status") for _ in range(3)]
    code = example.interrupt()

    assert code == 0, example.stderr
    for reply in replies:
        assert reply == {
            "client": client_name,
            "secret_name": secret_name,
            "fig_status": 200,
            "authenticated": True,
        }
    assert CANARY not in json.dumps(replies)
    assert proxy.count("GetSecretValue") == 1
    assert proxy.count("CreateSecret") == 0
    _assert_clean(example)


@pytest.mark.parametrize(("script", "client_name", "secret_name"), WEB_APPS)
def test_web_app_local_mode(
    script: str, client_name: str, secret_name: str, proxy: FaultProxy, start: Any
) -> None:
    """--local runs a Secrets Manager of the example's own; the tests' server is untouched."""
    example = start(script, "--local", "--port", "0")
    url = example.url()

    reply = _get_json(f"{url}/fig-status")
    code = example.interrupt()

    assert code == 0, example.stderr
    assert reply["authenticated"] is True
    assert reply["secret_name"] == secret_name
    assert proxy.count() == 0
    _assert_clean(example)


@pytest.mark.parametrize(("script", "client_name", "secret_name"), WEB_APPS)
def test_web_app_reports_rejected_secret(
    script: str, client_name: str, secret_name: str, admin: Any, proxy: FaultProxy, start: Any
) -> None:
    """A secret Fig would reject is re-read once per request, then reported as not accepted."""
    admin.create_secret(Name=secret_name, SecretString="too-short-for-fig")
    example = start(script, "--port", "0")
    url = example.url()

    reply = _get_json(f"{url}/fig-status")
    code = example.interrupt()

    assert code == 0, example.stderr
    assert reply["fig_status"] == 401
    assert reply["authenticated"] is False
    assert proxy.count("GetSecretValue") == 2


def test_worker_tasks_share_one_request(admin: Any, proxy: FaultProxy, start: Any) -> None:
    admin.create_secret(Name="FIG_BILLINGWORKER_SECRET", SecretString=CANARY)

    example = start("asyncio_worker.py", "--jobs", "300", "--tasks", "30")
    code = example.wait()

    assert code == 0, example.stderr
    assert example.stdout == (
        "300 jobs done by 30 tasks sharing one provider: 300 accepted by Fig, 0 rejected\n"
    )
    assert example.stderr.count("Fetched secret FIG_BILLINGWORKER_SECRET") == 1
    assert proxy.count("GetSecretValue") == 1
    _assert_clean(example)


def test_worker_local_mode(proxy: FaultProxy, start: Any) -> None:
    example = start("asyncio_worker.py", "--local", "--jobs", "50", "--tasks", "5")
    code = example.wait()

    assert code == 0, example.stderr
    assert "50 jobs done by 5 tasks" in example.stdout
    assert "50 accepted by Fig" in example.stdout
    assert proxy.count() == 0
    _assert_clean(example)


def test_worker_missing_secret_fails_cleanly(proxy: FaultProxy, start: Any) -> None:
    example = start("asyncio_worker.py", "--jobs", "20", "--tasks", "4")
    code = example.wait()

    assert code == 1
    assert example.stdout == ""
    assert "SecretNotFoundError" in example.stderr
    assert "FIG_BILLINGWORKER_SECRET" in example.stderr
    assert proxy.count("GetSecretValue") == 1
    assert proxy.count("CreateSecret") == 0
    _assert_clean(example)
