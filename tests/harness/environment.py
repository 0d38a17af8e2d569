"""Isolated AWS environment for tests, examples and the demo.

The isolation keeps botocore from finding real credentials, profiles, container or instance
credentials, proxies or endpoints, and points every AWS endpoint at a local server, so that a
client created without an explicit `endpoint_url` still cannot leave the machine.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pytest

ISOLATED_REGION = "eu-west-1"

REMOVED_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_REGION",
    "ASPNETCORE_ENVIRONMENT",
    "DOTNET_ENVIRONMENT",
    # Proxy settings would send requests for 127.0.0.1 to another host.
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)
"""Variables removed by the isolation; every other ``AWS_*`` variable it does not set goes too."""

_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1"})


def _check_local_endpoint(endpoint_url: str) -> None:
    parts = urlsplit(endpoint_url)
    if (
        parts.scheme not in ("http", "https")
        or parts.hostname not in _LOOPBACK_HOSTS
        or parts.port is None
    ):
        raise ValueError(
            f"endpoint URL must be http://127.0.0.1:PORT or http://[::1]:PORT, got {endpoint_url!r}"
        )


def isolated_aws_environment(endpoint_url: str, tmp_dir: str | os.PathLike[str]) -> dict[str, str]:
    """Create empty AWS config and credentials files in `tmp_dir` and return the variables to set.

    The result contains fake keys, the region, the disabled instance-metadata lookup, the empty
    files and `endpoint_url` as both the Secrets Manager and the general endpoint. Raises
    ValueError unless `endpoint_url` is an http(s) URL with a port on 127.0.0.1 or [::1]. The
    variables to remove are listed by `variables_to_remove`.
    """
    _check_local_endpoint(endpoint_url)
    directory = Path(tmp_dir)
    directory.mkdir(parents=True, exist_ok=True)
    config_file = directory / "aws-config"
    credentials_file = directory / "aws-credentials"
    config_file.write_text("")
    credentials_file.write_text("")

    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": ISOLATED_REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(config_file),
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials_file),
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": endpoint_url,
        "AWS_ENDPOINT_URL": endpoint_url,
    }


def variables_to_remove(base: Mapping[str, str], isolated: Mapping[str, str]) -> list[str]:
    """Return the names in `base` that the isolation removes.

    These are `REMOVED_VARIABLES` and every other ``AWS_*`` variable that `isolated` does not
    set, such as ``AWS_CA_BUNDLE`` or a service-specific ``AWS_ENDPOINT_URL_*``.
    """
    return sorted(
        name
        for name in base
        if name not in isolated and (name in REMOVED_VARIABLES or name.startswith("AWS_"))
    )


def apply_isolated_aws_environment(
    monkeypatch: pytest.MonkeyPatch, endpoint_url: str, tmp_dir: str | os.PathLike[str]
) -> dict[str, str]:
    """Apply the isolated environment to `os.environ` through `monkeypatch` and return what it set.

    The previous environment comes back when `monkeypatch` is undone.
    """
    isolated = isolated_aws_environment(endpoint_url, tmp_dir)
    for name in variables_to_remove(os.environ, isolated):
        monkeypatch.delenv(name)
    for name, value in isolated.items():
        monkeypatch.setenv(name, value)
    return isolated


def child_process_environment(
    endpoint_url: str,
    tmp_dir: str | os.PathLike[str],
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Return an ``env`` mapping for a child process: `base` (default `os.environ`) isolated."""
    source = os.environ if base is None else base
    isolated = isolated_aws_environment(endpoint_url, tmp_dir)
    removed = set(variables_to_remove(source, isolated))
    environment = {name: value for name, value in source.items() if name not in removed}
    environment.update(isolated)
    return environment
