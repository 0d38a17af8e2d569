"""The public surface: the names SPEC fixes, a sorted __all__, and the error hierarchy."""

from __future__ import annotations

import importlib.metadata
import importlib.resources

import fig_secret_aws
from fig_secret_aws import FigSecretError


def test_all_is_sorted_and_complete() -> None:
    public = {name for name in dir(fig_secret_aws) if not name.startswith("_")}

    assert fig_secret_aws.__all__ == sorted(fig_secret_aws.__all__)
    assert public <= set(fig_secret_aws.__all__)
    assert {
        "AwsSecretProvider",
        "FigSecretError",
        "InvalidClientNameError",
        "SecretNotFoundError",
        "secret_name_for",
    } <= set(fig_secret_aws.__all__)


def test_every_exported_error_derives_from_base() -> None:
    errors = [
        getattr(fig_secret_aws, name) for name in fig_secret_aws.__all__ if name.endswith("Error")
    ]

    assert len(errors) >= 10
    assert all(issubclass(error, FigSecretError) for error in errors)


def test_invalid_client_name_error_is_value_error() -> None:
    assert issubclass(fig_secret_aws.InvalidClientNameError, ValueError)


def test_version_matches_metadata() -> None:
    assert fig_secret_aws.__version__ == importlib.metadata.version("fig-secret-aws")


def test_package_is_typed() -> None:
    marker = importlib.resources.files("fig_secret_aws").joinpath("py.typed")

    assert marker.is_file()
