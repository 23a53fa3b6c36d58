"""`tiski sip2 …`: the SIP2 server for self-service machines, and the machines' accounts."""

from __future__ import annotations

import sys
from pathlib import Path

from ..core.errors import invalid
from .common import JSON, Group, State, arg, emit, flag, int_between, option

cli = Group("tiski")
sip2 = cli.group("sip2", "Self-service machines (SIP2).")
account = sip2.group("account", "The machines' accounts.")


def _on(text: str, what: str) -> bool:
    if text not in ("on", "off"):
        raise invalid(what, value=text)
    return text == "on"


def _password(from_stdin: bool, t) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise invalid("password_tty")
    import getpass

    first = getpass.getpass(t("cli.password_prompt"))
    if getpass.getpass(t("cli.password_again")) != first:
        raise invalid("password_mismatch")
    return first


def _machine_json(machine, disabled: bool = False) -> dict:
    return {"name": machine.name, "branch": machine.branch, "encoding": machine.encoding,
            "terminator": machine.terminator, "error_detect": machine.error_detect,
            "fees_at_machine": machine.fees_at_machine, "language": machine.language, "disabled": disabled}


@account.command(
    "add",
    arg("name"),
    option("--branch", "The branch the machine stands in.", required=True, metavar="CODE"),
    option("--encoding", "utf-8 | cp850 | latin-1", default="utf-8"),
    option("--terminator", "cr | crlf (after each reply)", default="cr"),
    option("--error-detect", "on: every request must carry AY/AZ.", default="off", metavar="ON|OFF"),
    flag("--fees-at-machine", "The machine may take payments (37)."),
    option("--language", "fi | sv | en: screen messages, until the patron's own.", default="fi"),
    flag("--password-stdin", "Read the password from stdin."),
    JSON,
)
def account_add(st: State, name: str, branch: str, encoding: str, terminator: str, error_detect: str,
                fees_at_machine: bool, language: str, password_stdin: bool, as_json: bool) -> None:
    """Add a machine: it logs in (SIP2 93) with NAME and the password (prompted twice)."""
    from ..desk.automat import NewMachine

    desk = st.desk()
    desk.require("add_machine")
    detect = _on(error_detect, "error_detect")
    machine = desk.automat.add_machine(NewMachine(name, branch, _password(password_stdin, st.t), encoding,
                                                  terminator, detect, fees_at_machine, language))
    emit(as_json, {"machine": _machine_json(machine)},
         [st.t("sip2.account_added", name=machine.name, branch=machine.branch)])


@account.command("list", JSON)
def account_list(st: State, as_json: bool) -> None:
    """The machines, their branches and settings (`tiski staff disable NAME` stops one)."""
    machines = st.desk().automat.machine_list()
    emit(as_json, {"machines": [_machine_json(machine, disabled) for machine, disabled in machines]},
         [f"{machine.name:<16} {machine.branch:<8} {machine.encoding:<7} {machine.terminator:<4} "
          f"error-detect {'on' if machine.error_detect else 'off'}  fees {'on' if machine.fees_at_machine else 'off'}"
          f"  {machine.language}{'  disabled' if disabled else ''}" for machine, disabled in machines])


@sip2.command("serve", option("--host", "Loopback by default; a network address needs TLS.", default="127.0.0.1"),
              option("--port", default=6001, type=int_between(0, 65535)),
              option("--cert", "TLS certificate (PEM), with --key.", type=Path, metavar="FILE"),
              option("--key", "The certificate's private key (PEM).", type=Path, metavar="FILE"),
              flag("--plain-on-network", "Plain TCP on a network address (only behind a firewall)."))
def serve(st: State, host: str, port: int, cert: Path | None, key: Path | None, plain_on_network: bool) -> None:
    """Serve the self-service machines until SIGTERM or Ctrl+C."""
    import asyncio
    import logging

    from ..sip2.server import Sip2Server, tls_context
    from ..sip2.server import serve as run

    st.desk()  # the register exists and is up to date before any machine connects
    if (cert is None) != (key is None):
        raise invalid("cert_pair")
    if cert is None and not plain_on_network and not _loopback(host):
        raise invalid("plain_network")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    server = Sip2Server(st.db, host=host, port=port, clock=st.settings.clock(),
                        ssl_context=tls_context(cert, key) if cert is not None and key is not None else None)

    def announce(address: str) -> None:
        print(st.t("sip2.serving", address=address, tls=" (TLS)" if cert else ""), flush=True)

    asyncio.run(run(server, announce))
    print(st.t("sip2.stopped"), flush=True)


def _loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
