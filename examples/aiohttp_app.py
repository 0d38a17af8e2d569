"""An aiohttp service that sends its Fig client secret, read from AWS, to the Fig API.

Run it, then request http://127.0.0.1:8080/fig-status::

    python examples/aiohttp_app.py --local   # a local Secrets Manager; no AWS account
    python examples/aiohttp_app.py           # AWS, through the default credential chain

The provider is opened and closed by a ``cleanup_ctx`` generator, so one Secrets Manager client
serves every request. The route reports whether Fig accepted the secret, never the secret.
aiohttp comes with aiobotocore, so this example needs nothing more.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
from typing import TYPE_CHECKING

from aiohttp import web
from example_support import HTTP_OK, FakeFigApi, FigClient, local_aws

from fig_secret_aws import AwsSecretProvider, secret_name_for

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence

CLIENT_NAME = "Orders Web"
HOST = "127.0.0.1"

FIG = web.AppKey("fig", FigClient)


async def fig_context(app: web.Application) -> AsyncIterator[None]:
    async with AwsSecretProvider() as provider:
        app[FIG] = FigClient(CLIENT_NAME, provider, FakeFigApi())
        yield


async def fig_status(request: web.Request) -> web.Response:
    status = await request.app[FIG].fetch_settings()

    return web.json_response(
        {
            "client": CLIENT_NAME,
            "secret_name": secret_name_for(CLIENT_NAME),
            "fig_status": status,
            "authenticated": status == HTTP_OK,
        },
    )


def create_app() -> web.Application:
    app = web.Application()
    app.cleanup_ctx.append(fig_context)
    app.router.add_get("/fig-status", fig_status)

    return app


def serve(port: int) -> None:
    """Serve the app on 127.0.0.1 until SIGINT or SIGTERM."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind((HOST, port))
        listener.listen()
        # Requests wait in the listen backlog until fig_context has opened the provider.
        print(f"Serving on http://{HOST}:{listener.getsockname()[1]}", flush=True)
        web.run_app(create_app(), sock=listener, print=None)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--local", action="store_true", help="use a local Secrets Manager")
    parser.add_argument("--port", type=int, default=8080, help="TCP port (0: any free port)")
    arguments = parser.parse_args(argv)

    with local_aws(CLIENT_NAME) if arguments.local else contextlib.nullcontext():
        serve(arguments.port)

    return 0


if __name__ == "__main__":
    raise SystemExit(main())
