"""`tiski kirjakassi …`: the book bag from the command line."""

from __future__ import annotations

import json
import sys
import tomllib
from datetime import timedelta
from pathlib import Path

import typer

from ..core.errors import invalid
from ..i18n import format_day
from .common import BRANCH_OPTION, JSON_OPTION, day, emit, read_small_file, state

kirjakassi_app = typer.Typer(help="The book bag (kirjakassi): home delivery.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(kirjakassi_app, name="kirjakassi")


def client_json(c) -> dict:
    return {"card": c.card, "name": c.name, "eligibility": c.eligibility, "delivery_address": c.delivery_address,
            "contact": {"name": c.contact_name, "phone": c.contact_phone, "relation": c.contact_relation},
            "rhythm_weeks": c.rhythm_weeks, "weekday": c.weekday, "bag_size": c.bag_size,
            "history_consent": c.history_consent, "consent_date": c.consent_date, "starts_on": c.starts_on,
            "paused_from": c.paused_from, "paused_until": c.paused_until, "ends_on": c.ends_on,
            "next_delivery": c.next_delivery}


@kirjakassi_app.command("enrol")
def enrol(
    ctx: typer.Context,
    card: str,
    eligibility: str = typer.Option(..., "--eligibility", help="age | illness | disability (the category only)"),
    address: str = typer.Option(..., "--address", help="Where the bag is delivered."),
    contact: str = typer.Option(..., "--contact", help="Who carries the bag: a person or a partner organisation."),
    contact_phone: str = typer.Option(None, "--contact-phone"),
    relation: str = typer.Option(None, "--relation"),
    every: int = typer.Option(4, "--every", help="Weeks between deliveries."),
    weekday: str = typer.Option("tue", "--weekday"),
    bag: int = typer.Option(8, "--bag", help="Items in a bag."),
    start: str = typer.Option(None, "--start", help="YYYY-MM-DD (default: today)."),
    history_consent: bool = typer.Option(False, "--history-consent/--no-history-consent",
                                         help="The client agrees that what they received is remembered."),
    branch: str = BRANCH_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Enrol a registered patron for the book bag (or change their details)."""
    st = state(ctx)
    c = st.desk(branch).kirjakassi.enrol(card, eligibility=eligibility, delivery_address=address, contact_name=contact,
                                     contact_phone=contact_phone, contact_relation=relation, rhythm_weeks=every,
                                     weekday=weekday, bag_size=bag, starts_on=start, history_consent=history_consent)
    emit(as_json, {"client": client_json(c)},
         [st.t("cli.kk_enrolled", name=c.name, day=format_day(c.next_delivery) if c.next_delivery else "-")])


@kirjakassi_app.command("show")
def show(ctx: typer.Context, card: str, as_json: bool = JSON_OPTION) -> None:
    """A client, their next delivery and their latest interview."""
    st = state(ctx)
    desk = st.desk()
    c = desk.kirjakassi.client(card)
    versions = desk.kirjakassi.interviews(card)
    emit(as_json, {"client": client_json(c), "interviews": [
        {"version": i.version, "status": i.status, "interviewer": i.interviewer, "interviewed_on": i.interviewed_on,
         "answers": i.answers} for i in versions]},
        [f"{c.name}  ({c.card})", c.delivery_address, f"{c.contact_name} {c.contact_phone or ''}",
         st.t("cli.kk_next", day=format_day(c.next_delivery) if c.next_delivery else "-")]
        + [f"  v{i.version} {i.status} {i.interviewer or ''} {format_day(i.interviewed_on)}" for i in versions])


@kirjakassi_app.command("interview")
def interview(
    ctx: typer.Context,
    card: str,
    file: Path = typer.Option(..., "--file", help="The answers as JSON or TOML."),
    complete: bool = typer.Option(False, "--complete", help="Date and sign it (else it stays a draft)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Record the interview of wishes (from a file; the desk's F6 has the form)."""
    st = state(ctx)
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


@kirjakassi_app.command("pick")
def pick(ctx: typer.Context, card: str, as_json: bool = JSON_OPTION) -> None:
    """The pick list for the client's next bag, with the reasons."""
    st = state(ctx)
    picks = st.desk().kirjakassi.pick_list(card)
    emit(as_json, {"picks": [{"barcode": p.candidate.barcode, "title": p.candidate.title, "author": p.candidate.author,
                              "format": p.candidate.format, "score": round(p.score, 2), "reasons": list(p.reasons)}
                             for p in picks]},
         [f"{p.candidate.barcode:<12} {p.candidate.title[:36]:<36} {', '.join(p.reasons)}" for p in picks]
         or [st.t("cli.none_found")])


@kirjakassi_app.command("pack")
def pack(ctx: typer.Context, card: str, barcode: str, branch: str = BRANCH_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Scan an item into the bag: lent until the next delivery plus a margin, no late fees."""
    st = state(ctx)
    loan = st.desk(branch).kirjakassi.pack(card, barcode)
    emit(as_json, {"loan": {"barcode": loan.barcode, "due": loan.due, "title": loan.title}},
         [st.t("cli.checked_out", title=loan.title, due=loan.due)])


@kirjakassi_app.command("slip")
def slip(ctx: typer.Context, card: str) -> None:
    """The packing slip (plain text, for the printer)."""
    st = state(ctx)
    sys.stdout.write(st.desk().kirjakassi.packing_slip(card, st.lang))


def _status_command(action: str, doc: str):
    def command(ctx: typer.Context, card: str, branch: str = BRANCH_OPTION, as_json: bool = JSON_OPTION) -> None:
        st = state(ctx)
        result = getattr(st.desk(branch).kirjakassi, action)(card)
        delivery, checked_in = result if isinstance(result, tuple) else (result, [])
        emit(as_json, {"delivery": {"due_on": delivery.due_on, "status": delivery.status, "items": delivery.items},
                       "checked_in": checked_in},
             [f"{delivery.name}: {format_day(delivery.due_on)} {delivery.status}"] + checked_in)

    command.__doc__ = doc
    return command


kirjakassi_app.command("packed")(_status_command("bag_packed", "The bag is packed."))
kirjakassi_app.command("sent")(_status_command("bag_sent", "The bag left with the contact person."))
kirjakassi_app.command("returned")(_status_command("bag_returned", "The previous bag came back: its items are checked in."))


@kirjakassi_app.command("deliveries")
def deliveries(
    ctx: typer.Context,
    start: str = typer.Option(None, "--from", help="YYYY-MM-DD (default: today)"),
    end: str = typer.Option(None, "--to", help="YYYY-MM-DD (default: a week on)"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Bags due: planned, packing, packed, sent, returned."""
    st = state(ctx)
    desk = st.desk()
    first = day(start, "from_day") or desk.today()
    last = day(end, "to_day") or first + timedelta(days=6)
    rows = desk.kirjakassi.deliveries(first, last)
    emit(as_json, {"deliveries": [{"card": d.card, "name": d.name, "due_on": d.due_on, "status": d.status,
                                   "items": d.items} for d in rows]},
         [f"{format_day(d.due_on):>10}  {d.name:<24} {d.status:<9} {d.items}" for d in rows]
         or [st.t("cli.none_found")])


@kirjakassi_app.command("pause")
def pause(ctx: typer.Context, card: str, start: str = typer.Option(..., "--from"),
          until: str = typer.Option(None, "--until"), as_json: bool = JSON_OPTION) -> None:
    """No bags for a while (hospital, travel)."""
    st = state(ctx)
    c = st.desk().kirjakassi.pause(card, start, until)
    emit(as_json, {"client": client_json(c)}, [st.t("cli.kk_next", day=format_day(c.next_delivery))])


@kirjakassi_app.command("resume")
def resume(ctx: typer.Context, card: str, as_json: bool = JSON_OPTION) -> None:
    st = state(ctx)
    c = st.desk().kirjakassi.resume(card)
    emit(as_json, {"client": client_json(c)}, [st.t("cli.kk_next", day=format_day(c.next_delivery))])


@kirjakassi_app.command("end")
def end(ctx: typer.Context, card: str, on: str = typer.Option(None, "--on"), as_json: bool = JSON_OPTION) -> None:
    """The service ends (from a day)."""
    st = state(ctx)
    c = st.desk().kirjakassi.end(card, on)
    emit(as_json, {"client": client_json(c)}, [f"{c.name}: {format_day(c.ends_on)}"])
