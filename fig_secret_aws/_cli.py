"""The ``fig-secret-aws`` command line.

Commands: ``get``, ``name``, ``ensure``, ``rotate``, ``policy`` and ``demo``. Errors are one
line on stderr. Exit codes: 0 success, 1 any other error, 2 usage (including an invalid client
name or new secret), 3 secret not found, 4 access denied. Only ``get`` and ``rotate --generate``
print a secret value.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import os
import re
import sys
import uuid
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from fig_secret_aws import (
    AwsConfigurationError,
    AwsSecretProvider,
    FigSecretError,
    InvalidClientNameError,
    InvalidSecretValueError,
    SecretAccessDeniedError,
    SecretNotFoundError,
    __version__,
    secret_name_for,
)
from fig_secret_aws._policy import (
    ACCOUNT_ID,
    PARTITIONS,
    REGION,
    PolicyInputError,
    checked_option,
    policy_document,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

__all__ = ["main"]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_ACCESS_DENIED = 4
EXIT_INTERRUPTED = 130

# A new secret read from standard input is a GUID; anything longer is rejected unread.
_MAX_STDIN_CHARACTERS = 4096
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


_EXIT_CODES = "Exit codes: 0 success, 1 error, 2 usage, 3 secret not found, 4 access denied."

_ROTATE_DESCRIPTION = """\
Store a new client secret as the current version (AWSCURRENT) of CLIENT_NAME's
secret. The value it replaces stays readable as AWSPREVIOUS. The new value is a
GUID read from standard input (a prompt that does not echo it on a terminal), or
one made with --generate. Needs secretsmanager:PutSecretValue.
"""

_SAFE_ROTATION = """\
safe order for a rotation:
  1. In Fig's web UI, change the client's secret to the new value (its change-client-secret
     dialog), with a grace period longer than the services' cache TTL (300 s by default).
     Fig accepts the old and the new value until the grace period ends.
  2. Store the same value in AWS: run fig-secret-aws rotate CLIENT_NAME and paste it at
     the prompt, or pipe it in.
  3. Each running service reads the new value when its cached one expires.

--generate stores a new GUID in AWS before Fig knows it, so services that re-read the secret
are rejected by Fig until the same value is set there. Use it for a client that Fig has not
registered yet, or generate the GUID in Fig and pipe it in instead.
"""

_POLICY_DESCRIPTION = """\
Print an IAM policy (JSON) that lets a service read the secrets of exactly these clients,
the minimum a production service needs: secretsmanager:GetSecretValue. With --allow-create it
may also create them (secretsmanager:CreateSecret), as auto-create in Development does, and
with --allow-tagging also tag them (secretsmanager:TagResource), as a create with tags needs.
With --kms-key-arn, for secrets encrypted with a customer
managed key, it may use that key: kms:Decrypt, plus kms:GenerateDataKey with --allow-create.
Without --kms-key-arn the secrets use the AWS managed key aws/secretsmanager, which needs no
KMS permission in the policy. No AWS call is made.
"""


class _UsageError(Exception):
    """Raised for command-line input that no AWS call can fix; exit code 2."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line on stderr."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _add_aws_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("AWS options")
    group.add_argument("--region", help="AWS region (default: the AWS default chain)")
    group.add_argument("--profile", help="AWS profile from the AWS config files")
    group.add_argument(
        "--endpoint-url",
        help="Secrets Manager endpoint URL, such as a VPC endpoint (default: AWS's own)",
    )


