"""moto's Secrets Manager server on 127.0.0.1, run in a thread of the test process."""

from __future__ import annotations

import logging
import urllib.request

from moto.moto_server.threaded_moto_server import ThreadedMotoServer

from ._lifecycle import StartStop

_RESET_TIMEOUT_SECONDS = 10.0


class MotoServer(StartStop):
    """moto server bound to 127.0.0.1 on a free port.

    moto's `ThreadedMotoServer` binds to every interface by default (moto 5.2), so the address is
    always passed explicitly. Werkzeug's per-request INFO log lines are silenced on start, because
    every test request would otherwise print one; warnings and errors still reach the log.
    """

    def __init__(self) -> None:
        """Prepare a server that is not yet running."""
        self._server: ThreadedMotoServer | None = None
        self._url: str | None = None

    @property
    def url(self) -> str:
        """Base URL of the running server, ``http://127.0.0.1:PORT``."""
        if self._url is None:
            raise RuntimeError("MotoServer is not running; call start() first")
        return self._url

    def start(self) -> None:
        """Start the server thread and wait until it listens."""
        if self._server is not None:
            raise RuntimeError("MotoServer is already running")
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        self._server = server
        self._url = f"http://{host}:{port}"

    def stop(self) -> None:
        """Stop the server and close its listening socket; does nothing when it is not running."""
        if self._server is None:
            return
        # Werkzeug's serve_forever closes the listening socket when shutdown() ends it.
        self._server.stop()
        self._server = None
        self._url = None

    def reset(self) -> None:
        """Delete every secret and other state in moto through its ``/moto-api/reset`` endpoint."""
        reset_url = f"{self.url}/moto-api/reset"  # always http://127.0.0.1:PORT/...
        request = urllib.request.Request(reset_url, data=b"", method="POST")  # noqa: S310
        # An empty ProxyHandler keeps HTTP_PROXY and similar variables from rerouting the request.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=_RESET_TIMEOUT_SECONDS) as response:
            status = response.status
            response.read()
        if status != 200:
            raise RuntimeError(f"moto reset failed with HTTP status {status}")
