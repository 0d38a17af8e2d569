"""The ``fig-secret-aws`` command line.

Errors are one line on stderr. Exit codes: 0 success, 1 any other error, 2 usage,
3 secret not found, 4 access denied.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from typing import TYPE_CHECKING, Any, TextIO

from fig_secret_aws import (
    AwsSecretProvider,
    FigSecretError,
    SecretAccessDeniedError,
    SecretNotFoundError,
    __version__,
    secret_name_for,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["main"]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_ACCESS_DENIED = 4

_DEMO_TASKS = 50


def _add_aws_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("AWS options")
    group.add_argument("--region", help="AWS region (default: the AWS default chain)")
    group.add_argument("--profile", help="AWS profile from the AWS config files")
    group.add_argument(
        "--endpoint-url",
        help="Secrets Manager endpoint URL, such as a VPC endpoint (default: AWS's own)",
    )


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fig-secret-aws",
        description="Fig client secrets in AWS Secrets Manager.",
        epilog="Exit codes: 0 success, 1 error, 2 usage, 3 secret not found, 4 access denied.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    get = commands.add_parser(
        "get",
        help="print a client's secret",
        description=(
            "Print the Fig client secret of CLIENT_NAME and a newline on stdout. The secret "
            "is created first only with --create, or when ASPNETCORE_ENVIRONMENT or "
            "DOTNET_ENVIRONMENT is Development."
        ),
    )
    get.add_argument("client_name", metavar="CLIENT_NAME", help="the Fig client name")
    get.add_argument(
        "--create",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="create a missing secret holding a new GUID (default: from the environment)",
    )
    _add_aws_options(get)

    commands.add_parser(
        "demo",
        help="run the provider end to end against a local Secrets Manager",
        description=(
            "Start moto's Secrets Manager server on 127.0.0.1 with fake credentials, then "
            "read, create and miss secrets through the provider and print a short report. "
            "No AWS account is used and no secret value is printed. Needs the 'local' extra."
        ),
    )

    return parser


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0911 (one return per exit code)
    """Run the command line and return its exit code."""
    parser = _build_parser()
    try:
        arguments = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors and 0 after --help
        return int(exc.code or 0)

    try:
        if arguments.command == "get":
            return asyncio.run(_get(arguments))

        return _demo(sys.stdout)
    except SecretNotFoundError as exc:
        return _fail(exc, EXIT_NOT_FOUND)
    except SecretAccessDeniedError as exc:
        return _fail(exc, EXIT_ACCESS_DENIED)
    except (FigSecretError, ModuleNotFoundError) as exc:
        return _fail(exc, EXIT_ERROR)
    except KeyboardInterrupt:
        return 130


def _fail(error: BaseException, code: int) -> int:
    message = " ".join(str(error).split())
    print(f"fig-secret-aws: error: {message}", file=sys.stderr)  # noqa: T201

    return code


def _provider_options(arguments: argparse.Namespace) -> dict[str, Any]:
    return {
        "region_name": arguments.region,
        "profile_name": arguments.profile,
        "endpoint_url": arguments.endpoint_url,
    }


async def _get(arguments: argparse.Namespace) -> int:
    secret_name_for(arguments.client_name)  # reject a bad name before opening a client
    provider = AwsSecretProvider(auto_create=arguments.create, **_provider_options(arguments))
    async with provider:
        secret = await provider.get_secret(arguments.client_name)
    print(secret)  # noqa: T201 (showing the secret is this command's job)

    return EXIT_OK


def _demo(out: TextIO) -> int:
    from fig_secret_aws._local import (  # noqa: PLC0415 (moto is imported only for the demo)
        isolated_aws_environment,
        local_secrets_manager,
    )

    with local_secrets_manager() as endpoint_url, isolated_aws_environment(endpoint_url):
        asyncio.run(_run_demo(endpoint_url, out))

    return EXIT_OK


async def _run_demo(endpoint_url: str, out: TextIO) -> None:
    from aiobotocore.session import AioSession  # noqa: PLC0415

    calls: Counter[str] = Counter()

    def count_call(model: Any, **_: Any) -> None:  # noqa: ANN401
        calls[model.name] += 1

    session = AioSession()
    session.register("before-call.secrets-manager", count_call)

    def write(line: str = "") -> None:
        print(line, file=out)

    def call_summary() -> str:
        summary = ", ".join(f"{count} {name}" for name, count in sorted(calls.items()))
        calls.clear()

        return summary or "no requests"

    write(f"fig-secret-aws demo: moto's Secrets Manager at {endpoint_url}, fake credentials")
    write("Secret values are never printed; lengths and equality are shown instead.")
    write()

    async with AwsSecretProvider(
        session=session,
        endpoint_url=endpoint_url,
        region_name="eu-west-1",
        auto_create=True,
    ) as admin:
        # Provision one secret the way an ops engineer would before a production deploy.
        await admin.get_secret("Order Service")
    calls.clear()

    write("1. Production: the secret exists and auto-create is off")
    async with AwsSecretProvider(
        session=session,
        endpoint_url=endpoint_url,
        region_name="eu-west-1",
        auto_create=False,
    ) as provider:
        started = time.perf_counter()
        secret = await provider.get_secret("Order Service")
        elapsed = (time.perf_counter() - started) * 1000
        write(
            f"   {secret_name_for('Order Service')}: {len(secret)} characters, read in "
            f"{elapsed:.1f} ms ({call_summary()})"
        )

        started = time.perf_counter()
        reads = 10_000
        for _ in range(reads):
            await provider.get_secret("Order Service")
        per_read = (time.perf_counter() - started) / reads * 1e6
        write(f"   {reads:,} cached reads: {per_read:.2f} us each ({call_summary()})")
        write()

        write("2. Production: a client whose secret was never created")
        try:
            await provider.get_secret("Inventory")
        except SecretNotFoundError as exc:
            write(f"   {type(exc).__name__}: {exc}")
        write(f"   ({call_summary()})")
        write()

    write(f"3. Development: {_DEMO_TASKS} concurrent tasks start up and ask for a new secret")
    async with AwsSecretProvider(
        session=session,
        endpoint_url=endpoint_url,
        region_name="eu-west-1",
        auto_create=True,
    ) as provider:
        started = time.perf_counter()
        values = await asyncio.gather(
            *(provider.get_secret("Billing Worker") for _ in range(_DEMO_TASKS)),
        )
        elapsed = (time.perf_counter() - started) * 1000
        agreed = "all got the same value" if len(set(values)) == 1 else "VALUES DIFFER"
        write(
            f"   {secret_name_for('Billing Worker')} created in {elapsed:.1f} ms; "
            f"{len(values)} tasks, {agreed} ({call_summary()})"
        )
    write()
    write("Done. The local server is stopped and nothing was stored outside this process.")
