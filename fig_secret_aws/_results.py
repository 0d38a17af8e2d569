"""Return values of the provisioning methods of `AwsSecretProvider`: names and ids, no secret."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EnsureResult", "RotateResult"]


@dataclass(frozen=True)
class EnsureResult:
    """The outcome of `AwsSecretProvider.ensure_secret`.

    Attributes:
        secret_name: the secret's name, such as ``FIG_MYSERVICE_SECRET``.
        arn: the secret's ARN.
        created: whether this call created the secret; false when it already existed.

    """

    secret_name: str
    arn: str
    created: bool


@dataclass(frozen=True)
class RotateResult:
    """The outcome of `AwsSecretProvider.rotate_secret`.

    Attributes:
        secret_name: the secret's name, such as ``FIG_MYSERVICE_SECRET``.
        arn: the secret's ARN.
        version_id: the id of the new version, now labelled ``AWSCURRENT``.

    """

    secret_name: str
    arn: str
    version_id: str
