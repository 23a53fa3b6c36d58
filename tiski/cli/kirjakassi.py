"""`tiski kirjakassi …`: the book bag from the command line."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

from ..core.errors import invalid
from ..i18n import format_day
from .common import BRANCH, JSON, Group, State, arg, day, emit, flag, option, read_small_file, switch, whole

cli = Group("tiski")
kirjakassi = cli.group("kirjakassi", "The book bag (kirjakassi): home delivery.")


def client_json(c) -> dict:
    return {"card": c.card, "name": c.name, "eligibility": c.eligibility, "delivery_address": c.delivery_address,
            "contact": {"name": c.contact_name, "phone": c.contact_phone, "relation": c.contact_relation},
            "rhythm_weeks": c.rhythm_weeks, "weekday": c.weekday, "bag_size": c.bag_size,
            "history_consent": c.history_consent, "consent_date": c.consent_date, "starts_on": c.starts_on,
            "paused_from": c.paused_from, "paused_until": c.paused_until, "ends_on": c.ends_on,
            "next_delivery": c.next_delivery}


@kirjakassi.command(
    "enrol",
    arg("card"),
    option("--eligibility", "age | illness | disability (the category only)", required=True),
    option("--address", "Where the bag is delivered.", required=True),
    option("--contact", "Who carries the bag: a person or a partner organisation.", required=True, metavar="NAME"),
    option("--contact-phone", metavar="PHONE"),
    option("--relation"),
    option("--every", "Weeks between deliveries.", default=4, type=whole, metavar="WEEKS"),
    option("--weekday", default="tue"),
    option("--bag", "Items in a bag.", default=8, type=whole, metavar="ITEMS"),
    option("--start", "The first delivery's week (default: today).", metavar="YYYY-MM-DD"),
    switch("--history-consent", "The client agrees that what they received is remembered.", default=False),
    BRANCH,
    JSON,
)
def enrol(st: State, card: str, eligibility: str, address: str, contact: str, contact_phone: str | None,
          relation: str | None, every: int, weekday: str, bag: int, start: str | None, history_consent: bool,
          branch: str | None, as_json: bool) -> None:
    """Enrol a registered patron for the book bag (or change their details)."""
    c = st.desk(branch).kirjakassi.enrol(card, eligibility=eligibility, delivery_address=address, contact_name=contact,
                                     contact_phone=contact_phone, contact_relation=relation, rhythm_weeks=every,
                                     weekday=weekday, bag_size=bag, starts_on=start, history_consent=history_consent)
    emit(as_json, {"client": client_json(c)},
         [st.t("cli.kk_enrolled", name=c.name, day=format_day(c.next_delivery) if c.next_delivery else "-")])


@kirjakassi.command("show", arg("card"), JSON)
def show(st: State, card: str, as_json: bool) -> None:
    """A client, their next delivery and their latest interview."""
    desk = st.desk()
    c = desk.kirjakassi.client(card)
    versions = desk.kirjakassi.interviews(card)
    emit(as_json, {"client": client_json(c), "interviews": [
        {"version": i.version, "status": i.status, "interviewer": i.interviewer, "interviewed_on": i.interviewed_on,
         "answers": i.answers} for i in versions]},
        [f"{c.name}  ({c.card})", c.delivery_address, f"{c.contact_name} {c.contact_phone or ''}",
         st.t("cli.kk_next", day=format_day(c.next_delivery) if c.next_delivery else "-")]
        + [f"  v{i.version} {i.status} {i.interviewer or ''} {format_day(i.interviewed_on)}" for i in versions])


@kirjakassi.command("interview", arg("card"),
                    option("--file", "The answers as JSON or TOML.", required=True, type=Path),
                    flag("--complete", "Date and sign it (else it stays a draft)."), JSON)
def interview(st: State, card: str, file: Path, complete: bool, as_json: bool) -> None:
    """Record the interview of wishes (from a file; the desk's F6 has the form)."""
    import json
    import tomllib

    try:
        text = read_small_file(file)
        answers = json.loads(text) if text.lstrip().startswith("{") else tomllib.loads(text)
    except (OSError, UnicodeDecodeError, ValueError):
        raise invalid("file", path=str(file)) from None
    except RecursionError:  # JSON or TOML nested thousands deep
        raise invalid("too_deep", path=str(file)) from None
    i = st.desk().kirjakassi.save_interview(card, answers, complete=complete)
    emit(as_json, {"interview": {"version": i.version, "status": i.status, "interviewer": i.interviewer,
                                 "interviewed_on": i.interviewed_on}}, [f"v{i.version}: {i.status}"])


@kirjakassi.command("pick", arg("card"), JSON)
def pick(st: State, card: str, as_json: bool) -> None:
    """The pick list for the client's next bag, with the reasons."""
    picks = st.desk().kirjakassi.pick_list(card)
    emit(as_json, {"picks": [{"barcode": p.candidate.barcode, "title": p.candidate.title, "author": p.candidate.author,
                              "format": p.candidate.format, "score": round(p.score, 2), "reasons": list(p.reasons)}
                             for p in picks]},
         [f"{p.candidate.barcode:<12} {p.candidate.title[:36]:<36} {', '.join(p.reasons)}" for p in picks]
         or [st.t("cli.none_found")])


@kirjakassi.command("pack", arg("card"), arg("barcode"), BRANCH, JSON)
def pack(st: State, card: str, barcode: str, branch: str | None, as_json: bool) -> None:
    """Scan an item into the bag: lent until the next delivery plus a margin, no late fees."""
    loan = st.desk(branch).kirjakassi.pack(card, barcode)
    emit(as_json, {"loan": {"barcode": loan.barcode, "due": loan.due, "title": loan.title}},
         [st.t("cli.checked_out", title=loan.title, due=loan.due)])


@kirjakassi.command("slip", arg("card"))
def slip(st: State, card: str) -> None:
    """The packing slip (plain text, for the printer)."""
    sys.stdout.write(st.desk().kirjakassi.packing_slip(card, st.lang))


def _status_command(action: str, doc: str):
    def command(st: State, card: str, branch: str | None, as_json: bool) -> None:
        result = getattr(st.desk(branch).kirjakassi, action)(card)
        delivery, checked_in = result if isinstance(result, tuple) else (result, [])
        emit(as_json, {"delivery": {"due_on": delivery.due_on, "status": delivery.status, "items": delivery.items},
                       "checked_in": checked_in},
             [f"{delivery.name}: {format_day(delivery.due_on)} {delivery.status}"] + checked_in)

    command.__doc__ = doc
    return command


BAG = (arg("card"), BRANCH, JSON)
kirjakassi.command("packed", *BAG)(_status_command("bag_packed", "The bag is packed."))
kirjakassi.command("sent", *BAG)(_status_command("bag_sent", "The bag left with the contact person."))
kirjakassi.command("returned", *BAG)(_status_command("bag_returned",
                                                     "The previous bag came back: its items are checked in."))


@kirjakassi.command("deliveries", option("--from", "Default: today.", dest="start", metavar="YYYY-MM-DD"),
                    option("--to", "Default: a week on.", dest="end", metavar="YYYY-MM-DD"), JSON)
def deliveries(st: State, start: str | None, end: str | None, as_json: bool) -> None:
    """Bags due: planned, packing, packed, sent, returned."""
    desk = st.desk()
    first = day(start, "from_day") or desk.today()
    last = day(end, "to_day") or first + timedelta(days=6)
    rows = desk.kirjakassi.deliveries(first, last)
    emit(as_json, {"deliveries": [{"card": d.card, "name": d.name, "due_on": d.due_on, "status": d.status,
                                   "items": d.items} for d in rows]},
         [f"{format_day(d.due_on):>10}  {d.name:<24} {d.status:<9} {d.items}" for d in rows]
         or [st.t("cli.none_found")])


@kirjakassi.command("pause", arg("card"), option("--from", dest="start", required=True, metavar="YYYY-MM-DD"),
                    option("--until", metavar="YYYY-MM-DD"), JSON)
def pause(st: State, card: str, start: str, until: str | None, as_json: bool) -> None:
    """No bags for a while (hospital, travel)."""
    c = st.desk().kirjakassi.pause(card, start, until)
    emit(as_json, {"client": client_json(c)}, [st.t("cli.kk_next", day=format_day(c.next_delivery))])


@kirjakassi.command("resume", arg("card"), JSON)
def resume(st: State, card: str, as_json: bool) -> None:
    """Bags again after a pause."""
    c = st.desk().kirjakassi.resume(card)
    emit(as_json, {"client": client_json(c)}, [st.t("cli.kk_next", day=format_day(c.next_delivery))])


@kirjakassi.command("end", arg("card"), option("--on", "Default: today.", metavar="YYYY-MM-DD"), JSON)
def end(st: State, card: str, on: str | None, as_json: bool) -> None:
    """The service ends (from a day)."""
    c = st.desk().kirjakassi.end(card, on)
    emit(as_json, {"client": client_json(c)}, [f"{c.name}: {format_day(c.ends_on)}"])
