"""Where notices go out: the desk's settings for SMTP, the text-message command and the
letters folder. From the environment, else `[notices]` in tiski.toml (the desk's own
settings file, see tiski/config.py):

    [notices]
    smtp_host = "smtp.example.fi"     # TISKI_SMTP_HOST
    smtp_port = 587                   # TISKI_SMTP_PORT
    smtp_starttls = "on"              # TISKI_SMTP_STARTTLS: on | off
    smtp_user = "kirjasto"            # TISKI_SMTP_USER
    smtp_password_file = "/etc/tiski/smtp-password"   # TISKI_SMTP_PASSWORD_FILE
    mail_from = "Porin kirjasto <kirjasto@pori.fi>"   # TISKI_MAIL_FROM
    sms_command = "/usr/local/bin/send-sms"           # TISKI_SMS_COMMAND: number and text on stdin
    letters = "/srv/tiski/letters"    # TISKI_LETTERS: the folder for the PDF letters

The password is never in the database nor on a command line: a file (mode 0600), or
TISKI_SMTP_PASSWORD in the environment of the cron job.
"""

from __future__ import annotations

import os
import shlex
import tomllib
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Mapping


@dataclass(frozen=True)
class NoticeSettings:
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_user: str | None = None
    smtp_password_file: Path | None = None
    smtp_password: str | None = None
    mail_from: str | None = None
    sms_command: tuple[str, ...] = ()
    letters: Path | None = None

    @property
    def mail_domain(self) -> str:
        """The sender's domain: Message-IDs are made in it."""
        address = parseaddr(self.mail_from or "")[1]
        return address.rpartition("@")[2] or "tiski.invalid"


_NAMES = {"smtp_host": "TISKI_SMTP_HOST", "smtp_port": "TISKI_SMTP_PORT", "smtp_starttls": "TISKI_SMTP_STARTTLS",
          "smtp_user": "TISKI_SMTP_USER", "smtp_password_file": "TISKI_SMTP_PASSWORD_FILE",
          "smtp_password": "TISKI_SMTP_PASSWORD", "mail_from": "TISKI_MAIL_FROM",
          "sms_command": "TISKI_SMS_COMMAND", "letters": "TISKI_LETTERS"}


def load_notice_settings(environ: Mapping[str, str] | None = None, path: Path | None = None) -> NoticeSettings:
    """The environment wins over the file; a value that makes no sense is left unset
    (a port that is not a number: the default)."""
    from ..config import config_path

    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    file = path or config_path()
    if file.is_file():
        try:
            table = tomllib.loads(file.read_text(encoding="utf-8")).get("notices", {})
            values.update(table if isinstance(table, dict) else {})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            pass
    values.update({key: env[name] for key, name in _NAMES.items() if env.get(name)})
    port = str(values.get("smtp_port", "587"))
    command = values.get("sms_command") or ""
    return NoticeSettings(
        smtp_host=str(values["smtp_host"]) if values.get("smtp_host") else None,
        smtp_port=int(port) if port.isdigit() else 587,
        smtp_starttls=str(values.get("smtp_starttls", "on")).lower() not in ("off", "false", "0", "no"),
        smtp_user=str(values["smtp_user"]) if values.get("smtp_user") else None,
        smtp_password_file=Path(values["smtp_password_file"]) if values.get("smtp_password_file") else None,
        smtp_password=str(values["smtp_password"]) if values.get("smtp_password") else None,
        mail_from=str(values["mail_from"]) if values.get("mail_from") else None,
        sms_command=tuple(shlex.split(command)) if isinstance(command, str) else tuple(map(str, command)),
        letters=Path(values["letters"]) if values.get("letters") else None,
    )