def _add_client_names(parser: argparse.ArgumentParser, *, many: bool) -> None:
    if many:
        parser.add_argument(
            "client_names",
            metavar="CLIENT_NAME",
            nargs="+",
            help="Fig client names, such as 'My Service'",
        )
    else:
        parser.add_argument("client_name", metavar="CLIENT_NAME", help="the Fig client name")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="fig-secret-aws",
        description=(
            "Fig client secrets in AWS Secrets Manager. The secret of client NAME is "
            "FIG_{NAME}_SECRET, with spaces removed and letters upper-cased."
        ),
        epilog=_EXIT_CODES,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    _add_get(commands)
    _add_name(commands)
    _add_ensure(commands)
    _add_rotate(commands)
    _add_policy(commands)

    commands.add_parser(
        "demo",
        help="run the provider end to end against a local Secrets Manager",
        description=(
            "Start moto's Secrets Manager server on 127.0.0.1 with fake credentials, then "
            "read, create and miss secrets through the provider and print a short report. "
            "No AWS account is used and no secret value is printed. Needs the 'local' extra."
        ),
        epilog=_EXIT_CODES,
    )

    return parser


def _add_get(commands: Any) -> None:  # noqa: ANN401 (argparse's subparsers action is private)
    get = commands.add_parser(
        "get",
        help="print a client's secret",
        description=(
            "Print the Fig client secret of CLIENT_NAME and a newline on stdout. The secret "
            "is created first only with --create, or when ASPNETCORE_ENVIRONMENT or "
            "DOTNET_ENVIRONMENT is Development. Needs secretsmanager:GetSecretValue."
        ),
        epilog=_EXIT_CODES,
    )
    _add_client_names(get, many=False)
    get.add_argument(
        "--create",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="create a missing secret holding a new GUID (default: from the environment)",
    )
    _add_aws_options(get)


def _add_name(commands: Any) -> None:  # noqa: ANN401
    commands.add_parser(
        "name",
        help="print the secret names of clients (no AWS call)",
        description=(
            "Print the Secrets Manager secret name of each CLIENT_NAME, one a line, in the "
            "order given. An invalid client name prints nothing and exits with code 2. "
            "No AWS call is made."
        ),
        epilog=_EXIT_CODES,
    ).add_argument(
        "client_names",
        metavar="CLIENT_NAME",
        nargs="+",
        help="Fig client names, such as 'My Service'",
    )


def _add_ensure(commands: Any) -> None:  # noqa: ANN401
    ensure = commands.add_parser(
        "ensure",
        help="create missing secrets holding new GUIDs",
        description=(
            "Create the secret of each CLIENT_NAME that does not exist yet, holding a new "
            "GUID, and print one tab-separated line per secret: its name, 'created' or "
            "'exists', and its ARN. An existing secret is left unchanged, and no value is "
            "printed. Needs secretsmanager:DescribeSecret, and secretsmanager:CreateSecret "
            "(plus secretsmanager:TagResource with --tag) for missing secrets."
        ),
        epilog=_EXIT_CODES,
    )
    _add_client_names(ensure, many=True)
    ensure.add_argument(
        "--kms-key-id",
        metavar="KEY",
        help="KMS key (ID, ARN or alias) for created secrets (default: aws/secretsmanager)",
    )
    ensure.add_argument(
        "--tag",
        dest="tags",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        help="tag for created secrets; repeat for more tags",
    )
    ensure.add_argument(
        "--description",
        help="description of created secrets (default: 'Fig client secret for SECRET_NAME')",
    )
    _add_aws_options(ensure)


