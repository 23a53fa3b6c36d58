"""E-mail against a real SMTP server on loopback (aiosmtpd): STARTTLS, a login from the
password file, the headers and the encoding of å, ä and ö on the wire."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tiski.clock import HELSINKI
from tiski.notify import DeliveryFailed, Email
from tiski.notify.mail import Mailer, mail_domain
from tiski.settings import Settings

from ..smtp_server import PASSWORD, USER, Mailbox, smtp_server

SUBJECT = "Varauksesi on noudettavissa: Äänikirja – Sinuhe egyptiläinen"
BODY = "Hei,\n\nvaraamasi aineisto on saapunut: Åsa Öbergin ”Kesäyö”.\nNouda viimeistään 9.12.2026."
FROM = "Porin kirjasto <kirjasto@pori.example>"


def email(to: str = "aino@example.fi") -> Email:
    return Email(to, SUBJECT, BODY, "<abc123.notice@pori.example>", "fi",
                 datetime(2026, 12, 2, 14, 5, tzinfo=HELSINKI))


@pytest.fixture
def tls(tmp_path, monkeypatch):
    """STARTTLS with a login: the client trusts the test's certificate (and nothing of
    the system's), the password sits in a file of its own."""
    folder = tmp_path / "tls"
    folder.mkdir()
    password = tmp_path / "smtp-password"
    password.write_text(PASSWORD + "\n", encoding="utf-8")
    mailbox = Mailbox(refuse=("nobody@example.fi",))
    with smtp_server(mailbox, folder) as port:
        monkeypatch.setenv("SSL_CERT_FILE", str(folder / "smtp.pem"))
        yield mailbox, Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_user=USER, smtp_password_file=password,
                                mail_from=FROM)


def test_a_notice_goes_over_starttls_with_its_headers_and_scandinavian_letters_intact(tls):
    """Mutation caught: no STARTTLS (the password in clear), a header with raw UTF-8 a
    7-bit relay would mangle, the body not declared UTF-8, a new Message-ID per try."""
    mailbox, settings = tls
    mailer = Mailer(settings)
    mailer.send(email())
    mailer.send(email("eino@example.fi"))  # the same connection
    mailer.close()
    assert mailbox.sessions == [(True, True), (True, True)]  # over TLS, logged in
    raw = mailbox.raw[0]
    headers = raw.split(b"\r\n\r\n", 1)[0]
    assert headers.isascii()  # å, ä, ö as RFC 2047 encoded words, never raw bytes in a header
    assert b"Subject: Varauksesi on noudettavissa: =?utf-8?" in headers
    message = mailbox.messages()[0]
    assert message["Subject"] == SUBJECT
    assert message["From"] == FROM and message["To"] == "aino@example.fi"
    assert message["Message-ID"] == "<abc123.notice@pori.example>"
    assert message["Auto-Submitted"] == "auto-generated" and message["Content-Language"] == "fi"
    assert message["Date"] == "Wed, 02 Dec 2026 14:05:00 +0200"
    assert message.get_content_type() == "text/plain" and message.get_content_charset() == "utf-8"
    assert message["Content-Transfer-Encoding"] == "quoted-printable"
    assert message.get_content().replace("\r\n", "\n").rstrip("\n") == BODY


def test_a_refused_address_is_permanent_and_the_reason_does_not_repeat_it(tls):
    mailbox, settings = tls
    with pytest.raises(DeliveryFailed) as refused:
        Mailer(settings).send(email("nobody@example.fi"))
    assert refused.value.permanent
    assert refused.value.reason.startswith("SMTP 550") and "nobody@example.fi" not in refused.value.reason
    assert mailbox.raw == []


def test_a_server_that_echoes_the_address_in_capitals_is_not_quoted_either():
    """Privacy: the reason goes to the staff's list and cron's mail. Mutation caught: the
    address taken out only where the server spelt it as the register does."""
    class Shouting(Mailbox):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            return f"550 5.1.1 <{address.upper()}>: Recipient address rejected"

    with smtp_server(Shouting()) as port:
        with pytest.raises(DeliveryFailed) as refused:
            Mailer(Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, mail_from=FROM)).send(
                email("aino@example.fi"))
    assert refused.value.reason == "SMTP 550: 5.1.1 <<recipient>>: Recipient address rejected"


