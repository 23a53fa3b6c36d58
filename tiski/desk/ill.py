"""Interlibrary loans (kaukopalvelu).

The sending library's price is charged when the item *arrives*, not when it is
ordered: an order that no library can fill costs the patron nothing, and the charge
then matches the price the sender actually asked.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..clock import stamp
from ..core.circulation import standing_refusals
from ..core.errors import invalid, refuse
from ..core.text import clean_text
from ..store import circulation as circ_store
from ..store import fees as fee_store
from ..store import patrons as patron_store
from .area import Area, call
from .context import DeskContext, raise_first


@dataclass(frozen=True)
class IllRequest:
    id: int
    card: str
    title: str
    from_library: str
    price_cents: int
    status: str


def order_ill(desk: DeskContext, card: str, title: str, from_library: str, price_cents: int) -> IllRequest:
    """Order from another library; the patron must have borrowing rights."""
    title = clean_text(title, "title", max_length=500)
    from_library = clean_text(from_library, "from", max_length=200)
    if price_cents < 0:
        raise invalid("amount")
    with desk.write():
        patron = desk.find_card(card)
        raise_first(standing_refusals(desk.standing(patron), desk.policy))
        ill_id = desk.conn.execute(
            "INSERT INTO ill_requests (patron_id, title, from_library, price_cents, branch, ordered_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (patron.id, title, from_library, price_cents, desk.branch, stamp(desk.now())),
        ).lastrowid
    return IllRequest(ill_id, patron.card, title, from_library, price_cents, "ordered")


def _request(desk: DeskContext, ill_id: int):
    row = desk.conn.execute("SELECT * FROM ill_requests WHERE id = ?", (ill_id,)).fetchone()
    if row is None:
        raise refuse("NOT_FOUND", what="ill")
    if row["status"] != "ordered":
        raise invalid("ill_closed", value=row["status"])
    return row


def ill_arrived(desk: DeskContext, ill_id: int) -> IllRequest:
    """The item came: charge the sender's price and notify the patron."""
    with desk.write():
        conn, now = desk.conn, desk.now()
        row = _request(desk, ill_id)
        conn.execute("UPDATE ill_requests SET status = 'arrived', closed_at = ? WHERE id = ?", (stamp(now), ill_id))
        if row["price_cents"]:
            fee_store.add_entry(
                conn, row["patron_id"], "charge", row["price_cents"], now, charge_type="ill",
                reason=f"{row['from_library']}: {row['title']}"[:300], ill_id=ill_id,
                branch=desk.branch, staff=desk.staff,
            )
        circ_store.add_notice(conn, row["patron_id"], "ill_arrived", now)
        card = patron_store.active_card(conn, row["patron_id"]) or ""
    return IllRequest(ill_id, card, row["title"], row["from_library"], row["price_cents"], "arrived")


def ill_cancel(desk: DeskContext, ill_id: int) -> IllRequest:
    with desk.write():
        row = _request(desk, ill_id)
        desk.conn.execute(
            "UPDATE ill_requests SET status = 'cancelled', closed_at = ? WHERE id = ?", (stamp(desk.now()), ill_id)
        )
        card = patron_store.active_card(desk.conn, row["patron_id"]) or ""
    return IllRequest(ill_id, card, row["title"], row["from_library"], row["price_cents"], "cancelled")


def ill_list(desk: DeskContext, status: str | None = "ordered") -> list[IllRequest]:
    rows = desk.conn.execute(
        "SELECT * FROM ill_requests WHERE (? IS NULL OR status = ?) ORDER BY id", (status, status)
    ).fetchall()
    return [
        IllRequest(
            r["id"], patron_store.active_card(desk.conn, r["patron_id"]) or "", r["title"], r["from_library"],
            r["price_cents"], r["status"],
        )
        for r in rows
    ]


class InterlibraryLoans(Area):
    """Interlibrary loans (kaukolainat)."""

    name = "ill"
    order = call(order_ill)
    arrived = call(ill_arrived)
    cancel = call(ill_cancel)
    orders = call(ill_list)
