"""Checkout, return and renewal: each one atomic call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ..clock import HELSINKI
from ..core.circulation import Decision, ItemState, decide_checkout, decide_renewal, late_fee_cents, override_reason
from ..core.errors import Refusal, Refused, invalid, refuse
from ..core.text import clean_text
from ..store import circulation as circ_store
from ..store import fees as fee_store
from ..store import holds as hold_store
from ..store import items as item_store
from ..store.circulation import LoanRecord
from ..store.holds import HoldRecord
from ..store.items import ItemRecord
from ..store.patrons import Patron
from .area import Area, call
from .context import DeskContext, raise_first
from .routing import HoldShelf, arrive_for_hold, route_free_copy

if TYPE_CHECKING:
    from .item_life import Found


@dataclass(frozen=True)
class Loan:
    barcode: str
    card: str
    title: str
    due: date
    renewals: int
    alerts: tuple[Refusal, ...] = ()
    overridden: tuple[str, ...] = ()
    renewed: bool = False
    unchanged: bool = False  # a renewal now would not move the due date: nothing changed, none counted


@dataclass(frozen=True)
class Return:
    barcode: str
    title: str
    late_fee_cents: int
    hold: HoldShelf | None
    route_to: str | None
    was_on_loan: bool
    found: str | None = None  # it had been lost or missing: it is back
    refund_cents: int = 0  # a lost or invoiced copy back: its replacement given back (credits in the ledger)
    paid_back_cents: int = 0  # of that, money to hand back to the patron
    paid_back_method: str | None = None


@dataclass(frozen=True)
class Renewal:
    """What renew-all did with one loan: `result` is the Loan (renewed, or `unchanged`
    when the due date would not move) or the Refused that says why not."""

    barcode: str
    title: str
    due: date  # the due date now
    result: Loan | Refused


def find_item(desk: DeskContext, barcode: str) -> ItemRecord:
    item = item_store.by_barcode(desk.conn, (barcode or "").strip())
    if item is None:
        raise refuse("ITEM_UNKNOWN")
    return item


def _item_state(desk: DeskContext, item: ItemRecord) -> tuple[ItemState, LoanRecord | None, HoldRecord | None]:
    conn = desk.conn
    loan = circ_store.active_loan(conn, item.id)
    trapped = hold_store.trapped_for(conn, item.id)
    queued = None
    if loan is None and trapped is None:
        queued = hold_store.first_queued(conn, item.record_id)
    state = ItemState(
        item_id=item.id,
        format=item.format,
        rating=item.rating,
        children=item.children,
        loanable=item.loanable and item.status is None,
        on_loan_to=loan.patron_id if loan else None,
        held_for=trapped.patron_id if trapped else None,
        held_on_shelf=trapped is not None and trapped.status == "waiting",
        first_in_queue=queued.patron_id if queued else None,
        in_transit=item.transit_to is not None,
    )
    return state, loan, trapped or queued


def check_checkout(desk: DeskContext, card: str, barcode: str) -> Decision:
    """The decision alone, for a screen to show before anything is written."""
    patron = desk.find_card(card)
    item = find_item(desk, barcode)
    state, _, _ = _item_state(desk, item)
    return decide_checkout(desk.standing(patron), state, desk.policy, desk.today())


def checkout(desk: DeskContext, card: str, barcode: str, override: str | None = None, *,
             kind: str = "normal", due: date | None = None) -> Loan:
    """Lend an item. Confirmable blockers need `override` (a reason in words), which is recorded.
    A book-bag loan (kind 'kirjakassi') has its own due date and no late fees."""
    reason = override_reason(clean_text(override, "override", max_length=200)) if override is not None else None
    with desk.write():
        patron = desk.find_card(card)
        item = find_item(desk, barcode)
        state, loan, hold = _item_state(desk, item)
        if loan is not None and loan.patron_id == patron.id:
            # Scanning a copy the patron already has: the desk renews it.
            return _renew(desk, patron, item, loan)
        decision = decide_checkout(desk.standing(patron), state, desk.policy, desk.today())
        raise_first(decision.blockers)
        if decision.confirmations and reason is None:
            raise Refused(*decision.confirmations)
        now, conn = desk.now(), desk.conn
        if loan is not None:  # ON_LOAN_TO_OTHER overridden: return it from the other patron first
            _close_loan(desk, loan, item, desk.today())
        if hold is not None and hold.patron_id != patron.id and hold.status in ("in_transit", "waiting"):
            hold_store.requeue(conn, hold.id)  # HELD_FOR_OTHER overridden: back in the queue, in its old place
        _fulfil_own_hold(desk, patron, item)
        if item.transit_to is not None:
            item_store.set_transit(conn, item.id, None)
        calendar = desk.calendar(desk.branch)
        if due is None:
            due = calendar.due_date(desk.today(), desk.policy.loan_period_for(item.format))
        loan_id = circ_store.insert_loan(
            conn,
            item_id=item.id,
            patron_id=patron.id,
            card=patron.card,
            kind=kind,
            branch=desk.branch,
            loaned_at=now,
            due_date=due,
            due_at=calendar.closing_time(due).replace(tzinfo=HELSINKI),
        )
        for refusal in decision.confirmations:
            circ_store.add_override(conn, at=now, branch=desk.branch, staff=desk.staff, patron_id=patron.id,
                                    item_id=item.id, loan_id=loan_id, code=refusal.code, reason=reason or "")
        return Loan(
            barcode=item.barcode,
            card=patron.card,
            title=item.title,
            due=due,
            renewals=0,
            alerts=decision.alerts,
            overridden=tuple(r.code for r in decision.confirmations),
        )


def _fulfil_own_hold(desk: DeskContext, patron: Patron, item: ItemRecord) -> None:
    """Any copy of the title fills the borrower's own hold on it — also one lent by
    an override past someone else's, so no second copy is trapped for them later.
    A different copy already on the shelf for them goes to the next in line."""
    own = hold_store.active_hold(desk.conn, patron.id, item.record_id)
    if own is None:
        return
    hold_store.close(desk.conn, own.id, "fulfilled", desk.now())
    if own.status == "waiting" and own.item_id is not None and own.item_id != item.id:
        other = item_store.by_id(desk.conn, own.item_id)
        if other is not None:
            route_free_copy(desk, other, own.pickup_branch)


@dataclass(frozen=True)
class _Closed:
    late_fee_cents: int
    credited: Found  # an invoiced copy back: its replacement given back


def _close_loan(desk: DeskContext, loan: LoanRecord, item: ItemRecord, counted_on: date) -> _Closed:
    """End a loan; charge the late fee it has earned — up to the day the patron said it
    was returned, if they did; an invoiced copy has its replacement given back."""
    from .notice_fees import credit_replacement  # the notices' modules: a return's, not a checkout's

    if loan.claims_returned_at is not None:
        counted_on = min(counted_on, loan.claims_returned_at.astimezone(HELSINKI).date())
    fee = 0
    if loan.kind == "normal" and not loan.lost_card:
        fee = late_fee_cents(loan.due_date, counted_on, item.children, desk.policy,
                             circ_store.late_fees_charged(desk.conn, loan.id))
    circ_store.close_loan(desk.conn, loan.id, desk.now(), desk.branch, counted_on)
    credited = credit_replacement(desk, loan.id)  # an invoiced copy came back: its replacement price
    if fee and loan.patron_id is not None:
        fee_store.add_entry(desk.conn, loan.patron_id, "charge", fee, desk.now(), charge_type="late",
                            item_id=item.id, loan_id=loan.id, branch=desk.branch, staff=desk.staff)
    return _Closed(fee, credited)


def return_item(desk: DeskContext, barcode: str, dropbox_date: date | None = None) -> Return:
    """Take an item back (check in). A drop-box return counts from the day the box
    was emptied: a day between the loan's start and today."""
    from .item_life import found  # a copy lost, missing or claimed returned turns up

    with desk.write():
        item = find_item(desk, barcode)
        today = desk.today()
        if dropbox_date is not None and dropbox_date > today:
            raise invalid("dropbox_in_future")
        if item.status in ("repair", "withdrawn"):
            raise refuse("WRONG_STATE", status=item.status)
        loan = circ_store.active_loan(desk.conn, item.id)
        closed = None
        if loan is not None:
            loaned_on = loan.loaned_at.astimezone(HELSINKI).date()
            if dropbox_date is not None and dropbox_date < loaned_on:
                raise invalid("dropbox_before_loan", loaned_on=loaned_on)
            closed = _close_loan(desk, loan, item, dropbox_date or today)
        given = [closed.credited] if closed else []
        back = found(desk, item) if item.status is not None else None
        given += [back] if back else []
        trapped = hold_store.trapped_for(desk.conn, item.id)
        if trapped is not None:
            routing = arrive_for_hold(desk, trapped, item.id)
        elif loan is None and back is None and item.transit_to is None and item.home_branch == desk.branch:
            if hold_store.first_queued(desk.conn, item.record_id) is None or not item.loanable:
                raise refuse("NOT_ON_LOAN")
            routing = route_free_copy(desk, item, desk.branch)
        else:
            routing = route_free_copy(desk, item, desk.branch)
        return Return(
            barcode=item.barcode,
            title=item.title,
            late_fee_cents=closed.late_fee_cents if closed else 0,
            hold=routing.hold,
            route_to=routing.route_to,
            was_on_loan=loan is not None,
            found=item.status,
            refund_cents=sum(g.refund_cents for g in given),
            paid_back_cents=sum(g.paid_back_cents for g in given),
            paid_back_method=next((g.paid_back_method for g in given if g.paid_back_method), None),
        )


