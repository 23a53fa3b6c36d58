"""E-mail over SMTP (smtplib): STARTTLS with the system's certificate check, a login
when a user is set, one connection for a whole run."""

from __future__ import annotations

import re
import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from . import DeliveryFailed, Email
from ..settings import Settings

TIMEOUT_SECONDS = 30


def compose(email: Email, sender: str) -> EmailMessage:
    """The message as it goes on the wire: headers RFC 2047-encoded where they are not
    ASCII (å, ä, ö in a subject), the text UTF-8, quoted-printable (7-bit safe through
    any relay, and still readable)."""
    message = EmailMessage(policy=SMTP)
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = format_datetime(email.written)
    message["Message-ID"] = email.message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to the library
    message.set_content(email.body, charset="utf-8", cte="quoted-printable")
    message["Content-Language"] = email.language  # after set_content, which sets the Content-* headers anew
    return message


class Mailer:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def send(self, email: Email) -> None:
        settings = self.settings
        if not settings.smtp_host or not settings.mail_from:
            raise DeliveryFailed("e-mail is not set up (TISKI_SMTP_HOST, TISKI_MAIL_FROM)")
        if "\r" in settings.mail_from or "\n" in settings.mail_from:  # the library's to fix: tried again
            raise DeliveryFailed("TISKI_MAIL_FROM holds a line break")
        try:
            message = compose(email, settings.mail_from)
        except ValueError:  # a line break in a header: it never becomes a header of its own
            raise DeliveryFailed("the message cannot be written: a header holds a line break", permanent=True) \
                from None
        try:
            # The envelope names the one recipient, whatever a header may say.
            self._connection().send_message(message, to_addrs=[email.to])
        except smtplib.SMTPRecipientsRefused as refused:
            code, text = next(iter(refused.recipients.values()))
            raise DeliveryFailed(_said(code, text, email.to), permanent=code >= 500) from None
        except smtplib.SMTPResponseException as error:
            self.close()
            raise DeliveryFailed(_said(error.smtp_code, error.smtp_error, email.to),
                                 permanent=error.smtp_code >= 500 and not _about_us(error)) from None
        except (smtplib.SMTPException, OSError) as error:
            self.close()  # the connection is in an unknown state: the next message opens a new one
            raise DeliveryFailed(f"SMTP {settings.smtp_host}: {type(error).__name__}") from None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            settings = self.settings
            smtp = smtplib.SMTP(settings.smtp_host or "", settings.smtp_port, timeout=TIMEOUT_SECONDS)
            try:
                if settings.smtp_starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if settings.smtp_user:
                    smtp.login(settings.smtp_user, self._password())
            except BaseException:
                smtp.close()
                raise
            self._smtp = smtp
        return self._smtp

    def _password(self) -> str:
        """From its file (never the database, never a command line)."""
        file = self.settings.smtp_password_file
        if file is None:
            raise DeliveryFailed("TISKI_SMTP_USER is set without TISKI_SMTP_PASSWORD_FILE")
        try:
            password = file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise DeliveryFailed(f"the SMTP password file cannot be read ({type(error).__name__})") from None
        if not password.isascii():  # SMTP AUTH (smtplib) takes ASCII only
            raise DeliveryFailed("the SMTP password has letters SMTP AUTH cannot send (ASCII only)")
        return password

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None


def _about_us(error: smtplib.SMTPResponseException) -> bool:
    """Refusals of the library's own login or sender are set-up problems, worth trying
    again once fixed — not the patron's address."""
    return isinstance(error, (smtplib.SMTPAuthenticationError, smtplib.SMTPSenderRefused))


def _said(code: int, text: bytes | str, address: str) -> str:
    """The server's answer for the staff's list, without the patron's address in it."""
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    # A server may echo the address in its own case (domains are case-blind).
    return f"SMTP {code}: {re.sub(re.escape(address), '<recipient>', words, flags=re.IGNORECASE)}"[:300]


def mail_domain(mail_from: str | None) -> str:
    """The sender's domain: the notices' Message-IDs are made in it."""
    from email.utils import parseaddr

    return parseaddr(mail_from or "")[1].rpartition("@")[2] or "tiski.invalid"
