"""Patron commands: add, show, find, card-lost, edit, pin, export, note."""

from __future__ import annotations

import sys

import typer

from ..core.errors import invalid
from .common import BRANCH_OPTION, JSON_OPTION, day, emit, json_text, jsonable, state

patron_app = typer.Typer(help="Patrons (asiakkaat).", no_args_is_help=True)

# Not --lang: that is the language of Tiski's own output.
LANGUAGE_OPTION = typer.Option(None, "--language", help="The patron's language (notices, machines): fi, sv or en.")


note_app = typer.Typer(help="Circulation notes: shown at the desk whenever the card is read, until done.",
                       no_args_is_help=True)
patron_app.add_typer(note_app, name="note")


def register(app: typer.Typer) -> None:
    app.add_typer(patron_app, name="patron")


def patron_json(view) -> dict:
    """The `patron show` shape of ../shared/CLI.md, plus contact details."""
    return {
        "card": view.card,
        "name": view.name,
        "birth_date": view.birth_date,
        "age": view.age,
        "category": view.category,
        "status": view.status,
        "blocks": [r.code for r in view.blocks],
        "balance_cents": view.balance_cents,
        "presented_card_status": view.card_status,
        "verify_id": view.verify_id,
        "hetu": view.hetu_masked,
        "email": view.email,
        "phone": view.phone,
        "address": view.address,
        "guardian": view.guardian,
        "consent_date": view.consent_date,
        "responsible": view.responsible,
        "language": view.language,
        "loans": [
            {"barcode": loan.barcode, "title": loan.title, "due": loan.due, "renewals": loan.renewals,
             "overdue": loan.overdue, "format": loan.format, "lost_card": loan.lost_card}
            for loan in view.loans
        ],
        "holds": [
            {"title": h.title, "barcode": h.barcode,
             "status": "waiting" if h.status == "waiting" else "queued",
             "in_transit": h.status == "in_transit",
             "position": h.position, "pickup_by": h.pickup_by, "pickup_branch": h.pickup_branch,
             "pickup_code": h.pickup_code}
            for h in view.holds
        ],
        "alerts": [{"code": alert.code, **alert.params} for alert in view.alerts],
        "notes": [note_json(note) for note in view.notes],
    }


def note_json(note) -> dict:
    return {"id": note.id, "text": note.text, "added_at": note.added_at, "added_by": note.added_by}


def patron_lines(view, t) -> list[str]:
    lines = [f"{view.name}  ({view.card})  {t.value('category', view.category)}"
             + (f", {t('ui.age', age=view.age)}" if view.age is not None else "")]
    if view.card_status != "active":
        lines.append(t("cli.presented_card_lost", card=view.presented_card))
    for refusal in view.blocks:
        lines.append(f"  ! {t.refusal(refusal)}")
    if view.verify_id:
        lines.append(f"  ! {t('error.VERIFY_ID')}")
    for alert in view.alerts:
        lines.append(f"  » {t(f'alert.{alert.code}', **alert.params)}")
    lines.append(t("cli.balance", balance_cents=view.balance_cents))
    for loan in view.loans:
        mark = " !" if loan.overdue else ""
        lines.append(f"  {loan.barcode:<14} {t.value('day', loan.due):>10}{mark}  {loan.title}  ({loan.renewals})")
    for hold in view.holds:
        if hold.status == "waiting":
            where = t("cli.hold_waiting", pickup_by=hold.pickup_by, code=hold.pickup_code or "")
        elif hold.status == "in_transit":
            where = t("cli.hold_in_transit")
        else:
            where = t("cli.hold_queued", position=hold.position)
        lines.append(f"  * {hold.title}: {where}")
    return lines


