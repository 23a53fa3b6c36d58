"""`tiski sip2 …` as an admin and a systems librarian use it: machine accounts, and the
server started, answering and stopped gracefully by SIGTERM.

Mutations caught: a machine account added by desk staff; a plain-text server on a
network address; the server not stopping on SIGTERM, or stopping with an error.
"""

from __future__ import annotations

import json
import os
import pwd
import signal
import socket
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest

from ..conftest import invoke


def run(db, *args, input: str | None = None, staff: str | None = None):
    """`tiski ARGS` as the Unix user running the tests (mapped to the admin kaisa), or as
    `staff` (TISKI_STAFF, which then needs that account's proof)."""
    env = {"TISKI_DB": str(db), "TISKI_NOW": "2026-12-02T14:05", "TISKI_STAFF": staff, "TISKI_LANG": "en",
           "TISKI_BRANCH": None}
    result = invoke(args, env=env, input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def test_an_admin_adds_a_machine_and_lists_it(sip2_db):
    added = run(sip2_db, "sip2", "account", "add", "kiosk9", "--branch", "ULV", "--encoding", "cp850",
                "--terminator", "crlf", "--error-detect", "on", "--fees-at-machine", "--password-stdin", "--json",
                input="konesala9\n")
    assert added.exit_code == 0, added.stdout + added.stderr
    machine = json.loads(added.stdout)["machine"]
    assert machine == {"name": "kiosk9", "branch": "ULV", "encoding": "cp850", "terminator": "crlf",
                       "error_detect": True, "fees_at_machine": True, "language": "fi", "disabled": False}
    listed = json.loads(run(sip2_db, "sip2", "account", "list", "--json").stdout)["machines"]
    assert "kiosk9" in [m["name"] for m in listed]
    staff = json.loads(run(sip2_db, "staff", "list", "--json").stdout)["staff"]
    assert {"username": "kiosk9", "role": "automat", "can_log_in": 0}.items() <= next(
        s for s in staff if s["username"] == "kiosk9").items()


def test_desk_staff_cannot_add_machines(sip2_db, staff_desk):
    me = pwd.getpwuid(os.getuid()).pw_name
    with closing(sqlite3.connect(sip2_db)) as conn, conn:  # the Unix user is Liisa's now, not the admin's
        conn.execute("UPDATE staff SET unix_user = NULL WHERE username = 'kaisa'")
    staff_desk.admin.add_staff("liisa", "desk", "Liisa", "salasana123", unix_user=me)
    result = run(sip2_db, "sip2", "account", "add", "kiosk9", "--branch", "PORI", "--password-stdin", "--json",
                 input="konesala9\n")
    assert result.exit_code == 2 and json.loads(result.stdout)["error"]["code"] == "NOT_ALLOWED"


@pytest.mark.parametrize(("args", "words"), [
    (("--error-detect", "maybe"), "Invalid input"),
    (("--encoding", "ebcdic"), "Unknown encoding ebcdic"),
])
def test_bad_account_settings_are_refused(sip2_db, args, words):
    result = run(sip2_db, "sip2", "account", "add", "kiosk9", "--branch", "PORI", "--password-stdin", *args,
                 input="konesala9\n")
    assert result.exit_code == 2 and words in result.stderr


@pytest.mark.parametrize("args", [("--host", "0.0.0.0"), ("--host", "192.0.2.10"), ("--cert", "x.pem")])
def test_plain_sip2_stays_on_loopback(sip2_db, args):
    result = run(sip2_db, "sip2", "serve", *args)
    assert result.exit_code == 2 and ("TLS" in result.stderr or "--key" in result.stderr)


def test_serve_answers_and_stops_gracefully_on_sigterm(sip2_db):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "TISKI_DB": str(sip2_db), "TISKI_NOW": "2026-12-02T14:05", "TISKI_LANG": "en"}
    server = subprocess.Popen([sys.executable, "-m", "tiski", "sip2", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert f"SIP2 listening on 127.0.0.1:{port}" in server.stdout.readline()
        with socket.create_connection(("127.0.0.1", port), timeout=5) as machine:
            machine.sendall(b"9300CNkiosk|COkonesala1|\r")
            assert machine.recv(64) == b"941\r"
            server.send_signal(signal.SIGTERM)
            assert machine.recv(64) == b""  # closed by the server
        out, err = server.communicate(timeout=15)
    finally:
        server.kill()
    assert server.returncode == 0, err
    assert "SIP2 stopped" in out and "Traceback" not in err
