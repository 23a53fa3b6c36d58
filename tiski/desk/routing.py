"""Where a copy goes when it comes free: the hold shelf for the first in line,
in transit to their pickup branch, or home."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..core.holds import pickup_by
from ..core.patrons import initials
from ..store import circulation as circ_store
from ..store import holds as hold_store
from ..store import items as item_store
from ..store import patrons as patron_store
from ..store.holds import HoldRecord
from ..store.items import ItemRecord
from .context import DeskContext


@dataclass(frozen=True)
class HoldShelf:
    """A copy set aside for a patron: on the shelf here (pickup_by set) or on its way."""

    hold_id: int
    card: str | None
    pickup_branch: str
    pickup_by: date | None
    pickup_code: str | None
    in_transit: bool
    initials: str = ""  # the patron's, for the hold slip: never the name


@dataclass(frozen=True)
class Routing:
    hold: HoldShelf | None
    route_to: str | None


def next_pickup_code(desk: DeskContext, branch: str) -> str:
    """The lowest shelf number free at the branch: a number, never a name."""
    used = hold_store.used_pickup_codes(desk.conn, branch)
    number = 1
    while f"{number:03d}" in used:
        number += 1
    return f"{number:03d}"


def shelf_of(desk: DeskContext, hold_id: int) -> HoldShelf:
    hold = hold_store.by_id(desk.conn, hold_id)
    if hold is None:
        raise LookupError(hold_id)
    patron = patron_store.by_id(desk.conn, hold.patron_id)
    return HoldShelf(
        hold_id=hold.id,
        card=patron_store.active_card(desk.conn, hold.patron_id),
        pickup_branch=hold.pickup_branch,
        pickup_by=hold.pickup_by,
        pickup_code=hold.pickup_code,
        in_transit=hold.status == "in_transit",
        initials=initials(patron.first_name, patron.last_name) if patron else "",
    )


def put_on_shelf(desk: DeskContext, hold: HoldRecord, item_id: int) -> HoldShelf:
    """The copy has reached the pickup branch: shelve it, number it, notify the patron.
    The shelf date given here holds if the notice goes today; its sending starts the week."""
    from .notice_run import notify_hold_arrived  # the notices' modules: only when a copy is shelved

    now = desk.now()
    deadline = pickup_by(desk.today(), desk.policy, desk.calendar(hold.pickup_branch))
    hold_store.shelve(desk.conn, hold.id, item_id, hold.trapped_at or now, deadline,
                      next_pickup_code(desk, hold.pickup_branch))
    item_store.set_transit(desk.conn, item_id, None)
    notify_hold_arrived(desk, hold)
    return shelf_of(desk, hold.id)


def send_for_hold(desk: DeskContext, hold: HoldRecord, item_id: int) -> Routing:
    """Trap the copy for a hold picked up elsewhere: it travels to the pickup branch."""
    hold_store.send(desk.conn, hold.id, item_id, desk.now())
    item_store.set_transit(desk.conn, item_id, hold.pickup_branch)
    return Routing(shelf_of(desk, hold.id), hold.pickup_branch)


def arrive_for_hold(desk: DeskContext, hold: HoldRecord, item_id: int) -> Routing:
    """A copy already set aside for a hold is scanned: shelve it if this is the pickup
    branch, else keep it moving; a copy already on the shelf stays there."""
    if hold.status == "waiting":
        return Routing(shelf_of(desk, hold.id), None)
    if hold.pickup_branch == desk.branch:
        return Routing(put_on_shelf(desk, hold, item_id), None)
    return Routing(shelf_of(desk, hold.id), hold.pickup_branch)


def route_free_copy(desk: DeskContext, item: ItemRecord, at_branch: str) -> Routing:
    """A copy with no loan and no hold is at `at_branch`: trap it for the first
    queued hold on its title, else send it home."""
    hold = hold_store.first_queued(desk.conn, item.record_id) if item.loanable else None
    if hold is not None:
        if hold.pickup_branch == at_branch:
            return Routing(put_on_shelf(desk, hold, item.id), None)
        return send_for_hold(desk, hold, item.id)
    home = item.home_branch
    item_store.set_transit(desk.conn, item.id, None if home == at_branch else home)
    return Routing(None, None if home == at_branch else home)