def test_a_wrong_password_is_the_librarys_problem_and_tried_again(tls, tmp_path):
    mailbox, settings = tls
    from dataclasses import replace

    wrong = tmp_path / "wrong"
    for password, said in (("vaara-sana", "SMTP 535"), ("väärä", "the SMTP password")):
        wrong.write_text(password, encoding="utf-8")
        with pytest.raises(DeliveryFailed) as refused:
            Mailer(replace(settings, smtp_password_file=wrong)).send(email())
        assert not refused.value.permanent and refused.value.reason.startswith(said)
    assert mailbox.raw == []


def test_a_server_that_does_not_answer_is_tried_again_later(tmp_path):
    from ..smtp_server import _free_port

    with pytest.raises(DeliveryFailed) as down:
        Mailer(Settings(smtp_host="127.0.0.1", smtp_port=_free_port(), mail_from=FROM)).send(email())
    assert not down.value.permanent and "ConnectionRefusedError" in down.value.reason


def test_plain_smtp_on_loopback_when_starttls_is_off():
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        Mailer(Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, mail_from=FROM)).send(email())
    assert mailbox.sessions == [(False, False)] and mailbox.messages()[0]["Subject"] == SUBJECT


def test_a_header_line_break_is_a_permanent_failure_and_the_next_message_still_goes():
    """A subject with CR LF (a template edited by hand) never becomes a header of its
    own and never stops the run: that one notice is failed for staff, the next goes.
    Mutation caught: compose outside the try (ValueError ends the run, and every run
    after it, on the same notice), the failure counted as worth trying again."""
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        mailer = Mailer(Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, mail_from=FROM))
        broken = Email("aino@example.fi", "Varaus\r\nBcc: toinen@example.fi", BODY, "<a.notice@pori.example>",
                       "fi", datetime(2026, 12, 2, 14, 5, tzinfo=HELSINKI))
        with pytest.raises(DeliveryFailed) as failed:
            mailer.send(broken)
        assert failed.value.permanent and "aino@example.fi" not in failed.value.reason
        mailer.send(email("eino@example.fi"))
        mailer.close()
    assert mailbox.envelopes == [["eino@example.fi"]]


def test_a_sender_setting_with_a_line_break_is_the_librarys_to_fix_and_tried_again():
    """Mutation caught: the library's own From setting failing every patron's notice for
    good (each would need a resend by hand once the setting is fixed)."""
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        with pytest.raises(DeliveryFailed) as failed:
            Mailer(Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False,
                            mail_from=FROM + "\r\nBcc: toinen@example.fi")).send(email())
    assert not failed.value.permanent and "TISKI_MAIL_FROM" in failed.value.reason and mailbox.raw == []


def test_the_envelope_names_the_one_recipient_it_is_given():
    """Mutation caught: send_message left to read the recipients from the To header,
    where a comma would make two."""
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        Mailer(Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, mail_from=FROM)).send(
            email("aino,toinen@example.fi"))
    [recipients] = mailbox.envelopes
    assert len(recipients) == 1 and "toinen@example.fi" not in recipients  # one RCPT TO, however the server reads it


def test_without_a_mail_server_set_up_nothing_is_tried():
    with pytest.raises(DeliveryFailed, match="not set up"):
        Mailer(Settings()).send(email())


def test_the_message_ids_domain_is_the_senders():
    assert mail_domain(FROM) == "pori.example"
    assert mail_domain(None) == "tiski.invalid"


def test_the_password_is_read_from_its_file_only(tmp_path):
    settings = Settings(smtp_host="127.0.0.1", smtp_user=USER, smtp_password_file=Path(tmp_path / "missing"),
                        mail_from=FROM)
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        from dataclasses import replace

        with pytest.raises(DeliveryFailed, match="password file cannot be read"):
            Mailer(replace(settings, smtp_port=port, smtp_starttls=False)).send(email())
