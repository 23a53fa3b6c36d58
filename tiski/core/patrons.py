"""Patrons: identity codes, age, category and the rules of registration."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .errors import Refusal, invalid
from .policy import Policy
from .text import clean_card

# The century sign tells the century (2023 reform added Y X W V U and B-F).
_CENTURY = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}


# An identity code (henkilötunnus) as people type it: the birth date ddmmyy, the
# century sign or none at all ("140574231L"), the individual number and the check
# character — glued to letters or not, in any case. Digits running on after it go
# too (what is left must not start another code). Kept here, with the card rules, not
# in core.digituki: the circulation note's check needs none of the Digituki rules.
HETU = re.compile(r"(?<!\d)(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d\d[-+A-FU-Y]?\d{3}(?:\d+|[A-Y])", re.IGNORECASE)

# DDMMYY, a century sign, three digits, a check character: a HETU's shape.
_HETU_SHAPE = re.compile(r"^(\d{2})(\d{2})\d{2}[-+A-FU-Y]\d{3}[0-9A-Y]$", re.IGNORECASE)

# Where an identity code may start (never inside a run of digits), as a lookahead so that
# candidates may overlap: ddmmyy, then a century sign and nnnC — or no sign, nnnC, and no
# digit running on after a check digit (a longer number is not an identity code).
_HETU_CANDIDATE = re.compile(
    r"(?<![0-9])(?=([0-3][0-9][01][0-9][0-9]{2}(?:[-+A-FU-Y][0-9]{3}[0-9A-Y]|[0-9]{3}(?:[0-9](?![0-9])|[A-Y]))))",
    re.IGNORECASE)


def hetu_in(text: str | None) -> bool:
    """Does the text hold a real identity code — with its century sign or without
    (`140574231L`), glued to words or not? Each candidate is validated (a real birth
    date, an individual number, the right check character; python-stdnum's rules), so
    a phone number (`0401234567`) or another run of digits is not taken for one."""
    candidates = [found.upper() for found in _HETU_CANDIDATE.findall(text or "")]
    if not candidates:
        return False
    from stdnum.fi import hetu as stdnum_hetu

    for code in candidates:
        # Without a sign the century is unknown: any century whose calendar has the day.
        forms = [code] if len(code) == 11 else [code[:6] + sign + code[6:] for sign in "-A+"]
        if any(stdnum_hetu.is_valid(form, allow_temporary=True) for form in forms):
            return True
    return False


def without_hetu(text: str | None, what: str) -> str | None:
    """Free text that is stored (a name, an address, a fee's reason): refused, naming the
    field and never the value, when it holds an identity code — those are kept only
    sealed, and text is shown, printed and (in the fee ledger) never removed."""
    if hetu_in(text):
        raise invalid("hetu_in_text", field=what)
    return text


# Passwords written down (Digituki's note scrubber, core.digituki, drops every line that
# names one; a circulation note refuses one given a value: "salasana: kissa123").
SECRET_WORDS = (r"salasana|salasanat|password|passwd|pwd|pw|tunnusluku|pin|pin-koodi|lösenord|passphrase|"
                r"käyttäjätunnus|username|tunnukset|verkkopankkitunnukset|pankkitunnukset|avainluku")
PASSWORD_LINES = (
    re.compile(rf"^.*\b({SECRET_WORDS})\b.*$", re.IGNORECASE | re.MULTILINE),
    re.compile(r"^.*\bss\s*[:=].*$", re.IGNORECASE | re.MULTILINE),  # "ss: kissa123" (salasana)
)
PASSWORD_GIVEN = re.compile(rf"\b(?:{SECRET_WORDS}|ss)\s*[:=]\s*\S", re.IGNORECASE)


def card_number(text: str, what: str = "card") -> str:
    """A library card number as scanned — never an identity code: one that has a HETU's
    shape with its century sign (valid or mistyped), or is a valid HETU without it
    (`140574231L`), is refused, so no HETU lands in the card column, which is shown,
    logged and printed on receipts."""
    card = clean_card(text, what)
    shape = _HETU_SHAPE.match(card)
    if (shape and 1 <= int(shape[1]) <= 31 and 1 <= int(shape[2]) <= 12) or hetu_in(card):
        raise invalid("card_like_hetu")
    return card


def validate_hetu(text: str) -> str:
    """The compact, valid HETU, or ValueError. Validation is python-stdnum's
    (imported here: it costs ~50 ms at start-up, and only registration needs it)."""
    from stdnum.exceptions import ValidationError
    from stdnum.fi import hetu as stdnum_hetu

    try:
        return stdnum_hetu.validate(text)
    except ValidationError:
        raise ValueError("invalid HETU") from None


def birth_date_from_hetu(valid_hetu: str) -> date:
    """Derive the birth date from an already validated HETU."""
    day, month, year = int(valid_hetu[0:2]), int(valid_hetu[2:4]), int(valid_hetu[4:6])
    return date(_CENTURY[valid_hetu[6]] + year, month, day)


def mask_name(first: str, last: str) -> str:
    """'Aino', 'Virtanen' -> 'A*** V*******': enough for staff to tell a namesake from
    the person, never the name itself in a message."""
    return " ".join(part[:1] + "*" * (len(part) - 1) for part in f"{first} {last}".split())


def mask_hetu(valid_hetu: str) -> str:
    """'131052-308T' -> '131052-****': the birth date part stays, the rest never shows."""
    return valid_hetu[:7] + "****"


# What the library speaks to a patron in: notices, letters, the self-service machines.
PATRON_LANGUAGES = ("fi", "sv", "en")


def patron_language(code: str | None, default: str = "fi") -> str:
    """A patron's language: one of PATRON_LANGUAGES (`default` when none is given)."""
    text = (code or "").strip().lower()
    if not text:
        return default
    if text not in PATRON_LANGUAGES:
        raise invalid("language", value=code)
    return text


def age_on(birth: date, day: date) -> int:
    """Full years on `day`. Someone born on 29 February turns a year older on
    28 February in common years (the Finnish reading of month-end periods)."""
    try:
        birthday = birth.replace(year=day.year)
    except ValueError:  # 29 Feb in a common year
        birthday = date(day.year, 2, 28)
    return day.year - birth.year - (1 if day < birthday else 0)


@dataclass(frozen=True)
class Registration:
    """What the desk knows when registering a patron (before it is stored)."""

    is_organisation: bool
    birth_date: date | None
    guardian: str | None = None
    consent_date: date | None = None
    responsible: str | None = None


def category(is_organisation: bool, birth: date | None, day: date, policy: Policy) -> str:
    if is_organisation:
        return "organisation"
    if birth is not None and age_on(birth, day) < policy.child_under_age:
        return "child"
    return "adult"


def under_consent_age(birth: date, day: date, policy: Policy) -> bool:
    """Too young to have a card without a guardian's written consent (under 15)."""
    return age_on(birth, day) < policy.consent_under_age


def consent_missing(reg: Registration, day: date, policy: Policy) -> Refusal | None:
    """Under 15 needs a guardian's written consent; an organisation a responsible person."""
    if reg.is_organisation:
        if not (reg.responsible or "").strip():
            return Refusal("CONSENT_MISSING", {"who": "organisation"})
        return None
    if reg.birth_date is None:
        return None
    if under_consent_age(reg.birth_date, day, policy):
        if not (reg.guardian or "").strip() or reg.consent_date is None:
            return Refusal("CONSENT_MISSING", {"who": "child", "age": policy.consent_under_age})
    return None


def initials(first_name: str, last_name: str) -> str:
    """What a hold slip carries of the patron ("A. V."): enough to check the right book
    is handed over, too little to tell a stranger whose it is."""
    return " ".join(f"{name.strip()[0].upper()}." for name in (first_name, last_name) if name and name.strip())
