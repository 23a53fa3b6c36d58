"""`tiski digituki …`: the digital-support desk from the command line."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import typer

from ..core.errors import invalid
from ..core.text import spreadsheet_safe
from ..i18n import format_day
from .common import BRANCH_OPTION, JSON_OPTION, day, emit, json_text, state

digituki_app = typer.Typer(help="Digital support (digituki): queue, appointments, call-backs.", no_args_is_help=True)
hours_app = typer.Typer(help="Drop-in and appointment hours.", no_args_is_help=True)
callback_app = typer.Typer(help="Call-back requests (by phone only).", no_args_is_help=True)
service_app = typer.Typer(help="The directory of services to refer to.", no_args_is_help=True)
digituki_app.add_typer(hours_app, name="hours")
digituki_app.add_typer(callback_app, name="callback")
digituki_app.add_typer(service_app, name="service")


def register(app: typer.Typer) -> None:
    app.add_typer(digituki_app, name="digituki")


def visit_json(v) -> dict:
    return {"id": v.id, "queue_no": v.queue_no, "name": v.name, "topic": v.topic, "device": v.device,
            "language": v.language, "status": v.status, "helper": v.helper, "elapsed_seconds": v.elapsed,
            "timer": v.timer, "estimate_minutes": v.estimate, "cap_hit": v.cap_hit}


def minutes(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


@hours_app.command("add")
def hours_add(
    ctx: typer.Context,
    weekday: str = typer.Argument(..., help="mon … sun"),
    starts: str = typer.Argument(..., metavar="FROM", help="HH:MM"),
    ends: str = typer.Argument(..., metavar="TO", help="HH:MM"),
    appointments: bool = typer.Option(False, "--appointments", help="Bookable appointments, not drop-in."),
    slot_minutes: int = typer.Option(None, "--slot-minutes"),
    helper: str = typer.Option(None, "--helper"),
    branch: str = BRANCH_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Add drop-in hours (e.g. wed 12:00 14:00) or appointment hours."""
    st = state(ctx)
    hours_id = st.desk(branch).bookings.add_hours(weekday, starts, ends, kind="appointments" if appointments else "drop_in",
                                         slot_minutes=slot_minutes, helper=helper, branch=branch)
    emit(as_json, {"hours": {"id": hours_id}}, [st.t("cli.dt_hours_added", id=hours_id)])


@hours_app.command("list")
def hours_list(ctx: typer.Context, branch: str = BRANCH_OPTION, as_json: bool = JSON_OPTION) -> None:
    """The hours of this branch."""
    from ..core.calendar import WEEKDAYS

    rows = state(ctx).desk(branch).bookings.hours()
    emit(as_json, {"hours": [{"id": h.id, "branch": h.branch, "kind": h.kind, "weekday": h.weekday,
                              "starts": f"{h.starts:%H:%M}", "ends": f"{h.ends:%H:%M}",
                              "slot_minutes": h.slot_minutes, "helper": h.helper} for h in rows]},
         [f"{h.id:>3}  {h.kind:<12} {WEEKDAYS[h.weekday]} {h.starts:%H:%M}–{h.ends:%H:%M}"
          + (f"  {h.slot_minutes} min" if h.slot_minutes else "") + (f"  {h.helper}" if h.helper else "")
          for h in rows])


@hours_app.command("remove")
def hours_remove(ctx: typer.Context, hours_id: int, as_json: bool = JSON_OPTION) -> None:
    st = state(ctx)
    st.desk().bookings.remove_hours(hours_id)
    emit(as_json, {"removed": hours_id}, [st.t("cli.dt_removed")])