def _add_rotate(commands: Any) -> None:  # noqa: ANN401
    rotate = commands.add_parser(
        "rotate",
        help="store a new value as a client's current secret",
        description=_ROTATE_DESCRIPTION,
        epilog=f"{_SAFE_ROTATION}\n{_EXIT_CODES}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_client_names(rotate, many=False)
    rotate.add_argument(
        "--generate",
        action="store_true",
        help="make a new GUID instead of reading one, and print it once on stdout",
    )
    _add_aws_options(rotate)


def _add_policy(commands: Any) -> None:  # noqa: ANN401
    policy = commands.add_parser(
        "policy",
        help="print a least-privilege IAM policy for clients' secrets (no AWS call)",
        description=_POLICY_DESCRIPTION,
        epilog=_EXIT_CODES,
    )
    _add_client_names(policy, many=True)
    policy.add_argument(
        "--allow-create",
        action="store_true",
        help="also allow creating the secrets, for auto-create in Development",
    )
    policy.add_argument(
        "--allow-tagging",
        action="store_true",
        help="with --allow-create, also allow tagging them, for a provider given tags=",
    )
    policy.add_argument(
        "--kms-key-arn",
        metavar="ARN",
        help="ARN of the customer managed KMS key that encrypts the secrets",
    )
    policy.add_argument(
        "--region",
        help="region of the secrets in the resource ARNs (default: *, any region)",
    )
    policy.add_argument(
        "--account-id",
        metavar="ID",
        help="12-digit AWS account ID of the secrets (default: *, any account)",
    )
    policy.add_argument(
        "--partition",
        choices=PARTITIONS,
        default="aws",
        help="AWS partition of the ARNs (default: aws)",
    )


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0911 (one return per exit code)
    """Run the command line and return its exit code."""
    parser = _build_parser()
    try:
        arguments = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors and 0 after --help
        return int(exc.code or 0)

    try:
        with _warnings_on_stderr():
            return _run(arguments)
    except (_UsageError, PolicyInputError, InvalidClientNameError, InvalidSecretValueError) as exc:
        return _fail(exc, EXIT_USAGE)
    except SecretNotFoundError as exc:
        hint = " On this command line, --create creates it." if arguments.command == "get" else ""
        return _fail(exc, EXIT_NOT_FOUND, hint)
    except SecretAccessDeniedError as exc:
        return _fail(exc, EXIT_ACCESS_DENIED)
    except AwsConfigurationError as exc:
        hint = " On this command line, pass --region." if "region" in str(exc) else ""
        return _fail(exc, EXIT_ERROR, hint)
    except (FigSecretError, ModuleNotFoundError) as exc:
        return _fail(exc, EXIT_ERROR)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of stdout went away, as in "fig-secret-aws get X | head -c0". Point
        # stdout at devnull so that the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)

        return EXIT_ERROR


@contextmanager
def _warnings_on_stderr() -> Iterator[None]:
    """Show the library's warnings as labelled lines on stderr while a command runs."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("fig-secret-aws: warning: %(message)s"))
    library_logger = logging.getLogger("fig_secret_aws")
    library_logger.addHandler(handler)
    try:
        yield
    finally:
        library_logger.removeHandler(handler)


def _run(arguments: argparse.Namespace) -> int:
    command = arguments.command
    if command == "name":
        return _name(arguments.client_names, sys.stdout)
    if command == "policy":
        return _policy(arguments, sys.stdout)
    if command == "get":
        return asyncio.run(_get(arguments))
    if command == "ensure":
        return asyncio.run(_ensure(arguments, sys.stdout))
    if command == "rotate":
        return asyncio.run(_rotate(arguments, sys.stdin, sys.stdout))

    # The demo is imported only when it runs, because it needs moto.
    from fig_secret_aws._demo import run_demo  # noqa: PLC0415

    run_demo(sys.stdout)

    return EXIT_OK


def _fail(error: BaseException, code: int, hint: str = "") -> int:
    message = " ".join(str(error).splitlines())
    print(f"fig-secret-aws: error: {message}{hint}", file=sys.stderr)  # noqa: T201

    return code


def _provider_options(arguments: argparse.Namespace) -> dict[str, Any]:
    region = arguments.region
    if region is not None and not REGION.fullmatch(region):
        msg = f"Invalid --region {region!r}: expected a region such as eu-west-1."
        raise _UsageError(msg)

    endpoint_url = arguments.endpoint_url
    if endpoint_url is not None and not endpoint_url.startswith(("http://", "https://")):
        msg = (
            f"Invalid --endpoint-url {endpoint_url!r}: expected an http:// or https:// URL, "
            "such as https://secretsmanager.eu-west-1.amazonaws.com."
        )
        raise _UsageError(msg)

    return {
        "region_name": region,
        "profile_name": arguments.profile,
        "endpoint_url": endpoint_url,
    }


def _secret_names(client_names: Sequence[str]) -> dict[str, str]:
    """Map each distinct secret name to the first client name that gives it, in order.

    Every name is checked before any output, so an invalid one prints nothing.
    """
    names: dict[str, str] = {}
    for client_name in client_names:
        names.setdefault(secret_name_for(client_name), client_name)

    return names


async def _get(arguments: argparse.Namespace) -> int:
    secret_name_for(arguments.client_name)  # reject a bad name before opening a client
    provider = AwsSecretProvider(auto_create=arguments.create, **_provider_options(arguments))
    async with provider:
        secret = await provider.get_secret(arguments.client_name)
    print(secret)  # noqa: T201 (showing the secret is this command's job)

    return EXIT_OK


def _name(client_names: Sequence[str], out: TextIO) -> int:
    secret_names = [secret_name_for(client_name) for client_name in client_names]
    for secret_name in secret_names:
        print(secret_name, file=out)

    return EXIT_OK


def _parse_tags(pairs: Sequence[str]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for pair in pairs:
        key, separator, value = pair.partition("=")
        if not separator or not key:
            msg = f"Invalid --tag {pair!r}: write it as KEY=VALUE, such as --tag team=payments."
            raise _UsageError(msg)
        if key in tags:
            msg = f"Invalid --tag {pair!r}: the key {key!r} is given twice."
            raise _UsageError(msg)
        tags[key] = value

    return tags


async def _ensure(arguments: argparse.Namespace, out: TextIO) -> int:
    secret_names = _secret_names(arguments.client_names)
    tags = _parse_tags(arguments.tags)

    async with AwsSecretProvider(**_provider_options(arguments)) as provider:
        for client_name in secret_names.values():
            result = await provider.ensure_secret(
                client_name,
                description=arguments.description,
                kms_key_id=arguments.kms_key_id,
                tags=tags,
            )
            state = "created" if result.created else "exists"
            print(f"{result.secret_name}\t{state}\t{result.arn}", file=out, flush=True)

    return EXIT_OK


def _read_new_secret(stdin: TextIO) -> str:
    """Read a GUID from *stdin*, or from the terminal without echo; never quote the input."""
    if stdin.isatty():
        text = getpass.getpass("New client secret (a GUID, not echoed): ")
    else:
        text = stdin.read(_MAX_STDIN_CHARACTERS + 1)

    value = text.strip()
    if not value:
        msg = (
            "No new client secret on standard input. Pipe in the GUID set in Fig, or pass "
            "--generate to make one. Nothing was stored."
        )
        raise _UsageError(msg)
    if not _GUID.fullmatch(value):
        msg = (
            f"The new client secret on standard input is not a GUID ({len(value)} characters "
            "after trimming whitespace; expected 36, as in "
            "0f8fad5b-d9cb-469f-a165-70867728950e). Nothing was stored, and the input is "
            "not shown."
        )
        raise _UsageError(msg)

    return value


async def _rotate(arguments: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    secret_name = secret_name_for(arguments.client_name)
    new_value = str(uuid.uuid4()) if arguments.generate else _read_new_secret(stdin)

    async with AwsSecretProvider(auto_create=False, **_provider_options(arguments)) as provider:
        result = await provider.rotate_secret(arguments.client_name, new_value)

    print(  # noqa: T201
        f"fig-secret-aws: stored version {result.version_id} of {secret_name} as AWSCURRENT; "
        f"the value it replaced is now AWSPREVIOUS ({result.arn})",
        file=sys.stderr,
    )
    if arguments.generate:
        print(new_value, file=out)

    return EXIT_OK


def _policy(arguments: argparse.Namespace, out: TextIO) -> int:
    secret_names = _secret_names(arguments.client_names)
    document = policy_document(
        list(secret_names),
        partition=arguments.partition,
        region=checked_option(arguments.region, REGION, "--region", "a region such as eu-west-1"),
        account_id=checked_option(arguments.account_id, ACCOUNT_ID, "--account-id", "12 digits"),
        allow_create=arguments.allow_create,
        allow_tagging=arguments.allow_tagging,
        kms_key_arn=arguments.kms_key_arn,
    )
    print(json.dumps(document, indent=2), file=out)

    return EXIT_OK
