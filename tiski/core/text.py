"""Text typed by staff or read from files: trimmed, bounded, free of control characters.

Control characters (escape sequences, bidi overrides among them) are refused at the door
when staff type them and dropped when a file brings them, so stored data can never replay
them to a terminal. Digits are ASCII digits: `\\d` would also take `١٢` or `１２`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Literal, overload

from .errors import invalid

_CARD = re.compile(r"^[0-9A-Za-z\-]{3,32}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


_CONTROL = ("Cc", "Cf", "Cs", "Co")


def has_control(text: str) -> bool:
    return any(unicodedata.category(ch) in _CONTROL for ch in text)


def without_control(text: str, keep: str = "") -> str:
    """The text with control characters dropped (those in `keep` stay): what a paste
    may bring into a field is never shown to a terminal or saved."""
    if not has_control(text):
        return text
    return "".join(ch for ch in text if ch in keep or unicodedata.category(ch) not in _CONTROL)


def imported_text(value: str | None, max_length: int = 500) -> str | None:
    """Text read from a file (a MARC field, a CSV cell) as the register keeps text: NFC,
    control characters dropped (a tab or line break becomes a space), runs of spaces as
    one, trimmed, at most `max_length` characters; None when nothing is left."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", value)
    if has_control(text):
        text = "".join(" " if ch in "\t\n\r\v\f" else ch for ch in text)
        text = without_control(text)
    text = " ".join(text.split())
    return text[:max_length].rstrip() or None  # a cut may end on a space


@overload
def clean_text(value: str | None, what: str, *, required: Literal[True] = ..., max_length: int = ...,
               multiline: bool = ...) -> str: ...


@overload
def clean_text(value: str | None, what: str, *, required: bool, max_length: int = ...,
               multiline: bool = ...) -> str | None: ...


def clean_text(value: str | None, what: str, *, required: bool = True, max_length: int = 200,
               multiline: bool = False) -> str | None:
    """Trimmed text, or None when empty and not required; refuses control characters
    (line breaks only where the text is `multiline`)."""
    text = unicodedata.normalize("NFC", (value or "")).strip()
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text:
        if required:
            raise invalid("required", field=what)
        return None
    if has_control(text.replace("\n", "") if multiline else text):
        raise invalid("control_characters", field=what)
    if len(text) > max_length:
        raise invalid("too_long", field=what, limit=max_length)
    return text


def clean_card(value: str, what: str = "card") -> str:
    """Card numbers and barcodes: 3–32 letters, digits or hyphens (what a scanner types)."""
    text = (value or "").strip()
    if not _CARD.match(text):
        raise invalid("code", field=what)
    return text


def clean_email(value: str | None) -> str | None:
    text = clean_text(value, "email", required=False, max_length=254)
    if text is not None and not _EMAIL.match(text):
        raise invalid("email")
    return text


def phone_digits(phone: str | None) -> str | None:
    """'+358 40 123 4567' -> '0401234567', for search."""
    if not phone:
        return None
    digits = re.sub(r"[^0-9]", "", phone)
    if phone.strip().startswith("+358"):
        digits = "0" + digits[3:]
    return digits or None


def clean_phone(value: str | None) -> str | None:
    text = clean_text(value, "phone", required=False, max_length=30)
    if text is not None and (not re.fullmatch(r"\+?[0-9 ()\-]{5,30}", text) or len(re.sub(r"[^0-9]", "", text)) < 6):
        raise invalid("phone")
    return text


_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_FINNISH_DAY = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})(?:\.([0-9]{4})?)?")


def parse_day(value: str | date | None, what: str, today: date | None = None) -> date | None:
    """A day as staff type it — as the desk shows it, `2.12.2026`, or `2.12.` for this
    year (the year of `today`), or ISO `2026-12-02`. None when empty; INVALID_INPUT
    naming `what` for anything else (`2.12.` too, when `today` is not known)."""
    if value is None or isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    iso, finnish = _ISO_DAY.fullmatch(text), _FINNISH_DAY.fullmatch(text)
    if iso:
        year, month, day_ = int(iso[1]), int(iso[2]), int(iso[3])
    elif finnish and finnish[3]:
        year, month, day_ = int(finnish[3]), int(finnish[2]), int(finnish[1])
    elif finnish and today is not None:
        year, month, day_ = today.year, int(finnish[2]), int(finnish[1])
    else:
        raise invalid("date", field=what)
    try:
        return date(year, month, day_)
    except ValueError:
        raise invalid("date", field=what) from None


# What a spreadsheet would take for a formula: OWASP's CSV-injection list (= + - @, a tab,
# a carriage return) and the full-width forms some spreadsheets also read as operators.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def spreadsheet_safe(cell: object) -> object:
    """A CSV cell that opens as text, never as a formula: text starting like one gets a
    leading apostrophe (OWASP). Numbers stay numbers (a negative figure is not text)."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell
