"""Bad client names are rejected before any request, with an error that names the reason.

Secrets Manager accepts names of ASCII letters, digits and ``/_+=.@-``, at most 512 characters
in all. The provider removes ASCII spaces from a client name and wraps the rest in ``FIG_`` and
``_SECRET``. Every other character is rejected, including non-ASCII letters whose upper-case
form is ASCII, so that two different client names can never share one secret.
"""

from __future__ import annotations

import string
from typing import TYPE_CHECKING

import pytest

from fig_secret_aws import InvalidClientNameError, secret_name_for

if TYPE_CHECKING:
    from tests.figures import Figures
    from tests.harness import FaultProxy
    from tests.provider_fixtures import ProviderFactory

ALLOWED_PUNCTUATION = "/_+=.@-"
EMPTY = "empty or only spaces"
TOO_LONG = "512 characters"


def _character_case(character: str, case_id: str) -> object:
    """Return a case: *character* inside an otherwise valid name, and the code point named."""
    return pytest.param(f"app{character}name", f"U+{ord(character):04X}", id=case_id)


PUNCTUATION_CASES = [
    _character_case(character, f"punctuation-{ord(character):02x}")
    for character in string.punctuation
    if character not in ALLOWED_PUNCTUATION
]

CONTROL_CASES = [
    _character_case("\t", "tab"),
    _character_case("\n", "line-feed"),
    _character_case("\r", "carriage-return"),
    _character_case("\x00", "nul"),
    _character_case("\x0b", "vertical-tab"),
    _character_case("\x0c", "form-feed"),
    _character_case("\x1b", "escape"),
    _character_case("\x7f", "delete"),
]

NON_ASCII_CASES = [
    _character_case("\u00e9", "e-acute"),
    # Each of these four upper-cases to ASCII ("SS", "I", "FI", "S").
    _character_case("\u00df", "sharp-s"),
    _character_case("\u0131", "dotless-i"),
    _character_case("\ufb01", "fi-ligature"),
    _character_case("\u017f", "long-s"),
    _character_case("\u212a", "kelvin-sign"),
    _character_case("\u0130", "dotted-capital-i"),
    _character_case("\u0430", "cyrillic-a"),
    _character_case("\uff21", "fullwidth-a"),
    _character_case("\u0661", "arabic-indic-one"),
    _character_case("\u0301", "combining-acute"),
    _character_case("\u00a0", "no-break-space"),
    _character_case("\u3000", "ideographic-space"),
    _character_case("\u200b", "zero-width-space"),
    _character_case("\ufeff", "byte-order-mark"),
    _character_case("\U0001f512", "emoji"),
]

EMPTY_AND_LONG_CASES = [
    pytest.param("", EMPTY, id="empty"),
    pytest.param("   ", EMPTY, id="spaces-only"),
    pytest.param("a" * 502, TOO_LONG, id="one-over-limit"),
    pytest.param("a" * 10_000, TOO_LONG, id="far-over-limit"),
    pytest.param("a " * 502, TOO_LONG, id="over-limit-without-spaces"),
]

BAD_NAMES = [*EMPTY_AND_LONG_CASES, *PUNCTUATION_CASES, *CONTROL_CASES, *NON_ASCII_CASES]

NOT_STRINGS = [
    pytest.param(None, id="none"),
    pytest.param(42, id="int"),
    pytest.param(True, id="bool"),
    pytest.param(3.5, id="float"),
    pytest.param(b"MyService", id="bytes"),
    pytest.param(bytearray(b"MyService"), id="bytearray"),
    pytest.param(["MyService"], id="list"),
    pytest.param(("MyService",), id="tuple"),
    pytest.param(object(), id="object"),
]


def test_matrix_covers_at_least_forty_names() -> None:
    assert len(BAD_NAMES) >= 40


@pytest.mark.asyncio
@pytest.mark.parametrize(("client_name", "reason"), BAD_NAMES)
async def test_bad_name_rejected_without_request(
    client_name: str,
    reason: str,
    make_provider: ProviderFactory,
    proxy: FaultProxy,
    figures: Figures,
) -> None:
    """get_secret, refresh and invalidate all reject the name, even with auto-create on."""
    provider = make_provider(auto_create=True)

    with pytest.raises(InvalidClientNameError) as from_get:
        await provider.get_secret(client_name)
    with pytest.raises(InvalidClientNameError) as from_refresh:
        await provider.refresh(client_name)
    with pytest.raises(InvalidClientNameError) as from_invalidate:
        provider.invalidate(client_name)

    for caught in (from_get, from_refresh, from_invalidate):
        assert reason in str(caught.value)
    assert proxy.count() == 0
    figures.add("bad_input.names")
    figures.add("bad_input.rejected")
    figures.add("bad_input.requests", proxy.count())


@pytest.mark.parametrize(("client_name", "reason"), NON_ASCII_CASES)
def test_non_ascii_name_names_character(client_name: str, reason: str) -> None:
    """The message shows the character and its Unicode name, not only the code point."""
    character = chr(int(reason.removeprefix("U+"), 16))

    with pytest.raises(InvalidClientNameError) as caught:
        secret_name_for(client_name)

    assert repr(character) in str(caught.value)
    assert "is not allowed" in str(caught.value)


@pytest.mark.asyncio
@pytest.mark.parametrize("client_name", NOT_STRINGS)
async def test_non_string_name_raises_type_error(
    client_name: object,
    make_provider: ProviderFactory,
    proxy: FaultProxy,
    figures: Figures,
) -> None:
    provider = make_provider(auto_create=True)

    with pytest.raises(TypeError, match="must be a str"):
        await provider.get_secret(client_name)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be a str"):
        await provider.refresh(client_name)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be a str"):
        provider.invalidate(client_name)  # type: ignore[arg-type]

    assert proxy.count() == 0
    figures.add("bad_input.non_strings")
    figures.add("bad_input.requests", proxy.count())
