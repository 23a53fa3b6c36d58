"""`tiski digituki …`: the digital-support desk from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

from ..core.errors import invalid
from ..core.text import spreadsheet_safe
from ..i18n import format_day
from .common import BRANCH, JSON, MOMENT, Group, State, arg, day, emit, flag, json_text, option, whole

cli = Group("tiski")
digituki = cli.group("digituki", "Digital support (digituki): queue, appointments, call-backs.")
hours = digituki.group("hours", "Drop-in and appointment hours.")
callback = digituki.group("callback", "Call-back requests (by phone only).")
service = digituki.group("service", "The directory of services to refer to.")


def visit_json(v) -> dict:
    return {"id": v.id, "queue_no": v.queue_no, "name": v.name, "topic": v.topic, "device": v.device,
            "language": v.language, "status": v.status, "helper": v.helper, "elapsed_seconds": v.elapsed,
            "timer": v.timer, "estimate_minutes": v.estimate, "cap_hit": v.cap_hit}


def minutes(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


@hours.command("add", arg("weekday", "mon … sun"), arg("starts", "HH:MM", metavar="FROM"),
               arg("ends", "HH:MM", metavar="TO"), flag("--appointments", "Bookable appointments, not drop-in."),
               option("--slot-minutes", type=whole, metavar="MINUTES"), option("--helper", metavar="USER"), BRANCH,
               JSON)
def hours_add(st: State, weekday: str, starts: str, ends: str, appointments: bool, slot_minutes: int | None,
              helper: str | None, branch: str | None, as_json: bool) -> None:
    """Add drop-in hours (e.g. wed 12:00 14:00) or appointment hours."""
    hours_id = st.desk(branch).bookings.add_hours(weekday, starts, ends,
                                                  kind="appointments" if appointments else "drop_in",
                                                  slot_minutes=slot_minutes, helper=helper, branch=branch)
    emit(as_json, {"hours": {"id": hours_id}}, [st.t("cli.dt_hours_added", id=hours_id)])


@hours.command("list", BRANCH, JSON)
def hours_list(st: State, branch: str | None, as_json: bool) -> None:
    """The hours of this branch."""
    from ..core.calendar import WEEKDAYS

    rows = st.desk(branch).bookings.hours()
    emit(as_json, {"hours": [{"id": h.id, "branch": h.branch, "kind": h.kind, "weekday": h.weekday,
                              "starts": f"{h.starts:%H:%M}", "ends": f"{h.ends:%H:%M}",
                              "slot_minutes": h.slot_minutes, "helper": h.helper} for h in rows]},
         [f"{h.id:>3}  {h.kind:<12} {WEEKDAYS[h.weekday]} {h.starts:%H:%M}–{h.ends:%H:%M}"
          + (f"  {h.slot_minutes} min" if h.slot_minutes else "") + (f"  {h.helper}" if h.helper else "")
          for h in rows])


@hours.command("remove", arg("hours-id", type=whole, metavar="ID"), JSON)
def hours_remove(st: State, hours_id: int, as_json: bool) -> None:
    """Remove hours (by the id `hours list` shows)."""
    st.desk().bookings.remove_hours(hours_id)
    emit(as_json, {"removed": hours_id}, [st.t("cli.dt_removed")])


@digituki.command("add", arg("name", "A first name; leave out to use the queue number only.", optional=True),
                  option("--topic", "device_use|apps_internet|library_services|social_email|e_services|other",
                         required=True),
                  option("--device", "own_phone|own_tablet|own_laptop|library_computer|other", required=True),
                  option("--language", default="fi"), option("--card", "Optional."), BRANCH, JSON)
def queue_add(st: State, name: str | None, topic: str, device: str, language: str, card: str | None,
              branch: str | None, as_json: bool) -> None:
    """Someone joins the queue."""
    v = st.desk(branch).digituki.queue_add(name, topic, device, language, card)
    emit(as_json, {"visit": visit_json(v)}, [st.t("cli.dt_queued", label=v.label)])


@digituki.command("queue", BRANCH, JSON)
def queue(st: State, branch: str | None, as_json: bool) -> None:
    """Who is being helped, who waits (with an estimate), today's appointments."""
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


