"""Stored text back into values: days are YYYY-MM-DD, moments ISO 8601 with their offset."""

from __future__ import annotations

from datetime import date, datetime


def day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
