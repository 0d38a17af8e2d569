"""The exceptions that fig-secret-aws raises.

Every error derives from `FigSecretError`, so one ``except`` clause catches them all::

    FigSecretError
    ├── InvalidClientNameError            (also ValueError) bad client name, no call made
    ├── InvalidSecretValueError           (also ValueError) a new value Fig would reject
    ├── SecretNotFoundError               no such secret, and it may not be created
    ├── SecretUnavailableError            the secret exists but cannot give a string value
    │   ├── SecretScheduledForDeletionError
    │   ├── SecretVersionNotFoundError    no AWSCURRENT version
    │   ├── SecretBinaryValueError        only SecretBinary is set
    │   └── SecretDecryptionError         KMS could not decrypt or encrypt the value
    ├── SecretAccessDeniedError           IAM or KMS denied an action
    ├── AwsCredentialsError               credentials missing, expired or invalid
    ├── AwsConfigurationError             no region, or an unusable endpoint or option
    ├── SecretsManagerUnavailableError    transient failures outlasted the retries
    ├── SecretsManagerRequestError        any other error reply from Secrets Manager
    ├── ProviderClosedError               (also RuntimeError) used after aclose()
    └── EventLoopMismatchError            (also RuntimeError) client opened on another loop

Errors that come from a botocore exception keep it as ``__cause__``.
"""

from __future__ import annotations

__all__ = [
    "AwsConfigurationError",
    "AwsCredentialsError",
    "EventLoopMismatchError",
    "FigSecretError",
    "InvalidClientNameError",
    "InvalidSecretValueError",
    "ProviderClosedError",
    "SecretAccessDeniedError",
    "SecretBinaryValueError",
    "SecretDecryptionError",
    "SecretNotFoundError",
    "SecretScheduledForDeletionError",
    "SecretUnavailableError",
    "SecretVersionNotFoundError",
    "SecretsManagerRequestError",
    "SecretsManagerUnavailableError",
]


class FigSecretError(Exception):
    """Base class of every error raised by fig-secret-aws.

    Attributes:
        secret_name: the Secrets Manager secret involved, or ``None`` when the error is not
            about one secret.

    """

    def __init__(self, message: str, *, secret_name: str | None = None) -> None:
        super().__init__(message)
        self.secret_name = secret_name

    def __reduce__(self) -> tuple[type[FigSecretError], tuple[str], dict[str, object]]:
        """Keep the attributes when the error is pickled, such as across processes."""
        return (type(self), (str(self),), dict(self.__dict__))


class InvalidClientNameError(FigSecretError, ValueError):
    """Raised when a client name cannot be turned into a valid secret name.

    It is raised before any network call.
    """


class InvalidSecretValueError(FigSecretError, ValueError):
    """Raised when a new client secret is one the Fig API would reject; no call was made.

    The message describes the problem (length, distinct characters, surrounding whitespace)
    and never contains the value.
    """


class SecretNotFoundError(FigSecretError):
    """Raised when the secret does not exist and the provider may not create it."""


class SecretUnavailableError(FigSecretError):
    """Raised when the secret exists but cannot give a string value."""


class SecretScheduledForDeletionError(SecretUnavailableError):
    """Raised when the secret is scheduled for deletion; it can be restored until then."""


class SecretVersionNotFoundError(SecretUnavailableError):
    """Raised when the secret has no version labelled ``AWSCURRENT``."""


class SecretBinaryValueError(SecretUnavailableError):
    """Raised when the secret stores only ``SecretBinary``, not the string Fig needs."""


class SecretDecryptionError(SecretUnavailableError):
    """Raised when KMS fails to decrypt the secret, or to encrypt a new one."""


class SecretAccessDeniedError(FigSecretError):
    """Raised when IAM or KMS denies an action the provider needs.

    Attributes:
        action: the denied IAM action, such as ``secretsmanager:GetSecretValue`` or
            ``kms:Decrypt``.

    """

    def __init__(self, message: str, *, secret_name: str | None = None, action: str = "") -> None:
        super().__init__(message, secret_name=secret_name)
        self.action = action


class AwsCredentialsError(FigSecretError):
    """Raised when AWS credentials are missing, expired or rejected."""


class AwsConfigurationError(FigSecretError):
    """Raised when the AWS client cannot be configured, such as when no region is set."""


class SecretsManagerUnavailableError(FigSecretError):
    """Raised when throttling, server errors or network failures outlast the retries.

    Attributes:
        attempts: how many requests were sent before the provider gave up.

    """

    def __init__(self, message: str, *, secret_name: str | None = None, attempts: int = 0) -> None:
        super().__init__(message, secret_name=secret_name)
        self.attempts = attempts


class SecretsManagerRequestError(FigSecretError):
    """Raised for an error reply from Secrets Manager that no other class describes.

    Attributes:
        error_code: the AWS error code, such as ``InvalidParameterException``.

    """

    def __init__(
        self, message: str, *, secret_name: str | None = None, error_code: str = ""
    ) -> None:
        super().__init__(message, secret_name=secret_name)
        self.error_code = error_code


class ProviderClosedError(FigSecretError, RuntimeError):
    """Raised when a provider is used after ``aclose()``."""


class EventLoopMismatchError(FigSecretError, RuntimeError):
    """Raised when the provider's client is needed on another event loop than its own.

    An aiobotocore client belongs to the event loop it was opened on.
    """
