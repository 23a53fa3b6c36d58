"""The collection: add an item by hand, show an item and where it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..core.errors import invalid, refuse
from ..core.policy import FORMATS
from ..core.text import clean_card, clean_text
from ..store import circulation as circ_store
from ..store import holds as hold_store
from ..store import items as item_store
from ..store import patrons as patron_store
from .area import Area, call
from .context import DeskContext


@dataclass(frozen=True)
class NewItem:
    barcode: str
    title: str
    author: str | None = None
    isbn: str | None = None
    format: str = "book"
    rating: int | None = None
    children: bool = False
    price_cents: int | None = None
    branch: str | None = None
    loanable: bool = True


@dataclass(frozen=True)
class ItemView:
    barcode: str
    title: str
    author: str | None
    format: str
    rating: int | None
    children: bool
    home_branch: str
    status: str  # available | on_loan | waiting | in_transit | not_loanable
    loan_card: str | None
    due: date | None
    transit_to: str | None
    holds_queued: int


def clean_isbn(text: str | None) -> str | None:
    if not text or not text.strip():
        return None
    from stdnum import isbn as stdnum_isbn  # slow to import; only cataloguing needs it

    try:
        return stdnum_isbn.validate(text)
    except Exception:  # stdnum raises its ValidationError family
        raise invalid("isbn") from None


def add_item(desk: DeskContext, new: NewItem) -> ItemView:
    barcode = clean_card(new.barcode, "barcode")
    title = clean_text(new.title, "title", max_length=500) or ""
    author = clean_text(new.author, "author", required=False, max_length=200)
    isbn = clean_isbn(new.isbn)
    if new.format not in FORMATS:
        raise invalid("format", value=new.format)
    if new.rating is not None and new.rating not in desk.policy.rating_ages:
        raise invalid("rating", value=str(new.rating))
    if new.price_cents is not None and new.price_cents < 0:
        raise invalid("amount")
    with desk.write():
        conn, now = desk.conn, desk.now()
        home = desk.known_branch(new.branch)
        if item_store.barcode_exists(conn, barcode):
            raise invalid("duplicate_barcode")
        record_id = item_store.record_by_isbn(conn, isbn) if isbn else None
        if record_id is None:
            record_id = item_store.insert_record(
                conn,
                {"title": title, "author": author, "isbn": isbn, "audience": "children" if new.children else None},
                now,
            )
        item_store.insert_item(
            conn,
            {
                "barcode": barcode,
                "record_id": record_id,
                "format": new.format,
                "rating": new.rating,
                "children": int(new.children),
                "price_cents": new.price_cents,
                "home_branch": home,
                "loanable": int(new.loanable),
            },
            now,
        )
    return item_view(desk, barcode)


def item_view(desk: DeskContext, barcode: str) -> ItemView:
    conn = desk.conn
    item = item_store.by_barcode(conn, (barcode or "").strip())
    if item is None:
        raise refuse("ITEM_UNKNOWN")
    loan = circ_store.active_loan(conn, item.id)
    trapped = hold_store.trapped_for(conn, item.id)
    if not item.loanable:
        status = "not_loanable"
    elif loan is not None:
        status = "on_loan"
    elif trapped is not None and trapped.status == "waiting":
        status = "waiting"
    elif item.transit_to is not None:
        status = "in_transit"
    else:
        status = "available"
    return ItemView(
        barcode=item.barcode,
        title=item.title,
        author=item.author,
        format=item.format,
        rating=item.rating,
        children=item.children,
        home_branch=item.home_branch,
        status=status,
        loan_card=patron_store.active_card(conn, loan.patron_id) if loan and loan.patron_id else None,
        due=loan.due_date if loan else None,
        transit_to=item.transit_to,
        holds_queued=hold_store.queued_count(conn, item.record_id),
    )


class Catalogue(Area):
    """Titles and copies."""

    name = "catalogue"
    add_item = call(add_item)
    item_view = call(item_view)
