"""Administration commands: init, branches, bans, clearance, policy, staff, backups, the audit trail."""

from __future__ import annotations

import sys
from pathlib import Path

from ..core.errors import invalid
from ..i18n import safe, shorten
from .common import (BRANCH, JSON, Group, State, UsageProblem, arg, day, emit, flag, json_text, option,
                     read_small_file, whole)

cli = Group("tiski")
branches = cli.group("branch", "Branches and their calendars.")
bans = cli.group("ban", "Borrowing, use and visit bans.")
clearance = cli.group("clearance", "The annual clearance of unpaid fees.")
policy = cli.group("policy", "The circulation policy this database uses.")
accounts = cli.group("staff", "Staff accounts.")
retention = cli.group("retention", "Privacy: what is kept, and for how long.")
audit_trail = cli.group("audit", "The audit trail (admins only): who read or changed what, and its tamper evidence.")


@cli.command("init", flag("--demo", "Fill it with a believable demo library."),
             flag("--force", "Replace an existing database (an admin's; backed up first)."),
             option("--group", "Share it with a Unix group (staff over SSH), not its owner only."), JSON)
def init(st: State, demo: bool, force: bool, group: str | None, as_json: bool) -> None:
    """Create the database (and the demo library)."""
    from ..core.errors import Unavailable
    from ..desk.register import create_register, set_aside

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

@branches.command("add", arg("code"), option("--name", required=True),
                option("--closed-weekdays", "e.g. sat,sun", default=""),
                option("--closes", "Closing time HH:MM: loans end then.", default="20:00", metavar="HH:MM"), JSON)
def branch_add(st: State, code: str, name: str, closed_weekdays: str, closes: str, as_json: bool) -> None:
    """Add a branch (toimipiste)."""
    desk = st.desk()
    desk.admin.add_branch(code, name, closed_weekdays, closes)
    emit(as_json, {"branch": {"code": code, "name": name, "closed_weekdays": closed_weekdays, "closes": closes}},
         [st.t("cli.branch_added", code=code)])


@branches.command("close-day", arg("code"), arg("when", metavar="YYYY-MM-DD"),
                  option("--reason", default="", metavar="TEXT"), JSON)
def branch_close_day(st: State, code: str, when: str, reason: str, as_json: bool) -> None:
    """Record an exceptional closure (a holiday)."""
    closed = day(when, "day")
    if closed is None:
        raise invalid("date", field="day")
    st.desk().admin.close_day(code, closed, reason)
    emit(as_json, {"closed": {"branch": code, "day": closed}}, [st.t("cli.day_closed", code=code, day=closed)])


@branches.command("holidays", arg("code"), option("--year", required=True, type=whole), JSON)
def branch_holidays(st: State, code: str, year: int, as_json: bool) -> None:
    """Close the branch on the Finnish public holidays of a year."""
    days = st.desk().admin.close_public_holidays(code, year)
    emit(as_json, {"closed": [{"day": d, "reason": name} for d, name in days]},
         [f"{st.t.value('day', d)}  {name}" for d, name in days])


@branches.command("list", JSON)
def branch_list(st: State, as_json: bool) -> None:
    """The branches, their closed weekdays and closing times."""
    rows = st.desk().register.branches()
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

@bans.command("add", arg("card"), option("--type", "borrowing | use | visit", dest="ban_type", required=True),
             option("--reason", required=True, metavar="TEXT"),
             option("--hearing-date", "When the patron was heard.", metavar="YYYY-MM-DD"),
             flag("--written", "A written ban (needs the hearing date)."),
             option("--until", "Last day of the ban.", metavar="YYYY-MM-DD"), BRANCH, JSON)
def ban_add(st: State, card: str, ban_type: str, reason: str, hearing_date: str | None, written: bool,
            until: str | None, branch: str | None, as_json: bool) -> None:
    """Ban a patron (the parties are heard first)."""
    ban = st.desk(branch).admin.add_ban(
        card, ban_type, reason, hearing_date=day(hearing_date, "hearing_date"), written=written,
        until=day(until, "until"),
    )
    emit(as_json, {"ban": {"id": ban.id, "card": ban.card, "type": ban.type, "written": ban.written,
                           "hearing_date": ban.hearing_date, "until": ban.until}},
         [st.t("cli.ban_added", card=ban.card, type=ban.type)])


@bans.command("lift", arg("card"), option("--reason", required=True, metavar="TEXT"), JSON)
def ban_lift(st: State, card: str, reason: str, as_json: bool) -> None:
    """Lift a patron's bans."""
    count = st.desk().admin.lift_ban(card, reason)
    emit(as_json, {"lifted": count}, [st.t("cli.bans_lifted", count=count)])


