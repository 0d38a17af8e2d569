"""The secrecy guard plugin finds known values wherever they leak, and never prints them."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

import pytest

from tests.figures import FIGURES_ENV
from tests.harness import child_process_environment
from tests.secrecy_guard import MIN_SECRET_LENGTH, find_leaks, remember_secret

if TYPE_CHECKING:
    from tests.harness import FaultProxy

REPOSITORY = Path(__file__).resolve().parent.parent
VALUE = "guard-canary-\u00fcn\u00efcode-0123456789"
CHILD_TIMEOUT_SECONDS = 120

INNER_TESTS = f"""
import logging

import pytest

from fig_secret_aws import FigSecretError
from tests.secrecy_guard import remember_secret

VALUE = {VALUE!r}


def test_logged_verbatim():
    remember_secret(VALUE)
    logging.getLogger("inner.verbatim").debug("the value is %s", VALUE)


def test_logged_as_utf8_bytes():
    remember_secret(VALUE)
    logging.getLogger("inner.bytes").info("body: %r", VALUE.encode())


def test_in_error_message():
    remember_secret(VALUE)
    FigSecretError(f"failed for {{VALUE}}")


def test_read_from_capsys(capsys):
    remember_secret(VALUE)
    print(VALUE)
    capsys.readouterr()


def test_left_in_capture():
    remember_secret(VALUE)
    print(VALUE)


@pytest.mark.prints_secret
def test_printed_where_allowed():
    remember_secret(VALUE)
    print(VALUE)


def test_without_leak():
    remember_secret(VALUE)
    logging.getLogger("inner.clean").warning("nothing secret here")
"""


def _forms(value: str) -> list[str]:
    return [value, json.dumps(value)[1:-1], repr(value.encode())[2:-1]]


def test_find_leaks_names_place_not_value() -> None:
    findings = find_leaks({VALUE: "a test"}, [("record 1", "clean"), ("record 2", f"x{VALUE}x")])

    assert len(findings) == 1
    assert "record 2" in findings[0]
    assert all(form not in findings[0] for form in _forms(VALUE))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(json.dumps({"SecretString": VALUE}), id="json-escaped"),
        pytest.param(repr(VALUE.encode()), id="utf8-bytes-repr"),
        pytest.param(repr([VALUE]), id="python-repr"),
    ],
)
def test_find_leaks_sees_escaped_forms(text: str) -> None:
    assert find_leaks({VALUE: "a test"}, [("place", text)]) != []


def test_find_leaks_ignores_short_values() -> None:
    """Values too short to tell apart from ordinary text are not tracked."""
    short = "x" * (MIN_SECRET_LENGTH - 1)

    assert find_leaks({short: "a test"}, [("place", f"a{short}b")]) == []


def test_guard_fails_each_leak_without_printing_it(tmp_path: Path, proxy: FaultProxy) -> None:
    """A pytest run of planted leaks fails each one, and its output never shows the value."""
    remember_secret(VALUE)
    (tmp_path / "test_inner.py").write_text(textwrap.dedent(INNER_TESTS), encoding="utf-8")
    junit = tmp_path / "junit.xml"
    environment = child_process_environment(proxy.url, tmp_path / "aws")
    environment["PYTHONPATH"] = str(REPOSITORY)
    # The inner run must not overwrite the figures of this run.
    environment.pop(FIGURES_ENV, None)

    completed = subprocess.run(  # noqa: S603 (runs this interpreter on a file the test wrote)
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.figures",
            "-p",
            "tests.secrecy_guard",
            "-p",
            "no:cacheprovider",
            "-rA",
            f"--junitxml={junit}",
            "test_inner.py",
        ],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_SECONDS,
        check=False,
    )

    report = junit.read_text(encoding="utf-8")
    outcomes = {
        case.get("name"): [child.tag for child in case]
        for case in ET.fromstring(report).iter("testcase")  # noqa: S314 (pytest wrote it)
    }
    assert completed.returncode == 1
    assert "error" in outcomes["test_logged_verbatim"]
    assert "error" in outcomes["test_logged_as_utf8_bytes"]
    assert "error" in outcomes["test_in_error_message"]
    assert "error" in outcomes["test_read_from_capsys"]
    assert "failure" in outcomes["test_left_in_capture"]
    assert "failure" not in outcomes["test_printed_where_allowed"]
    assert "error" not in outcomes["test_printed_where_allowed"]
    assert "error" not in outcomes["test_without_leak"]
    assert "logger 'inner.verbatim', DEBUG" in completed.stdout
    assert "raised FigSecretError" in completed.stdout
    for text in (completed.stdout, completed.stderr, report):
        assert all(form not in text for form in _forms(VALUE))


def test_provider_installs_log_filter_itself(tmp_path: Path, proxy: FaultProxy) -> None:
    """The guard installs the redacting filter early, so a fresh process checks the provider."""
    script = textwrap.dedent(
        """
        import logging
        from fig_secret_aws import AwsSecretProvider

        names = ("botocore.endpoint", "botocore.parsers", "aiobotocore.parsers")
        before = [len(logging.getLogger(name).filters) for name in names]
        AwsSecretProvider(region_name="eu-west-1")
        after = [len(logging.getLogger(name).filters) for name in names]
        print(before, after)
        """
    )

    completed = subprocess.run(  # noqa: S603 (runs this interpreter on a fixed script)
        [sys.executable, "-c", script],
        env=child_process_environment(proxy.url, tmp_path),
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_SECONDS,
        check=True,
    )

    assert completed.stdout.strip() == "[0, 0, 0] [1, 1, 1]"
