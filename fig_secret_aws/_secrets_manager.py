"""The only code that talks to Secrets Manager: opening the client, requests, retries, errors.

Every request goes through one retry layer (the ``backoff`` package, exponential delays with
full jitter, bounded by tries and total time). The client opened here has botocore's own
retries turned off, so attempts never multiply. botocore exceptions are translated into the
`FigSecretError` hierarchy here, with the original exception chained as ``__cause__``.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

import backoff
from aiobotocore.config import AioConfig
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    CredentialRetrievalError,
    HTTPClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ProxyConnectionError,
    SSLError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

from ._errors import (
    AwsConfigurationError,
    AwsCredentialsError,
    FigSecretError,
    ProviderClosedError,
    SecretAccessDeniedError,
    SecretBinaryValueError,
    SecretDecryptionError,
    SecretNotFoundError,
    SecretScheduledForDeletionError,
    SecretsManagerRequestError,
    SecretsManagerUnavailableError,
    SecretVersionNotFoundError,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping
    from contextlib import AsyncExitStack

    from types_aiobotocore_secretsmanager import SecretsManagerClient

__all__ = [
    "RetryPolicy",
    "SecretVersion",
    "SecretsManager",
    "install_redacting_filter",
    "is_transient",
    "open_client",
]

logger = logging.getLogger("fig_secret_aws.secrets_manager")

SERVICE_NAME = "secretsmanager"

# AWS error codes that mean "try again later". Any HTTP 429 or 5xx reply counts too.
_TRANSIENT_CODES = frozenset(
    {
        "InternalFailure",
        "InternalServiceError",
        "PriorRequestNotComplete",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestTimeout",
        "RequestTimeoutException",
        "ServiceUnavailable",
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
    },
)

_CREDENTIAL_CODES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "IncompleteSignature",
        "InvalidClientTokenId",
        "InvalidSignatureException",
        "MissingAuthenticationToken",
        "RequestExpired",
        "SignatureDoesNotMatch",
        "UnrecognizedClientException",
    },
)

# botocore logs request and response bodies at DEBUG. Those bodies carry SecretString.
_BODY_LOGGERS = ("botocore.endpoint", "botocore.parsers", "aiobotocore.parsers")
_SECRET_FIELD = re.compile(r'("Secret(?:String|Binary)"\s*:\s*)"(?:[^"\\]|\\.)*"')


class _RedactingFilter(logging.Filter):
    """Replace SecretString and SecretBinary values in botocore's DEBUG body logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "SecretString" in message or "SecretBinary" in message:
            record.msg = _SECRET_FIELD.sub(r'\1"[redacted by fig_secret_aws]"', message)
            record.args = None

        return True


_REDACTING_FILTER = _RedactingFilter()


