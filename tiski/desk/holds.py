"""Holds (varaukset): place, cancel, expire, and the list of copies to pull."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from ..clock import stamp
from ..core.errors import refuse
from ..core.holds import hold_refusals, uncollected_fee_cents
from ..store import circulation as circ_store
from ..store import fees as fee_store
from ..store import items as item_store
from ..store import patrons as patron_store
from .area import Area, call
from .context import DeskContext, raise_first
from .loans import _item
from .routing import Routing, route_free_copy


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
    """A hold on the title of the scanned item, in the title's queue."""
    with desk.write():
        patron = desk.find_card(card)
        item = _item(desk, barcode)
        pickup_branch = desk.known_branch(pickup)
        conn = desk.conn
        record_id = item["record_id"]
        raise_first(
            hold_refusals(
                desk.standing(patron),
                desk.policy,
                already_holds=circ_store.active_hold(conn, patron.id, record_id) is not None,
                has_on_loan=circ_store.patron_loan_for_record(conn, patron.id, record_id),
                loanable_copies=item_store.loanable_copies(conn, record_id),
            )
        )
        conn.execute(
            "INSERT INTO holds (patron_id, record_id, pickup_branch, placed_at) VALUES (?, ?, ?, ?)",
            (patron.id, record_id, pickup_branch, stamp(desk.now())),
        )
        hold = circ_store.active_hold(conn, patron.id, record_id)
        return Hold(patron.card, item["title"], circ_store.queue_position(conn, hold), "queued", pickup_branch)


def cancel_hold(desk: DeskContext, card: str, barcode: str) -> tuple[Hold, Routing | None]:
    """Cancel the patron's hold on the item's title. A copy set aside for it goes to
    the next in line, or home."""
    with desk.write():
        patron = desk.find_card(card, for_circulation=False)
        item = _item(desk, barcode)
        conn = desk.conn
        hold = circ_store.active_hold(conn, patron.id, item["record_id"])
        if hold is None:
            raise refuse("NO_HOLD")
        circ_store.set_hold(conn, hold["id"], status="cancelled", closed_at=stamp(desk.now()))
        routing = None
        if hold["status"] == "waiting":
            # The copy sits on the pickup branch's hold shelf: it goes to the next in line.
            # A copy still in transit is routed when it arrives and is scanned in.
            routing = route_free_copy(desk, item_store.by_id(conn, hold["item_id"]), hold["pickup_branch"])
        return Hold(patron.card, item["title"], None, "cancelled", hold["pickup_branch"]), routing


def expire_holds(desk: DeskContext) -> list[ExpiredHold]:
    """Daily: holds left on the shelf past their pickup day expire, are charged the
    uncollected fee, and their copy goes to the next in line (or home)."""
    expired = []
    with desk.write():
        conn, now, today = desk.conn, desk.now(), desk.today()
        for hold in circ_store.expired_waiting(conn, today):
            patron = patron_store.by_id(conn, hold["patron_id"])
            circ_store.set_hold(conn, hold["id"], status="expired", closed_at=stamp(now))
            birth = date.fromisoformat(patron["birth_date"]) if patron["birth_date"] else None
            fee = uncollected_fee_cents(bool(patron["is_organisation"]), birth, today, desk.policy)
            if fee:
                fee_store.add_entry(
                    conn, patron["id"], "charge", fee, now, charge_type="hold_uncollected",
                    item_id=hold["item_id"], hold_id=hold["id"], branch=hold["pickup_branch"], staff=desk.staff,
                )
            copy = item_store.by_id(conn, hold["item_id"])
            routing = route_free_copy(desk, copy, hold["pickup_branch"])
            expired.append(
                ExpiredHold(
                    card=patron_store.active_card(conn, patron["id"]),
                    title=copy["title"],
                    barcode=copy["barcode"],
                    fee_cents=fee,
                    routing=routing,
                )
            )
    return expired


def pull_list(desk: DeskContext, branch: str | None = None) -> list[sqlite3.Row]:
    """Copies on the shelf at the branch that can fill a queued hold: fetch them and
    scan them in (return), which puts them on the hold shelf or in transit."""
    code = desk.known_branch(branch)
    return desk.conn.execute(
        """
        SELECT i.barcode, r.title, r.author, COUNT(DISTINCT h.id) AS queued
        FROM holds h
        JOIN items i ON i.record_id = h.record_id
        JOIN records r ON r.id = i.record_id
        WHERE h.status = 'queued' AND i.loanable = 1 AND i.transit_to IS NULL
          AND COALESCE((SELECT 1 FROM loans l WHERE l.item_id = i.id AND l.returned_at IS NULL), 0) = 0
          AND COALESCE((SELECT 1 FROM holds t WHERE t.item_id = i.id
                        AND t.status IN ('in_transit', 'waiting')), 0) = 0
          AND i.home_branch = ?
        GROUP BY i.id ORDER BY r.title, i.barcode
        """,
        (code,),
    ).fetchall()


class Holds(Area):
    """Holds on titles, the hold shelf and the pull list."""

    name = "holds"
    place = call(place_hold)
    cancel = call(cancel_hold)
    expire = call(expire_holds)
    pull_list = call(pull_list)
