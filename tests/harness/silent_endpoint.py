"""A TCP endpoint on 127.0.0.1 that never responds, for testing the bound on retries."""

from __future__ import annotations

import socket

from ._lifecycle import StartStop


class SilentEndpoint(StartStop):
    """A listening socket on 127.0.0.1 that never accepts a connection, reads or replies.

    By default the kernel completes each client connection into a large listen backlog, so a
    client connects, sends its request and waits for a reply until its read timeout fires.

    With ``backlog_full=True`` the backlog has room for one connection and the endpoint fills
    it with a connection of its own, so on Linux the kernel drops every further connection
    request and a client waits until its connect timeout fires instead.
    """

    def __init__(self, *, backlog_full: bool = False) -> None:
        """Prepare an endpoint that is not yet listening."""
        self._backlog_full = backlog_full
        self._listener: socket.socket | None = None
        self._filler: socket.socket | None = None

    @property
    def url(self) -> str:
        """URL of the endpoint, ``http://127.0.0.1:PORT``."""
        if self._listener is None:
            raise RuntimeError("SilentEndpoint is not listening; call start() first")
        port = self._listener.getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def start(self) -> None:
        """Bind to a free port on 127.0.0.1 and listen."""
        if self._listener is not None:
            raise RuntimeError("SilentEndpoint is already listening")
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(0 if self._backlog_full else 128)
        self._listener = listener
        if self._backlog_full:
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.connect(listener.getsockname())
            self._filler = filler

    def stop(self) -> None:
        """Close the listening socket and the connection that fills the backlog."""
        for sock in (self._filler, self._listener):
            if sock is not None:
                sock.close()
        self._filler = None
        self._listener = None
