"""Client name to Secrets Manager secret name, with the validation AWS would apply."""

from __future__ import annotations

import string
import unicodedata

from ._errors import InvalidClientNameError

__all__ = ["MAX_SECRET_NAME_LENGTH", "secret_name_for"]

MAX_SECRET_NAME_LENGTH = 512
"""The maximum length of a secret name that Secrets Manager accepts."""

_PREFIX = "FIG_"
_SUFFIX = "_SECRET"
_MAX_NAME_PART = MAX_SECRET_NAME_LENGTH - len(_PREFIX) - len(_SUFFIX)

# Secrets Manager accepts these characters in a secret name. The ASCII space is also
# accepted in a client name because it is removed before the name is built.
_ALLOWED = frozenset(string.ascii_letters + string.digits + "/_+=.@-")


def _describe_character(character: str) -> str:
    name = unicodedata.name(character, "")
    code_point = f"U+{ord(character):04X}"

    return f"{character!r} ({code_point} {name})" if name else f"{character!r} ({code_point})"


def secret_name_for(client_name: str) -> str:
    """Return the Secrets Manager secret name that stores *client_name*'s Fig client secret.

    The name is ``FIG_{NAME}_SECRET``, where NAME is the client name with every ASCII space
    removed and then upper-cased, the same rule as Fig's .NET AWS provider.

    Raises:
        TypeError: *client_name* is not a ``str``.
        InvalidClientNameError: the name is empty or only spaces, contains a character that
            Secrets Manager rejects, or makes a secret name over 512 characters.

    """
    if not isinstance(client_name, str):
        msg = f"The client name must be a str, not {type(client_name).__name__}."
        raise TypeError(msg)

    compact = client_name.replace(" ", "")
    if not compact:
        msg = (
            f"Invalid client name {client_name!r}: it is empty or only spaces. "
            "Use the client name that the application registers with Fig."
        )
        raise InvalidClientNameError(msg)

    for position, character in enumerate(client_name):
        if character != " " and character not in _ALLOWED:
            msg = (
                f"Invalid client name {client_name!r}: the character "
                f"{_describe_character(character)} at position {position} is not allowed. "
                "Secrets Manager secret names accept only ASCII letters, digits and "
                "/_+=.@- (spaces are removed)."
            )
            raise InvalidClientNameError(msg)

    if len(compact) > _MAX_NAME_PART:
        msg = (
            f"Invalid client name of {len(client_name)} characters: without spaces it has "
            f"{len(compact)}, which makes a secret name longer than Secrets Manager's limit "
            f"of {MAX_SECRET_NAME_LENGTH} characters. Use a client name of at most "
            f"{_MAX_NAME_PART} characters, not counting spaces."
        )
        raise InvalidClientNameError(msg)

    return f"{_PREFIX}{compact.upper()}{_SUFFIX}"
