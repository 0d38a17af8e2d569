"""Pytest plugin that fails a test when a known secret value reaches a place it must never reach.

For every test the guard gathers:

- every log record from any logger at DEBUG and above (the root logger is set to DEBUG for the
  test), including the text of attached exceptions;
- the message and repr of every `FigSecretError` created, of every exception raised through
  `AwsSecretProvider.get_secret` or `refresh`, and of their chained causes;
- the repr of every provider the test used, and of the cache entry behind each value it returned;
- command-line output: what the test read through ``capsys`` or ``capfd``, output it left in
  pytest's capture, and the output of child processes read with ``communicate()``.

The known values of a test are the ``SecretString`` of every request that stores one and of
every ``GetSecretValue`` reply, every value that ``get_secret`` or ``refresh`` returned, and
every value passed to `remember_secret`. The requests and replies are read by a botocore event
handler registered for every botocore and aiobotocore session, so the tests' admin clients and
the provider's client are covered alike.
Values shorter than `MIN_SECRET_LENGTH` are not tracked, because they would match ordinary text.

At teardown, a known value found in any of these, verbatim or in its JSON, ``repr`` or escaped
UTF-8 form, fails the test. The failure names where the value was found (the logger and the
record's position, the exception class, the output stream), never the value itself.

A test whose job is to print a secret, such as one of the ``get`` command, is marked
``@pytest.mark.prints_secret``: its command-line output is not checked, everything else is.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import subprocess
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import botocore.handlers
import pytest

from fig_secret_aws import AwsSecretProvider, FigSecretError
from fig_secret_aws._secrets_manager import install_redacting_filter
from tests.figures import FIGURES

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterator

__all__ = ["MIN_SECRET_LENGTH", "find_leaks", "record_output", "remember_secret"]

MIN_SECRET_LENGTH = 8
"""Values shorter than this are not tracked: they would match ordinary log text."""

_PRINTS_SECRET = "prints_secret"
_OUTPUT_SECTION_PREFIXES = ("Captured stdout", "Captured stderr")


@dataclass
class _TestRecord:
    """What one test produced, and the secret values it knew about."""

    known: dict[str, str] = field(default_factory=dict)  # value -> where it came from
    log_records: list[tuple[str, str, str]] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    reprs: list[tuple[str, str]] = field(default_factory=list)
    outputs: list[tuple[str, str]] = field(default_factory=list)
    providers: dict[int, AwsSecretProvider] = field(default_factory=dict)

    def remember(self, value: object, source: str) -> None:
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if isinstance(value, str) and len(value) >= MIN_SECRET_LENGTH:
            self.known.setdefault(value, source)


# The record of the running test, or of the last one until the next test starts.
_current: _TestRecord | None = None


def remember_secret(value: str) -> None:
    """Add *value* to the secret values that the running test must not leak.

    Values stored or read through a botocore client, and values the provider returns, are
    tracked already. Use this for values that reach the test another way, such as from a
    child process.
    """
    if _current is not None:
        _current.remember(value, "remember_secret()")


def record_output(where: str, text: str) -> None:
    """Add command-line output that reached the running test another way to what it checks.

    Output read through ``capsys``, ``capfd`` or ``communicate()`` is checked already. Use this
    for output a child process wrote to a file. *where* describes it in a failure report.
    """
    if _current is not None:
        _current.outputs.append((where, text))


@functools.lru_cache(maxsize=4096)
def _forms(value: str) -> frozenset[str]:
    """Return the forms in which *value* could appear in text: verbatim, JSON, repr, bytes."""
    forms = {
        value,
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        repr(value)[1:-1],
        repr(value.encode())[2:-1],
    }

    return frozenset(form for form in forms if len(form) >= MIN_SECRET_LENGTH)


def find_leaks(known: dict[str, str], places: list[tuple[str, str]]) -> list[str]:
    """Describe each place whose text contains a known value, without quoting the value.

    *known* maps each value to where it came from. *places* pairs a description of each place
    (such as a logger name and record number) with its text.
    """
    if not known or not places:
        return []

    blob = "\0".join(text for _, text in places)
    findings = []
    for number, (value, source) in enumerate(known.items(), start=1):
        forms = [form for form in _forms(value) if form in blob]
        if not forms:
            continue
        for where, text in places:
            if any(form in text for form in forms):
                findings.append(
                    f"known secret value #{number} of {len(known)} (from {source}) "
                    f"was found in {where}"
                )

    return findings


class _RecordCollector(logging.Handler):
    """A handler that keeps each record's logger, level and full text for the running test."""

    def __init__(self, record: _TestRecord) -> None:
        super().__init__(logging.DEBUG)
        self._record = record
        self._formatter = logging.Formatter()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except (TypeError, ValueError):
            text = f"{record.msg} {record.args}"
        if record.exc_info:
            text += "\n" + self._formatter.formatException(record.exc_info)
        if record.exc_text:
            text += "\n" + record.exc_text
        if record.stack_info:
            text += "\n" + record.stack_info
        self._record.log_records.append((record.name, record.levelname, text))


