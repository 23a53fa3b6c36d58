"""`tiski sip2 …`: the SIP2 server for self-service machines, and the machines' accounts."""

from __future__ import annotations

import getpass
import ipaddress
import sys
from pathlib import Path

import typer

from ..core.errors import invalid
from .common import JSON_OPTION, emit, state

sip2_app = typer.Typer(help="Self-service machines (SIP2).", no_args_is_help=True)
account_app = typer.Typer(help="The machines' accounts.", no_args_is_help=True)
sip2_app.add_typer(account_app, name="account")


def register(app: typer.Typer) -> None:
    app.add_typer(sip2_app, name="sip2")


def _on(text: str, what: str) -> bool:
    if text not in ("on", "off"):
        raise invalid(what, value=text)
    return text == "on"


def _password(from_stdin: bool, t) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise invalid("password_tty")
    first = getpass.getpass(t("cli.password_prompt"))
    if getpass.getpass(t("cli.password_again")) != first:
        raise invalid("password_mismatch")
    return first


def _machine_json(machine, disabled: bool = False) -> dict:
    return {"name": machine.name, "branch": machine.branch, "encoding": machine.encoding,
            "terminator": machine.terminator, "error_detect": machine.error_detect,
            "fees_at_machine": machine.fees_at_machine, "language": machine.language, "disabled": disabled}


@account_app.command("add")
def account_add(
    ctx: typer.Context,
    name: str,
    branch: str = typer.Option(..., "--branch", help="The branch the machine stands in."),
    encoding: str = typer.Option("utf-8", "--encoding", help="utf-8 | cp850 | latin-1"),
    terminator: str = typer.Option("cr", "--terminator", help="cr | crlf (after each reply)"),
    error_detect: str = typer.Option("off", "--error-detect", help="on: every request must carry AY/AZ."),
    fees_at_machine: bool = typer.Option(False, "--fees-at-machine", help="The machine may take payments (37)."),
    language: str = typer.Option("fi", "--language", help="fi | sv | en: screen messages, until the patron's own."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a machine: it logs in (SIP2 93) with NAME and the password (prompted twice)."""
    from ..desk.automat import NewMachine

    st = state(ctx)
    desk = st.desk()
    desk.require("add_machine")
    detect = _on(error_detect, "error_detect")
    machine = desk.automat.add_machine(NewMachine(name, branch, _password(password_stdin, st.t), encoding,
                                                  terminator, detect, fees_at_machine, language))
    emit(as_json, {"machine": _machine_json(machine)},
         [st.t("sip2.account_added", name=machine.name, branch=machine.branch)])


@account_app.command("list")
def account_list(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """The machines, their branches and settings (`tiski staff disable NAME` stops one)."""
    machines = state(ctx).desk().automat.machine_list()
    emit(as_json, {"machines": [_machine_json(machine, disabled) for machine, disabled in machines]},
         [f"{machine.name:<16} {machine.branch:<8} {machine.encoding:<7} {machine.terminator:<4} "
          f"error-detect {'on' if machine.error_detect else 'off'}  fees {'on' if machine.fees_at_machine else 'off'}"
          f"  {machine.language}{'  disabled' if disabled else ''}" for machine, disabled in machines])


@sip2_app.command("serve")
def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Loopback by default; a network address needs TLS."),
    port: int = typer.Option(6001, "--port"),
    cert: Path = typer.Option(None, "--cert", help="TLS certificate (PEM), with --key."),
    key: Path = typer.Option(None, "--key", help="The certificate's private key (PEM)."),
    plain_on_network: bool = typer.Option(False, "--plain-on-network",
                                          help="Plain TCP on a network address (only behind a firewall)."),
) -> None:
    """Serve the self-service machines until SIGTERM or Ctrl+C."""
    import asyncio
    import logging

    from ..sip2.server import Sip2Server, tls_context
    from ..sip2.server import serve as run

    st = state(ctx)
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
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
