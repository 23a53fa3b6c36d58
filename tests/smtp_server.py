"""A real SMTP server on loopback for the notices' tests (aiosmtpd, in a thread): STARTTLS
with a certificate made here for 127.0.0.1, a login, and a mailbox that keeps every
message it was given as the bytes that came over the wire."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "kirjasto", "salainen-sana-1"


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the client trusts it by SSL_CERT_FILE)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "smtp.pem", folder / "smtp.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class Mailbox:
    """Keeps what the server accepted. `refuse`: recipients answered 550. `on_message`:
    called (in the server's thread) with each message before the server answers."""

    def __init__(self, refuse: tuple[str, ...] = (), on_message: Callable[[int], float] | None = None):
        self.raw: list[bytes] = []
        self.envelopes: list[list[str]] = []  # each message's recipients, as RCPT TO named them
        self.sessions: list[tuple[bool, bool]] = []  # (over TLS, logged in)
        self.refuse = refuse
        self.on_message = on_message
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.raw.append(envelope.original_content or envelope.content)
            self.envelopes.append(list(envelope.rcpt_tos))
            self.sessions.append((session.ssl is not None, bool(session.authenticated)))
            count = len(self.raw)
        if self.on_message is not None:
            await asyncio.sleep(self.on_message(count))  # e.g. hold the answer while a test kills the sender
        return "250 2.0.0 OK: queued"

    def messages(self):
        return [message_from_bytes(raw, policy=policy.default) for raw in self.raw]

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages()]


def _login(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(mailbox: Mailbox, tls_folder: Path | None = None) -> Iterator[int]:
    """The server on a free loopback port (yielded). With `tls_folder`: STARTTLS and a
    login required, the certificate written there."""
    options: dict = {}
    if tls_folder is not None:
        cert_path, key_path = certificate(tls_folder)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_path, key_path)
        options = {"tls_context": context, "require_starttls": True, "authenticator": _login, "auth_required": True}
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port(), **options)
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()