@digituki.command("next", option("--helper", metavar="USER"), BRANCH, JSON)
def call_next(st: State, helper: str | None, branch: str | None, as_json: bool) -> None:
    """The next person in line starts with this helper."""
    v = st.desk(branch).digituki.call_next(helper)
    emit(as_json, {"visit": visit_json(v)}, [st.t("cli.dt_started", label=v.label, helper=v.helper or "-")])


def _visit_command(action: str):
    def command(st: State, visit_id: int, as_json: bool) -> None:
        v = getattr(st.desk().digituki, action)(visit_id)
        emit(as_json, {"visit": visit_json(v)}, [f"{v.label}: {v.status}"])

    command.__doc__ = {"pause_visit": "Pause the timer (the patron fetches a device…).",
                       "resume_visit": "Resume after a pause.",
                       "visit_left": "Someone left the queue before their turn."}[action]
    return command


VISIT = arg("visit-id", type=whole, metavar="ID")
digituki.command("pause", VISIT, JSON)(_visit_command("pause_visit"))
digituki.command("resume", VISIT, JSON)(_visit_command("resume_visit"))
digituki.command("left", VISIT, JSON)(_visit_command("visit_left"))


@digituki.command("finish", VISIT, option("--outcome", "solved|partly|referred|not_helped", required=True),
                  option("--topic"), option("--referral", "Where the patron was referred (a service name).",
                                            metavar="SERVICE"),
                  option("--note", "Short; identity codes, numbers and passwords are removed.", metavar="TEXT"), JSON)
def finish(st: State, visit_id: int, outcome: str, topic: str | None, referral: str | None, note: str | None,
           as_json: bool) -> None:
    """Done: the outcome, and where to go when the library could not help."""
    v, removed = st.desk().digituki.finish_visit(visit_id, outcome, topic=topic, referral=referral, note=note)
    lines = [f"{v.label}: {outcome} ({minutes(v.elapsed)})"]
    if removed:
        lines.append(st.t("ui.dt_redacted", kinds=", ".join(st.t(f"redacted.{k}") for k in removed)))
    emit(as_json, {"visit": visit_json(v), "redacted": list(removed)}, lines)


@digituki.command("slots", arg("when", metavar="YYYY-MM-DD"), BRANCH, JSON)
def slots(st: State, when: str, branch: str | None, as_json: bool) -> None:
    """Free appointment times of a day."""
    chosen = day(when, "day")
    if chosen is None:
        raise invalid("date", field="day")
    free = st.desk(branch).bookings.free_slots(chosen)
    emit(as_json, {"slots": [{"starts_at": s, "helper": h, "minutes": m} for s, h, m in free]},
         [f"{s:%H:%M}  {m} min  {h or '-'}" for s, h, m in free] or [st.t("cli.none_found")])


@digituki.command("book", arg("starts-at", "A free time: '3.12.2026 10:00', '3.12. 10:00' (this year) or ISO.", metavar=MOMENT), option("--name", required=True),
                  option("--topic", required=True), option("--phone"), option("--helper", metavar="USER"), BRANCH,
                  JSON)
def book(st: State, starts_at: str, name: str, topic: str, phone: str | None, helper: str | None,
         branch: str | None, as_json: bool) -> None:
    """Book an appointment at a free time."""
    a = st.desk(branch).bookings.book(starts_at, name, topic, phone=phone, helper=helper)
    emit(as_json, {"appointment": {"id": a.id, "starts_at": a.starts_at, "minutes": a.minutes, "helper": a.helper}},
         [st.t("cli.dt_booked", day=format_day(a.starts_at), time=f"{a.starts_at:%H:%M}", id=a.id)])


