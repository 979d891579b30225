# SPDX-License-Identifier: AGPL-3.0-or-later
"""Read typed fields from a parsed JSON request body.

Each reader raises SynapseError 400 that names the field, so a client sees
which value to fix: M_MISSING_PARAM for an absent required field,
M_BAD_JSON for a value of the wrong type and M_INVALID_PARAM for a value
out of range.
"""

from typing import Any, Mapping

from synapse.module_api.errors import Codes, SynapseError


def required_string(body: Mapping[str, Any], name: str, parent: str = "") -> str:
    """Return body[name] as a non-empty string."""
    value = body.get(name)
    if value is None:
        raise SynapseError(400, f"Missing field: {_path(parent, name)}", Codes.MISSING_PARAM)
    if not isinstance(value, str):
        raise SynapseError(400, f"{_path(parent, name)} must be a string", Codes.BAD_JSON)
    if not value:
        raise SynapseError(400, f"{_path(parent, name)} must not be empty", Codes.BAD_JSON)
    _require_unicode_text(value, _path(parent, name))
    return value


def optional_string(body: Mapping[str, Any], name: str, parent: str = "") -> str | None:
    """Return body[name] as a string, or None when the field is absent or null."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise SynapseError(400, f"{_path(parent, name)} must be a string", Codes.BAD_JSON)
    _require_unicode_text(value, _path(parent, name))
    return value


def optional_bool(body: Mapping[str, Any], name: str) -> bool | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise SynapseError(400, f"{name} must be true or false", Codes.BAD_JSON)
    return value


def optional_int(
    body: Mapping[str, Any], name: str, minimum: int, maximum: int
) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    # bool is a subclass of int; `true` is not a number of seconds.
    if not isinstance(value, int) or isinstance(value, bool):
        raise SynapseError(400, f"{name} must be an integer", Codes.BAD_JSON)
    if not minimum <= value <= maximum:
        raise SynapseError(
            400, f"{name} must be between {minimum} and {maximum}", Codes.INVALID_PARAM
        )
    return value


def required_object(body: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = body.get(name)
    if value is None:
        raise SynapseError(400, f"Missing field: {name}", Codes.MISSING_PARAM)
    if not isinstance(value, dict):
        raise SynapseError(400, f"{name} must be a JSON object", Codes.BAD_JSON)
    return value


def _require_unicode_text(value: str, path: str) -> None:
    # JSON allows lone UTF-16 surrogates, which hashing and the database cannot encode.
    if value.isascii():
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise SynapseError(400, f"{path} is not valid Unicode text", Codes.BAD_JSON) from error


def _path(parent: str, name: str) -> str:
    return f"{parent}.{name}" if parent else name