@digituki_app.command("add")
def queue_add(
    ctx: typer.Context,
    name: str = typer.Argument(None, help="A first name; leave out to use the queue number only."),
    topic: str = typer.Option(..., "--topic",
                              help="device_use|apps_internet|library_services|social_email|e_services|other"),
    device: str = typer.Option(..., "--device", help="own_phone|own_tablet|own_laptop|library_computer|other"),
    language: str = typer.Option("fi", "--language"),
    card: str = typer.Option(None, "--card", help="Optional."),
    branch: str = BRANCH_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Someone joins the queue."""
    st = state(ctx)
    v = st.desk(branch).digituki.queue_add(name, topic, device, language, card)
    emit(as_json, {"visit": visit_json(v)}, [st.t("cli.dt_queued", label=v.label)])


@digituki_app.command("queue")
def queue(ctx: typer.Context, branch: str = BRANCH_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Who is being helped, who waits (with an estimate), today's appointments."""
    st = state(ctx)
    t = st.t
    view = st.desk(branch).digituki.queue_view()
    lines = []
    if view.hours_now:
        lines.append(t("ui.dt_open_now", ends=view.hours_now.ends.strftime("%H:%M"), left=view.minutes_left))
    for v in view.serving:
        lines.append(f"  ▶ {v.label:<16} {v.helper or '-':<10} {minutes(v.elapsed)}  {v.timer}")
    for v in view.waiting:
        lines.append(f"    {v.label:<16} {t('ui.dt_estimate', minutes=v.estimate)}")
    for a in view.appointments:
        lines.append(f"  ⏰ {a.starts_at:%H:%M} {a.name or ''} ({a.helper or '-'})")
    emit(as_json, {
        "hours_now": {"starts": view.hours_now.starts.strftime("%H:%M"), "ends": view.hours_now.ends.strftime("%H:%M"),
                      "minutes_left": view.minutes_left} if view.hours_now else None,
        "serving": [visit_json(v) for v in view.serving],
        "waiting": [visit_json(v) for v in view.waiting],
        "appointments": [{"id": a.id, "starts_at": a.starts_at, "name": a.name, "helper": a.helper}
                         for a in view.appointments],
        "average_minutes": round(view.average_minutes, 1), "helpers": view.helpers,
    }, lines or [t("cli.none_found")])


@digituki_app.command("next")
def call_next(ctx: typer.Context, helper: str = typer.Option(None, "--helper"), branch: str = BRANCH_OPTION,
              as_json: bool = JSON_OPTION) -> None:
    """The next person in line starts with this helper."""
    st = state(ctx)
    v = st.desk(branch).digituki.call_next(helper)
    emit(as_json, {"visit": visit_json(v)}, [st.t("cli.dt_started", label=v.label, helper=v.helper or "-")])


def _visit_command(action: str):
    def command(ctx: typer.Context, visit_id: int, as_json: bool = JSON_OPTION) -> None:
        st = state(ctx)
        v = getattr(st.desk().digituki, action)(visit_id)
        emit(as_json, {"visit": visit_json(v)}, [f"{v.label}: {v.status}"])

    command.__doc__ = {"pause_visit": "Pause the timer (the patron fetches a device…).",
                       "resume_visit": "Resume after a pause.",
                       "visit_left": "Someone left the queue before their turn."}[action]
    return command


digituki_app.command("pause")(_visit_command("pause_visit"))
digituki_app.command("resume")(_visit_command("resume_visit"))
digituki_app.command("left")(_visit_command("visit_left"))


@digituki_app.command("finish")
def finish(
    ctx: typer.Context,
    visit_id: int,
    outcome: str = typer.Option(..., "--outcome", help="solved|partly|referred|not_helped"),
    topic: str = typer.Option(None, "--topic"),
    referral: str = typer.Option(None, "--referral", help="Where the patron was referred (a service name)."),
    note: str = typer.Option(None, "--note", help="Short; identity codes, numbers and passwords are removed."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Done: the outcome, and where to go when the library could not help."""
    st = state(ctx)
    v, removed = st.desk().digituki.finish_visit(visit_id, outcome, topic=topic, referral=referral, note=note)
    lines = [f"{v.label}: {outcome} ({minutes(v.elapsed)})"]
    if removed:
        lines.append(st.t("ui.dt_redacted", kinds=", ".join(st.t(f"redacted.{k}") for k in removed)))
    emit(as_json, {"visit": visit_json(v), "redacted": list(removed)}, lines)


@digituki_app.command("slots")
def slots(ctx: typer.Context, when: str = typer.Argument(..., metavar="YYYY-MM-DD"), branch: str = BRANCH_OPTION,
          as_json: bool = JSON_OPTION) -> None:
    """Free appointment times of a day."""
    st = state(ctx)
    chosen = day(when, "day")
    if chosen is None:
        raise invalid("date", field="day")
    free = st.desk(branch).bookings.free_slots(chosen)
    emit(as_json, {"slots": [{"starts_at": s, "helper": h, "minutes": m} for s, h, m in free]},
         [f"{s:%H:%M}  {m} min  {h or '-'}" for s, h, m in free] or [st.t("cli.none_found")])


@digituki_app.command("book")
def book(
    ctx: typer.Context,
    starts_at: str = typer.Argument(..., metavar="YYYY-MM-DDTHH:MM"),
    name: str = typer.Option(..., "--name"),
    topic: str = typer.Option(..., "--topic"),
    phone: str = typer.Option(None, "--phone"),
    helper: str = typer.Option(None, "--helper"),
    branch: str = BRANCH_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Book an appointment at a free time."""
    st = state(ctx)
    a = st.desk(branch).bookings.book(starts_at, name, topic, phone=phone, helper=helper)
    emit(as_json, {"appointment": {"id": a.id, "starts_at": a.starts_at, "minutes": a.minutes, "helper": a.helper}},
         [st.t("cli.dt_booked", day=format_day(a.starts_at), time=f"{a.starts_at:%H:%M}", id=a.id)])


@digituki_app.command("appointments")
def appointments(ctx: typer.Context, when: str = typer.Argument(None, metavar="[YYYY-MM-DD]"),
                 branch: str = BRANCH_OPTION, as_json: bool = JSON_OPTION) -> None:
    """The appointments of a day (today by default)."""
    st = state(ctx)
    desk = st.desk(branch)
    chosen = day(when, "day") or desk.today()
    rows = desk.bookings.appointments_on(chosen)
    emit(as_json, {"appointments": [{"id": a.id, "starts_at": a.starts_at, "minutes": a.minutes, "name": a.name,
                                     "topic": a.topic, "helper": a.helper, "status": a.status} for a in rows]},
         [f"{a.id:>4}  {a.starts_at:%H:%M}  {a.name or '-':<12} {a.helper or '-':<10} {a.status}" for a in rows]
         or [st.t("cli.none_found")])


def _appointment_command(action: str):
    def command(ctx: typer.Context, appointment_id: int, as_json: bool = JSON_OPTION) -> None:
        st = state(ctx)
        result = getattr(st.desk().bookings, action)(appointment_id)
        emit(as_json, {"id": appointment_id, "status": result.status}, [f"{appointment_id}: {result.status}"])

    command.__doc__ = {"cancel_appointment": "Cancel an appointment.", "no_show": "The patron did not come.",
                       "appointment_arrived": "The patron came: their helper starts."}[action]
    return command


digituki_app.command("cancel")(_appointment_command("cancel_appointment"))
digituki_app.command("no-show")(_appointment_command("no_show"))
digituki_app.command("arrived")(_appointment_command("appointment_arrived"))


def callback_json(c) -> dict:
    return {"id": c.id, "name": c.name, "phone": c.phone, "topic": c.topic, "wish_from": c.wish_from,
            "wish_to": c.wish_to, "received_at": c.received_at, "due_by": c.due_by, "status": c.status,
            "attempts": c.attempts, "overdue": c.overdue, "channel": "phone"}


@callback_app.command("add")
def callback_add(
    ctx: typer.Context,
    name: str = typer.Option(..., "--name"),
    phone: str = typer.Option(..., "--phone"),
    topic: str = typer.Option(..., "--topic"),
    wish_from: str = typer.Option(None, "--from", help="Wished time window start (YYYY-MM-DDTHH:MM)."),
    wish_to: str = typer.Option(None, "--to"),
    branch: str = BRANCH_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """A patron asks to be called back (support by phone only)."""
    st = state(ctx)
    c = st.desk(branch).bookings.add_callback(name, phone, topic, wish_from=wish_from, wish_to=wish_to)
    emit(as_json, {"callback": callback_json(c)},
         [st.t("cli.dt_callback", id=c.id, due=format_day(c.due_by), time=f"{c.due_by:%H:%M}")])


@callback_app.command("import")
def callback_import(ctx: typer.Context, file: Path, branch: str = BRANCH_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Requests from the web form (CSV); all rows or none."""

    st = state(ctx)
    t = st.t
    if not file.is_file():
        raise invalid("file", path=str(file))
    count, errors = st.desk(branch).bookings.import_callbacks(file)
    if errors:
        if as_json:
            sys.stdout.write(json_text({"ok": False, "error": {
                "code": "INVALID_INPUT", "message": t("cli.csv_rejected", count=len(errors)), "confirmable": False,
                "rows": [{"line": line, "code": r.code, "message": t.refusal(r)} for line, r in errors]}}) + "\n")
        else:
            sys.stderr.write(f"tiski: {t('cli.csv_rejected', count=len(errors))}\n")
            for line, refusal in errors:
                sys.stderr.write(f"  {t('cli.csv_line', line=line)}: {refusal.code}: {t.refusal(refusal)}\n")
        raise typer.Exit(2)
    emit(as_json, {"imported": count}, [t("cli.dt_imported", count=count)])


@digituki_app.command("callbacks")
def callbacks(ctx: typer.Context, all_: bool = typer.Option(False, "--all"), branch: str = BRANCH_OPTION,
              as_json: bool = JSON_OPTION) -> None:
    """Open call-back requests, the one due first on top (overdue marked !)."""
    st = state(ctx)
    rows = st.desk(branch).bookings.callbacks(include_closed=all_)
    emit(as_json, {"callbacks": [callback_json(c) for c in rows]},
         [f"{'!' if c.overdue else ' '} {c.id:>4}  {format_day(c.due_by)} {c.due_by:%H:%M}  {c.name or '-':<12} "
          f"{c.phone or '-':<14} {c.topic}  ({c.attempts})" for c in rows] or [st.t("cli.none_found")])


@callback_app.command("log")
def callback_log(
    ctx: typer.Context,
    callback_id: int,
    result: str = typer.Option(..., "--result", help="answered|no_answer|busy|wrong_number"),
    note: str = typer.Option(None, "--note"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Log a call attempt."""
    st = state(ctx)
    c, removed = st.desk().bookings.log_call(callback_id, result, note)
    emit(as_json, {"callback": callback_json(c), "redacted": list(removed)}, [f"{c.id}: {result} ({c.attempts})"])


@callback_app.command("close")
def callback_close(
    ctx: typer.Context,
    callback_id: int,
    outcome: str = typer.Option(..., "--outcome"),
    referral: str = typer.Option(None, "--referral"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Close a request with its outcome (and where the patron was referred)."""
    st = state(ctx)
    c = st.desk().bookings.close_callback(callback_id, outcome, referral)
    emit(as_json, {"callback": callback_json(c)}, [f"{c.id}: {c.status}"])


@service_app.command("list")
def service_list(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Where to refer people."""
    rows = state(ctx).desk().digituki.referral_services()
    emit(as_json, {"services": [vars(s) for s in rows]},
         [f"{s.name}  [{s.kind}]  {s.phone or ''}  {s.url or ''}" for s in rows])


@service_app.command("add")
def service_add(
    ctx: typer.Context,
    name: str,
    kind: str = typer.Option("other", "--kind"),
    phone: str = typer.Option(None, "--phone"),
    address: str = typer.Option(None, "--address"),
    url: str = typer.Option(None, "--url"),
    note: str = typer.Option(None, "--note"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a service (or update the one with that name)."""
    st = state(ctx)
    s = st.desk().digituki.save_referral_service(name, kind, phone, address, url, note)
    emit(as_json, {"service": vars(s)}, [s.name])


@service_app.command("remove")
def service_remove(ctx: typer.Context, name: str, as_json: bool = JSON_OPTION) -> None:
    st = state(ctx)
    st.desk().digituki.remove_referral_service(name)
    emit(as_json, {"removed": name}, [st.t("cli.dt_removed")])


@service_app.command("seed")
def service_seed(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Fill an empty directory with the shipped starting list."""
    st = state(ctx)
    count = st.desk().digituki.seed_referral_services()
    emit(as_json, {"added": count}, [str(count)])


@digituki_app.command("close-day")
def close_day(ctx: typer.Context, today: bool = typer.Option(False, "--today", help="Also today's finished visits."),
              as_json: bool = JSON_OPTION) -> None:
    """Daily: erase the queue's personal details of past days; keep the anonymous figures."""
    st = state(ctx)
    counts = st.desk().digituki.close_days(include_today=today)
    emit(as_json, {"closed": counts}, [st.t("cli.dt_closed", **counts)])


@digituki_app.command("stats")
def stats(
    ctx: typer.Context,
    start: str = typer.Option(..., "--from", help="YYYY-MM-DD"),
    end: str = typer.Option(..., "--to", help="YYYY-MM-DD"),
    by: str = typer.Option("topic", "--by", help="week|month|topic|branch|outcome|device|channel|referral"),
    as_csv: bool = typer.Option(False, "--csv", help="Every kept row as CSV, for the network's report."),
    as_json: bool = JSON_OPTION,
) -> None:
    """The figures that are kept: by topic, month, outcome…; or all rows as CSV."""
    st = state(ctx)
    desk = st.desk()
    first, last = day(start, "from_day"), day(end, "to_day")
    if first is None or last is None:
        raise invalid("date", field="from_day")
    if as_csv:
        if last < first:
            raise invalid("date_order")
        writer = csv.writer(sys.stdout, lineterminator="\n")
        rows = desk.digituki.stats_rows(first, last)
        writer.writerow(["day", "branch", "channel", "topic", "device", "wait_seconds", "service_seconds",
                         "outcome", "referral", "cap_hit"])
        writer.writerows(tuple(spreadsheet_safe(cell) for cell in (
            r.day, r.branch, r.channel, r.topic, r.device, r.wait_seconds, r.service_seconds, r.outcome, r.referral,
            int(r.cap_hit))) for r in rows)
        return
    rows = desk.digituki.stats(first, last, by)
    emit(as_json, {"stats": [vars(r) for r in rows]},
         [f"{r.group:<20} {r.count:>5}  {st.t.decimal(r.average_wait_minutes):>6}  "
          f"{st.t.decimal(r.average_service_minutes):>6}  "
          f"{r.cap_hits:>3}" for r in rows] or [st.t("cli.none_found")])