def install_redacting_filter() -> None:
    """Attach the redacting filter to the botocore loggers that log HTTP bodies (idempotent)."""
    for name in _BODY_LOGGERS:
        body_logger = logging.getLogger(name)
        if _REDACTING_FILTER not in body_logger.filters:
            body_logger.addFilter(_REDACTING_FILTER)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds of the retry layer.

    Attributes:
        max_attempts: requests sent at most for one operation, the first one included.
        max_time: seconds after the first request past which no new attempt starts.
        base_delay: the first backoff delay before jitter, in seconds; it doubles each retry.
        max_delay: the maximum backoff delay before jitter, in seconds.

    """

    max_attempts: int = 5
    max_time: float = 10.0
    base_delay: float = 0.25
    max_delay: float = 4.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            msg = f"max_attempts must be at least 1, not {self.max_attempts!r}."
            raise ValueError(msg)
        for field in ("max_time", "base_delay", "max_delay"):
            value = getattr(self, field)
            if not value >= 0:
                msg = f"{field} must be a number of seconds >= 0, not {value!r}."
                raise ValueError(msg)


def is_transient(error: BaseException) -> bool:
    """Return whether *error* is worth another attempt: throttling, 5xx, network, timeout."""
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)

        return code in _TRANSIENT_CODES or status == 429 or status >= 500  # noqa: PLR2004

    if isinstance(error, (SSLError, ProxyConnectionError)):
        return False

    return isinstance(error, (BotoConnectionError, HTTPClientError))


class _ClientFactory(Protocol):
    def __call__(self, service_name: str, **kwargs: Any) -> Any: ...  # noqa: ANN401


async def open_client(
    stack: AsyncExitStack,
    *,
    session: object | None,
    profile_name: str | None,
    region_name: str | None,
    endpoint_url: str | None,
    connect_timeout: float,
    read_timeout: float,
    max_pool_connections: int,
) -> SecretsManagerClient:
    """Open a Secrets Manager client whose lifetime *stack* owns.

    *session* is an aiobotocore ``AioSession``, an ``aioboto3.Session`` or ``None`` for a new
    aiobotocore session (with *profile_name* when given).
    """
    config = AioConfig(
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_pool_connections=max_pool_connections,
        # One retry layer: ours. botocore's retries stay off.
        retries={"total_max_attempts": 1, "mode": "standard"},
    )
    factory = _client_factory(session, profile_name)

    try:
        context = factory(
            SERVICE_NAME,
            region_name=region_name,
            endpoint_url=endpoint_url,
            config=config,
        )
        client = await stack.enter_async_context(context)
    except NoRegionError as exc:
        msg = (
            "No AWS region is set for Secrets Manager. Pass region_name= to "
            "AwsSecretProvider, set AWS_DEFAULT_REGION, or set a region in the AWS profile."
        )
        raise AwsConfigurationError(msg) from exc
    except ProfileNotFound as exc:
        msg = (
            f"The AWS profile {profile_name!r} was not found in the AWS config files. "
            "Check the name with 'aws configure list-profiles', or pass profile_name=None "
            "to use the default credential chain."
        )
        raise AwsConfigurationError(msg) from exc
    except PartialCredentialsError as exc:
        msg = (
            f"The AWS credentials are incomplete ({exc}). Set both the access key id and "
            "the secret access key, or remove both to use the rest of the credential chain."
        )
        raise AwsCredentialsError(msg) from exc
    except ValueError as exc:
        # botocore raises ValueError for a region name or an endpoint URL it cannot use.
        msg = (
            f"Cannot open a Secrets Manager client with region_name={region_name!r} and "
            f"endpoint_url={endpoint_url!r}: {exc}. Check both values."
        )
        raise AwsConfigurationError(msg) from exc
    except BotoCoreError as exc:
        msg = f"Cannot open a Secrets Manager client: {exc}"
        raise AwsConfigurationError(msg) from exc

    return cast("SecretsManagerClient", client)


def _client_factory(session: object | None, profile_name: str | None) -> _ClientFactory:
    if session is None:
        from aiobotocore.session import AioSession  # noqa: PLC0415

        return cast("_ClientFactory", AioSession(profile=profile_name).create_client)

    if profile_name is not None:
        msg = "Pass either session= or profile_name=, not both: the session sets the profile."
        raise AwsConfigurationError(msg)

    # aiobotocore's AioSession has create_client(); aioboto3's Session has client().
    # aioboto3 is never imported here: its session is used through its methods.
    for method in ("create_client", "client"):
        factory = getattr(session, method, None)
        if callable(factory):
            return cast("_ClientFactory", factory)

    msg = (
        f"session must be an aiobotocore AioSession or an aioboto3.Session, "
        f"not {type(session).__name__}."
    )
    raise TypeError(msg)


class _Attempts:
    """Requests sent for one operation, and the time after which no retry starts."""

    __slots__ = ("count", "deadline")

    def __init__(self, max_time: float) -> None:
        self.count = 0
        self.deadline = time.monotonic() + max_time

    def time_left(self) -> float:
        """Return the seconds left until the deadline, or 0 once it has passed."""
        return max(0.0, self.deadline - time.monotonic())


@dataclass(frozen=True)
class SecretVersion:
    """A secret's ARN and the id of one of its versions."""

    arn: str
    version_id: str


# Operations on an existing secret, whose ResourceNotFoundException means "no such secret".
_SECRET_LOOKUP_OPERATIONS = frozenset({"DescribeSecret", "GetSecretValue", "PutSecretValue"})


