"""Pieces shared by the examples: a client of a stand-in Fig API, and the local AWS mode.

Nothing here is needed to use fig-secret-aws in an application. ``FigClient`` shows the usual
pattern around the provider: send the cached secret, and re-read it once when Fig rejects it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from contextlib import contextmanager
from typing import TYPE_CHECKING

from fig_secret_aws import AwsSecretProvider

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

HTTP_OK = 200
HTTP_UNAUTHORIZED = 401

# The Fig API rejects client secrets shorter than this or with fewer distinct characters.
_FIG_MIN_SECRET_LENGTH = 32
_FIG_MIN_DISTINCT_CHARACTERS = 10


class FakeFigApi:
    """An in-process stand-in for the Fig API's check of the ``clientSecret`` header.

    Like Fig, it registers a client with the first valid secret it receives and then accepts
    only that secret. Like Fig, it keeps only a hash of it. It sends no network traffic.
    """

    def __init__(self) -> None:
        self._registered: dict[str, bytes] = {}

    async def get_settings(self, client_name: str, *, headers: Mapping[str, str]) -> int:
        """Return the HTTP status the Fig API would send to a settings request."""
        await asyncio.sleep(0)  # A real client awaits the network here.
        secret = headers.get("clientSecret", "")
        if len(secret) < _FIG_MIN_SECRET_LENGTH or len(set(secret)) < _FIG_MIN_DISTINCT_CHARACTERS:
            return HTTP_UNAUTHORIZED

        digest = hashlib.sha256(secret.encode()).digest()
        registered = self._registered.setdefault(client_name, digest)

        return HTTP_OK if hmac.compare_digest(registered, digest) else HTTP_UNAUTHORIZED


class FigClient:
    """Calls the Fig API as *client_name*, with the client secret from *provider*."""

    def __init__(self, client_name: str, provider: AwsSecretProvider, fig_api: FakeFigApi) -> None:
        self.client_name = client_name
        self._provider = provider
        self._fig_api = fig_api

    async def fetch_settings(self) -> int:
        """Request this client's settings and return the HTTP status.

        A rejected secret may have been rotated since it was cached, so it is re-read from
        Secrets Manager once and the request is sent again.
        """
        secret = await self._provider.get_secret(self.client_name)
        status = await self._fig_api.get_settings(
            self.client_name, headers={"clientSecret": secret}
        )
        if status == HTTP_UNAUTHORIZED:
            secret = await self._provider.refresh(self.client_name)
            status = await self._fig_api.get_settings(
                self.client_name, headers={"clientSecret": secret}
            )

        return status


@contextmanager
def local_aws(*client_names: str) -> Iterator[None]:
    """Run a local Secrets Manager on 127.0.0.1 holding these clients' secrets.

    Until the block ends, every AWS setting of this process points at it, with fake
    credentials, so ``AwsSecretProvider()`` without arguments uses it. Needs moto's server:
    ``pip install 'fig-secret-aws[local]'``.
    """
    from fig_secret_aws._local import (  # noqa: PLC0415 (moto is imported only in local mode)
        isolated_aws_environment,
        local_secrets_manager,
    )

    with local_secrets_manager() as endpoint_url, isolated_aws_environment(endpoint_url):
        # Provision the secrets as an ops engineer would with "fig-secret-aws ensure".
        asyncio.run(_ensure_secrets(client_names))
        yield


async def _ensure_secrets(client_names: tuple[str, ...]) -> None:
    async with AwsSecretProvider() as provider:
        for client_name in client_names:
            await provider.ensure_secret(client_name)
