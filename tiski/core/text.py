"""Text typed by staff or read from files: trimmed, bounded, free of control characters.

Control characters (escape sequences among them) are refused at the door, so stored
data can never replay them to a terminal.
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
    digits = re.sub(r"\D", "", phone)
    if phone.strip().startswith("+358"):
        digits = "0" + digits[3:]
    return digits or None


def clean_phone(value: str | None) -> str | None:
    text = clean_text(value, "phone", required=False, max_length=30)
    if text is not None and (not re.fullmatch(r"\+?[0-9 ()\-]{5,30}", text) or len(re.sub(r"\D", "", text)) < 6):
        raise invalid("phone")
    return text


def parse_day(value: str | date | None, what: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise invalid("date", field=what)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise invalid("date", field=what) from None