@digituki.command("appointments", arg("when", optional=True, metavar="YYYY-MM-DD"), BRANCH, JSON)
def appointments(st: State, when: str | None, branch: str | None, as_json: bool) -> None:
    """The appointments of a day (today by default)."""
    desk = st.desk(branch)
    chosen = day(when, "day") or desk.today()
    rows = desk.bookings.appointments_on(chosen)
    emit(as_json, {"appointments": [{"id": a.id, "starts_at": a.starts_at, "minutes": a.minutes, "name": a.name,
                                     "topic": a.topic, "helper": a.helper, "status": a.status} for a in rows]},
         [f"{a.id:>4}  {a.starts_at:%H:%M}  {a.name or '-':<12} {a.helper or '-':<10} {a.status}" for a in rows]
         or [st.t("cli.none_found")])


def _appointment_command(action: str):
    def command(st: State, appointment_id: int, as_json: bool) -> None:
        result = getattr(st.desk().bookings, action)(appointment_id)
        emit(as_json, {"id": appointment_id, "status": result.status}, [f"{appointment_id}: {result.status}"])

    command.__doc__ = {"cancel_appointment": "Cancel an appointment.", "no_show": "The patron did not come.",
                       "appointment_arrived": "The patron came: their helper starts."}[action]
    return command


APPOINTMENT = arg("appointment-id", type=whole, metavar="ID")
digituki.command("cancel", APPOINTMENT, JSON)(_appointment_command("cancel_appointment"))
digituki.command("no-show", APPOINTMENT, JSON)(_appointment_command("no_show"))
digituki.command("arrived", APPOINTMENT, JSON)(_appointment_command("appointment_arrived"))


def callback_json(c) -> dict:
    return {"id": c.id, "name": c.name, "phone": c.phone, "topic": c.topic, "wish_from": c.wish_from,
            "wish_to": c.wish_to, "received_at": c.received_at, "due_by": c.due_by, "status": c.status,
            "attempts": c.attempts, "overdue": c.overdue, "channel": "phone"}


@callback.command("add", option("--name", required=True), option("--phone", required=True),
                  option("--topic", required=True),
                  option("--from", "Wished time window start: '3.12.2026 10:00', '3.12. 10:00' (this year) or ISO.",
                         dest="wish_from", metavar=MOMENT),
                  option("--to", "Wished time window end (as --from).", dest="wish_to", metavar=MOMENT), BRANCH, JSON)
def callback_add(st: State, name: str, phone: str, topic: str, wish_from: str | None, wish_to: str | None,
                 branch: str | None, as_json: bool) -> None:
    """A patron asks to be called back (support by phone only)."""
    c = st.desk(branch).bookings.add_callback(name, phone, topic, wish_from=wish_from, wish_to=wish_to)
    emit(as_json, {"callback": callback_json(c)},
         [st.t("cli.dt_callback", id=c.id, due=format_day(c.due_by), time=f"{c.due_by:%H:%M}")])


@callback.command("import", arg("file", type=Path), BRANCH, JSON)
def callback_import(st: State, file: Path, branch: str | None, as_json: bool) -> int | None:
    """Requests from the web form (CSV); all rows or none."""
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
        return 2
    emit(as_json, {"imported": count}, [t("cli.dt_imported", count=count)])
    return None


@digituki.command("callbacks", flag("--all", "Closed ones too.", dest="all_"), BRANCH, JSON)
def callbacks(st: State, all_: bool, branch: str | None, as_json: bool) -> None:
    """Open call-back requests, the one due first on top (overdue marked !)."""
    rows = st.desk(branch).bookings.callbacks(include_closed=all_)
    emit(as_json, {"callbacks": [callback_json(c) for c in rows]},
         [f"{'!' if c.overdue else ' '} {c.id:>4}  {format_day(c.due_by)} {c.due_by:%H:%M}  {c.name or '-':<12} "
          f"{c.phone or '-':<14} {c.topic}  ({c.attempts})" for c in rows] or [st.t("cli.none_found")])


