"""The channels notices travel by: e-mail over SMTP, text messages through the library's
own gateway command, and letters as one PDF per run. I/O adapters beside the store:
the facade hands them finished messages (never a connection or a rule), they deliver
or raise `DeliveryFailed` saying why — in words fit for the staff's list, never the
patron's data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str
    message_id: str  # the same for every try of one notice
    language: str
    written: datetime


@dataclass(frozen=True)
class TextMessage:
    number: str  # +358…
    text: str


@dataclass(frozen=True)
class Letter:
    window: tuple[str, ...]  # the name and address, in the envelope's window
    sender: tuple[str, ...]  # the library: its name and contact line, above the window
    heading: str
    body: str
    day: date
    language: str


class DeliveryFailed(Exception):
    """A message did not go. `permanent`: trying again will not help (an address the
    server refuses, a number the gateway rejects) — it goes to staff at once."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Carrier(Protocol):
    """What a run hands its messages to (notify.postman.Postman does the real work)."""

    def send(self, message: Email | TextMessage) -> None: ...

    def post(self, letters: list[Letter], now: datetime) -> Path | None: ...

    def close(self) -> None: ...
