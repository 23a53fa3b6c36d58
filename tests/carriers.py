"""A carrier for the notices' tests of the facade and the screens: it keeps what it is
handed (and may refuse it, as a mail server or a gateway would). The real channels
are tested against a real SMTP server, a real script and a real PDF in tests/notify."""

from __future__ import annotations

from pathlib import Path

from tiski.notify import DeliveryFailed
from tiski.settings import Settings

SETTINGS = Settings(mail_from="Porin kirjasto <kirjasto@pori.example>")


class Recorder:
    def __init__(self, fail: DeliveryFailed | None = None, *, desk=None):
        self.sent: list = []
        self.letters: list = []
        self.fail = fail
        self.desk = desk  # when given: every send must happen outside a transaction

    def send(self, message) -> None:
        if self.desk is not None:
            assert not self.desk.conn.in_transaction, "a notice sent inside a desk transaction"
        if self.fail is not None:
            raise self.fail
        self.sent.append(message)

    def post(self, letters, now) -> Path:
        self.letters.extend(letters)
        return Path("/dev/null")

    def close(self) -> None:
        pass


def run(desk, carrier: Recorder | None = None, **kw):
    """`tiski notices run` through the facade, delivering to `carrier`."""
    return desk.notices.run(settings=SETTINGS, carrier=carrier or Recorder(), **kw)
