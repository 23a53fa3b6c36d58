"""SIP2 over TLS (issue 14): the server started with a certificate speaks TLS only.

A self-signed certificate for 127.0.0.1 is made in the test — with `cryptography` when
it is installed, else the `openssl` command; the test is skipped only when neither is
there. A machine trusting that certificate logs in (93) and asks the status (99) over
TLS; a machine speaking plain text on the same port gets no SIP2 reply and a clean
close, and the server goes on serving.

Mutations caught: the certificate not handed to the listening socket (`ssl=` dropped in
`Sip2Server.start`: the TLS handshake fails); a plain-text request answered in plain
text on a TLS port; the server stopping or hanging after a plain-text client; a TLS
version below 1.2 allowed by `tls_context`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import shutil
import ssl
import subprocess
from pathlib import Path

import pytest

from tiski.sip2.server import Sip2Server, tls_context

from .conftest import PASSWORD, Line, login, sc_status


def _with_cryptography(cert: Path, key: Path) -> bool:
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        return False
    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tiski-sip2-test")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                    x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(private, hashes.SHA256())
    )
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return True


def _with_openssl(cert: Path, key: Path) -> bool:
    openssl = shutil.which("openssl")
    if openssl is None:
        return False
    subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=tiski-sip2-test",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True, timeout=60)
    return True


@pytest.fixture
def certificate(tmp_path) -> tuple[Path, Path]:
    cert, key = tmp_path / "sip2.pem", tmp_path / "sip2.key"
    if not (_with_cryptography(cert, key) or _with_openssl(cert, key)):
        pytest.skip("neither the cryptography package nor openssl is available to make a certificate")
    return cert, key


@pytest.fixture
async def tls_server(sip2_db, clock, certificate):
    cert, key = certificate
    server = Sip2Server(sip2_db, port=0, clock=clock, ssl_context=tls_context(cert, key))
    await server.start()
    yield server
    await server.stop()


async def _tls_line(server: Sip2Server, cert: Path) -> Line:
    trusting = ssl.create_default_context(cafile=str(cert))  # verifies the certificate and 127.0.0.1 in it
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port, ssl=trusting,
                                                   server_hostname="127.0.0.1")
    return Line(reader, writer, "utf-8", b"\r")


async def test_a_machine_logs_in_and_asks_the_status_over_tls(tls_server, certificate):
    line = await _tls_line(tls_server, certificate[0])
    assert line.writer.get_extra_info("ssl_object").version() in ("TLSv1.2", "TLSv1.3")
    assert (await line.ask(login())).ok == "1"
    status = await line.ask(sc_status())
    assert status.online_status == "Y" and status.terminal_location == "kiosk"
    assert line.last.endswith(b"\r")
    line.writer.close()
    await line.writer.wait_closed()


async def test_a_plain_text_machine_on_the_tls_port_gets_a_clean_close(tls_server, certificate):
    reader, writer = await asyncio.open_connection("127.0.0.1", tls_server.port)
    writer.write(f"9300CNkiosk|CO{PASSWORD}|\r".encode())
    await writer.drain()
    received = await asyncio.wait_for(reader.read(), 2)  # to the end: the server closes the line
    assert b"94" not in received and b"kiosk" not in received  # no SIP2 reply, nothing echoed in clear
    assert reader.at_eof()
    writer.close()
    # The server goes on serving TLS machines.
    line = await _tls_line(tls_server, certificate[0])
    assert (await line.ask(login())).ok == "1"
    line.writer.close()


def test_the_tls_context_takes_nothing_older_than_tls_1_2(certificate):
    context = tls_context(*certificate)
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