def renew(desk: DeskContext, card: str, barcode: str) -> Loan:
    """Renew a loan. One that would not move the due date (renewed today already, or
    on its loan day) changes nothing and uses no renewal: `unchanged` says so."""
    with desk.write():
        patron = desk.find_card(card)
        item = find_item(desk, barcode)
        loan = circ_store.active_loan(desk.conn, item.id)
        if loan is None or loan.patron_id != patron.id:
            raise refuse("NOT_ON_LOAN")
        return _renew(desk, patron, item, loan)


def _renew(desk: DeskContext, patron: Patron, item: ItemRecord, loan: LoanRecord) -> Loan:
    conn, today = desk.conn, desk.today()
    if loan.claims_returned_at is not None:  # it is being searched for, not read
        raise refuse("WRONG_STATE", status="claims_returned")
    due = loan.due_date
    calendar = desk.calendar(desk.branch)
    new_due = calendar.due_date(today, desk.policy.loan_period_for(item.format))
    if new_due <= due:
        return Loan(item.barcode, patron.card, item.title, due, loan.renewals, unchanged=True)
    others = hold_store.queued_by_others(conn, item.record_id, patron.id)
    raise_first(decide_renewal(desk.standing(patron), loan.renewals, others, desk.policy))
    if today > due and loan.kind == "normal" and not loan.lost_card:
        fee = late_fee_cents(due, today, item.children, desk.policy, circ_store.late_fees_charged(conn, loan.id))
        if fee:
            fee_store.add_entry(conn, patron.id, "charge", fee, desk.now(), charge_type="late",
                                item_id=item.id, loan_id=loan.id, branch=desk.branch, staff=desk.staff)
    circ_store.renew_loan(conn, loan.id, new_due, calendar.closing_time(new_due).replace(tzinfo=HELSINKI))
    return Loan(item.barcode, patron.card, item.title, new_due, loan.renewals + 1, renewed=True)


def renew_all(desk: DeskContext, card: str) -> list[Renewal]:
    """Renew every loan of the patron and say what became of each. One transaction;
    each renewal is a savepoint in it, so a refused one undoes only itself."""
    results = []
    with desk.write():
        patron = desk.find_card(card)
        for loan in circ_store.patron_loans(desk.conn, patron.id):
            try:
                renewed = renew(desk, card, loan.barcode)
            except Refused as refused:
                results.append(Renewal(loan.barcode, loan.title, loan.due_date, refused))
            else:
                results.append(Renewal(loan.barcode, loan.title, renewed.due, renewed))
    return results


class Loans(Area):
    """Lending, returns and renewals."""

    name = "loans"
    check_checkout = call(check_checkout)
    checkout = call(checkout)
    return_item = call(return_item)
    renew = call(renew)
    renew_all = call(renew_all)
