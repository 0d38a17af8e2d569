"""Child process of the start-up benchmark: import one library, read one secret, report.

Run as ``python benchmarks/startup_child.py LIBRARY CLIENT_NAME SECRET_NAME`` in the isolated
AWS environment, whose ``AWS_ENDPOINT_URL_SECRETS_MANAGER`` points at the local server, so no
endpoint is passed. As soon as it has the secret it prints one JSON line with the seconds that
the library's import took, and never the secret. LIBRARY is one of `LIBRARIES`; ``python``
imports and reads nothing, which measures the interpreter's own start-up.
"""

from __future__ import annotations

import json
import sys
import time

LIBRARIES = ("python", "fig-secret-aws", "powertools", "aws-secretsmanager-caching")


def _fig_secret_aws(client_name: str) -> float:
    started = time.perf_counter()
    from fig_secret_aws import AwsSecretProvider  # noqa: PLC0415 (the import is what is timed)

    imported = time.perf_counter()

    import asyncio  # noqa: PLC0415 (already imported by fig_secret_aws, so free here)

    async def read() -> None:
        async with AwsSecretProvider(auto_create=False) as provider:
            await provider.get_secret(client_name)

    asyncio.run(read())

    return imported - started


def _powertools(secret_name: str) -> float:
    started = time.perf_counter()
    from aws_lambda_powertools.utilities import parameters  # noqa: PLC0415 (timed)

    imported = time.perf_counter()
    parameters.get_secret(secret_name)

    return imported - started


def _aws_secretsmanager_caching(secret_name: str) -> float:
    started = time.perf_counter()
    from aws_secretsmanager_caching import SecretCache  # type: ignore[import-untyped]  # noqa: PLC0415 (timed)

    imported = time.perf_counter()
    SecretCache().get_secret_string(secret_name)

    return imported - started


def main() -> None:
    """Run the library named on the command line and print how long its import took."""
    library, client_name, secret_name = sys.argv[1:4]
    if library == "python":
        import_seconds = 0.0
    elif library == "fig-secret-aws":
        import_seconds = _fig_secret_aws(client_name)
    elif library == "powertools":
        import_seconds = _powertools(secret_name)
    elif library == "aws-secretsmanager-caching":
        import_seconds = _aws_secretsmanager_caching(secret_name)
    else:
        msg = f"LIBRARY must be one of {', '.join(LIBRARIES)}, not {library!r}."
        raise SystemExit(msg)

    print(json.dumps({"import_seconds": import_seconds}), flush=True)


if __name__ == "__main__":
    main()
