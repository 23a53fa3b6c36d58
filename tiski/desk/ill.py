"""Interlibrary loans (kaukopalvelu).

The sending library's price is charged when the item *arrives*, not when it is
ordered: an order that no library can fill costs the patron nothing, and the charge
then matches the price the sender actually asked.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.circulation import standing_refusals
from ..core.errors import invalid, refuse
from ..core.text import clean_text
from ..store import fees as fee_store
from ..store import ill as ill_store
from ..store import patrons as patron_store
from ..store.ill import IllOrder
from .area import Area, call
from .context import DeskContext, raise_first
from .notice_run import notify_ill_arrived


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
    title = clean_text(title, "title", max_length=500) or ""
    from_library = clean_text(from_library, "from", max_length=200) or ""
    if price_cents < 0:
        raise invalid("amount")
    with desk.write():
        patron = desk.find_card(card)
        raise_first(standing_refusals(desk.standing(patron), desk.policy))
        ill_id = ill_store.insert(desk.conn, patron.id, title, from_library, price_cents, desk.branch, desk.now())
    return IllRequest(ill_id, patron.card, title, from_library, price_cents, "ordered")


def _open_order(desk: DeskContext, ill_id: int) -> IllOrder:
    order = ill_store.by_id(desk.conn, ill_id)
    if order is None:
        raise refuse("NOT_FOUND", what="ill")
    if order.status != "ordered":
        raise invalid("ill_closed", value=order.status)
    return order


def _request(desk: DeskContext, order: IllOrder, status: str) -> IllRequest:
    card = patron_store.active_card(desk.conn, order.patron_id) or ""
    return IllRequest(order.id, card, order.title, order.from_library, order.price_cents, status)


def ill_arrived(desk: DeskContext, ill_id: int) -> IllRequest:
    """The item came: charge the sender's price and notify the patron."""
    with desk.write():
        conn, now = desk.conn, desk.now()
        order = _open_order(desk, ill_id)
        ill_store.close(conn, ill_id, "arrived", now)
        if order.price_cents:
            fee_store.add_entry(
                conn, order.patron_id, "charge", order.price_cents, now, charge_type="ill",
                reason=f"{order.from_library}: {order.title}"[:300], ill_id=ill_id,
                branch=desk.branch, staff=desk.staff,
            )
        notify_ill_arrived(desk, ill_id, order.patron_id, order.branch)
        return _request(desk, order, "arrived")


def ill_cancel(desk: DeskContext, ill_id: int) -> IllRequest:
    with desk.write():
        order = _open_order(desk, ill_id)
        ill_store.close(desk.conn, ill_id, "cancelled", desk.now())
        return _request(desk, order, "cancelled")


def ill_list(desk: DeskContext, status: str | None = "ordered") -> list[IllRequest]:
    return [_request(desk, order, order.status) for order in ill_store.orders(desk.conn, status)]


class InterlibraryLoans(Area):
    """Interlibrary loans (kaukolainat)."""

    name = "ill"
    order = call(order_ill)
    arrived = call(ill_arrived)
    cancel = call(ill_cancel)
    orders = call(ill_list)
