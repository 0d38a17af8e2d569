"""Typing checks of the public API: type-checked by ``nox -s typing``, never run."""

from __future__ import annotations

from typing_extensions import assert_type

from fig_secret_aws import (
    AwsSecretProvider,
    FigSecretError,
    SecretAccessDeniedError,
    SecretsManagerUnavailableError,
    secret_name_for,
)


async def typical_application() -> None:
    async with AwsSecretProvider(region_name="eu-west-1", cache_ttl=None) as provider:
        assert_type(provider, AwsSecretProvider)
        assert_type(await provider.get_secret("MyService"), str)
        assert_type(await provider.refresh("MyService"), str)
        assert_type(provider.invalidate("MyService"), None)
        assert_type(provider.name, str)
        assert_type(provider.is_enabled, bool)
        assert_type(provider.auto_create, bool)
        assert_type(provider.cache_ttl, float | None)

    assert_type(secret_name_for("My Service"), str)


def error_attributes(error: FigSecretError) -> None:
    assert_type(error.secret_name, str | None)
    if isinstance(error, SecretAccessDeniedError):
        assert_type(error.action, str)
    if isinstance(error, SecretsManagerUnavailableError):
        assert_type(error.attempts, int)
