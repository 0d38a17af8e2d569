"""Client name to secret name: the .NET rule, and local validation before any call."""

from __future__ import annotations

import pytest

from fig_secret_aws import InvalidClientNameError, secret_name_for


@pytest.mark.parametrize(
    ("client_name", "expected"),
    [
        pytest.param("MyService", "FIG_MYSERVICE_SECRET", id="pascal-case"),
        pytest.param("My Service", "FIG_MYSERVICE_SECRET", id="inner-space"),
        pytest.param("  padded  name ", "FIG_PADDEDNAME_SECRET", id="outer-spaces"),
        pytest.param("orders-api", "FIG_ORDERS-API_SECRET", id="hyphen"),
        pytest.param("a.b@c_d+e=f/g", "FIG_A.B@C_D+E=F/G_SECRET", id="every-allowed-symbol"),
        pytest.param("service2", "FIG_SERVICE2_SECRET", id="digits"),
        pytest.param("i", "FIG_I_SECRET", id="ascii-i-no-turkish-casing"),
        pytest.param("ALREADY_UPPER", "FIG_ALREADY_UPPER_SECRET", id="upper"),
    ],
)
def test_secret_name_matches_dotnet_rule(client_name: str, expected: str) -> None:
    """Spaces are removed, then the name is upper-cased, between FIG_ and _SECRET."""
    assert secret_name_for(client_name) == expected


def test_longest_accepted_name_makes_512_characters() -> None:
    name = secret_name_for("a" * 501)

    assert len(name) == 512


def test_spaces_do_not_count_toward_length() -> None:
    assert len(secret_name_for("a " * 501)) == 512


@pytest.mark.parametrize(
    ("client_name", "reason"),
    [
        pytest.param("", "empty or only spaces", id="empty"),
        pytest.param("    ", "empty or only spaces", id="spaces-only"),
        pytest.param("a\tb", "U+0009", id="tab"),
        pytest.param("a\u00a0b", "NO-BREAK SPACE", id="no-break-space"),
        pytest.param("a#b", "'#'", id="hash"),
        pytest.param("a:b", "':'", id="colon"),
        pytest.param("a,b", "','", id="comma"),
        pytest.param("caf\u00e9", "LATIN SMALL LETTER E WITH ACUTE", id="accented"),
        pytest.param("stra\u00dfe", "SHARP S", id="sharp-s-uppercases-to-ascii"),
        pytest.param("\u0131d", "DOTLESS I", id="dotless-i-uppercases-to-ascii"),
        pytest.param("\ufb01le", "LIGATURE FI", id="ligature-uppercases-to-ascii"),
        pytest.param("a" * 502, "512", id="too-long"),
    ],
)
def test_invalid_client_name_raises_with_reason(client_name: str, reason: str) -> None:
    with pytest.raises(InvalidClientNameError) as caught:
        secret_name_for(client_name)

    assert reason in str(caught.value)


def test_invalid_client_name_is_value_error() -> None:
    with pytest.raises(ValueError, match="not allowed"):
        secret_name_for("bad#name")


@pytest.mark.parametrize("client_name", [None, 42, b"MyService", ["MyService"]])
def test_non_string_client_name_raises_type_error(client_name: object) -> None:
    with pytest.raises(TypeError, match="must be a str"):
        secret_name_for(client_name)  # type: ignore[arg-type]
