"""`AwsSecretProvider`: the cache, per-name single flight, lifecycle and auto-create decision."""

from __future__ import annotations

import asyncio
import enum
import logging
import math
import os
import shlex
import time
import uuid
from collections.abc import Mapping
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING

import backoff

from ._errors import (
    AwsConfigurationError,
    EventLoopMismatchError,
    InvalidSecretValueError,
    ProviderClosedError,
    SecretNotFoundError,
)
from ._naming import secret_name_for
from ._results import EnsureResult, RotateResult
from ._secrets_manager import RetryPolicy, SecretsManager, install_redacting_filter, open_client

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from types import TracebackType

    from types_aiobotocore_secretsmanager import SecretsManagerClient
    from typing_extensions import Self

__all__ = ["AwsSecretProvider"]

logger = logging.getLogger("fig_secret_aws.provider")

DEFAULT_CACHE_TTL = 300.0
DEFAULT_REFRESH_FAILURE_DELAY = 30.0

# Fig's API rejects client secrets shorter than this or with fewer distinct characters.
_FIG_MIN_SECRET_LENGTH = 32
_FIG_MIN_DISTINCT_CHARACTERS = 10

# After losing a create race, the winner's secret can take a moment to become readable.
_RACE_READ_ATTEMPTS = 5
_RACE_READ_MAX_TIME = 5.0


# The cache's clock: monotonic, so a wall-clock jump never expires or revives entries.
# Tests replace it to move time forward without sleeping.
_clock = time.monotonic


class _State(enum.Enum):
    UNOPENED = "unopened"
    OPENED = "opened"
    CLOSED = "closed"


class _Entry:
    """A cached secret value.

    ``fetch_number`` numbers the fetch that read it; ``expires_at`` is a `_clock` reading.
    """

    __slots__ = ("expires_at", "fetch_number", "secret_name", "value")

    def __init__(self, secret_name: str, value: str, fetch_number: int, expires_at: float) -> None:
        self.secret_name = secret_name
        self.value = value
        self.fetch_number = fetch_number
        self.expires_at = expires_at

    def __repr__(self) -> str:
        return f"<_Entry {self.secret_name} value=[hidden]>"


