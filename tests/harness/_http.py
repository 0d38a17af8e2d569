"""Minimal HTTP/1.1 message reading and writing on asyncio streams.

The fault proxy uses these helpers instead of an HTTP library so that it controls every byte and
every connection close. They also keep the proxy working when aiohttp's strict parser is active
(Python development mode or ``PYTHONASYNCIODEBUG``), because that parser rejects moto's
duplicated ``Server`` header.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

MAX_BODY_BYTES = 16 * 1024 * 1024
"""Largest request or response body the proxy accepts, in bytes."""

HOP_BY_HOP_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
"""Headers that describe one connection and must not be forwarded (RFC 9110, section 7.6.1)."""

_HEAD_TERMINATOR = b"\r\n\r\n"
_CHUNK_SIZE_LINE_LIMIT = 1024


class HttpProtocolError(Exception):
    """Malformed or unsupported HTTP/1.1 message."""

    def __init__(self, message: str, status: int = 400) -> None:
        """Store the message and the status code to reply with when a request caused it."""
        super().__init__(message)
        self.status = status


@dataclass
class Headers:
    """Ordered HTTP header fields with case-insensitive lookup, duplicates included."""

    fields: list[tuple[str, str]]

    def get_all(self, name: str) -> list[str]:
        """Return every value of the header `name`, in message order."""
        lowered = name.lower()
        return [value for field, value in self.fields if field.lower() == lowered]

    def get(self, name: str) -> str | None:
        """Return the first value of the header `name`, or None when it is absent."""
        values = self.get_all(name)
        return values[0] if values else None

    def connection_tokens(self) -> set[str]:
        """Return the lower-case tokens of every ``Connection`` header."""
        tokens: set[str] = set()
        for value in self.get_all("connection"):
            tokens.update(token.strip().lower() for token in value.split(",") if token.strip())
        return tokens


@dataclass
class Request:
    """HTTP request as read from a client connection."""

    method: str
    target: str
    version: str
    headers: Headers
    body: bytes

    def wants_keep_alive(self) -> bool:
        """Return whether the client allows the connection to carry another request."""
        tokens = self.headers.connection_tokens()
        if self.version == "HTTP/1.0":
            return "keep-alive" in tokens
        return "close" not in tokens


@dataclass
class Response:
    """HTTP response as read from the upstream server."""

    status: int
    reason: str
    headers: Headers
    body: bytes


def _parse_header_fields(lines: list[str]) -> Headers:
    fields: list[tuple[str, str]] = []
    for line in lines:
        name, separator, value = line.partition(":")
        if not separator or not name or name != name.strip():
            raise HttpProtocolError(f"invalid header line {line!r}")
        fields.append((name, value.strip()))
    return Headers(fields)


async def read_head(reader: asyncio.StreamReader) -> tuple[str, Headers] | None:
    """Read a start line and header block.

    Returns None when the peer closed the connection before sending any byte of a new message,
    which is how a keep-alive connection normally ends. Raises HttpProtocolError when the head is
    cut off, too long for the reader's limit, or malformed.
    """
    try:
        raw = await reader.readuntil(_HEAD_TERMINATOR)
    except asyncio.IncompleteReadError as error:
        if not error.partial:
            return None
        raise HttpProtocolError("connection closed in the middle of a message head") from error
    except asyncio.LimitOverrunError as error:
        raise HttpProtocolError("message head is too long", status=431) from error

    try:
        text = raw[: -len(_HEAD_TERMINATOR)].decode("latin-1")
    except UnicodeDecodeError as error:  # pragma: no cover - latin-1 decodes every byte
        raise HttpProtocolError("message head is not latin-1 text") from error
    start_line, *header_lines = text.split("\r\n")
    return start_line, _parse_header_fields(header_lines)


def _parse_content_length(headers: Headers) -> int | None:
    values = {value.strip() for value in headers.get_all("content-length")}
    if not values:
        return None
    if len(values) > 1:
        raise HttpProtocolError(f"conflicting Content-Length values {sorted(values)}")
    value = values.pop()
    if not value.isdigit():
        raise HttpProtocolError(f"invalid Content-Length {value!r}")
    length = int(value)
    if length > MAX_BODY_BYTES:
        raise HttpProtocolError(
            f"body of {length} bytes exceeds the {MAX_BODY_BYTES}-byte limit", status=413
        )
    return length


async def _read_chunked_body(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size_line = await reader.readline()
        if not size_line.endswith(b"\r\n") or len(size_line) > _CHUNK_SIZE_LINE_LIMIT:
            raise HttpProtocolError("invalid or cut-off chunk size line")
        size_text = size_line[:-2].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError as error:
            raise HttpProtocolError(f"invalid chunk size {size_text!r}") from error
        if size == 0:
            break
        if len(body) + size > MAX_BODY_BYTES:
            raise HttpProtocolError(
                f"chunked body exceeds the {MAX_BODY_BYTES}-byte limit", status=413
            )
        body += await reader.readexactly(size)
        if await reader.readexactly(2) != b"\r\n":
            raise HttpProtocolError("chunk data is not followed by CRLF")

    # Skip any trailer fields up to the empty line that ends the message.
    while True:
        trailer_line = await reader.readline()
        if trailer_line in (b"\r\n", b""):
            return bytes(body)


async def read_body(reader: asyncio.StreamReader, headers: Headers, *, until_eof: bool) -> bytes:
    """Read a message body framed by ``Transfer-Encoding: chunked`` or ``Content-Length``.

    When neither header is present, reads to the end of the stream if `until_eof` is true (a
    response on a closing connection) and returns an empty body otherwise (a request).
    """
    transfer_encoding = ",".join(headers.get_all("transfer-encoding")).strip().lower()
    if transfer_encoding:
        if headers.get("content-length") is not None:
            raise HttpProtocolError("message has both Transfer-Encoding and Content-Length")
        if transfer_encoding != "chunked":
            raise HttpProtocolError(
                f"unsupported Transfer-Encoding {transfer_encoding!r}", status=501
            )
        return await _read_chunked_body(reader)

    length = _parse_content_length(headers)
    if length is not None:
        return await reader.readexactly(length)
    if not until_eof:
        return b""

    body = bytearray()
    while chunk := await reader.read(64 * 1024):
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise HttpProtocolError(f"body exceeds the {MAX_BODY_BYTES}-byte limit", status=413)
    return bytes(body)


async def read_request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> Request | None:
    """Read one request from a client connection, or return None at a clean end of stream.

    Sends ``100 Continue`` when the client asks for it before sending the body.
    """
    head = await read_head(reader)
    if head is None:
        return None
    start_line, headers = head

    parts = start_line.split(" ")
    if len(parts) != 3:  # method, target and version
        raise HttpProtocolError(f"invalid request line {start_line!r}")
    method, target, version = parts
    if version not in ("HTTP/1.1", "HTTP/1.0"):
        raise HttpProtocolError(f"unsupported HTTP version {version!r}", status=505)

    expect = headers.get("expect")
    if expect is not None and expect.lower() == "100-continue":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        await writer.drain()

    body = await read_body(reader, headers, until_eof=False)
    return Request(method, target, version, headers, body)


async def read_response(reader: asyncio.StreamReader, *, request_method: str) -> Response:
    """Read one final response from an upstream connection, skipping interim 1xx responses."""
    while True:
        head = await read_head(reader)
        if head is None:
            raise HttpProtocolError("upstream closed the connection without a response")
        status_line, headers = head
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
            raise HttpProtocolError(f"invalid status line {status_line!r}")
        status = int(parts[1])
        reason = parts[2] if len(parts) == 3 else ""
        if status >= 200:  # 1xx responses are interim
            break

    if request_method == "HEAD" or status in (204, 304):
        body = b""
    else:
        body = await read_body(reader, headers, until_eof=True)
    return Response(status, reason, headers, body)


def serialize_request(request: Request, *, host: str) -> bytes:
    """Serialize `request` for the upstream server on a connection that closes after the reply.

    Drops hop-by-hop headers, ``Expect`` and the client's framing headers, and sets ``Host``,
    ``Content-Length`` and ``Connection: close``.
    """
    dropped = HOP_BY_HOP_HEADERS | {"content-length", "host", "expect"}
    lines = [f"{request.method} {request.target} HTTP/1.1", f"Host: {host}"]
    lines += [
        f"{name}: {value}" for name, value in request.headers.fields if name.lower() not in dropped
    ]
    lines += [f"Content-Length: {len(request.body)}", "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + request.body


def serialize_response(response: Response, *, keep_alive: bool, request_method: str) -> bytes:
    """Serialize an upstream `response` for the client with consistent framing.

    Drops hop-by-hop headers, keeps only the first ``Server`` header, and replaces the upstream
    framing with one ``Content-Length`` that matches the body (for a HEAD request the upstream
    ``Content-Length`` is kept, because there is no body to measure).
    """
    keep_length = request_method == "HEAD"
    lines = [f"HTTP/1.1 {response.status} {response.reason}".rstrip()]
    seen_server = False
    for name, value in response.headers.fields:
        lowered = name.lower()
        if lowered in HOP_BY_HOP_HEADERS or (lowered == "content-length" and not keep_length):
            continue
        if lowered == "server":
            if seen_server:
                continue
            seen_server = True
        lines.append(f"{name}: {value}")
    if not keep_length and response.status not in (204, 304):
        lines.append(f"Content-Length: {len(response.body)}")
    lines.append(f"Connection: {'keep-alive' if keep_alive else 'close'}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + response.body


def build_response(
    status: int, reason: str, headers: list[tuple[str, str]], body: bytes, *, keep_alive: bool
) -> bytes:
    """Serialize a response made by the proxy itself, with ``Content-Length`` and ``Connection``."""
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{name}: {value}" for name, value in headers]
    lines += [
        f"Content-Length: {len(body)}",
        f"Connection: {'keep-alive' if keep_alive else 'close'}",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
