"""Least-privilege IAM policy documents for Fig client secrets (``fig-secret-aws policy``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "ACCOUNT_ID",
    "PARTITIONS",
    "REGION",
    "PolicyInputError",
    "checked_option",
    "partition_of",
    "policy_document",
]

PARTITIONS = ("aws", "aws-cn", "aws-us-gov")
REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")
ACCOUNT_ID = re.compile(r"\d{12}")
_KMS_KEY_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):kms:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):key/[A-Za-z0-9-]+",
)


class PolicyInputError(ValueError):
    """Raised when a region, account id or KMS key ARN cannot go into the policy."""


def checked_option(value: str | None, pattern: re.Pattern[str], option: str, expected: str) -> str:
    if value is None:
        return "*"
    if not pattern.fullmatch(value):
        msg = f"Invalid {option} {value!r}: expected {expected}."
        raise PolicyInputError(msg)

    return value


def partition_of(region: str) -> str:
    """Return the AWS partition that *region* belongs to."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"

    return "aws"


def _check_region_partition(region: str, partition: str) -> None:
    if region != "*" and partition_of(region) != partition:
        msg = (
            f"The region {region} is in partition {partition_of(region)}, not {partition}. "
            f"Pass --partition {partition_of(region)}."
        )
        raise PolicyInputError(msg)


def policy_document(
    secret_names: Sequence[str],
    *,
    partition: str,
    region: str,
    account_id: str,
    allow_create: bool,
    allow_tagging: bool = False,
    kms_key_arn: str | None,
) -> dict[str, Any]:
    """Build the IAM policy document for *secret_names*; ``*`` stands for any region or account.

    *allow_tagging* adds ``secretsmanager:TagResource``, which a create with tags needs.
    """
    if allow_tagging and not allow_create:
        msg = "--allow-tagging goes with --allow-create: only a create sets tags."
        raise PolicyInputError(msg)
    _check_region_partition(region, partition)
    # Secrets Manager appends a hyphen and six random characters to every secret's ARN.
    resources = [
        f"arn:{partition}:secretsmanager:{region}:{account_id}:secret:{name}-??????"
        for name in secret_names
    ]
    actions = ["secretsmanager:GetSecretValue"]
    if allow_create:
        actions = ["secretsmanager:CreateSecret", *actions]
    if allow_tagging:
        actions.append("secretsmanager:TagResource")
    statements: list[dict[str, Any]] = [
        {
            "Sid": "FigClientSecrets",
            "Effect": "Allow",
            "Action": actions,
            "Resource": resources,
        },
    ]

    if kms_key_arn is not None:
        _check_kms_key_arn(kms_key_arn, partition=partition, region=region)
        kms_actions = ["kms:Decrypt", "kms:GenerateDataKey"] if allow_create else ["kms:Decrypt"]
        statements.append(
            {
                "Sid": "FigClientSecretsKmsKey",
                "Effect": "Allow",
                "Action": kms_actions,
                "Resource": kms_key_arn,
            },
        )

    return {"Version": "2012-10-17", "Statement": statements}


def _check_kms_key_arn(kms_key_arn: str, *, partition: str, region: str) -> None:
    if ":alias/" in kms_key_arn:
        msg = (
            f"Invalid --kms-key-arn {kms_key_arn!r}: an IAM policy grants use of a key only "
            "through the key's own ARN, not an alias. Give arn:aws:kms:REGION:ACCOUNT:key/KEY_ID "
            "(aws kms describe-key --key-id ALIAS shows it)."
        )
        raise PolicyInputError(msg)

    match = _KMS_KEY_ARN.fullmatch(kms_key_arn)
    if match is None:
        msg = (
            f"Invalid --kms-key-arn {kms_key_arn!r}: expected a KMS key ARN such as "
            "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab."
        )
        raise PolicyInputError(msg)

    if match["partition"] != partition:
        msg = (
            f"The KMS key is in partition {match['partition']}, but the secrets' ARNs use "
            f"{partition}. Pass --partition {match['partition']}."
        )
        raise PolicyInputError(msg)

    if region not in ("*", match["region"]):
        msg = (
            f"The KMS key is in region {match['region']}, but --region is {region}. A secret "
            "can only use a KMS key of its own region."
        )
        raise PolicyInputError(msg)
