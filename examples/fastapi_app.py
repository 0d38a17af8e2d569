"""A FastAPI service that sends its Fig client secret, read from AWS, to the Fig API.

Run it, then request http://127.0.0.1:8000/fig-status::

    python examples/fastapi_app.py --local   # a local Secrets Manager; no AWS account
    python examples/fastapi_app.py           # AWS, through the default credential chain

The provider is opened in the lifespan, so one Secrets Manager client serves every request
and is closed at shutdown. The route reports whether Fig accepted the secret, never the secret.
Needs the ``examples`` extra: ``pip install 'fig-secret-aws[examples]'``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
from typing import TYPE_CHECKING, Annotated

import uvicorn
from example_support import HTTP_OK, FakeFigApi, FigClient, local_aws
from fastapi import Depends, FastAPI, Request

from fig_secret_aws import AwsSecretProvider, secret_name_for

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence

CLIENT_NAME = "Orders API"
HOST = "127.0.0.1"


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with AwsSecretProvider() as provider:
        app.state.fig = FigClient(CLIENT_NAME, provider, FakeFigApi())
        yield


app = FastAPI(lifespan=lifespan)


def fig_client(request: Request) -> FigClient:
    fig: FigClient = request.app.state.fig

    return fig


@app.get("/fig-status")
async def fig_status(fig: Annotated[FigClient, Depends(fig_client)]) -> dict[str, object]:
    status = await fig.fetch_settings()

    return {
        "client": CLIENT_NAME,
        "secret_name": secret_name_for(CLIENT_NAME),
        "fig_status": status,
        "authenticated": status == HTTP_OK,
    }


async def serve(port: int) -> None:
    """Serve the app on 127.0.0.1 until SIGINT or SIGTERM."""
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="info"))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind((HOST, port))
        listener.listen()
        # Requests wait in the listen backlog until the lifespan has opened the provider.
        print(f"Serving on http://{HOST}:{listener.getsockname()[1]}", flush=True)
        await server.serve(sockets=[listener])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--local", action="store_true", help="use a local Secrets Manager")
    parser.add_argument("--port", type=int, default=8000, help="TCP port (0: any free port)")
    arguments = parser.parse_args(argv)

    aws = local_aws(CLIENT_NAME) if arguments.local else contextlib.nullcontext()
    with aws, contextlib.suppress(KeyboardInterrupt):
        # uvicorn re-raises the SIGINT it handled once the server has stopped.
        asyncio.run(serve(arguments.port))

    return 0


if __name__ == "__main__":
    raise SystemExit(main())