class _Flight:
    """Coordination for one secret name while callers are fetching it.

    ``completed`` counts finished fetches, and a caller notes it before waiting for the lock.
    If it has changed once the caller holds the lock, a fetch ran meanwhile. The caller then
    takes that fetch's outcome, its value or its error, instead of sending requests of its own.
    ``fetch_number`` numbers the latest fetch, so that a forced re-read can reject an older one.
    """

    __slots__ = ("completed", "discarded", "entry", "error", "fetch_number", "lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0
        self.completed = 0
        self.fetch_number = -1
        self.entry: _Entry | None = None
        self.error: Exception | None = None
        self.discarded = False


def _auto_create_from_environment() -> bool:
    environment = os.environ.get("ASPNETCORE_ENVIRONMENT")
    if environment is None:
        environment = os.environ.get("DOTNET_ENVIRONMENT")

    return environment is not None and environment.casefold() == "development"


def _check_new_value(secret_name: str, value: object) -> None:
    """Reject a new client secret that the Fig API would reject, without quoting it."""
    if not isinstance(value, str):
        msg = f"The new client secret must be a str, not {type(value).__name__}."
        raise TypeError(msg)

    problem = None
    if value != value.strip():
        problem = "starts or ends with whitespace, such as a trailing newline"
    elif len(value) < _FIG_MIN_SECRET_LENGTH:
        problem = f"has {len(value)} characters; Fig requires at least {_FIG_MIN_SECRET_LENGTH}"
    elif len(set(value)) < _FIG_MIN_DISTINCT_CHARACTERS:
        problem = (
            f"has only {len(set(value))} distinct character(s); Fig requires at least "
            f"{_FIG_MIN_DISTINCT_CHARACTERS}"
        )
    if problem is not None:
        msg = (
            f"The new client secret for {secret_name!r} {problem}. Nothing was stored. "
            "Use a new GUID, the kind of value Fig generates."
        )
        raise InvalidSecretValueError(msg, secret_name=secret_name)


def _check_seconds(
    name: str, value: object, *, allow_none: bool = False, allow_zero: bool = False
) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        valid = False
    else:
        valid = value >= 0 if allow_zero else value > 0
    if not valid:
        expected = "a number of seconds " + (">= 0" if allow_zero else "> 0")
        if allow_none:
            expected += " or None"
        msg = f"{name} must be {expected}, not {value!r}."
        raise ValueError(msg)


def _check_text(name: str, value: object) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        msg = f"{name} must be a str or None, not {type(value).__name__}."
        raise TypeError(msg)
    if not value.strip():
        msg = f"{name} must not be empty; pass None to use the AWS default chain."
        raise ValueError(msg)


def _check_tags(tags: object) -> None:
    if tags is None:
        return
    valid = isinstance(tags, Mapping) and all(
        isinstance(key, str) and isinstance(value, str) for key, value in tags.items()
    )
    if not valid:
        msg = "tags must be a mapping of str keys to str values, such as {'team': 'orders'}."
        raise TypeError(msg)


def _check_session(session: object) -> None:
    # aiobotocore's AioSession has create_client(); aioboto3's Session has client().
    if session is None or any(
        callable(getattr(session, method, None)) for method in ("create_client", "client")
    ):
        return
    msg = (
        "session must be an aiobotocore AioSession or an aioboto3.Session, "
        f"not {type(session).__name__}."
    )
    raise TypeError(msg)


class AwsSecretProvider:
    """Fig client secrets from AWS Secrets Manager, cached per client name.

    Use it as an async context manager, which opens one Secrets Manager client and closes it
    on exit, or call `get_secret` directly and `aclose` when done::

        async with AwsSecretProvider(region_name="eu-west-1") as provider:
            secret = await provider.get_secret("MyService")

    Args:
        region_name: AWS region; ``None`` uses the default chain (``AWS_DEFAULT_REGION``,
            the profile).
        endpoint_url: Secrets Manager endpoint URL, for a VPC endpoint or a local server.
        profile_name: AWS profile for a new session; not combined with *session*.
        session: an aiobotocore ``AioSession`` or an ``aioboto3.Session`` to open the
            client from.
        client: an open Secrets Manager client to use. The provider never closes it, and
            *region_name*, *endpoint_url*, *profile_name* and *session* must be left unset.
        auto_create: create a missing secret holding a new GUID. ``None`` (the default)
            means true exactly when ``ASPNETCORE_ENVIRONMENT``, or if that is unset
            ``DOTNET_ENVIRONMENT``, equals ``Development`` (ignoring case) at construction.
        cache_ttl: seconds a fetched secret is served from memory before it is re-read;
            ``None`` never re-reads. Defaults to 300.
        refresh_failure_delay: seconds to keep serving the old value after a failed re-read
            before trying again. Defaults to 30.
        kms_key_id: KMS key for secrets this provider creates; ``None`` uses the AWS
            managed key ``aws/secretsmanager``.
        tags: tags for secrets this provider creates.
        max_attempts: requests sent at most per operation, retries included. Defaults to 5.
        max_retry_time: seconds after the first request past which no retry starts.
            Defaults to 10.
        retry_base_delay: first backoff delay in seconds (full jitter, doubling each retry).
            Defaults to 0.25.
        retry_max_delay: maximum backoff delay in seconds. Defaults to 4.
        connect_timeout: seconds to open a connection (owned client only). Defaults to 2.
        read_timeout: seconds to wait for a reply (owned client only). Defaults to 5.
        max_pool_connections: HTTP connections kept by the owned client. Defaults to 10.

    """

    name = "Aws"
    """The provider name Fig's ``FIG_CLIENT_SECRET_PROVIDERS`` list refers to."""

    is_enabled = True
    """Always true; kept for parity with Fig's client secret provider contract."""

    def __init__(
        self,
        *,
        region_name: str | None = None,
        endpoint_url: str | None = None,
        profile_name: str | None = None,
        session: object | None = None,
        client: SecretsManagerClient | None = None,
        auto_create: bool | None = None,
        cache_ttl: float | None = DEFAULT_CACHE_TTL,
        refresh_failure_delay: float = DEFAULT_REFRESH_FAILURE_DELAY,
        kms_key_id: str | None = None,
        tags: Mapping[str, str] | None = None,
        max_attempts: int = 5,
        max_retry_time: float = 10.0,
        retry_base_delay: float = 0.25,
        retry_max_delay: float = 4.0,
        connect_timeout: float = 2.0,
        read_timeout: float = 5.0,
        max_pool_connections: int = 10,
    ) -> None:
        if client is not None and any(
            option is not None for option in (region_name, endpoint_url, profile_name, session)
        ):
            msg = (
                "Pass client= alone: region_name, endpoint_url, profile_name and session "
                "configure a client that the provider opens itself."
            )
            raise AwsConfigurationError(msg)
        if auto_create is not None and not isinstance(auto_create, bool):
            msg = f"auto_create must be True, False or None, not {auto_create!r}."
            raise TypeError(msg)
        for option, text in (
            ("region_name", region_name),
            ("endpoint_url", endpoint_url),
            ("profile_name", profile_name),
            ("kms_key_id", kms_key_id),
        ):
            _check_text(option, text)
        _check_session(session)
        _check_tags(tags)
        _check_seconds("cache_ttl", cache_ttl, allow_none=True)
        _check_seconds("refresh_failure_delay", refresh_failure_delay)
        _check_seconds("connect_timeout", connect_timeout)
        _check_seconds("read_timeout", read_timeout)
        _check_seconds("max_retry_time", max_retry_time, allow_zero=True)
        _check_seconds("retry_base_delay", retry_base_delay, allow_zero=True)
        _check_seconds("retry_max_delay", retry_max_delay, allow_zero=True)
        if isinstance(max_attempts, bool) or not isinstance(max_attempts, int):
            msg = f"max_attempts must be an int >= 1, not {max_attempts!r}."
            raise TypeError(msg)
        if isinstance(max_pool_connections, bool) or not isinstance(max_pool_connections, int):
            msg = f"max_pool_connections must be an int >= 1, not {max_pool_connections!r}."
            raise TypeError(msg)
        if max_pool_connections < 1:
            msg = f"max_pool_connections must be an int >= 1, not {max_pool_connections!r}."
            raise ValueError(msg)

        self._retry = RetryPolicy(
            max_attempts=max_attempts,
            max_time=max_retry_time,
            base_delay=retry_base_delay,
            max_delay=retry_max_delay,
        )
        self._region_name = region_name
        self._endpoint_url = endpoint_url
        self._profile_name = profile_name
        self._session = session
        self._client = client
        self._auto_create = _auto_create_from_environment() if auto_create is None else auto_create
        self._cache_ttl = cache_ttl
        self._refresh_failure_delay = float(refresh_failure_delay)
        self._kms_key_id = kms_key_id
        self._tags = dict(tags) if tags else None
        self._connect_timeout = float(connect_timeout)
        self._read_timeout = float(read_timeout)
        self._max_pool_connections = max_pool_connections

        self._state = _State.UNOPENED
        self._stack = AsyncExitStack()
        self._manager: SecretsManager | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._open_lock: asyncio.Lock | None = None
        self._cache: dict[str, _Entry] = {}
        self._flights: dict[str, _Flight] = {}
        self._fetches_started = 0
        self._warned_weak: set[str] = set()

        install_redacting_filter()

    def __repr__(self) -> str:
        region = self._region_name or "default"

        return (
            f"<AwsSecretProvider region={region} state={self._state.value} "
            f"auto_create={self._auto_create} cached={len(self._cache)}>"
        )

    @property
    def auto_create(self) -> bool:
        """Whether a missing secret is created, as decided at construction."""
        return self._auto_create

    @property
    def cache_ttl(self) -> float | None:
        """Seconds a secret is served from memory before a re-read, or ``None`` for never."""
        return self._cache_ttl

    @property
    def closed(self) -> bool:
        """Whether `aclose` was called."""
        return self._state is _State.CLOSED

    async def __aenter__(self) -> Self:
        await self._open()

        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the Secrets Manager client the provider opened and forget cached secrets.

        Calling it again does nothing. A client passed as ``client=`` is left open.
        """
        if self._state is _State.CLOSED:
            return

        self._state = _State.CLOSED
        self._cache.clear()
        if self._manager is not None:
            self._manager.mark_closed()
            self._manager = None
        await self._stack.aclose()
        logger.debug("Provider closed")

    async def get_secret(self, client_name: str) -> str:
        """Return the Fig client secret of *client_name*.

        A cached value is returned at once, with no call and no lock. Otherwise one
        ``GetSecretValue`` request serves every concurrent caller of the same name; with
        auto-create on, a missing secret is created holding a new GUID.

        Raises:
            TypeError: *client_name* is not a ``str``.
            InvalidClientNameError: the name cannot form a valid secret name.
            SecretNotFoundError: the secret does not exist and auto-create is off.
            FigSecretError: any other failure, as a subclass that names the cause.

        """
        try:
            entry = self._cache.get(client_name)
        except TypeError:  # an unhashable name; secret_name_for() explains the problem
            entry = None
        if entry is not None and entry.expires_at > _clock():
            return entry.value

        return await self._get_slow(client_name, entry)

    async def refresh(self, client_name: str) -> str:
        """Re-read *client_name*'s secret from Secrets Manager, bypassing the cache.

        Use it when the Fig API has just rejected the cached secret. Concurrent calls share
        one request. On failure the error is raised and the cached value is kept.
        """
        secret_name = secret_name_for(client_name)
        self._check_usable()

        # Any fetch newer than the cached value will do; with nothing cached, only a fetch
        # that starts from now on.
        cached = self._cache.get(client_name)
        first_acceptable = self._fetches_started if cached is None else cached.fetch_number + 1
        entry = await self._fetch_shared(client_name, secret_name, first_acceptable)

        return entry.value

    def invalidate(self, client_name: str) -> None:
        """Drop the cached secret of *client_name*, so the next call reads it again.

        Every client name that maps to the same secret name is dropped too, and a fetch
        already under way is not cached.
        """
        secret_name = secret_name_for(client_name)
        for name, entry in list(self._cache.items()):
            if entry.secret_name == secret_name:
                del self._cache[name]
        flight = self._flights.get(secret_name)
        if flight is not None:
            flight.discarded = True

    async def ensure_secret(
        self,
        client_name: str,
        *,
        description: str | None = None,
        kms_key_id: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> EnsureResult:
        """Create *client_name*'s secret holding a new GUID unless it exists.

        This is for provisioning, so it works whatever *auto_create* is. An existing secret
        is left as it is: its value, description, KMS key and tags are not changed. The call
        needs ``secretsmanager:DescribeSecret``, and for a missing secret also
        ``secretsmanager:CreateSecret`` (plus ``secretsmanager:TagResource`` with tags). The
        value is never returned; read it with `get_secret`.

        Args:
            client_name: the Fig client name.
            description: the description of a created secret. Defaults to
                ``Fig client secret for <secret name>``, as the .NET provider writes it.
            kms_key_id: the KMS key of a created secret. ``None`` uses the provider's
                *kms_key_id*.
            tags: the tags of a created secret. ``None`` uses the provider's *tags*.

        Raises:
            TypeError: *client_name* is not a ``str``.
            InvalidClientNameError: the name cannot form a valid secret name.
            SecretScheduledForDeletionError: the secret is scheduled for deletion.
            SecretAccessDeniedError: IAM or KMS denied one of the actions above.
            FigSecretError: any other failure, as a subclass that names the cause.

        """
        secret_name = secret_name_for(client_name)
        self._check_usable()
        manager = await self._ensure_manager()

        try:
            arn = await manager.describe_secret_arn(secret_name)
        except SecretNotFoundError:
            pass
        else:
            return EnsureResult(secret_name=secret_name, arn=arn, created=False)

        if description is None:
            description = f"Fig client secret for {secret_name}"
        started = time.monotonic()
        created_arn = await manager.try_create_secret(
            secret_name,
            str(uuid.uuid4()),
            description=description,
            request_token=str(uuid.uuid4()),
            kms_key_id=self._kms_key_id if kms_key_id is None else kms_key_id,
            tags=self._tags if tags is None else tags,
        )
        if created_arn is None:
            # Another process created it between DescribeSecret and CreateSecret.
            arn = await manager.describe_secret_arn(secret_name)

            return EnsureResult(secret_name=secret_name, arn=arn, created=False)

        logger.info(
            "Created secret %s for client %r in %.1f ms",
            secret_name,
            client_name,
            (time.monotonic() - started) * 1000,
        )
        # A cached value for this name belonged to a secret that has since been deleted.
        self.invalidate(client_name)

        return EnsureResult(secret_name=secret_name, arn=created_arn, created=True)

    async def rotate_secret(self, client_name: str, new_value: str) -> RotateResult:
        """Store *new_value* as the current version of *client_name*'s secret.

        Secrets Manager labels the new version ``AWSCURRENT`` and the version it replaces
        ``AWSPREVIOUS``, so the old value stays readable. A retried request does not store a
        second version. This provider caches *new_value* for *client_name* and drops the
        cached values of other client names that share the secret. Other processes pick the
        new value up within their *cache_ttl*, or at once through `refresh`.

        Set the new value in Fig first, in the client's change-client-secret dialog, with a
        grace period longer than the services' *cache_ttl*: Fig then accepts both values
        while the services move to the new one.

        The call needs ``secretsmanager:PutSecretValue``, and ``kms:GenerateDataKey`` on a
        customer managed key.

        Raises:
            TypeError: *client_name* or *new_value* is not a ``str``.
            InvalidClientNameError: the name cannot form a valid secret name.
            InvalidSecretValueError: the Fig API would reject *new_value*; no call was made.
            SecretNotFoundError: the secret does not exist; create it with `ensure_secret`.
            FigSecretError: any other failure, as a subclass that names the cause.

        """
        secret_name = secret_name_for(client_name)
        _check_new_value(secret_name, new_value)
        self._check_usable()
        manager = await self._ensure_manager()

        started = time.monotonic()
        try:
            version = await manager.put_secret_string(
                secret_name,
                new_value,
                request_token=str(uuid.uuid4()),
            )
        except SecretNotFoundError as exc:
            msg = (
                f"The secret {secret_name!r} for client {client_name!r} was not found in "
                f"region {manager.region_name}, so there is nothing to rotate. Create it first "
                f'with "fig-secret-aws ensure {shlex.quote(client_name)}".'
            )
            raise SecretNotFoundError(msg, secret_name=secret_name) from exc.__cause__
        logger.info(
            "Stored version %s of secret %s for client %r as AWSCURRENT in %.1f ms",
            version.version_id,
            secret_name,
            client_name,
            (time.monotonic() - started) * 1000,
        )
        self._store_rotated(client_name, secret_name, new_value)

        return RotateResult(secret_name=secret_name, arn=version.arn, version_id=version.version_id)

    def _store_rotated(self, client_name: str, secret_name: str, value: str) -> None:
        """Cache the value a rotation stored, which no read has to confirm."""
        self.invalidate(client_name)
        if self._state is _State.CLOSED:
            return

        # Numbered like a fetch, so that refresh() accepts only reads that start after it.
        fetch_number = self._fetches_started
        self._fetches_started += 1
        expires_at = math.inf if self._cache_ttl is None else _clock() + self._cache_ttl
        self._cache[client_name] = _Entry(secret_name, value, fetch_number, expires_at)

    async def _get_slow(self, client_name: str, entry: _Entry | None) -> str:
        secret_name = secret_name_for(client_name)
        self._check_usable()

        if entry is None:
            return (await self._fetch_shared(client_name, secret_name)).value

        return await self._revalidate(client_name, secret_name, entry)

    async def _revalidate(self, client_name: str, secret_name: str, stale: _Entry) -> str:
        """Re-read an expired entry; serve the stale value while another caller re-reads."""
        flight = self._flights.get(secret_name)
        if flight is not None and flight.lock.locked():
            return stale.value

        try:
            entry = await self._fetch_shared(client_name, secret_name, stale.fetch_number + 1)
        except Exception as exc:  # noqa: BLE001 (every failure keeps the old value in service)
            stale.expires_at = _clock() + self._refresh_failure_delay
            logger.warning(
                "Re-reading %s for client %r failed (%s); serving the cached value for "
                "%.0f s more before the next attempt",
                secret_name,
                client_name,
                type(exc).__name__,
                self._refresh_failure_delay,
            )

            return stale.value

        return entry.value

    async def _fetch_shared(
        self,
        client_name: str,
        secret_name: str,
        first_acceptable: int = 0,
    ) -> _Entry:
        """Fetch *secret_name* once for every concurrent caller, and cache it.

        A caller that waited while another fetch ran takes that fetch's outcome, provided its
        fetch number is at least *first_acceptable*.
        """
        flight = self._flights.get(secret_name)
        if flight is None:
            flight = self._flights[secret_name] = _Flight()
        flight.users += 1
        ticket = flight.completed

        try:
            async with flight.lock:
                shared = flight.completed != ticket and flight.fetch_number >= first_acceptable
                if shared:
                    if flight.error is not None:
                        raise flight.error
                    assert flight.entry is not None  # noqa: S101 (set with completed)
                    entry = flight.entry
                else:
                    entry = await self._fetch_as_leader(client_name, secret_name, flight)

                # aclose() or invalidate() during the fetch: the caller gets the value, but
                # it is not cached.
                if not flight.discarded and self._state is not _State.CLOSED:
                    self._cache[client_name] = entry

                return entry
        finally:
            flight.users -= 1
            if flight.users == 0 and self._flights.get(secret_name) is flight:
                del self._flights[secret_name]

    async def _fetch_as_leader(self, client_name: str, secret_name: str, flight: _Flight) -> _Entry:
        flight.fetch_number = self._fetches_started
        self._fetches_started += 1
        flight.discarded = False
        try:
            value = await self._read_or_create(client_name, secret_name)
        except Exception as exc:
            flight.entry, flight.error = None, exc
            flight.completed += 1
            raise

        now = _clock()
        expires_at = math.inf if self._cache_ttl is None else now + self._cache_ttl
        entry = _Entry(secret_name, value, flight.fetch_number, expires_at)
        flight.entry, flight.error = entry, None
        flight.completed += 1

        return entry

    async def _read_or_create(self, client_name: str, secret_name: str) -> str:
        manager = await self._ensure_manager()
        started = time.monotonic()

        try:
            value = await manager.get_secret_string(secret_name)
        except SecretNotFoundError as exc:
            if not self._auto_create:
                raise self._not_found(client_name, secret_name, manager) from exc.__cause__
        else:
            logger.info(
                "Fetched secret %s for client %r in %.1f ms",
                secret_name,
                client_name,
                (time.monotonic() - started) * 1000,
            )
            self._warn_if_weak(client_name, secret_name, value)

            return value

        return await self._create(client_name, secret_name, manager)

    async def _create(self, client_name: str, secret_name: str, manager: SecretsManager) -> str:
        started = time.monotonic()
        value = str(uuid.uuid4())
        created = await manager.create_secret(
            secret_name,
            value,
            description=f"Fig client secret for {secret_name}",
            request_token=str(uuid.uuid4()),
            kms_key_id=self._kms_key_id,
            tags=self._tags,
        )
        if created:
            logger.info(
                "Created secret %s for client %r in %.1f ms",
                secret_name,
                client_name,
                (time.monotonic() - started) * 1000,
            )

            return value

        logger.info(
            "Secret %s for client %r was created by another process; reading its value",
            secret_name,
            client_name,
        )
        read_winner: Callable[[str], Awaitable[str]] = backoff.on_exception(
            backoff.expo,
            SecretNotFoundError,
            max_tries=_RACE_READ_ATTEMPTS,
            max_time=_RACE_READ_MAX_TIME,
            jitter=backoff.full_jitter,
            logger=None,
            factor=0.1,
        )(manager.get_secret_string)
        value = await read_winner(secret_name)
        self._warn_if_weak(client_name, secret_name, value)

        return value

    def _not_found(
        self,
        client_name: str,
        secret_name: str,
        manager: SecretsManager,
    ) -> SecretNotFoundError:
        msg = (
            f"The secret {secret_name!r} for client {client_name!r} was not found in "
            f"region {manager.region_name}, and auto-create is off. Create it with "
            f'"fig-secret-aws ensure {shlex.quote(client_name)}" or "aws secretsmanager '
            f'create-secret --name {secret_name} --secret-string <GUID>", or pass auto_create=True '
            "(it is on by default only when ASPNETCORE_ENVIRONMENT or DOTNET_ENVIRONMENT "
            "is Development)."
        )

        return SecretNotFoundError(msg, secret_name=secret_name)

    def _warn_if_weak(self, client_name: str, secret_name: str, value: str) -> None:
        weak = len(value) < _FIG_MIN_SECRET_LENGTH or len(set(value)) < _FIG_MIN_DISTINCT_CHARACTERS
        if weak and secret_name not in self._warned_weak:
            self._warned_weak.add(secret_name)
            logger.warning(
                "The secret %s for client %r has %d characters, %d distinct; the Fig API "
                "rejects client secrets under %d characters or with under %d distinct "
                "characters. Store a GUID instead.",
                secret_name,
                client_name,
                len(value),
                len(set(value)),
                _FIG_MIN_SECRET_LENGTH,
                _FIG_MIN_DISTINCT_CHARACTERS,
            )

    def _check_usable(self) -> None:
        if self._state is _State.CLOSED:
            msg = (
                "The AwsSecretProvider has been closed with aclose(); create a new provider "
                "to get secrets again."
            )
            raise ProviderClosedError(msg)

        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif loop is not self._loop:
            msg = (
                "The AwsSecretProvider's Secrets Manager client belongs to another event "
                "loop than the running one. Use one provider per event loop, or call it from "
                "other threads with asyncio.run_coroutine_threadsafe(provider.get_secret(...), "
                "provider_loop)."
            )
            raise EventLoopMismatchError(msg)

    async def _open(self) -> SecretsManager:
        self._check_usable()
        if self._manager is not None:
            return self._manager

        if self._open_lock is None:
            self._open_lock = asyncio.Lock()
        async with self._open_lock:
            if self._manager is None:
                self._manager = await self._open_manager()

        return self._manager

    async def _ensure_manager(self) -> SecretsManager:
        manager = self._manager
        if manager is not None:
            return manager

        return await self._open()

    async def _open_manager(self) -> SecretsManager:
        if self._client is not None:
            client = self._client
        else:
            client = await open_client(
                self._stack,
                session=self._session,
                profile_name=self._profile_name,
                region_name=self._region_name,
                endpoint_url=self._endpoint_url,
                connect_timeout=self._connect_timeout,
                read_timeout=self._read_timeout,
                max_pool_connections=self._max_pool_connections,
            )
        if self._state is _State.CLOSED:
            # aclose() ran while the client was opening.
            await self._stack.aclose()
            msg = "Cannot get a secret: the AwsSecretProvider was closed while it was opening."
            raise ProviderClosedError(msg)

        self._state = _State.OPENED
        manager = SecretsManager(client, self._retry)
        logger.debug(
            "Opened Secrets Manager client for region %s at %s",
            manager.region_name,
            manager.endpoint_url,
        )

        return manager
