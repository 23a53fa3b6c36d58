"""What the desk must say the moment a card is read: the alerts at the card.

Not blocks (those are `standing_refusals`) but what staff should tell the patron or do
now — holds waiting on the shelf (which shelf numbers, until when), one whose pickup
ends today, fees due, loans overdue, and the circulation notes staff left on the
patron (Koha's circulation messages: "kortti tuli postissa", "soita ennen kuin varaus
raukeaa"). Pure: the facade gathers the facts, the shells only show the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from .errors import Refusal, invalid
from .patrons import PASSWORD_GIVEN, hetu_in
from .policy import Policy
from .text import clean_text

NOTE_MAX_LENGTH = 300


@dataclass(frozen=True)
class WaitingHold:
    """A hold on the hold shelf for the patron."""

    title: str
    shelf_code: str | None
    pickup_by: date | None


@dataclass(frozen=True)
class LoanDue:
    due: date
    overdue: bool  # past the due date's closing time
    claims_returned: bool = False  # the patron says it came back: searched for, not overdue


@dataclass(frozen=True)
class Note:
    """A circulation note, open until someone marks it done."""

    id: int
    text: str
    added_at: datetime
    added_by: str | None


def clean_note(text: str) -> str:
    """A circulation note: one short line of text, never an identity code (the desk
    keeps those sealed, and a note is shown to anyone at the desk) nor a password
    written down ("ss: kissa123", "salasana: …": Digituki's scrubber's words)."""
    note = " ".join(clean_text(text, "note", max_length=NOTE_MAX_LENGTH, multiline=True).split())
    if hetu_in(note):
        raise invalid("note_hetu")
    if PASSWORD_GIVEN.search(note):
        raise invalid("note_password")
    return note


def fees_due(balance_cents: int, policy: Policy) -> Refusal | None:
    """Fees to mention: something owed, not yet over the limit (over it is a block)."""
    if 0 < balance_cents <= policy.fee_block_over_cents:
        return Refusal("FEES_DUE", {"balance_cents": balance_cents})
    return None


def card_alerts(
    *,
    today: date,
    policy: Policy,
    balance_cents: int,
    loans: tuple[LoanDue, ...],
    waiting: tuple[WaitingHold, ...],
    notes: tuple[Note, ...],
) -> tuple[Refusal, ...]:
    """The alerts at the card, the most pressing first: a pickup ending today, holds
    waiting, loans overdue, fees due — then the staff's notes, however many (a patron
    with many notes still hears of the pickup first, at the desk and in `patron show`)."""
    alerts = [Refusal("PICKUP_ENDS_TODAY", {"title": h.title, "shelf": h.shelf_code or ""})
               for h in waiting if h.pickup_by == today]
    if waiting:
        days = [h.pickup_by for h in waiting if h.pickup_by is not None]
        alerts.append(Refusal("HOLDS_WAITING", {
            "count": len(waiting),
            "codes": ", ".join(sorted(h.shelf_code for h in waiting if h.shelf_code)),
            "pickup_by": min(days) if days else None,
        }))
    overdue = sorted(loan.due for loan in loans if loan.overdue and not loan.claims_returned)
    if overdue:
        alerts.append(Refusal("LOANS_OVERDUE", {"count": len(overdue), "oldest_due": overdue[0]}))
    fees = fees_due(balance_cents, policy)
    if fees is not None:
        alerts.append(fees)
    alerts += [Refusal("CIRCULATION_NOTE", {"note_id": n.id, "text": n.text, "added_at": n.added_at,
                                            "added_by": n.added_by or ""}) for n in notes]
    return tuple(alerts)
