"""One run's deliveries: e-mail over one SMTP connection, text messages one by one,
the letters gathered into one PDF at the end."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from . import DeliveryFailed, Email, Letter, TextMessage
from .mail import Mailer
from ..settings import Settings
from .sms import send_text


class Postman:
    def __init__(self, settings: Settings, letters_folder: Path | None, letters_mode: int = 0o600):
        self.settings = settings
        self.letters_folder = settings.letters or letters_folder
        self.letters_mode = letters_mode
        self._mailer = Mailer(settings)

    def send(self, message: Email | TextMessage) -> None:
        if isinstance(message, Email):
            self._mailer.send(message)
        else:
            send_text(self.settings.sms_command, message)

    def post(self, letters: list[Letter], now: datetime) -> Path:
        """The run's letters as one PDF; its path."""
        from .letters import write_letters

        if self.letters_folder is None:
            raise DeliveryFailed("there is no folder for letters (TISKI_LETTERS)")
        return write_letters(letters, self.letters_folder, now, self.letters_mode)

    def close(self) -> None:
        self._mailer.close()