@clearance.command("run", BRANCH, JSON)
def clearance_run(st: State, branch: str | None, as_json: bool) -> None:
    """Annual: every balance over 0 € becomes a borrowing ban until paid."""
    blocked = st.desk(branch).admin.run_clearance()
    emit(as_json, {"blocked": blocked}, [st.t("cli.clearance_done", count=len(blocked))] + blocked)


# --- policy -------------------------------------------------------------------------------------

@policy.command("show", JSON)
def policy_show(st: State, as_json: bool) -> None:
    """Print the policy this database uses (its own copy, or the default)."""
    import tomllib

    source = st.desk().policy.source
    if as_json:
        emit(True, {"policy": tomllib.loads(source)})
    else:
        sys.stdout.write(source if source.endswith("\n") else source + "\n")


def _read(path: Path) -> str:
    try:
        return read_small_file(path)
    except (OSError, UnicodeDecodeError) as exc:
        problem = getattr(exc, "strerror", None) or type(exc).__name__
        raise UsageProblem(f"{shorten(safe(path), 500)}: {problem}") from None


@policy.command("check", arg("file", type=Path), JSON)
def policy_check(st: State, file: Path, as_json: bool) -> None:
    """Check a policy file; names the bad key."""
    from ..core.policy import parse_policy

    parse_policy(_read(file))
    emit(as_json, {"file": str(file)}, [st.t("cli.policy_ok", path=str(file))])


@policy.command("set", arg("file", type=Path), JSON)
def policy_set(st: State, file: Path, as_json: bool) -> None:
    """Check a policy file and make it this database's policy."""
    st.desk().admin.set_policy(_read(file))
    emit(as_json, {"file": str(file)}, [st.t("cli.policy_set", path=str(file))])


# --- staff ----------------------------------------------------------------------------------------

def _new_password(from_stdin: bool, t) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise invalid("password_tty")
    import getpass

    first = getpass.getpass(t("cli.password_prompt"))
    second = getpass.getpass(t("cli.password_again"))
    if first != second:
        raise invalid("password_mismatch")
    return first


@accounts.command("add", arg("user"), option("--role", "desk | digituki | admin", required=True), option("--name"),
               flag("--password-stdin", "Read the password from stdin."),
               option("--unix-user", "The Unix user (over SSH) who acts as this account.", metavar="USER"), JSON)
def staff_add(st: State, user: str, role: str, name: str | None, password_stdin: bool, unix_user: str | None,
              as_json: bool) -> None:
    """Add a staff account (the first one is an admin's)."""
    desk = st.desk()
    desk.require("add_staff")
    password = _new_password(password_stdin, st.t) if password_stdin or sys.stdin.isatty() else None
    desk.admin.add_staff(user, role, name, password, unix_user)
    emit(as_json, {"staff": {"user": user, "role": role}}, [st.t("cli.staff_added", user=user, role=role)])


@accounts.command("passwd", arg("user"), flag("--password-stdin", "Read the password from stdin."), JSON)
def staff_passwd(st: State, user: str, password_stdin: bool, as_json: bool) -> None:
    """Set a staff member's password (prompted twice, not echoed)."""
    desk = st.desk()
    desk.admin.set_staff_password(user, _new_password(password_stdin, st.t))
    emit(as_json, {"staff": {"user": user}}, [st.t("cli.password_set", user=user)])


@accounts.command("list", JSON)
def staff_list(st: State, as_json: bool) -> None:
    """The accounts, their roles, who can log in."""
    from dataclasses import asdict

    rows = st.desk().admin.staff_list()
    emit(as_json, {"staff": [asdict(r) for r in rows]},
         [f"{r.username:<16} {r.role:<9} {r.unix_user or '-':<12} {'disabled' if r.disabled_at else ''}"
          for r in rows])


@accounts.command("token", arg("user"), JSON)
def staff_token(st: State, user: str, as_json: bool) -> None:
    """A new token for USER, kept in a file only your Unix user can read: then
    `TISKI_STAFF=USER tiski …` acts as USER without a password (scripts, cron)."""
    from ..shell import save_token

    token = st.desk().admin.issue_token(user)
    path = save_token(user, token)
    emit(as_json, {"token": {"user": user, "file": str(path)}}, [st.t("cli.token_saved", user=user, path=str(path))])


@accounts.command("unlock", option("--terminal", "As in the audit trail (default: every terminal).",
                                 metavar="HOST:USER"), JSON)