# botocore event handlers, registered for every session created while the plugin is active.
def _remember_request_value(params: Any, **_: Any) -> None:
    if _current is not None and isinstance(params, dict):
        _current.remember(params.get("SecretString"), "a Secrets Manager request")


def _remember_reply_value(parsed: Any, **_: Any) -> None:
    if _current is not None and isinstance(parsed, dict):
        _current.remember(parsed.get("SecretString"), "a Secrets Manager reply")


_BOTOCORE_HANDLERS: list[tuple[str, Callable[..., None]]] = [
    ("before-parameter-build.secrets-manager", _remember_request_value),
    ("after-call.secrets-manager", _remember_reply_value),
]


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker, the botocore handlers and the provider's log filter."""
    config.addinivalue_line(
        "markers",
        f"{_PRINTS_SECRET}: the test's command-line output may show a secret value "
        "(its logs, errors and reprs are still checked)",
    )
    botocore.handlers.BUILTIN_HANDLERS.extend(_BOTOCORE_HANDLERS)
    # The provider installs this filter when it is constructed. Installing it now as well
    # means that the tests' own clients, used before any provider exists, log through it too,
    # so the guard judges what the library lets through. A test in test_secrecy_guard.py
    # checks, in a fresh process, that the provider installs the filter by itself.
    install_redacting_filter()


def pytest_unconfigure() -> None:
    """Remove the botocore handlers."""
    for handler in _BOTOCORE_HANDLERS:
        if handler in botocore.handlers.BUILTIN_HANDLERS:
            botocore.handlers.BUILTIN_HANDLERS.remove(handler)