@patron_app.command("add")
def patron_add(
    ctx: typer.Context,
    card: str = typer.Option(..., "--card"),
    first: str = typer.Option(..., "--first"),
    last: str = typer.Option(..., "--last"),
    hetu: str = typer.Option(None, "--hetu", help="Personal identity code (validated, never shown in full)."),
    birth_date: str = typer.Option(None, "--birth-date", help="YYYY-MM-DD, for patrons without a Finnish HETU."),
    guardian: str = typer.Option(None, "--guardian", help="Under 15: the guardian who consented."),
    consent_date: str = typer.Option(None, "--consent-date", help="Under 15: the date of the written consent."),
    organisation: bool = typer.Option(False, "--organisation", help="An organisation card (yhteisökortti)."),
    responsible: str = typer.Option(None, "--responsible", help="Organisation: the responsible person."),
    email: str = typer.Option(None, "--email"),
    phone: str = typer.Option(None, "--phone"),
    address: str = typer.Option(None, "--address"),
    verify_id: bool = typer.Option(False, "--verify-id", help="Check the patron's ID at every loan."),
    pin: str = typer.Option(None, "--pin", hidden=True, help="Refused: a PIN on the command line shows in `ps`."),
    pin_stdin: bool = typer.Option(False, "--pin-stdin",
                                   help="A PIN for self-service: read from stdin, or asked for on a terminal."),
    language: str = LANGUAGE_OPTION,
    branch: str = BRANCH_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Register a patron."""
    from ..desk.patrons import NewPatron

    st = state(ctx)
    if pin is not None:  # every user of the machine can read a process's arguments
        raise invalid("pin_on_command_line")
    desk = st.desk(branch)
    pin = _read_pin(st) if pin_stdin else None
    view = desk.patrons.add(
        NewPatron(
            card=card, first=first, last=last, hetu=hetu, birth_date=day(birth_date, "birth_date"),
            guardian=guardian, consent_date=day(consent_date, "consent_date"), organisation=organisation,
            responsible=responsible, email=email, phone=phone, address=address, verify_id=verify_id, pin=pin,
            home_branch=branch, language=language or "fi",
        )
    )
    emit(as_json,
         {"patron": {"card": view.card, "name": view.name, "birth_date": view.birth_date, "category": view.category}},
         [st.t("cli.patron_added", name=view.name, card=view.card)])


@patron_app.command("show")
def patron_show(ctx: typer.Context, card: str, as_json: bool = JSON_OPTION) -> None:
    """A patron's standing, loans and holds (the HETU never in full)."""
    st = state(ctx)
    view = st.desk().patrons.view(card)
    emit(as_json, {"patron": patron_json(view)}, patron_lines(view, st.t))


@patron_app.command("find")
def patron_find(
    ctx: typer.Context,
    query: str,
    limit: int = typer.Option(20, "--limit", min=1, max=200),
    as_json: bool = JSON_OPTION,
) -> None:
    """Find patrons by card, name, e-mail or phone."""
    st = state(ctx)
    hits = st.desk().patrons.find(query, limit)
    emit(as_json,
         {"patrons": [{"card": h["card"], "name": h["name"], "birth_year": h["birth_year"]} for h in hits]},
         [f"{h['card'] or '-':<16} {h['name']}  {h['birth_year'] or ''}" for h in hits] or [st.t("cli.none_found")])


@patron_app.command("card-lost")
def patron_card_lost(
    ctx: typer.Context,
    card: str,
    new_card: str = typer.Option(..., "--new-card"),
    reported_at: str = typer.Option(None, "--reported-at", help="When the patron reported it (default: now)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """A lost card: closed from the report, a new card issued."""
    st = state(ctx)
    view = st.desk().patrons.report_lost_card(card, new_card, reported_at)
    emit(as_json, {"patron": {"card": view.card, "name": view.name, "old_card": card}},
         [st.t("cli.card_replaced", old=card, new=view.card)])


@patron_app.command("edit")
def patron_edit(
    ctx: typer.Context,
    card: str,
    first: str = typer.Option(None, "--first"),
    last: str = typer.Option(None, "--last"),
    email: str = typer.Option(None, "--email"),
    phone: str = typer.Option(None, "--phone"),
    address: str = typer.Option(None, "--address"),
    verify_id: bool = typer.Option(None, "--verify-id/--no-verify-id"),
    language: str = LANGUAGE_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Change a patron's name, contact details or language."""
    from ..desk.patrons import ContactChange

    st = state(ctx)
    view = st.desk().patrons.update(
        card, ContactChange(email=email, phone=phone, address=address, verify_id=verify_id, first=first, last=last,
                            language=language)
    )
    emit(as_json, {"patron": patron_json(view)}, [st.t("cli.patron_updated", name=view.name)])


@patron_app.command("pin")
def patron_pin(
    ctx: typer.Context,
    card: str,
    pin_stdin: bool = typer.Option(False, "--pin-stdin", help="Read the PIN from stdin."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Set a new PIN after checking the patron's ID."""
    st = state(ctx)
    desk = st.desk()
    if not pin_stdin and not sys.stdin.isatty():
        raise invalid("pin_tty")  # getpass would echo the PIN
    desk.patrons.set_pin(card, _read_pin(st))
    emit(as_json, {"patron": {"card": card, "pin": "set"}}, [st.t("cli.pin_set")])


def _read_pin(st) -> str:
    """A PIN never from argv: asked for without echo on a terminal, else one line of stdin."""
    import getpass

    return getpass.getpass(st.t("cli.pin_prompt")) if sys.stdin.isatty() else sys.stdin.readline().strip()


@patron_app.command("export")
def patron_export(ctx: typer.Context, card: str, as_json: bool = JSON_OPTION) -> None:
    """Everything stored about the patron, as JSON (the right to see one's data).
    The output is JSON with or without --json."""
    data = state(ctx).desk().patrons.export(card)
    sys.stdout.write(json_text(jsonable({"ok": True, **data}), indent=2) + "\n")


@note_app.command("add")
def note_add(ctx: typer.Context, card: str, text: str, as_json: bool = JSON_OPTION) -> None:
    """Attach a short note to the patron ("kortti tuli postissa")."""
    st = state(ctx)
    note = st.desk().patrons.add_note(card, text)
    emit(as_json, {"note": note_json(note)}, [st.t("cli.note_added", id=note.id)])


@note_app.command("done")
def note_done(ctx: typer.Context, card: str, note_id: int = typer.Argument(..., metavar="ID"),
              as_json: bool = JSON_OPTION) -> None:
    """Mark a note done: it is no longer shown at the desk."""
    st = state(ctx)
    note = st.desk().patrons.note_done(card, note_id)
    emit(as_json, {"note": note_json(note)}, [st.t("cli.note_done", id=note.id)])
