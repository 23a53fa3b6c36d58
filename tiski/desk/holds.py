"""Holds (varaukset): place, cancel, expire, and the list of copies to pull."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..core.errors import refuse
from ..core.holds import hold_refusals, uncollected_fee_cents
from ..store import branches as branch_store
from ..store import circulation as circ_store
from ..store import fees as fee_store
from ..store import holds as hold_store
from ..store import items as item_store
from ..store import patrons as patron_store
from ..store.branches import Branch
from ..store.holds import HoldRecord, PullItem
from ..store.patrons import Patron
from .area import Area, call
from .context import DeskContext, raise_first
from .loans import find_item
from .routing import Routing, route_free_copy

__all__ = ["Branch", "ExpiredHold", "Hold", "Holds", "PullItem", "ShelfCopy"]


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
        return _place(desk, patron, item.record_id, item.title, pickup)


def place_title_hold(desk: DeskContext, card: str, record_id: int, pickup: str | None = None) -> Hold:
    """A hold on a title found in the catalogue (no copy in hand), at the end of its queue."""
    with desk.write():
        patron = desk.find_card(card)
        title = item_store.record_title(desk.conn, record_id)
        if title is None:
            raise refuse("NOT_FOUND", what="record")
        return _place(desk, patron, record_id, title, pickup)


def _place(desk: DeskContext, patron: Patron, record_id: int, title: str, pickup: str | None) -> Hold:
    pickup_branch = desk.known_branch(pickup)
    conn = desk.conn
    raise_first(
        hold_refusals(
            desk.standing(patron),
            desk.policy,
            already_holds=hold_store.active_hold(conn, patron.id, record_id) is not None,
            has_on_loan=circ_store.patron_loan_for_record(conn, patron.id, record_id),
            loanable_copies=item_store.loanable_copies(conn, record_id),
        )
    )
    hold_id = hold_store.insert(conn, patron.id, record_id, pickup_branch, desk.now())
    hold = hold_store.by_id(conn, hold_id)
    position = hold_store.queue_position(conn, hold) if hold is not None else None
    return Hold(patron.card, title, position, "queued", pickup_branch)


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
        for hold in hold_store.expired_waiting(desk.conn, desk.today()):
            done = _expire(desk, hold)
            if done is not None:
                expired.append(done)
    return expired


def _expire(desk: DeskContext, hold: HoldRecord) -> ExpiredHold | None:
    conn, now, today = desk.conn, desk.now(), desk.today()
    patron = patron_store.by_id(conn, hold.patron_id)
    copy = item_store.by_id(conn, hold.item_id) if hold.item_id is not None else None
    if patron is None or copy is None:
        return None
    hold_store.close(conn, hold.id, "expired", now)
    fee = uncollected_fee_cents(patron.is_organisation, patron.birth_date, today, desk.policy)
    if fee:
        fee_store.add_entry(
            conn, patron.id, "charge", fee, now, charge_type="hold_uncollected",
            item_id=copy.id, hold_id=hold.id, branch=hold.pickup_branch, staff=desk.staff,
        )
    routing = route_free_copy(desk, copy, hold.pickup_branch)
    return ExpiredHold(card=patron_store.active_card(conn, patron.id), title=copy.title,
                       barcode=copy.barcode, fee_cents=fee, routing=routing)


def shelf_to_clear(desk: DeskContext, branch: str | None = None) -> list[ShelfCopy]:
    """The hold shelf's copies whose pickup ends today (still theirs until closing) or has
    ended (to clear: scan each one, `clear_from_shelf`)."""
    today = desk.today()
    return [ShelfCopy(row.barcode, row.title, row.hold.pickup_code, row.hold.pickup_by,
                      row.hold.pickup_by is not None and row.hold.pickup_by < today)
            for row in hold_store.shelf_ending(desk.conn, desk.known_branch(branch), today)]


def clear_from_shelf(desk: DeskContext, barcode: str) -> ExpiredHold:
    """A copy taken off the hold shelf after its last pickup day: the hold expires (the
    uncollected fee, as the nightly `holds expire` would) and the copy goes to the next in
    line or home. A copy still within its pickup days stays: WRONG_STATE; so does one
    whose patron was never told (the arrival notice pending, on the call list, or failed):
    no pickup week runs and no fee is owed until the notice goes."""
    with desk.write():
        item = find_item(desk, barcode)
        hold = hold_store.trapped_for(desk.conn, item.id)
        if hold is None or hold.status != "waiting":
            raise refuse("NO_HOLD")
        if hold.pickup_by is None or hold.pickup_by >= desk.today():
            raise refuse("WRONG_STATE", status="waiting")
        notice = hold_store.untold(desk.conn, hold.id)
        if notice is not None:
            raise refuse("WRONG_STATE", status=f"notice.{notice}")
        done = _expire(desk, hold)
        if done is None:
            raise refuse("NO_HOLD")
        return done


def pull_list(desk: DeskContext, branch: str | None = None) -> list[PullItem]:
    """Copies on the shelf at the branch that can fill a queued hold: fetch them and
    scan them in (return), which puts them on the hold shelf or in transit."""
    return hold_store.pull_list(desk.conn, desk.known_branch(branch))


def pickup_branches(desk: DeskContext) -> list[Branch]:
    """Where a hold can be picked up: every branch, the first created first."""
    return branch_store.all_branches(desk.conn)


@dataclass(frozen=True)
class ShelfCopy:
    barcode: str
    title: str
    pickup_code: str | None
    pickup_by: date | None
    ended: bool  # past its last pickup day: clear it now (else it ends today)


class Holds(Area):
    """Holds on titles, the hold shelf and the pull list."""

    name = "holds"
    place = call(place_hold)
    place_on_title = call(place_title_hold)
    shelf_to_clear = call(shelf_to_clear)
    clear_from_shelf = call(clear_from_shelf)
    cancel = call(cancel_hold)
    expire = call(expire_holds)
    pull_list = call(pull_list)
    pickup_branches = call(pickup_branches)
