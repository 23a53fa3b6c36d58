"""Holds (varaukset): place, cancel, expire, and the list of copies to pull."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.errors import refuse
from ..core.holds import hold_refusals, uncollected_fee_cents
from ..store import branches as branch_store
from ..store import circulation as circ_store
from ..store import fees as fee_store
from ..store import holds as hold_store
from ..store import items as item_store
from ..store import patrons as patron_store
from ..store.branches import Branch
from ..store.holds import PullItem
from .area import Area, call
from .context import DeskContext, raise_first
from .loans import find_item
from .routing import Routing, route_free_copy

__all__ = ["Branch", "ExpiredHold", "Hold", "Holds", "PullItem"]


@dataclass(frozen=True)
class Hold:
    card: str
    title: str
    position: int | None
    status: str
    pickup_branch: str


@dataclass(frozen=True)
class ExpiredHold:
    card: str | None
    title: str
    barcode: str | None
    fee_cents: int
    routing: Routing


def place_hold(desk: DeskContext, card: str, barcode: str, pickup: str | None = None) -> Hold:
    """A hold on the title of the scanned item, at the end of the title's queue."""
    with desk.write():
        patron = desk.find_card(card)
        item = find_item(desk, barcode)
        pickup_branch = desk.known_branch(pickup)
        conn = desk.conn
        raise_first(
            hold_refusals(
                desk.standing(patron),
                desk.policy,
                already_holds=hold_store.active_hold(conn, patron.id, item.record_id) is not None,
                has_on_loan=circ_store.patron_loan_for_record(conn, patron.id, item.record_id),
                loanable_copies=item_store.loanable_copies(conn, item.record_id),
            )
        )
        hold_id = hold_store.insert(conn, patron.id, item.record_id, pickup_branch, desk.now())
        hold = hold_store.by_id(conn, hold_id)
        position = hold_store.queue_position(conn, hold) if hold is not None else None
        return Hold(patron.card, item.title, position, "queued", pickup_branch)


def cancel_hold(desk: DeskContext, card: str, barcode: str) -> tuple[Hold, Routing | None]:
    """Cancel the patron's hold on the item's title. A copy set aside for it goes to
    the next in line, or home."""
    with desk.write():
        patron = desk.find_card(card, for_circulation=False)
        item = find_item(desk, barcode)
        conn = desk.conn
        hold = hold_store.active_hold(conn, patron.id, item.record_id)
        if hold is None:
            raise refuse("NO_HOLD")
        hold_store.close(conn, hold.id, "cancelled", desk.now())
        routing = None
        copy = item_store.by_id(conn, hold.item_id) if hold.status == "waiting" and hold.item_id else None
        if copy is not None:
            # The copy sits on the pickup branch's hold shelf: it goes to the next in line.
            # A copy still in transit is routed when it arrives and is scanned in.
            routing = route_free_copy(desk, copy, hold.pickup_branch)
        return Hold(patron.card, item.title, None, "cancelled", hold.pickup_branch), routing


def expire_holds(desk: DeskContext) -> list[ExpiredHold]:
    """Daily: holds left on the shelf past their pickup day expire, are charged the
    uncollected fee, and their copy goes to the next in line (or home)."""
    expired = []
    with desk.write():
        conn, now, today = desk.conn, desk.now(), desk.today()
        for hold in hold_store.expired_waiting(conn, today):
            patron = patron_store.by_id(conn, hold.patron_id)
            copy = item_store.by_id(conn, hold.item_id) if hold.item_id is not None else None
            if patron is None or copy is None:
                continue
            hold_store.close(conn, hold.id, "expired", now)
            fee = uncollected_fee_cents(patron.is_organisation, patron.birth_date, today, desk.policy)
            if fee:
                fee_store.add_entry(
                    conn, patron.id, "charge", fee, now, charge_type="hold_uncollected",
                    item_id=copy.id, hold_id=hold.id, branch=hold.pickup_branch, staff=desk.staff,
                )
            routing = route_free_copy(desk, copy, hold.pickup_branch)
            expired.append(ExpiredHold(card=patron_store.active_card(conn, patron.id), title=copy.title,
                                       barcode=copy.barcode, fee_cents=fee, routing=routing))
    return expired


def pull_list(desk: DeskContext, branch: str | None = None) -> list[PullItem]:
    """Copies on the shelf at the branch that can fill a queued hold: fetch them and
    scan them in (return), which puts them on the hold shelf or in transit."""
    return hold_store.pull_list(desk.conn, desk.known_branch(branch))


def pickup_branches(desk: DeskContext) -> list[Branch]:
    """Where a hold can be picked up: every branch, the first created first."""
    return branch_store.all_branches(desk.conn)


class Holds(Area):
    """Holds on titles, the hold shelf and the pull list."""

    name = "holds"
    place = call(place_hold)
    cancel = call(cancel_hold)
    expire = call(expire_holds)
    pull_list = call(pull_list)
    pickup_branches = call(pickup_branches)