class SecretsManager:
    """The Secrets Manager operations of the provider, with retries and error translation."""

    def __init__(self, client: SecretsManagerClient, retry: RetryPolicy) -> None:
        self._client = client
        self._retry = retry
        self._closed = False

    def mark_closed(self) -> None:
        """Stop retrying: the client is about to close, so requests under way will fail."""
        self._closed = True

    @property
    def region_name(self) -> str:
        """The region of the client."""
        return str(self._client.meta.region_name)

    @property
    def endpoint_url(self) -> str:
        """The endpoint URL the client sends requests to."""
        return str(self._client.meta.endpoint_url)

    async def get_secret_string(self, secret_name: str) -> str:
        """Return the ``SecretString`` of the ``AWSCURRENT`` version of *secret_name*.

        Raises:
            SecretNotFoundError: no secret has that name.
            SecretUnavailableError: the secret exists but has no string value to give.
            FigSecretError: any other failure, translated from botocore.

        """
        response = await self._call(
            "GetSecretValue",
            secret_name,
            lambda: self._client.get_secret_value(SecretId=secret_name),
        )
        value: str | None = response.get("SecretString")
        if value is None:
            msg = (
                f"The secret {secret_name!r} holds a binary value (SecretBinary), but a Fig "
                "client secret is a string. Store the client secret as SecretString, for "
                f"example: aws secretsmanager put-secret-value --secret-id {secret_name} "
                "--secret-string <client secret>."
            )
            raise SecretBinaryValueError(msg, secret_name=secret_name)

        return value

    async def create_secret(
        self,
        secret_name: str,
        value: str,
        *,
        description: str,
        request_token: str,
        kms_key_id: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> bool:
        """Create *secret_name* holding *value*; return ``False`` if it already exists.

        *request_token* is sent as ``ClientRequestToken`` on every attempt, so a retry after a
        lost reply is idempotent: Secrets Manager does not create a second version.
        """
        arn = await self.try_create_secret(
            secret_name,
            value,
            description=description,
            request_token=request_token,
            kms_key_id=kms_key_id,
            tags=tags,
        )

        return arn is not None

    async def try_create_secret(
        self,
        secret_name: str,
        value: str,
        *,
        description: str,
        request_token: str,
        kms_key_id: str | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> str | None:
        """Create *secret_name* holding *value* and return its ARN, or ``None`` if it exists.

        *request_token* works as in `create_secret`.
        """
        request: dict[str, Any] = {
            "Name": secret_name,
            "SecretString": value,
            "Description": description,
            "ClientRequestToken": request_token,
        }
        if kms_key_id is not None:
            request["KmsKeyId"] = kms_key_id
        if tags:
            request["Tags"] = [{"Key": key, "Value": tag} for key, tag in tags.items()]

        try:
            response = await self._call(
                "CreateSecret",
                secret_name,
                lambda: self._client.create_secret(**request),
            )
        except SecretsManagerRequestError as exc:
            if exc.error_code == "ResourceExistsException":
                return None
            raise

        return str(response["ARN"])

    async def describe_secret_arn(self, secret_name: str) -> str:
        """Return the ARN of *secret_name* with ``DescribeSecret``, without reading its value.

        Raises:
            SecretNotFoundError: no secret has that name.
            SecretScheduledForDeletionError: the secret is scheduled for deletion.
            FigSecretError: any other failure, translated from botocore.

        """
        response = await self._call(
            "DescribeSecret",
            secret_name,
            lambda: self._client.describe_secret(SecretId=secret_name),
        )
        if response.get("DeletedDate") is not None:
            raise _scheduled_for_deletion(secret_name, f"in region {self.region_name}")

        return str(response["ARN"])

    async def put_secret_string(
        self,
        secret_name: str,
        value: str,
        *,
        request_token: str,
    ) -> SecretVersion:
        """Store *value* as a new version of *secret_name* and return that version.

        Secrets Manager moves ``AWSCURRENT`` to the new version and ``AWSPREVIOUS`` to the
        version that was current. *request_token* is sent as ``ClientRequestToken`` on every
        attempt, so a retry after a lost reply does not store a second version.

        Raises:
            SecretNotFoundError: no secret has that name.
            SecretScheduledForDeletionError: the secret is scheduled for deletion.
            FigSecretError: any other failure, translated from botocore.

        """
        response = await self._call(
            "PutSecretValue",
            secret_name,
            lambda: self._client.put_secret_value(
                SecretId=secret_name,
                SecretString=value,
                ClientRequestToken=request_token,
            ),
        )

        return SecretVersion(arn=str(response["ARN"]), version_id=str(response["VersionId"]))

    async def _call(
        self,
        operation: str,
        secret_name: str,
        request: Callable[[], Awaitable[Any]],
    ) -> Any:  # noqa: ANN401
        attempts = _Attempts(self._retry.max_time)
        started = time.monotonic()
        send_with_retries = self._with_retries(attempts)
        try:
            response = await send_with_retries(operation, secret_name, request, attempts)
        except (ClientError, BotoCoreError) as exc:
            if self._closed:
                msg = (
                    f"{operation} for {secret_name!r} was interrupted because the "
                    "AwsSecretProvider was closed with aclose()."
                )
                raise ProviderClosedError(msg, secret_name=secret_name) from exc

            elapsed = time.monotonic() - started
            if is_transient(exc):
                logger.warning(
                    "%s for %s failed after %d attempts in %.2f s: %s",
                    operation,
                    secret_name,
                    attempts.count,
                    elapsed,
                    _describe(exc),
                )
            error = _translate(exc, operation, secret_name, attempts.count, self)
            raise error from exc

        logger.debug(
            "%s for %s succeeded in %.1f ms after %d attempt(s)",
            operation,
            secret_name,
            (time.monotonic() - started) * 1000,
            attempts.count,
        )

        return response

    def _with_retries(self, attempts: _Attempts) -> Callable[..., Awaitable[Any]]:
        """Wrap `_send` in the retry layer for one operation, whose progress *attempts* tracks.

        The time bound is kept here instead of by backoff's ``max_time``, because backoff 2.2
        compares the bound with the time at which the failed attempt started. With it, an
        attempt that started just before the bound could be followed by a delay and one more
        whole attempt. Here a retry is given up once the deadline has passed, and no delay runs
        past the deadline, so no attempt starts after it.
        """
        return backoff.on_exception(
            backoff.expo,
            (ClientError, BotoCoreError),
            max_tries=self._retry.max_attempts,
            jitter=lambda delay: min(backoff.full_jitter(delay), attempts.time_left()),
            giveup=lambda error: (
                self._closed or not is_transient(error) or attempts.time_left() == 0
            ),
            # backoff's own logger would report permanent errors at ERROR.
            logger=None,
            on_backoff=self._log_retry,
            factor=self._retry.base_delay,
            max_value=self._retry.max_delay,
        )(self._send)

    @staticmethod
    async def _send(
        operation: str,  # noqa: ARG004 (read by the backoff handler through details["args"])
        secret_name: str,  # noqa: ARG004
        request: Callable[[], Awaitable[Any]],
        attempts: _Attempts,
    ) -> Any:  # noqa: ANN401
        attempts.count += 1

        return await request()

    def _log_retry(self, details: Any) -> None:  # noqa: ANN401
        operation, secret_name, _, attempts = details["args"]
        logger.info(
            "%s for %s failed on attempt %d of %d (%s); retrying in %.2f s",
            operation,
            secret_name,
            attempts.count,
            self._retry.max_attempts,
            _describe(details["exception"]),
            details["wait"],
        )


def _describe(error: BaseException) -> str:
    if isinstance(error, ClientError):
        info = error.response.get("Error", {})
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "?")

        return f"{info.get('Code', 'UnknownError')} (HTTP {status})"

    return type(error).__name__


def _translate(  # noqa: PLR0911
    error: ClientError | BotoCoreError,
    operation: str,
    secret_name: str,
    attempts: int,
    manager: SecretsManager,
) -> FigSecretError:
    """Turn a botocore exception into the `FigSecretError` a caller would catch."""
    if is_transient(error):
        return _unavailable(error, operation, secret_name, attempts, manager)

    if isinstance(error, BotoCoreError):
        return _translate_botocore(error, operation, secret_name)

    info = error.response.get("Error", {})
    code = str(info.get("Code", ""))
    message = str(info.get("Message", ""))
    lowered = message.lower()
    where = f"in region {manager.region_name}"

    if code in _CREDENTIAL_CODES:
        return AwsCredentialsError(
            f"Secrets Manager rejected the AWS credentials while calling {operation} for "
            f"{secret_name!r} ({code}: {message}). Refresh the credentials (for example, "
            "renew the SSO session or the role's session token) and check the system clock.",
            secret_name=secret_name,
        )

    if code == "AccessDeniedException":
        return _access_denied(operation, secret_name, message)

    if code == "ResourceNotFoundException" and operation in _SECRET_LOOKUP_OPERATIONS:
        no_version = "staging label" in lowered or "version" in lowered
        if operation == "GetSecretValue" and no_version:
            return SecretVersionNotFoundError(
                f"The secret {secret_name!r} exists {where} but has no AWSCURRENT version. "
                "Store a value with: aws secretsmanager put-secret-value --secret-id "
                f"{secret_name} --secret-string <client secret>.",
                secret_name=secret_name,
            )

        return SecretNotFoundError(
            f"The secret {secret_name!r} was not found {where}.",
            secret_name=secret_name,
        )

    if code == "InvalidRequestException" and "delet" in lowered:
        return _scheduled_for_deletion(secret_name, where)

    reading = operation == "GetSecretValue"
    if code == "DecryptionFailure" or (reading and code.startswith("KMS")):
        return SecretDecryptionError(
            f"KMS could not decrypt the secret {secret_name!r} {where} ({message}). Check "
            "that the secret's KMS key is enabled and that this role may use kms:Decrypt "
            "on it.",
            secret_name=secret_name,
        )

    if code == "EncryptionFailure" or code.startswith("KMS"):
        return SecretDecryptionError(
            f"KMS could not encrypt the new secret {secret_name!r} {where} ({message}). "
            "Check that the KMS key exists, is enabled, and that this role may use "
            "kms:GenerateDataKey on it.",
            secret_name=secret_name,
        )

    return SecretsManagerRequestError(
        f"Secrets Manager rejected {operation} for {secret_name!r} {where} with {code}: {message}",
        secret_name=secret_name,
        error_code=code,
    )


def _scheduled_for_deletion(secret_name: str, where: str) -> SecretScheduledForDeletionError:
    return SecretScheduledForDeletionError(
        f"The secret {secret_name!r} {where} is scheduled for deletion, so it can be "
        "neither read, changed nor created again. Restore it with: aws secretsmanager "
        f"restore-secret --secret-id {secret_name}.",
        secret_name=secret_name,
    )


def _access_denied(operation: str, secret_name: str, message: str) -> SecretAccessDeniedError:
    lowered = message.lower()
    if "kms" in lowered:
        action = "kms:Decrypt" if operation == "GetSecretValue" else "kms:GenerateDataKey"
        advice = f"Allow {action} on the secret's KMS key in the key policy or the role policy."
    elif "tagresource" in lowered:
        action = "secretsmanager:TagResource"
        advice = f"Allow {action} on the secret, or create it without tags."
    else:
        action = f"secretsmanager:{operation}"
        advice = f"Allow {action} on the secret's ARN in the caller's IAM policy."

    return SecretAccessDeniedError(
        f"Access denied: {action} on {secret_name!r} was denied ({message}). {advice}",
        secret_name=secret_name,
        action=action,
    )


def _unavailable(
    error: ClientError | BotoCoreError,
    operation: str,
    secret_name: str,
    attempts: int,
    manager: SecretsManager,
) -> SecretsManagerUnavailableError:
    if isinstance(error, ClientError):
        failure = f"kept failing with {_describe(error)}"
    elif isinstance(error, BotoConnectionError):
        failure = f"could not reach Secrets Manager at {manager.endpoint_url} ({error})"
    else:
        failure = f"failed on the network ({error})"

    return SecretsManagerUnavailableError(
        f"{operation} for {secret_name!r} {failure}; gave up after {attempts} attempt(s). "
        "The failure is transient: try again later, or raise the retry bounds "
        "(max_attempts, max_retry_time).",
        secret_name=secret_name,
        attempts=attempts,
    )


def _translate_botocore(error: BotoCoreError, operation: str, secret_name: str) -> FigSecretError:
    if isinstance(error, (NoCredentialsError, PartialCredentialsError)):
        return AwsCredentialsError(
            f"No usable AWS credentials were found to call {operation} for {secret_name!r}. "
            "Attach an IAM role to the instance, task or function, or configure the default "
            "credential chain (environment variables, ~/.aws/credentials, AWS_PROFILE).",
            secret_name=secret_name,
        )

    if isinstance(error, CredentialRetrievalError) or "token" in type(error).__name__.lower():
        return AwsCredentialsError(
            f"Loading AWS credentials failed while calling {operation} for {secret_name!r} "
            f"({error}). Check the credential source, such as the SSO session or role.",
            secret_name=secret_name,
        )

    if isinstance(error, NoRegionError):
        return AwsConfigurationError(
            "No AWS region is set for Secrets Manager. Pass region_name= or set "
            "AWS_DEFAULT_REGION.",
            secret_name=secret_name,
        )

    return FigSecretError(
        f"{operation} for {secret_name!r} failed: {type(error).__name__}: {error}",
        secret_name=secret_name,
    )
