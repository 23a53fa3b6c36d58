"""Where a copy goes when it comes free: the hold shelf for the first in line,
in transit to their pickup branch, or home."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from ..clock import stamp
from ..core.holds import pickup_by
from ..store import circulation as circ_store
from ..store import items as item_store
from ..store import patrons as patron_store
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


@dataclass(frozen=True)
class Routing:
    hold: HoldShelf | None
    route_to: str | None


def next_pickup_code(conn: sqlite3.Connection, branch: str) -> str:
    """The lowest shelf number free at the branch: a number, never a name."""
    used = circ_store.used_pickup_codes(conn, branch)
    number = 1
    while f"{number:03d}" in used:
        number += 1
    return f"{number:03d}"


def shelf_of(conn: sqlite3.Connection, hold: sqlite3.Row) -> HoldShelf:
    return HoldShelf(
        hold_id=hold["id"],
        card=patron_store.active_card(conn, hold["patron_id"]),
        pickup_branch=hold["pickup_branch"],
        pickup_by=date.fromisoformat(hold["pickup_by"]) if hold["pickup_by"] else None,
        pickup_code=hold["pickup_code"],
        in_transit=hold["status"] == "in_transit",
    )


def put_on_shelf(desk: DeskContext, hold: sqlite3.Row, item_id: int) -> HoldShelf:
    """The copy has reached the pickup branch: shelve it, number it, notify the patron."""
    conn, now = desk.conn, desk.now()
    deadline = pickup_by(desk.today(), desk.policy, desk.calendar(hold["pickup_branch"]))
    circ_store.set_hold(
        conn,
        hold["id"],
        status="waiting",
        item_id=item_id,
        trapped_at=hold["trapped_at"] or stamp(now),
        pickup_by=deadline.isoformat(),
        pickup_code=next_pickup_code(conn, hold["pickup_branch"]),
    )
    item_store.set_transit(conn, item_id, None)
    circ_store.add_notice(conn, hold["patron_id"], "hold_arrived", now, hold_id=hold["id"])
    return shelf_of(conn, circ_store.hold_by_id(conn, hold["id"]))


def send_for_hold(desk: DeskContext, hold: sqlite3.Row, item_id: int) -> Routing:
    """Trap the copy for a hold picked up elsewhere: it travels to the pickup branch."""
    conn = desk.conn
    circ_store.set_hold(conn, hold["id"], status="in_transit", item_id=item_id, trapped_at=stamp(desk.now()))
    item_store.set_transit(conn, item_id, hold["pickup_branch"])
    return Routing(shelf_of(conn, circ_store.hold_by_id(conn, hold["id"])), hold["pickup_branch"])


def arrive_for_hold(desk: DeskContext, hold: sqlite3.Row, item_id: int) -> Routing:
    """A copy already set aside for a hold is scanned: shelve it if this is the pickup
    branch, else keep it moving; a copy already on the shelf stays there."""
    if hold["status"] == "waiting":
        return Routing(shelf_of(desk.conn, hold), None)
    if hold["pickup_branch"] == desk.branch:
        return Routing(put_on_shelf(desk, hold, item_id), None)
    return Routing(shelf_of(desk.conn, hold), hold["pickup_branch"])


def route_free_copy(desk: DeskContext, item: sqlite3.Row, at_branch: str) -> Routing:
    """A copy with no loan and no hold is at `at_branch`: trap it for the first
    queued hold on its title, else send it home."""
    conn = desk.conn
    hold = circ_store.first_queued(conn, item["record_id"]) if item["loanable"] else None
    if hold is not None:
        if hold["pickup_branch"] == at_branch:
            return Routing(put_on_shelf(desk, hold, item["id"]), None)
        return send_for_hold(desk, hold, item["id"])
    home = item["home_branch"]
    item_store.set_transit(conn, item["id"], None if home == at_branch else home)
    return Routing(None, None if home == at_branch else home)
