"""Administration commands: init, branches, bans, clearance, policy, staff, backups."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import typer

from ..core.errors import invalid
from ..i18n import safe, shorten
from .common import BRANCH_OPTION, JSON_OPTION, UsageProblem, day, emit, state

branch_app = typer.Typer(help="Branches and their calendars.", no_args_is_help=True)
ban_app = typer.Typer(help="Borrowing, use and visit bans.", no_args_is_help=True)
clearance_app = typer.Typer(help="The annual clearance of unpaid fees.", no_args_is_help=True)
policy_app = typer.Typer(help="The circulation policy this database uses.", no_args_is_help=True)
staff_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
retention_app = typer.Typer(help="Privacy: what is kept, and for how long.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(branch_app, name="branch")
    app.add_typer(ban_app, name="ban")
    app.add_typer(clearance_app, name="clearance")
    app.add_typer(policy_app, name="policy")
    app.add_typer(staff_app, name="staff")
    app.command("backup")(backup)
    app.command("restore")(restore)
    app.command("audit")(audit)
    app.add_typer(retention_app, name="retention")


def init(
    ctx: typer.Context,
    demo: bool = typer.Option(False, "--demo", help="Fill it with a believable demo library."),
    force: bool = typer.Option(False, "--force", help="Replace an existing database."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Create the database (and the demo library)."""
    from ..store import db as store_db

    st = state(ctx)
    path = st.db
    if path.exists():
        if not force:
            raise invalid("database_exists", path=str(path))
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    conn = store_db.create(path)
    summary: dict = {}
    if demo:
        from ..clock import clock_from_env
        from ..demo import build_demo

        try:
            clock = clock_from_env()
        except ValueError:
            raise invalid("now") from None
        summary = build_demo(conn, clock=clock)
    conn.close()
    t = st.t
    emit(as_json, {"db": str(path), "schema": store_db.latest_version(), "demo": summary},
         [t("cli.init_done", path=str(path))] + ([t("cli.demo_done", **summary)] if demo else []))


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
    from ..store import branches as branch_store

    st = state(ctx)
    desk = st.desk()
    rows = branch_store.all_branches(desk.conn)
    closures = {r.code: branch_store.closures(desk.conn, r.code, desk.today()) for r in rows}
    emit(
        as_json,
        {"branches": [
            {"code": r.code, "name": r.name, "closes": r.closes, "closed_weekdays": r.closed_weekdays,
             "closures": [{"day": c.day, "reason": c.reason} for c in closures[r.code]]}
            for r in rows
        ]},
        [f"{r.code:<8} {r.name}  ({r.closes}; {r.closed_weekdays or '-'})" for r in rows],
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
        return path.read_text(encoding="utf-8")
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
    rows = state(ctx).desk().admin.staff_list()
    emit(as_json, {"staff": rows},
         [f"{r['username']:<16} {r['role']:<9} {r['unix_user'] or '-':<12} {'disabled' if r['disabled_at'] else ''}"
          for r in rows])


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
    from ..store.backup import backup_to, default_backup_path

    st = state(ctx)
    desk = st.desk()
    desk.require("backup")
    target = file or default_backup_path(st.db, desk.now())
    size = backup_to(desk.conn, target)
    emit(as_json, {"backup": {"file": str(target), "bytes": size}}, [st.t("cli.backup_done", path=str(target))])


def restore(ctx: typer.Context, file: Path, as_json: bool = JSON_OPTION) -> None:
    """Replace the database with a backup: verified first, the old one kept."""
    from ..store.backup import restore_from

    st = state(ctx)
    desk = st.desk()
    desk.require("restore")
    kept = restore_from(desk.conn, st.db, file, desk.now())
    emit(as_json, {"restore": {"file": str(file), "kept": str(kept)}},
         [st.t("cli.restore_done", path=str(file), kept=str(kept))])


# --- the audit trail and retention ------------------------------------------------------------

def audit(
    ctx: typer.Context,
    patron: str = typer.Option(None, "--patron", help="A card: everything done with this patron's data."),
    staff: str = typer.Option(None, "--staff", help="A staff account: everything it did."),
    since: str = typer.Option(None, "--since", help="YYYY-MM-DD"),
    as_json: bool = JSON_OPTION,
) -> None:
    """The audit trail, for the data-protection officer (admins only)."""
    from ..store.audit import entries

    st = state(ctx)
    desk = st.desk()
    desk.require("audit")
    if not patron and not staff:
        raise invalid("audit_filter")
    patron_id = desk.find_card(patron, for_circulation=False).id if patron else None
    rows = entries(desk.conn, patron_id=patron_id, staff=staff, since=day(since, "from_day"))
    emit(as_json, {"audit": rows},
         [f"{r['at'][:16]}  {r['staff'] or '-':<10} {r['branch'] or '-':<6} {r['kind']:<7} {r['action']:<20} "
          f"{r['detail'] or ''}" for r in rows] or [st.t("cli.none_found")])


@retention_app.command("run")
def retention_run(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Daily: returned loans lose their patron, old holds and notices go, the digi-support
    queue's past days are erased. Cron: `15 2 * * * tiski retention run`."""
    from ..desk.retention import run_retention

    st = state(ctx)
    desk = st.desk()
    desk.require("retention")
    counts = run_retention(desk)
    emit(as_json, {"retention": counts}, [f"{k}: {v}" for k, v in counts.items()])
