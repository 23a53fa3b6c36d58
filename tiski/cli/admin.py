"""Administration commands: init, branches, bans, clearance, policy, staff, backups, the audit trail."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import typer

from ..core.errors import invalid
from ..i18n import safe, shorten
from .common import BRANCH_OPTION, JSON_OPTION, UsageProblem, day, emit, json_text, read_small_file, state

branch_app = typer.Typer(help="Branches and their calendars.", no_args_is_help=True)
ban_app = typer.Typer(help="Borrowing, use and visit bans.", no_args_is_help=True)
clearance_app = typer.Typer(help="The annual clearance of unpaid fees.", no_args_is_help=True)
policy_app = typer.Typer(help="The circulation policy this database uses.", no_args_is_help=True)
staff_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
retention_app = typer.Typer(help="Privacy: what is kept, and for how long.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail (admins only): who read or changed what, and its tamper evidence.")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(branch_app, name="branch")
    app.add_typer(ban_app, name="ban")
    app.add_typer(clearance_app, name="clearance")
    app.add_typer(policy_app, name="policy")
    app.add_typer(staff_app, name="staff")
    app.command("backup")(backup)
    app.command("restore")(restore)
    app.add_typer(audit_app, name="audit")
    app.add_typer(retention_app, name="retention")


def init(
    ctx: typer.Context,
    demo: bool = typer.Option(False, "--demo", help="Fill it with a believable demo library."),
    force: bool = typer.Option(False, "--force", help="Replace an existing database (an admin's; backed up first)."),
    group: str = typer.Option(None, "--group", help="Share it with a Unix group (staff over SSH), not its owner only."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create the database (and the demo library)."""
    from ..core.errors import Unavailable
    from ..desk.register import create_register, set_aside

    st = state(ctx)
    path = st.db
    kept = None
    if path.exists():
        if not force:
            raise invalid("database_exists", path=str(path))
        try:
            desk = st.desk(guarded=False)
        except Unavailable as exc:
            if exc.reason != "not_register":
                raise
            kept = set_aside(path)  # not a register: nobody's desk, no admin to ask
        else:
            kept = desk.register.init()
    fill = None
    if demo:
        from ..demo import build_demo

        clock = st.settings.clock()
        fill = lambda register: build_demo(register, clock=clock)  # noqa: E731
    summary = create_register(path, group=group, like=kept, fill=fill) or {}
    t = st.t
    emit(as_json, {"db": str(path), "demo": summary, "kept": str(kept) if kept else None},
         [t("cli.init_done", path=str(path))] + ([t("cli.demo_done", **summary)] if demo else [])
         + ([t("cli.init_kept", path=str(kept))] if kept else []))


# --- branches -----------------------------------------------------------------------------