def _watch_provider(record: _TestRecord, method: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a provider coroutine method so that its results, errors and reprs are recorded."""

    @functools.wraps(method)
    async def watched(self: AwsSecretProvider, *args: Any, **kwargs: Any) -> Any:
        record.providers[id(self)] = self
        try:
            value = await method(self, *args, **kwargs)
        except BaseException as exc:
            record.errors.append(exc)
            raise
        finally:
            record.reprs.append((f"repr of {type(self).__name__}", repr(self)))
            client_name = args[0] if args else None
            cache = getattr(self, "_cache", {})
            entry = cache.get(client_name) if isinstance(client_name, str) else None
            if entry is not None:
                record.reprs.append(("repr of a cache entry of the provider", repr(entry)))
        record.remember(value, f"AwsSecretProvider.{method.__name__}()")

        return value

    return watched


def _patch_sources(monkeypatch: pytest.MonkeyPatch, record: _TestRecord) -> None:
    original_error_init = FigSecretError.__init__

    def recording_error_init(self: FigSecretError, *args: Any, **kwargs: Any) -> None:
        original_error_init(self, *args, **kwargs)
        record.errors.append(self)

    monkeypatch.setattr(FigSecretError, "__init__", recording_error_init)
    for name in ("get_secret", "refresh"):
        method = getattr(AwsSecretProvider, name)
        monkeypatch.setattr(AwsSecretProvider, name, _watch_provider(record, method))

    original_readouterr = pytest.CaptureFixture.readouterr

    def recording_readouterr(self: pytest.CaptureFixture[Any]) -> Any:
        captured = original_readouterr(self)
        record.outputs.append(("stdout read through capsys/capfd", _as_text(captured.out)))
        record.outputs.append(("stderr read through capsys/capfd", _as_text(captured.err)))

        return captured

    monkeypatch.setattr(pytest.CaptureFixture, "readouterr", recording_readouterr)

    original_communicate = subprocess.Popen.communicate

    def recording_communicate(self: subprocess.Popen[Any], *args: Any, **kwargs: Any) -> Any:
        stdout, stderr = original_communicate(self, *args, **kwargs)
        for stream, data in (("stdout", stdout), ("stderr", stderr)):
            if data:
                where = f"{stream} of child process {self.args!r}"
                record.outputs.append((where, _as_text(data)))

        return stdout, stderr

    monkeypatch.setattr(subprocess.Popen, "communicate", recording_communicate)


def _as_text(data: object) -> str:
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")

    return str(data)


def _error_places(errors: list[BaseException]) -> list[tuple[str, str]]:
    places = []
    for error in errors:
        chain: list[BaseException] = [error]
        if error.__cause__ is not None:
            chain.append(error.__cause__)
        text = "\n".join(f"{item}\n{item!r}" for item in chain)
        places.append((f"the message or repr of a raised {type(error).__name__}", text))

    return places


@pytest.fixture(autouse=True)
def _secrecy_guard(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Fail the test if a known secret value reached a log record, an error, a repr or output."""
    global _current  # noqa: PLW0603 (the botocore handlers have no other way to reach the test)
    record = _TestRecord()
    _current = record
    collector = _RecordCollector(record)
    root = logging.getLogger()
    root.addHandler(collector)
    _patch_sources(monkeypatch, record)
    try:
        yield
    finally:
        root.removeHandler(collector)

    for provider in record.providers.values():
        record.reprs.append((f"repr of {type(provider).__name__}", repr(provider)))
    prints_secret = request.node.get_closest_marker(_PRINTS_SECRET) is not None
    places = [
        (f"log record {position} of {len(record.log_records)} (logger {name!r}, {level})", text)
        for position, (name, level, text) in enumerate(record.log_records, start=1)
    ]
    places += _error_places(record.errors)
    places += record.reprs
    if not prints_secret:
        places += record.outputs
    leaks = find_leaks(record.known, places)

    FIGURES.add("secrecy.tests")
    FIGURES.add("secrecy.known_values", len(record.known))
    FIGURES.add("secrecy.log_records", len(record.log_records))
    FIGURES.add("secrecy.errors", len(record.errors))
    FIGURES.add("secrecy.reprs", len(record.reprs))
    FIGURES.add("secrecy.outputs", 0 if prints_secret else len(record.outputs))
    FIGURES.add("secrecy.leaks", len(leaks))
    if leaks:
        pytest.fail("Secret value leaked:\n" + "\n".join(leaks), pytrace=False)


@contextlib.contextmanager
def _root_logger_at_debug() -> Iterator[None]:
    root = logging.getLogger()
    previous_level = root.level
    root.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        root.setLevel(previous_level)


# pytest's log capture sets the root logger's level at the start of each phase of a test and
# restores it at the end. These wrappers run inside it (trylast), so the root logger stays at
# DEBUG for the whole of each phase, while pytest's own capture keeps its log_level.
@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_setup() -> Generator[None, None, None]:
    """Run the setup phase with the root logger at DEBUG."""
    with _root_logger_at_debug():
        return (yield)


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_call() -> Generator[None, None, None]:
    """Run the test with the root logger at DEBUG."""
    with _root_logger_at_debug():
        return (yield)


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_teardown() -> Generator[None, None, None]:
    """Run the teardown phase with the root logger at DEBUG."""
    with _root_logger_at_debug():
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Fail a test whose output, left in pytest's capture, shows a known secret value.

    Every captured section, of output or of log records, that shows a known value is blanked
    in the report, so that pytest never prints the value, even for a test that may print it.
    """
    report = yield
    record = _current
    if record is None or not record.known:
        return report

    sections = []
    outputs = []
    leaking_outputs = []
    for title, content in report.sections:
        is_output = title.startswith(_OUTPUT_SECTION_PREFIXES) and title.endswith(call.when)
        if is_output:
            outputs.append(title)
        if find_leaks(record.known, [(title, content)]):
            sections.append((title, "[blanked by the secrecy guard: it shows a secret value]"))
            if is_output:
                leaking_outputs.append(title)
        else:
            sections.append((title, content))
    report.sections = sections

    if item.get_closest_marker(_PRINTS_SECRET) is not None:
        return report

    FIGURES.add("secrecy.outputs", len(outputs))
    FIGURES.add("secrecy.leaks", len(leaking_outputs))
    if leaking_outputs and report.passed:
        report.outcome = "failed"
        report.longrepr = "Secret value leaked:\n" + "\n".join(
            f"a known secret value was found in the {title!r} section" for title in leaking_outputs
        )

    return report
