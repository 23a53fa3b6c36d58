"""Patron commands: add, show, find, card-lost, edit, pin, export, note."""

from __future__ import annotations

import sys

from ..core.errors import invalid
from .common import BRANCH, JSON, MOMENT, Group, State, arg, day, emit, flag, int_between, json_text, jsonable, option, switch, whole

cli = Group("tiski")
patron = cli.group("patron", "Patrons (asiakkaat).")
notes = patron.group("note", "Circulation notes: shown at the desk whenever the card is read, until done.")

# Not --lang: that is the language of Tiski's own output.
LANGUAGE = option("--language", "The patron's language (notices, machines): fi, sv or en.")


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
             "overdue": loan.overdue, "format": loan.format, "lost_card": loan.lost_card,
             "claims_returned": loan.claims_returned}
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
        "alerts": [{**alert.params, "code": alert.code} for alert in view.alerts],
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
        mark = " !" if loan.overdue and not loan.claims_returned else ""
        claim = f"  [{t.value('status', 'claims_returned')}]" if loan.claims_returned else ""
        lines.append(f"  {loan.barcode:<14} {t.value('day', loan.due):>10}{mark}  {loan.title}  ({loan.renewals}){claim}")
    for hold in view.holds:
        if hold.status == "waiting":
            where = t("cli.hold_waiting", pickup_by=hold.pickup_by, code=hold.pickup_code or "")
        elif hold.status == "in_transit":
            where = t("cli.hold_in_transit")
        else:
            where = t("cli.hold_queued", position=hold.position)
        lines.append(f"  * {hold.title}: {where}")
    return lines


@patron.command(
    "add",
    option("--card", required=True),
    option("--first", required=True),
    option("--last", required=True),
    option("--hetu", "Personal identity code (validated, never shown in full)."),
    option("--birth-date", "For patrons without a Finnish HETU.", metavar="YYYY-MM-DD"),
    option("--guardian", "Under 15: the guardian who consented.", metavar="NAME"),
    option("--consent-date", "Under 15: the date of the written consent.", metavar="YYYY-MM-DD"),
    flag("--organisation", "An organisation card (yhteisökortti)."),
    option("--responsible", "Organisation: the responsible person.", metavar="NAME"),
    option("--email"),
    option("--phone"),
    option("--address"),
    flag("--verify-id", "Check the patron's ID at every loan."),
    option("--pin", "Refused: a PIN on the command line shows in `ps`.", hidden=True),
    flag("--pin-stdin", "A PIN for self-service: read from stdin, or asked for on a terminal."),
    LANGUAGE,
    BRANCH,
    JSON,
)
def patron_add(st: State, card: str, first: str, last: str, hetu: str | None, birth_date: str | None,
               guardian: str | None, consent_date: str | None, organisation: bool, responsible: str | None,
               email: str | None, phone: str | None, address: str | None, verify_id: bool, pin: str | None,
               pin_stdin: bool, language: str | None, branch: str | None, as_json: bool) -> None:
    """Register a patron."""
    from ..desk.patrons import NewPatron

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


@patron.command("show", arg("card"), JSON)
def patron_show(st: State, card: str, as_json: bool) -> None:
    """A patron's standing, loans and holds (the HETU never in full)."""
    view = st.desk().patrons.view(card)
    emit(as_json, {"patron": patron_json(view)}, lambda: patron_lines(view, st.t))


@patron.command("find", arg("query"),
                 option("--limit", "How many at most, 1–200.", default=20, type=int_between(1, 200)), JSON)
def patron_find(st: State, query: str, limit: int, as_json: bool) -> None:
    """Find patrons by card, name, e-mail or phone."""
    hits = st.desk().patrons.find(query, limit)
    emit(as_json,
         {"patrons": [{"card": h["card"], "name": h["name"], "birth_year": h["birth_year"]} for h in hits]},
         [f"{h['card'] or '-':<16} {h['name']}  {h['birth_year'] or ''}" for h in hits] or [st.t("cli.none_found")])


@patron.command("card-lost", arg("card"), option("--new-card", required=True, metavar="CARD"),
                 option("--reported-at", "When the patron reported it (default: now).", metavar=MOMENT), JSON)
def patron_card_lost(st: State, card: str, new_card: str, reported_at: str | None, as_json: bool) -> None:
    """A lost card: closed from the report, a new card issued."""
    view = st.desk().patrons.report_lost_card(card, new_card, reported_at)
    emit(as_json, {"patron": {"card": view.card, "name": view.name, "old_card": card}},
         [st.t("cli.card_replaced", old=card, new=view.card)])


@patron.command("edit", arg("card"), option("--first"), option("--last"), option("--email"), option("--phone"),
                 option("--address"), switch("--verify-id", "Check the patron's ID at every loan (or no more)."),
                 LANGUAGE, JSON)
def patron_edit(st: State, card: str, first: str | None, last: str | None, email: str | None, phone: str | None,
                address: str | None, verify_id: bool | None, language: str | None, as_json: bool) -> None:
    """Change a patron's name, contact details or language."""
    from ..desk.patrons import ContactChange

    view = st.desk().patrons.update(
        card, ContactChange(email=email, phone=phone, address=address, verify_id=verify_id, first=first, last=last,
                            language=language)
    )
    emit(as_json, {"patron": patron_json(view)}, [st.t("cli.patron_updated", name=view.name)])


@patron.command("pin", arg("card"), flag("--pin-stdin", "Read the PIN from stdin."), JSON)
def patron_pin(st: State, card: str, pin_stdin: bool, as_json: bool) -> None:
    """Set a new PIN after checking the patron's ID."""
    desk = st.desk()
    if not pin_stdin and not sys.stdin.isatty():
        raise invalid("pin_tty")  # getpass would echo the PIN
    desk.patrons.set_pin(card, _read_pin(st))
    emit(as_json, {"patron": {"card": card, "pin": "set"}}, [st.t("cli.pin_set")])


def _read_pin(st: State) -> str:
    """A PIN never from argv: asked for without echo on a terminal, else one line of stdin."""
    import getpass

    return getpass.getpass(st.t("cli.pin_prompt")) if sys.stdin.isatty() else sys.stdin.readline().strip()


@patron.command("export", arg("card"), JSON)
def patron_export(st: State, card: str, as_json: bool) -> None:
    """Everything stored about the patron, as JSON (the right to see one's data).
    The output is JSON with or without --json."""
    data = st.desk().patrons.export(card)
    sys.stdout.write(json_text(jsonable({"ok": True, **data}), indent=2) + "\n")


@notes.command("add", arg("card"), arg("text"), JSON)
def note_add(st: State, card: str, text: str, as_json: bool) -> None:
    """Attach a short note to the patron ("kortti tuli postissa")."""
    note = st.desk().patrons.add_note(card, text)
    emit(as_json, {"note": note_json(note)}, [st.t("cli.note_added", id=note.id)])


@notes.command("done", arg("card"), arg("note_id", type=whole, metavar="ID"), JSON)
def note_done(st: State, card: str, note_id: int, as_json: bool) -> None:
    """Mark a note done: it is no longer shown at the desk."""
    note = st.desk().patrons.note_done(card, note_id)
    emit(as_json, {"note": note_json(note)}, [st.t("cli.note_done", id=note.id)])