@callback.command("log", arg("callback-id", type=whole, metavar="ID"),
                  option("--result", "answered|no_answer|busy|wrong_number", required=True),
                  option("--note", metavar="TEXT"), JSON)
def callback_log(st: State, callback_id: int, result: str, note: str | None, as_json: bool) -> None:
    """Log a call attempt."""
    c, removed = st.desk().bookings.log_call(callback_id, result, note)
    emit(as_json, {"callback": callback_json(c), "redacted": list(removed)}, [f"{c.id}: {result} ({c.attempts})"])


@callback.command("close", arg("callback-id", type=whole, metavar="ID"), option("--outcome", required=True),
                  option("--referral", metavar="SERVICE"), JSON)
def callback_close(st: State, callback_id: int, outcome: str, referral: str | None, as_json: bool) -> None:
    """Close a request with its outcome (and where the patron was referred)."""
    c = st.desk().bookings.close_callback(callback_id, outcome, referral)
    emit(as_json, {"callback": callback_json(c)}, [f"{c.id}: {c.status}"])


@service.command("list", JSON)
def service_list(st: State, as_json: bool) -> None:
    """Where to refer people."""
    rows = st.desk().digituki.referral_services()
    emit(as_json, {"services": [vars(s) for s in rows]},
         [f"{s.name}  [{s.kind}]  {s.phone or ''}  {s.url or ''}" for s in rows])


@service.command("add", arg("name"), option("--kind", default="other"), option("--phone"), option("--address"),
                 option("--url"), option("--note", metavar="TEXT"), JSON)
def service_add(st: State, name: str, kind: str, phone: str | None, address: str | None, url: str | None,
                note: str | None, as_json: bool) -> None:
    """Add a service (or update the one with that name)."""
    s = st.desk().digituki.save_referral_service(name, kind, phone, address, url, note)
    emit(as_json, {"service": vars(s)}, [s.name])


@service.command("remove", arg("name"), JSON)
def service_remove(st: State, name: str, as_json: bool) -> None:
    """Remove a service from the directory."""
    st.desk().digituki.remove_referral_service(name)
    emit(as_json, {"removed": name}, [st.t("cli.dt_removed")])


@service.command("seed", JSON)
def service_seed(st: State, as_json: bool) -> None:
    """Fill an empty directory with the shipped starting list."""
    count = st.desk().digituki.seed_referral_services()
    emit(as_json, {"added": count}, [str(count)])


@digituki.command("close-day", flag("--today", "Also today's finished visits."), JSON)
def close_day(st: State, today: bool, as_json: bool) -> None:
    """Daily: erase the queue's personal details of past days; keep the anonymous figures."""
    counts = st.desk().digituki.close_days(include_today=today)
    emit(as_json, {"closed": counts}, [st.t("cli.dt_closed", **counts)])


@digituki.command("stats", option("--from", dest="start", required=True, metavar="YYYY-MM-DD"),
                  option("--to", dest="end", required=True, metavar="YYYY-MM-DD"),
                  option("--by", "week|month|topic|branch|outcome|device|channel|referral", default="topic"),
                  flag("--csv", "Every kept row as CSV, for the network's report.", dest="as_csv"), JSON)
def stats(st: State, start: str, end: str, by: str, as_csv: bool, as_json: bool) -> None:
    """The figures that are kept: by topic, month, outcome…; or all rows as CSV."""
    desk = st.desk()
    first, last = day(start, "from_day"), day(end, "to_day")
    if first is None or last is None:
        raise invalid("date", field="from_day")
    if as_csv:
        if last < first:
            raise invalid("date_order")
        import csv  # the modules of commands are all loaded by `tiski --help`: keep them light

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


