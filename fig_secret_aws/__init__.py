"""Fig client secrets from AWS Secrets Manager, for asyncio applications.

The provider reads the secret ``FIG_{NAME}_SECRET`` for a Fig client name, caches it, and
in Development creates it holding a new GUID, like Fig's .NET ``AwsSecretProvider``::

    async with AwsSecretProvider(region_name="eu-west-1") as provider:
        secret = await provider.get_secret("MyService")
"""

import importlib.metadata as _metadata

from ._errors import (
    AwsConfigurationError,
    AwsCredentialsError,
    EventLoopMismatchError,
    FigSecretError,
    InvalidClientNameError,
    InvalidSecretValueError,
    ProviderClosedError,
    SecretAccessDeniedError,
    SecretBinaryValueError,
    SecretDecryptionError,
    SecretNotFoundError,
    SecretScheduledForDeletionError,
    SecretsManagerRequestError,
    SecretsManagerUnavailableError,
    SecretUnavailableError,
    SecretVersionNotFoundError,
)
from ._naming import secret_name_for
from ._provider import AwsSecretProvider
from ._results import EnsureResult, RotateResult

try:
    __version__ = _metadata.version("fig-secret-aws")
except _metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = [
    "AwsConfigurationError",
    "AwsCredentialsError",
    "AwsSecretProvider",
    "EnsureResult",
    "EventLoopMismatchError",
    "FigSecretError",
    "InvalidClientNameError",
    "InvalidSecretValueError",
    "ProviderClosedError",
    "RotateResult",
    "SecretAccessDeniedError",
    "SecretBinaryValueError",
    "SecretDecryptionError",
    "SecretNotFoundError",
    "SecretScheduledForDeletionError",
    "SecretUnavailableError",
    "SecretVersionNotFoundError",
    "SecretsManagerRequestError",
    "SecretsManagerUnavailableError",
    "__version__",
    "secret_name_for",
]
