"""HTTP/1.1 reverse proxy that records requests and injects faults in front of moto.

The proxy runs its own asyncio event loop in its own thread, so it keeps serving while a test's
event loop is blocked or closed, and tests control it from the test thread through a lock.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import http
import json
import logging
import math
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, replace
from typing import Union
from urllib.parse import urlsplit

from ._http import (
    HttpProtocolError,
    Request,
    Response,
    build_response,
    read_request,
    read_response,
    serialize_request,
    serialize_response,
)
from ._lifecycle import StartStop

logger = logging.getLogger(__name__)

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1"})
"""Hosts the proxy may forward to. Any other host is rejected so that tests stay on this machine."""

MAX_FAULT_SECONDS = 60.0
"""Upper bound for every delay, stall and latency, so that no proxy sleep is unbounded."""

UPSTREAM_TIMEOUT_SECONDS = 30.0
"""Time allowed for connecting to the upstream server and reading its whole reply."""

STOP_TIMEOUT_SECONDS = 10.0
"""Time `FaultProxy.stop` waits for connections to close and for the proxy thread to end."""

_START_TIMEOUT_SECONDS = 10.0


def _check_seconds(seconds: float, label: str) -> None:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"{label} must be a number of seconds, got {seconds!r}")
    if not math.isfinite(seconds) or not 0 <= seconds <= MAX_FAULT_SECONDS:
        raise ValueError(
            f"{label} must be between 0 and {MAX_FAULT_SECONDS} seconds, got {seconds!r}"
        )


@dataclass(frozen=True)
class ErrorReply:
    """Fault that replies with an AWS JSON-protocol error instead of forwarding the request."""

    code: str
    message: str
    status: int = 400

    def __post_init__(self) -> None:
        """Reject an empty error code or a status outside 400-599."""
        if not self.code:
            raise ValueError("ErrorReply code must be a non-empty AWS error code")
        if isinstance(self.status, bool) or not 400 <= self.status <= 599:
            raise ValueError(f"ErrorReply status must be in 400-599, got {self.status!r}")


@dataclass(frozen=True)
class Delay:
    """Fault that waits `seconds` before forwarding the request normally."""

    seconds: float

    def __post_init__(self) -> None:
        """Reject a negative, non-finite or too long delay."""
        _check_seconds(self.seconds, "Delay")


@dataclass(frozen=True)
class Stall:
    """Fault that reads the request, sends nothing for `seconds`, then closes the connection.

    The request is not forwarded. Use it to trip a client's read timeout.
    """

    seconds: float

    def __post_init__(self) -> None:
        """Reject a negative, non-finite or too long stall."""
        _check_seconds(self.seconds, "Stall")


@dataclass(frozen=True)
class DropBeforeForward:
    """Fault that closes the connection without forwarding the request or replying."""


@dataclass(frozen=True)
class DropAfterForward:
    """Fault that forwards the request, then closes the connection without replying.

    The upstream server carries the request out, so this models a lost reply.
    """


Fault = Union[ErrorReply, Delay, Stall, DropBeforeForward, DropAfterForward]  # noqa: UP007
_FAULT_TYPES = (ErrorReply, Delay, Stall, DropBeforeForward, DropAfterForward)


@dataclass(frozen=True)
class RecordedCall:
    """One request seen by the proxy.

    - `operation`: the action name from ``X-Amz-Target`` without the service prefix, for example
      ``GetSecretValue``.
    - `secret_id`: the request's ``SecretId``, or ``Name`` when there is no ``SecretId``.
    - `started_at`: the `time.monotonic` time when the proxy had read the whole request.
    - `fault`: the class name of the injected fault, or None when the request was forwarded
      untouched.
    - `status`: the HTTP status of the reply the proxy wrote to the client, or None while the
      request is in flight and when no reply was written (a stall, a dropped connection, or a
      client that went away first).
    """

    operation: str | None
    secret_id: str | None
    started_at: float
    fault: str | None
    status: int | None = None


@dataclass
class _QueuedFault:
    fault: Fault
    remaining: int | None  # None applies the fault to every matching request


def normalize_operation(operation: str) -> str:
    """Strip a service prefix: ``secretsmanager.GetSecretValue`` becomes ``GetSecretValue``."""
    return operation.rsplit(".", 1)[-1]


def _operation_of(request: Request) -> str | None:
    target = request.headers.get("x-amz-target")
    return normalize_operation(target) if target else None


def _secret_id_of(request: Request) -> str | None:
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(payload, dict):
        return None
    for key in ("SecretId", "Name"):
        value = payload.get(key)
        if isinstance(value, str):
            return value
    return None


def _error_reply_bytes(fault: ErrorReply, *, keep_alive: bool) -> bytes:
    body = json.dumps({"__type": fault.code, "message": fault.message}).encode()
    try:
        reason = http.HTTPStatus(fault.status).phrase
    except ValueError:
        reason = "Error"
    headers = [
        ("Content-Type", "application/x-amz-json-1.1"),
        ("x-amzn-ErrorType", fault.code),
        ("x-amzn-RequestId", str(uuid.uuid4())),
    ]
    return build_response(fault.status, reason, headers, body, keep_alive=keep_alive)


def _protocol_error_bytes(status: int, message: str) -> bytes:
    try:
        reason = http.HTTPStatus(status).phrase
    except ValueError:
        reason = "Error"
    headers = [("Content-Type", "text/plain; charset=utf-8")]
    return build_response(status, reason, headers, message.encode(), keep_alive=False)


class FaultProxy(StartStop):
    """Reverse proxy on 127.0.0.1 that records requests and injects faults.

    Every public method is safe to call from any thread. Requests that are still running when
    `reset` is called (a stall or delay left over from an earlier test) may still reach the
    upstream server afterwards, but they are no longer counted in `calls` or `max_concurrent`.
    """

    def __init__(self, upstream_url: str) -> None:
        """Prepare a proxy for `upstream_url`, which must be an http URL on 127.0.0.1 or [::1]."""
        parts = urlsplit(upstream_url)
        if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS or parts.port is None:
            raise ValueError(
                f"upstream URL must look like http://127.0.0.1:PORT, got {upstream_url!r}"
            )
        self._upstream_host = parts.hostname
        self._upstream_port = parts.port
        self._upstream_netloc = parts.netloc

        self._lock = threading.Lock()
        self._calls: list[RecordedCall] = []
        self._faults: dict[str, deque[_QueuedFault]] = {}
        self._latency = 0.0
        self._generation = 0
        self._in_flight_total = 0
        self._in_flight: dict[str | None, int] = {}
        self._max_in_flight_total = 0
        self._max_in_flight: dict[str | None, int] = {}

        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._port: int | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        self._connection_tasks: set[asyncio.Task[None]] = set()

    # Lifecycle, called from the test thread.

    @property
    def url(self) -> str:
        """Base URL of the running proxy, ``http://127.0.0.1:PORT``."""
        if self._port is None:
            raise RuntimeError("FaultProxy is not running; call start() first")
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> None:
        """Start the proxy thread and wait until the listening socket is bound."""
        if self._thread is not None:
            raise RuntimeError("FaultProxy is already running")
        self._ready.clear()
        self._startup_error = None
        self._thread = threading.Thread(target=self._run_loop, name="fault-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(_START_TIMEOUT_SECONDS):
            raise RuntimeError(f"FaultProxy did not start within {_START_TIMEOUT_SECONDS} s")
        if self._startup_error is not None:
            self._thread.join(_START_TIMEOUT_SECONDS)
            self._thread = None
            raise RuntimeError("FaultProxy failed to start") from self._startup_error

    def stop(self) -> None:
        """Close the listening socket and every connection, and end the proxy thread.

        Does nothing when the proxy is not running. Raises RuntimeError when the thread is still
        alive after `STOP_TIMEOUT_SECONDS`.
        """
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return

        shutdown = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
        try:
            shutdown.result(STOP_TIMEOUT_SECONDS)
        except concurrent.futures.TimeoutError:
            shutdown.cancel()
            logger.exception(
                "FaultProxy connections did not close within %s s", STOP_TIMEOUT_SECONDS
            )
        loop.call_soon_threadsafe(loop.stop)
        thread.join(STOP_TIMEOUT_SECONDS)
        if thread.is_alive():
            raise RuntimeError(f"FaultProxy thread did not end within {STOP_TIMEOUT_SECONDS} s")

        self._thread = None
        self._loop = None
        self._server = None
        self._port = None

    # Recording and fault injection, called from the test thread.

    def inject(self, operation: str, fault: Fault, times: int | None = 1) -> None:
        """Queue `fault` for the next `times` requests of `operation`.

        `operation` is an action name such as ``GetSecretValue`` (a ``secretsmanager.`` prefix is
        accepted and ignored) or ``"*"`` for any request. `times=None` applies the fault to every
        matching request, so faults queued behind it for the same operation never run. Faults for
        one operation run in the order they were queued. A request takes the first fault queued
        for its own operation, and only when there is none, the first fault queued for ``"*"``.
        """
        if not isinstance(operation, str) or not operation:
            raise ValueError(f"operation must be a non-empty action name or '*', got {operation!r}")
        if not isinstance(fault, _FAULT_TYPES):
            raise TypeError(
                f"fault must be one of {[t.__name__ for t in _FAULT_TYPES]}, got {fault!r}"
            )
        if times is not None and (
            isinstance(times, bool) or not isinstance(times, int) or times < 1
        ):
            raise ValueError(f"times must be a positive integer or None, got {times!r}")

        key = operation if operation == "*" else normalize_operation(operation)
        with self._lock:
            self._faults.setdefault(key, deque()).append(_QueuedFault(fault, times))

    @property
    def latency(self) -> float:
        """Seconds added before every forwarded request (0 by default, reset by `reset`)."""
        with self._lock:
            return self._latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        _check_seconds(seconds, "latency")
        with self._lock:
            self._latency = float(seconds)

    @property
    def calls(self) -> list[RecordedCall]:
        """Copy of the requests recorded since the last `reset`, in arrival order."""
        with self._lock:
            return list(self._calls)

    def count(
        self,
        operation: str | None = None,
        secret_id: str | None = None,
        status: int | None = None,
    ) -> int:
        """Return how many recorded requests match `operation`, `secret_id` and `status`.

        None matches any value. `status` is the HTTP status of the reply written to the client,
        so ``count("CreateSecret", status=200)`` counts the creates that succeeded.
        """
        operation_filter = None if operation is None else normalize_operation(operation)
        with self._lock:
            return sum(
                1
                for call in self._calls
                if (operation_filter is None or call.operation == operation_filter)
                and (secret_id is None or call.secret_id == secret_id)
                and (status is None or call.status == status)
            )

    def max_concurrent(self, operation: str | None = None) -> int:
        """Return the maximum number of requests in flight at once since the last `reset`.

        A request is in flight from the moment the proxy has read it until the proxy has written
        its reply or closed its connection. With `operation`, only requests of that operation are
        counted.
        """
        with self._lock:
            if operation is None:
                return self._max_in_flight_total
            return self._max_in_flight.get(normalize_operation(operation), 0)

    def reset(self) -> None:
        """Clear recorded calls, queued faults, latency and concurrency statistics."""
        with self._lock:
            self._calls.clear()
            self._faults.clear()
            self._latency = 0.0
            self._generation += 1
            self._in_flight_total = 0
            self._in_flight.clear()
            self._max_in_flight_total = 0
            self._max_in_flight.clear()

    # Bookkeeping helpers. Callers hold self._lock.

    def _take_fault(self, operation: str | None) -> Fault | None:
        for key in (operation, "*"):
            if key is None:
                continue
            queue = self._faults.get(key)
            if not queue:
                continue
            queued = queue[0]
            if queued.remaining is not None:
                queued.remaining -= 1
                if queued.remaining == 0:
                    queue.popleft()
            return queued.fault
        return None

    def _enter_flight(self, operation: str | None) -> None:
        self._in_flight_total += 1
        self._in_flight[operation] = self._in_flight.get(operation, 0) + 1
        self._max_in_flight_total = max(self._max_in_flight_total, self._in_flight_total)
        self._max_in_flight[operation] = max(
            self._max_in_flight.get(operation, 0), self._in_flight[operation]
        )

    def _leave_flight(
        self, operation: str | None, generation: int, index: int, status: int | None
    ) -> None:
        if generation != self._generation:
            return  # started before the last reset, whose counters no longer include it
        self._in_flight_total -= 1
        self._in_flight[operation] -= 1
        if status is not None:
            self._calls[index] = replace(self._calls[index], status=status)

    # The proxy thread and its event loop.

    def _run_loop(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            server = loop.run_until_complete(
                asyncio.start_server(self._handle_connection, host="127.0.0.1", port=0)
            )
        except Exception as error:  # noqa: BLE001 - start() re-raises it in the test thread
            self._startup_error = error
            self._loop = None
            loop.close()
            self._ready.set()
            return

        self._server = server
        self._port = int(server.sockets[0].getsockname()[1])
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            self._close_loop(loop)

    @staticmethod
    def _close_loop(loop: asyncio.AbstractEventLoop) -> None:
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        tasks = list(self._connection_tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=STOP_TIMEOUT_SECONDS / 2)
        if self._server is not None:
            await asyncio.wait_for(self._server.wait_closed(), STOP_TIMEOUT_SECONDS / 2)

    async def _handle_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connection_tasks.add(task)
        try:
            await self._serve_connection(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client closed the connection, so no reply can be sent
        except asyncio.CancelledError:
            # stop() cancels connections that are still stalled or delayed. Ending the task
            # normally keeps asyncio's stream callback on Python 3.11 from logging the
            # cancellation as an error.
            pass
        except Exception:
            logger.exception("FaultProxy failed while serving a connection")
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
            if task is not None:
                self._connection_tasks.discard(task)

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        keep_alive = True
        while keep_alive:
            try:
                request = await read_request(reader, writer)
            except HttpProtocolError as error:
                logger.warning("FaultProxy rejected a malformed request: %s", error)
                writer.write(_protocol_error_bytes(error.status, str(error)))
                await writer.drain()
                return
            if request is None:
                return
            keep_alive = await self._handle_request(request, writer)

    async def _handle_request(self, request: Request, writer: asyncio.StreamWriter) -> bool:
        """Record `request`, apply its fault, and return whether to keep the connection open."""
        operation = _operation_of(request)
        with self._lock:
            fault = self._take_fault(operation)
            generation = self._generation
            latency = self._latency
            fault_name = None if fault is None else type(fault).__name__
            index = len(self._calls)
            self._calls.append(
                RecordedCall(operation, _secret_id_of(request), time.monotonic(), fault_name)
            )
            self._enter_flight(operation)
        status: int | None = None
        try:
            keep_alive, status = await self._apply_fault(request, writer, fault, latency)
        finally:
            with self._lock:
                self._leave_flight(operation, generation, index, status)

        return keep_alive

    async def _apply_fault(
        self,
        request: Request,
        writer: asyncio.StreamWriter,
        fault: Fault | None,
        latency: float,
    ) -> tuple[bool, int | None]:
        """Reply to `request` as `fault` specifies, and return keep-alive and the status written."""
        keep_alive = request.wants_keep_alive()
        if isinstance(fault, ErrorReply):
            writer.write(_error_reply_bytes(fault, keep_alive=keep_alive))
            await writer.drain()
            return keep_alive, fault.status
        if isinstance(fault, Stall):
            await asyncio.sleep(fault.seconds)
            return False, None
        if isinstance(fault, DropBeforeForward):
            return False, None
        if isinstance(fault, Delay):
            await asyncio.sleep(fault.seconds)
        if latency:
            await asyncio.sleep(latency)

        try:
            response = await asyncio.wait_for(self._forward(request), UPSTREAM_TIMEOUT_SECONDS)
        except (
            OSError,
            asyncio.IncompleteReadError,
            HttpProtocolError,
            asyncio.TimeoutError,
        ) as error:
            logger.warning(
                "FaultProxy could not forward %s %s to %s: %r",
                request.method,
                request.target,
                self._upstream_netloc,
                error,
            )
            writer.write(_protocol_error_bytes(502, f"upstream request failed: {error!r}"))
            await writer.drain()
            return False, 502

        if isinstance(fault, DropAfterForward):
            return False, None
        writer.write(
            serialize_response(response, keep_alive=keep_alive, request_method=request.method)
        )
        await writer.drain()
        return keep_alive, response.status

    async def _forward(self, request: Request) -> Response:
        reader, writer = await asyncio.open_connection(self._upstream_host, self._upstream_port)
        try:
            writer.write(serialize_request(request, host=self._upstream_netloc))
            await writer.drain()
            return await read_response(reader, request_method=request.method)
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