def staff_unlock(st: State, terminal: str | None, as_json: bool) -> None:
    """Let a terminal paused after wrong passwords try again at once."""
    st.desk().admin.unlock_logins(terminal)
    emit(as_json, {"unlocked": terminal or "*"}, [st.t("cli.logins_unlocked", terminal=terminal or "*")])


@accounts.command("disable", arg("user"), JSON)
def staff_disable(st: State, user: str, as_json: bool) -> None:
    """Disable a staff account (it is kept for the audit trail)."""
    st.desk().admin.disable_staff(user)
    emit(as_json, {"staff": {"user": user, "disabled": True}}, [st.t("cli.staff_disabled", user=user)])


# --- backups --------------------------------------------------------------------------------------

@cli.command("backup", arg("file", "Where to write (default: a dated file beside the database).", optional=True,
                           type=Path), JSON)
def backup(st: State, file: Path | None, as_json: bool) -> None:
    """Copy the database while desks keep working (SQLite online backup; mode 0600)."""
    done = st.desk().register.backup(file)
    emit(as_json, {"backup": {"file": str(done.file), "bytes": done.bytes}},
         [st.t("cli.backup_done", path=str(done.file))])


@cli.command("restore", arg("file", type=Path),
             flag("--unsealed-ok", "Also restore a backup made before tamper evidence (schema < 7), which cannot be "
                                   "checked for doctoring and is sealed as it is (with a warning; recorded)."),
             JSON)
def restore(st: State, file: Path, unsealed_ok: bool, as_json: bool) -> None:
    """Replace the database with a backup: checked first (schema, integrity, tamper
    evidence), the old one kept beside it."""
    register = st.desk(guarded=False).register
    done = register.restore(file, unsealed_ok=True) if unsealed_ok else register.restore(file)
    payload: dict[str, object] = {"file": str(file), "kept": str(done.kept), "unsealed": done.unsealed}
    if done.unsealed:
        payload["warning"] = warning = st.t("cli.restore_unsealed", path=str(file), version=done.version)
        if not as_json:
            sys.stderr.write(f"tiski: {warning}\n")
    emit(as_json, {"restore": payload}, [st.t("cli.restore_done", path=str(file), kept=str(done.kept))])


# --- the audit trail and retention ------------------------------------------------------------

@audit_trail.runs(option("--patron", "A card: everything done with this patron's data.", metavar="CARD"),
                  option("--staff", "A staff account: everything it did.", metavar="USER"),
                  option("--since", "By the real time of writing.", metavar="YYYY-MM-DD"), JSON)
def audit(st: State, patron: str | None, staff: str | None, since: str | None, as_json: bool) -> None:
    """The audit trail, for the data-protection officer (admins only)."""
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


@audit_trail.command("verify", JSON)
def audit_verify(st: State, as_json: bool) -> int:
    """Check the tamper evidence: both hash chains (the audit trail, the fee ledger) and
    the triggers they rest on. Exit 1 when anything is wrong. Cron: `tiski audit verify`."""
    evidence = st.desk(guarded=False).register.verify_audit()
    summary = {"audit_rows": evidence.audit_rows, "audit_head": evidence.audit_head,
               "ledger_entries": evidence.ledger_entries, "ledger_head": evidence.ledger_head,
               "findings": [{"what": f.what, "where": f.where} for f in evidence.findings]}
    # An empty trail or ledger has no newest row to name: said in words, not left blank.
    audit_part = st.t("cli.evidence_audit", **summary) if evidence.audit_head else st.t("cli.evidence_audit_empty")
    ledger_part = (st.t("cli.evidence_ledger", **summary) if evidence.ledger_head
                   else st.t("cli.evidence_ledger_empty"))
    lines = [f"{audit_part}; {ledger_part}"]
    lines += [st.t(f"evidence.{f.what}", where=f.where) for f in evidence.findings]
    if evidence.intact:
        emit(as_json, {"verify": summary}, lines + [st.t("cli.evidence_intact")])
        return 0
    message = st.t("cli.evidence_broken", count=len(evidence.findings))
    if as_json:
        error = {"code": "TAMPERED", "message": message, "confirmable": False}
        sys.stdout.write(json_text({"ok": False, "error": error, "verify": summary}) + "\n")
    else:
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stderr.write(f"tiski: TAMPERED: {message}\n")
    return 1


@retention.command("run", JSON)
def retention_run(st: State, as_json: bool) -> None:
    """Daily: returned loans lose their patron, old holds and notices go, the audit trail's
    oldest rows go by a checkpoint, the digi-support queue's past days are erased.
    Cron: `15 2 * * * tiski retention run`."""
    counts = st.desk().register.retention()
    emit(as_json, {"retention": counts}, [f"{k}: {v}" for k, v in counts.items()])