@branch_app.command("add")
def branch_add(
    ctx: typer.Context,
    code: str,
    name: str = typer.Option(..., "--name"),
    closed_weekdays: str = typer.Option("", "--closed-weekdays", help="e.g. sat,sun"),
    closes: str = typer.Option("20:00", "--closes", help="Closing time HH:MM: loans end then."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a branch (toimipiste)."""
    st = state(ctx)
    desk = st.desk()
    desk.admin.add_branch(code, name, closed_weekdays, closes)
    emit(as_json, {"branch": {"code": code, "name": name, "closed_weekdays": closed_weekdays, "closes": closes}},
         [st.t("cli.branch_added", code=code)])


@branch_app.command("close-day")
def branch_close_day(
    ctx: typer.Context,
    code: str,
    when: str = typer.Argument(..., metavar="YYYY-MM-DD"),
    reason: str = typer.Option("", "--reason"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Record an exceptional closure (a holiday)."""
    st = state(ctx)
    closed = day(when, "day")
    if closed is None:
        raise invalid("date", field="day")
    st.desk().admin.close_day(code, closed, reason)
    emit(as_json, {"closed": {"branch": code, "day": closed}}, [st.t("cli.day_closed", code=code, day=closed)])


@branch_app.command("holidays")
def branch_holidays(
    ctx: typer.Context,
    code: str,
    year: int = typer.Option(..., "--year"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Close the branch on the Finnish public holidays of a year."""
    st = state(ctx)
    days = st.desk().admin.close_public_holidays(code, year)
    emit(as_json, {"closed": [{"day": d, "reason": name} for d, name in days]},
         [f"{st.t.value('day', d)}  {name}" for d, name in days])


@branch_app.command("list")
def branch_list(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """The branches, their closed weekdays and closing times."""
    rows = state(ctx).desk().register.branches()
    emit(
        as_json,
        {"branches": [
            {"code": b.code, "name": b.name, "closes": b.closes, "closed_weekdays": b.closed_weekdays,
             "closures": [{"day": day, "reason": reason} for day, reason in b.closures]}
            for b in rows
        ]},
        [f"{b.code:<8} {b.name}  ({b.closes}; {b.closed_weekdays or '-'})" for b in rows],
    )


# --- bans and clearance -----------------------------------------------------------------------

@ban_app.command("add")
def ban_add(
    ctx: typer.Context,
    card: str,
    ban_type: str = typer.Option(..., "--type", help="borrowing | use | visit"),
    reason: str = typer.Option(..., "--reason"),
    hearing_date: str = typer.Option(None, "--hearing-date", help="When the patron was heard (YYYY-MM-DD)."),
    written: bool = typer.Option(False, "--written", help="A written ban (needs the hearing date)."),
    until: str = typer.Option(None, "--until", help="Last day of the ban (YYYY-MM-DD)."),
    branch: str = BRANCH_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Ban a patron (the parties are heard first)."""
    st = state(ctx)
    ban = st.desk(branch).admin.add_ban(
        card, ban_type, reason, hearing_date=day(hearing_date, "hearing_date"), written=written,
        until=day(until, "until"),
    )
    emit(as_json, {"ban": {"id": ban.id, "card": ban.card, "type": ban.type, "written": ban.written,
                           "hearing_date": ban.hearing_date, "until": ban.until}},
         [st.t("cli.ban_added", card=ban.card, type=ban.type)])


@ban_app.command("lift")
def ban_lift(
    ctx: typer.Context,
    card: str,
    reason: str = typer.Option(..., "--reason"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Lift a patron's bans."""
    st = state(ctx)
    count = st.desk().admin.lift_ban(card, reason)
    emit(as_json, {"lifted": count}, [st.t("cli.bans_lifted", count=count)])


@clearance_app.command("run")
def clearance_run(ctx: typer.Context, branch: str = BRANCH_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Annual: every balance over 0 € becomes a borrowing ban until paid."""
    st = state(ctx)
    blocked = st.desk(branch).admin.run_clearance()
    emit(as_json, {"blocked": blocked}, [st.t("cli.clearance_done", count=len(blocked))] + blocked)


# --- policy -------------------------------------------------------------------------------------

@policy_app.command("show")
def policy_show(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Print the policy this database uses (its own copy, or the default)."""
    import tomllib

    policy = state(ctx).desk().policy
    if as_json:
        emit(True, {"policy": tomllib.loads(policy.source)})
    else:
        sys.stdout.write(policy.source if policy.source.endswith("\n") else policy.source + "\n")


def _read(path: Path) -> str:
    try:
        return read_small_file(path)
    except (OSError, UnicodeDecodeError) as exc:
        problem = getattr(exc, "strerror", None) or type(exc).__name__
        raise UsageProblem(f"{shorten(safe(path), 500)}: {problem}") from None


@policy_app.command("check")
def policy_check(ctx: typer.Context, file: Path, as_json: bool = JSON_OPTION) -> None:
    """Check a policy file; names the bad key."""
    from ..core.policy import parse_policy

    parse_policy(_read(file))
    emit(as_json, {"file": str(file)}, [state(ctx).t("cli.policy_ok", path=str(file))])


@policy_app.command("set")
def policy_set(ctx: typer.Context, file: Path, as_json: bool = JSON_OPTION) -> None:
    """Check a policy file and make it this database's policy."""
    st = state(ctx)
    st.desk().admin.set_policy(_read(file))
    emit(as_json, {"file": str(file)}, [st.t("cli.policy_set", path=str(file))])


# --- staff ----------------------------------------------------------------------------------------

def _new_password(from_stdin: bool, t) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise invalid("password_tty")
    first = getpass.getpass(t("cli.password_prompt"))
    second = getpass.getpass(t("cli.password_again"))
    if first != second:
        raise invalid("password_mismatch")
    return first


@staff_app.command("add")
def staff_add(
    ctx: typer.Context,
    user: str,
    role: str = typer.Option(..., "--role", help="desk | digituki | admin"),
    name: str = typer.Option(None, "--name"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
    unix_user: str = typer.Option(None, "--unix-user", help="The Unix user (over SSH) who acts as this account."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a staff account (the first one is an admin's)."""
    st = state(ctx)
    desk = st.desk()
    desk.require("add_staff")
    password = _new_password(password_stdin, st.t) if password_stdin or sys.stdin.isatty() else None
    desk.admin.add_staff(user, role, name, password, unix_user)
    emit(as_json, {"staff": {"user": user, "role": role}}, [st.t("cli.staff_added", user=user, role=role)])


@staff_app.command("passwd")
def staff_passwd(
    ctx: typer.Context,
    user: str,
    password_stdin: bool = typer.Option(False, "--password-stdin"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Set a staff member's password (prompted twice, not echoed)."""
    st = state(ctx)
    desk = st.desk()
    desk.admin.set_staff_password(user, _new_password(password_stdin, st.t))
    emit(as_json, {"staff": {"user": user}}, [st.t("cli.password_set", user=user)])


@staff_app.command("list")
def staff_list(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """The accounts, their roles, who can log in."""
    from dataclasses import asdict

    rows = state(ctx).desk().admin.staff_list()
    emit(as_json, {"staff": [asdict(r) for r in rows]},
         [f"{r.username:<16} {r.role:<9} {r.unix_user or '-':<12} {'disabled' if r.disabled_at else ''}"
          for r in rows])


@staff_app.command("token")
def staff_token(ctx: typer.Context, user: str, as_json: bool = JSON_OPTION) -> None:
    """A new token for USER, kept in a file only your Unix user can read: then
    `TISKI_STAFF=USER tiski …` acts as USER without a password (scripts, cron)."""
    from ..shell import save_token

    st = state(ctx)
    token = st.desk().admin.issue_token(user)
    path = save_token(user, token)
    emit(as_json, {"token": {"user": user, "file": str(path)}}, [st.t("cli.token_saved", user=user, path=str(path))])


@staff_app.command("unlock")
def staff_unlock(
    ctx: typer.Context,
    terminal: str = typer.Option(None, "--terminal", help="HOST:USER as in the audit trail (default: every terminal)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Let a terminal paused after wrong passwords try again at once."""
    st = state(ctx)
    st.desk().admin.unlock_logins(terminal)
    emit(as_json, {"unlocked": terminal or "*"}, [st.t("cli.logins_unlocked", terminal=terminal or "*")])


@staff_app.command("disable")
def staff_disable(ctx: typer.Context, user: str, as_json: bool = JSON_OPTION) -> None:
    """Disable a staff account (it is kept for the audit trail)."""
    st = state(ctx)
    st.desk().admin.disable_staff(user)
    emit(as_json, {"staff": {"user": user, "disabled": True}}, [st.t("cli.staff_disabled", user=user)])


# --- backups --------------------------------------------------------------------------------------

def backup(
    ctx: typer.Context,
    file: Path = typer.Argument(None, help="Where to write (default: a dated file beside the database)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Copy the database while desks keep working (SQLite online backup; mode 0600)."""
    st = state(ctx)
    done = st.desk().register.backup(file)
    emit(as_json, {"backup": {"file": str(done.file), "bytes": done.bytes}},
         [st.t("cli.backup_done", path=str(done.file))])


def restore(ctx: typer.Context, file: Path, as_json: bool = JSON_OPTION) -> None:
    """Replace the database with a backup: checked first (schema, integrity, tamper
    evidence), the old one kept beside it."""
    st = state(ctx)
    kept = st.desk(guarded=False).register.restore(file)
    emit(as_json, {"restore": {"file": str(file), "kept": str(kept)}},
         [st.t("cli.restore_done", path=str(file), kept=str(kept))])


# --- the audit trail and retention ------------------------------------------------------------

@audit_app.callback(invoke_without_command=True)
def audit(
    ctx: typer.Context,
    patron: str = typer.Option(None, "--patron", help="A card: everything done with this patron's data."),
    staff: str = typer.Option(None, "--staff", help="A staff account: everything it did."),
    since: str = typer.Option(None, "--since", help="YYYY-MM-DD, by the real time of writing."),
    as_json: bool = JSON_OPTION,
) -> None:
    """The audit trail, for the data-protection officer (admins only)."""
    if ctx.invoked_subcommand is not None:
        return
    st = state(ctx)
    rows = st.desk().register.audit(patron, staff, day(since, "from_day"))
    emit(as_json, {"audit": [_entry(r) for r in rows]}, [_line(r) for r in rows] or [st.t("cli.none_found")])


def _entry(entry) -> dict:
    from dataclasses import asdict

    return asdict(entry)


def _line(entry) -> str:
    """The real time; the desk's time beside it in brackets where they differ (a drill,
    TISKI_NOW). Rows from before the chain began have the desk's time only."""
    from datetime import datetime

    from ..clock import HELSINKI

    desk_time = datetime.fromisoformat(entry.at)
    when = f"{desk_time:%Y-%m-%d %H:%M}"
    if entry.written_at:
        real = datetime.fromisoformat(entry.written_at.replace("Z", "+00:00")).astimezone(HELSINKI)
        when = f"{real:%Y-%m-%d %H:%M}" + (f" [{when}]" if abs((real - desk_time).total_seconds()) > 60 else "")
    return (f"{when}  {entry.staff or '-':<10} {entry.branch or '-':<6} {entry.kind:<7} {entry.action:<20} "
            f"{entry.detail or ''}")


@audit_app.command("verify")
def audit_verify(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Check the tamper evidence: both hash chains (the audit trail, the fee ledger) and
    the triggers they rest on. Exit 1 when anything is wrong. Cron: `tiski audit verify`."""

    st = state(ctx)
    evidence = st.desk(guarded=False).register.verify_audit()
    summary = {"audit_rows": evidence.audit_rows, "audit_head": evidence.audit_head,
               "ledger_entries": evidence.ledger_entries, "ledger_head": evidence.ledger_head,
               "findings": [{"what": f.what, "where": f.where} for f in evidence.findings]}
    lines = [st.t("cli.evidence_heads", **summary)]
    lines += [st.t(f"evidence.{f.what}", where=f.where) for f in evidence.findings]
    if evidence.intact:
        emit(as_json, {"verify": summary}, lines + [st.t("cli.evidence_intact")])
        return
    message = st.t("cli.evidence_broken", count=len(evidence.findings))
    if as_json:
        error = {"code": "TAMPERED", "message": message, "confirmable": False}
        sys.stdout.write(json_text({"ok": False, "error": error, "verify": summary}) + "\n")
    else:
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stderr.write(f"tiski: TAMPERED: {message}\n")
    raise typer.Exit(1)


@retention_app.command("run")
def retention_run(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Daily: returned loans lose their patron, old holds and notices go, the audit trail's
    oldest rows go by a checkpoint, the digi-support queue's past days are erased.
    Cron: `15 2 * * * tiski retention run`."""
    counts = state(ctx).desk().register.retention()
    emit(as_json, {"retention": counts}, [f"{k}: {v}" for k, v in counts.items()])
