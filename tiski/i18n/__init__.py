"""Translations: Finnish by default, Swedish and English complete.

Catalogues are TOML files beside this module, one per language, with the same keys
and the same {placeholders}. Figures are formatted here: `*_cents` as money
(`1,50 €`), dates as d.m.yyyy; text from outside never reaches a terminal with
control characters in it.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from ..core.errors import Refusal
from ..core.money import format_cents
from ..core.text import has_control

LANGUAGES = ("fi", "sv", "en")
DEFAULT = "fi"


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    """One language's messages, read the first time one of them is needed."""
    import tomllib

    text = (Path(__file__).parent / f"{lang}.toml").read_text(encoding="utf-8")
    flat: dict[str, str] = {}

    def walk(prefix: str, table: dict[str, Any]) -> None:
        for key, value in table.items():
            name = f"{prefix}.{key}" if prefix else key
            if isinstance(value, dict):
                walk(name, value)
            else:
                flat[name] = value

    walk("", tomllib.loads(text))
    return flat


def pick_language(requested: str | None = None) -> str:
    """The language asked for (`fi`, `sv_FI.UTF-8`…), else Finnish. The desk's own
    language comes from its settings (TISKI_LANG, tiski.settings)."""
    code = (requested or "").strip().lower()[:2]
    return code if code in LANGUAGES else DEFAULT


def safe(text: Any) -> str:
    """Outside text made safe to print: control characters become '?'."""
    shown = str(text)
    if not has_control(shown):
        return shown
    return "".join("?" if has_control(ch) else ch for ch in shown)


def shorten(text: str, limit: int = 60) -> str:
    """Echoed input stays readable: a 100 000-character value is not repeated back."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_day(day: date | datetime | None) -> str:
    if day is None:
        return ""
    return f"{day.day}.{day.month}.{day.year}"


class Translator:
    """Messages in one language. `audience` "patron" (a self-service machine) leaves out
    what only staff may read: who gave a ban."""

    def __init__(self, lang: str | None = None, audience: str = "staff"):
        self.lang = pick_language(lang)
        self.audience = audience

    # The catalogues are read on the first message asked for, not when a shell makes its
    # translator: a command whose output is JSON may never need one.
    @cached_property
    def _messages(self) -> dict[str, str]:
        return catalogue(self.lang)

    @cached_property
    def _fallback(self) -> dict[str, str]:
        return catalogue(DEFAULT)

    def has(self, key: str) -> bool:
        return key in self._messages

    def money(self, cents: int) -> str:
        return format_cents(cents, "." if self.lang == "en" else ",")

    def decimal(self, value: float | None, digits: int = 1) -> str:
        """'4,3' in Finnish and Swedish, '4.3' in English; '-' for no value."""
        if value is None:
            return "-"
        text = f"{value:.{digits}f}"
        return text if self.lang == "en" else text.replace(".", ",")

    def value(self, name: str, value: Any) -> str:
        if name.endswith("_cents") and isinstance(value, int):
            return self.money(value)
        if isinstance(value, (date, datetime)):
            return format_day(value)
        if name in ("format", "status", "category", "type", "method") and isinstance(value, str):
            key = f"{name}.{value}"
            if key in self._messages:
                return self._messages[key]
        return shorten(safe(value), 500 if name == "path" else 60)

    def __call__(self, key: str, /, **params: Any) -> str:
        template = self._messages.get(key) or self._fallback.get(key) or key
        values = {name: self.value(name, value) for name, value in params.items()}
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            return template

    def _ban(self, params: dict[str, Any]) -> str:
        """Which ban, since when, until when — and, to staff, who gave it."""
        until = self("detail.ban_until", until=params["until"]) if params.get("until") else self("detail.ban_open")
        ban = self(f"type.{params['ban_type']}")
        values = {"ban": ban[:1].upper() + ban[1:], "since": params["since"], "until": until}
        if params.get("given_by") and self.audience == "staff":
            return self("detail.banned_by", given_by=params["given_by"], **values)
        return self("detail.banned", **values)

    def refusal(self, refusal: Refusal) -> str:
        """One refusal in words."""
        params = dict(refusal.params)
        if refusal.code == "INVALID_INPUT":
            what = params.pop("what", "generic")
            if "field" in params:
                params["field"] = self(f"field.{params['field']}") if self.has(f"field.{params['field']}") else params["field"]
            key = f"input.{what}" if self.has(f"input.{what}") else "input.generic"
            return self(key, **params)
        if refusal.code == "NOT_FOUND":
            return self(f"not_found.{params.get('what', 'generic')}")
        if refusal.code == "CONSENT_MISSING" and params.get("who") == "organisation":
            return self("error.CONSENT_MISSING_ORGANISATION")
        if refusal.code == "NOT_ALLOWED" and params.get("action") == "login":
            return self("error.LOGIN_FAILED")
        if refusal.code == "NOT_ALLOWED" and params.get("action") == "login_paused":
            return self("error.LOGIN_PAUSED", seconds=params.get("seconds"))
        if refusal.code == "NOT_ALLOWED" and params.get("action") == "staff_proof":
            return self("error.STAFF_PROOF", staff=params.get("staff"))
        if refusal.code == "NOT_ALLOWED" and not params.get("staff"):
            return self("error.NOT_ALLOWED_ANONYMOUS")
        if refusal.code == "HELD_FOR_OTHER" and params.get("queued"):
            return self("error.HELD_FOR_OTHER_QUEUED")
        if refusal.code == "BANNED" and "ban_type" in params:
            return self._ban(params)
        if refusal.code == "DUPLICATE_PATRON" and "card" in params:
            return self("detail.duplicate_patron", card=params["card"], name=params.get("name", ""))
        return self(f"error.{refusal.code}", **params)
