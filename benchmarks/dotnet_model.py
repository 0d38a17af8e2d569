"""A model of the .NET provider's strategy, on the same aiobotocore client as the floor.

Fig's .NET ``ClientSecretProviderBase.GetSecret`` returns a cached secret without locking.
Otherwise it waits on one ``SemaphoreSlim(1, 1)`` shared by every client name, checks the
cache again, and reads the secret. ``AwsSecretProvider`` reads with ``GetSecretValue``; on
``ResourceNotFoundException`` with auto-create on it calls ``CreateSecret`` and then reads the
secret back to verify it. This model keeps that order of calls and the single lock. It leaves out
the .NET retries, which a run without faults never reaches.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from fig_secret_aws import secret_name_for

if TYPE_CHECKING:
    from types_aiobotocore_secretsmanager import SecretsManagerClient


class OneLockProvider:
    """Client secrets behind one lock for every client name: read, create, read again."""

    def __init__(self, client: SecretsManagerClient, *, auto_create: bool) -> None:
        self._client = client
        self._auto_create = auto_create
        self._lock = asyncio.Lock()
        self._cache: dict[str, str] = {}

    async def get_secret(self, client_name: str) -> str:
        """Return the cached secret, or read (and maybe create) it while holding the one lock."""
        cached = self._cache.get(client_name)
        if cached is not None:
            return cached

        async with self._lock:
            cached = self._cache.get(client_name)
            if cached is not None:
                return cached

            value = await self._read_or_create(secret_name_for(client_name))
            self._cache[client_name] = value

            return value

    async def _read(self, secret_name: str) -> str:
        reply = await self._client.get_secret_value(SecretId=secret_name)

        return reply["SecretString"]

    async def _read_or_create(self, secret_name: str) -> str:
        try:
            return await self._read(secret_name)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                raise
            if not self._auto_create:
                raise

        await self._client.create_secret(
            Name=secret_name,
            SecretString=str(uuid.uuid4()),
            Description=f"Fig client secret for {secret_name}",
        )

        # The .NET provider reads the new secret back to verify it: the third call.
        return await self._read(secret_name)
