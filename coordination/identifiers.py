"""Identifiers in their one normal form, so that two agencies typing the same phone number, wallet or
person differently still match: each kind is normalised by the library made for it, never by hand,
and a value that does not validate is refused with the reason.

`normalise(kind, value, qualifier=..., region=...)` is the one entry point. `qualifier` is what some
kinds need besides the value: the platform of an online handle, the chain of a wallet (optional when
the address says it), the date of birth of a person. `region` is the ISO country a phone number
without a country code is read in (the owning agency's).

Nothing here reaches the network (e-mail addresses are checked for syntax only).
"""

from __future__ import annotations

from dataclasses import dataclass

import email_validator
import phonenumbers

from coordination.models.enums import IdentifierKind

MAX_VALUE = 300  # longer input is refused before any parsing: bounded time on hostile input


@dataclass(frozen=True)
class Normalised:
    kind: IdentifierKind
    value: str  # the normal form: what is keyed and compared
    display: str  # how its own agency reads it
    phonetic: str | None = None  # people only: the sound of the name and the birth date, for possible matches


def normalise(kind: IdentifierKind | str, value: str, *, qualifier: str | None = None,
              region: str | None = None) -> Normalised:
    """The normal form of `value` as an identifier of `kind`; ValueError with a reason a liaison reads."""
    try:
        kind = IdentifierKind(kind)
    except ValueError:
        raise ValueError(f"is not a kind of identifier (one of: {', '.join(k.value for k in IdentifierKind)})") \
            from None
    if not isinstance(value, str) or not value.strip():
        raise ValueError("is required")
    if len(value) > MAX_VALUE or (qualifier is not None and len(qualifier) > MAX_VALUE):
        raise ValueError(f"is longer than {MAX_VALUE} characters")
    return _NORMALISERS[kind](value.strip(), qualifier, region)


def _phone(value: str, qualifier: str | None, region: str | None) -> Normalised:
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValueError("is not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("is not a valid phone number")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return Normalised(IdentifierKind.PHONE, e164, shown)


def _email(value: str, qualifier: str | None, region: str | None) -> Normalised:
    try:
        checked = email_validator.validate_email(value, check_deliverability=False)
    except email_validator.EmailNotValidError as error:
        raise ValueError(f"is not a valid e-mail address ({error})") from None
    normal = checked.normalized.lower()
    return Normalised(IdentifierKind.EMAIL, normal, checked.normalized)


def _not_yet(value: str, qualifier: str | None, region: str | None) -> Normalised:
    raise ValueError("cannot be checked yet")


_NORMALISERS = {kind: _not_yet for kind in IdentifierKind} | {
    IdentifierKind.PHONE: _phone,
    IdentifierKind.EMAIL: _email,
}
