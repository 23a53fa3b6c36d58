"""The collection: add an item by hand, show a copy and its life, search the catalogue."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from ..core.errors import invalid, refuse
from ..core.items import CopyFacts, copy_status, title_held
from ..core.text import clean_card, clean_text
from ..store import catalogue as catalogue_store
from ..store import circulation as circ_store
from ..store import holds as hold_store
from ..store import items as item_store
from ..store.circulation import LoanRecord
from ..store.items import ItemEvent, ItemRecord
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
    status: str  # one of core.items.COPY_STATUSES
    loan_card: str | None
    due: date | None
    transit_to: str | None
    holds_queued: int
    record_id: int = 0
    shelf: str | None = None
    call_number: str | None = None
    price_cents: int | None = None
    history: tuple[ItemEvent, ...] = ()  # the copy's life: when, where, who


def clean_isbn(text: str | None) -> str | None:
    if not text or not text.strip():
        return None
    from stdnum import isbn as stdnum_isbn  # slow to import; only cataloguing needs it

    try:
        return stdnum_isbn.validate(text)
    except Exception:  # stdnum raises its ValidationError family
        raise invalid("isbn") from None


def add_item(desk: DeskContext, new: NewItem) -> ItemView:
    from ..core.policy import FORMATS  # the policy: only what adds or changes a copy needs it

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


def copy_facts(desk: DeskContext, item: ItemRecord) -> tuple[CopyFacts, LoanRecord | None]:
    """What the rules need about a copy now, and its loan."""
    conn = desk.conn
    loan = circ_store.active_loan(conn, item.id)
    trapped = hold_store.trapped_for(conn, item.id)
    facts = CopyFacts(status=item.status, loanable=item.loanable, on_loan=loan is not None,
                      claims_returned=loan is not None and loan.claims_returned_at is not None,
                      held_on_shelf=trapped is not None and trapped.status == "waiting",
                      in_transit=item.transit_to is not None)
    return facts, loan


def _active_card(conn: sqlite3.Connection, patron_id: int) -> str | None:
    from ..store import patrons as patron_store  # the patrons' store: only for a copy on loan

    return patron_store.active_card(conn, patron_id)


def item_view(desk: DeskContext, barcode: str) -> ItemView:
    conn = desk.conn
    item = item_store.by_barcode(conn, (barcode or "").strip())
    if item is None:
        raise refuse("ITEM_UNKNOWN")
    facts, loan = copy_facts(desk, item)
    return ItemView(
        barcode=item.barcode,
        title=item.title,
        author=item.author,
        format=item.format,
        rating=item.rating,
        children=item.children,
        home_branch=item.home_branch,
        status=copy_status(facts),
        loan_card=_active_card(conn, loan.patron_id) if loan and loan.patron_id else None,
        due=loan.due_date if loan else None,
        transit_to=item.transit_to,
        holds_queued=hold_store.queued_count(conn, item.record_id),
        record_id=item.record_id,
        shelf=item.shelf,
        call_number=item.call_number,
        price_cents=item.price_cents,
        history=tuple(item_store.events(conn, item.id)),
    )


# --- the catalogue search ---------------------------------------------------------------------

@dataclass(frozen=True)
class CopyLine:
    barcode: str
    branch: str  # where the copy belongs
    status: str  # one of core.items.COPY_STATUSES
    due: date | None  # on loan until
    transit_to: str | None  # on its way there
    shelf: str | None
    call_number: str | None
    format: str
    since: datetime | None = None  # lost, claimed returned, in repair…: since when
    changed_by: str | None = None  # and who said so

    @property
    def location(self) -> str | None:
        """Where to look for it on the shelf: the shelving location and the call number."""
        return " ".join(part for part in (self.shelf, self.call_number) if part) or None


@dataclass(frozen=True)
class TitleResult:
    record_id: int
    title: str
    author: str | None
    isbn: str | None
    year: int | None
    format: str | None  # the copies' (the first one's), None without copies
    holds_queued: int
    copies: tuple[CopyLine, ...]

    @property
    def held(self) -> bool:
        """Some member library has it: a copy neither lost nor withdrawn (else: an ILL)."""
        return title_held(copy.status for copy in self.copies)


SHORTEST_PREFIX = 3  # letters of a lone word before it is searched as a prefix
SEARCH_PAGE = 60  # titles read at a time while filters (a branch, available only) leave too few
SEARCH_PAGES = 10


def search(desk: DeskContext, query: str, branch: str | None = None, available: bool = False,
           limit: int = 30) -> list[TitleResult]:
    """Titles by the words of their title or author (each word a prefix, diacritics folded
    both ways), an ISBN (10 or 13, with or without hyphens) or a copy's barcode; best
    first, a barcode's or an ISBN's own title before any words. `branch` keeps the copies
    that belong there, `available` those on the shelf; a title left with none is left out."""
    text = " ".join((query or "").split())[:200]
    if not text:
        return []
    where = desk.known_branch(branch) if branch is not None else None
    conn = desk.conn
    exact: list[int] = []
    if " " not in text:
        own = catalogue_store.title_of_copy(conn, text)
        if own is not None:
            exact.append(own)
    isbns = isbn_forms(text)
    if isbns:
        exact += [i for i in catalogue_store.titles_with_isbn(conn, isbns) if i not in exact]
    words = [word for word in text.split() if any(ch.isalnum() for ch in word)]
    # Each word a prefix, as it is typed — but one word of a letter or two alone is taken
    # whole ("yö"): as a prefix it matches a tenth of the catalogue, and ranking that many
    # costs tens of milliseconds at 500,000 items. A second word narrows it enough.
    # The words taken whole first, then the titles that only begin with them.
    tiers = catalogue_store.fts_tiers(words, len(words) > 1 or any(len(w) >= SHORTEST_PREFIX for w in words))
    results = _titles(desk, exact, where, available)
    seen = set(exact)
    # Unfiltered, one page of the limit's size; filtered, larger pages until enough are left.
    size = limit if where is None and not available else max(limit, SEARCH_PAGE)
    for match in tiers:
        for page in range(SEARCH_PAGES):
            if len(results) >= limit:
                return results[:limit]
            found = catalogue_store.titles_matching(conn, match, size, page * size)
            ids = [i for i in found if i not in seen]
            seen.update(ids)
            results += _titles(desk, ids, where, available)
            if len(found) < size:
                break
    return results[:limit]


def isbn_forms(text: str) -> list[str]:
    """An ISBN typed with or without hyphens, as both its 10- and 13-digit forms."""
    compact = text.replace("-", "").replace(" ", "").upper()
    if len(compact) not in (10, 13) or not compact[:-1].isdigit():
        return []
    from stdnum import isbn as stdnum_isbn  # slow to import: only when a query looks like one

    if not stdnum_isbn.is_valid(compact):
        return []
    forms = [compact, stdnum_isbn.to_isbn13(compact)]
    try:
        forms.append(stdnum_isbn.to_isbn10(compact))
    except Exception:  # a 979 ISBN has no 10-digit form
        pass
    return list(dict.fromkeys(forms))


def _titles(desk: DeskContext, ids: list[int], branch: str | None, available: bool) -> list[TitleResult]:
    if not ids:
        return []
    conn = desk.conn
    rows = catalogue_store.titles(conn, ids)
    queued = catalogue_store.queued(conn, ids)
    copies: dict[int, list[CopyLine]] = {}
    formats: dict[int, str] = {}
    for copy in catalogue_store.copies(conn, ids):
        formats.setdefault(copy.record_id, copy.format)
        facts = CopyFacts(status=copy.status, loanable=copy.loanable, on_loan=copy.due is not None,
                          claims_returned=copy.claims_returned, held_on_shelf=copy.trapped == "waiting",
                          in_transit=copy.transit_to is not None)
        line = CopyLine(copy.barcode, copy.home_branch, copy_status(facts), copy.due, copy.transit_to, copy.shelf,
                        copy.call_number, copy.format, copy.changed_at, copy.changed_by)
        if (branch is None or line.branch == branch) and (not available or line.status == "available"):
            copies.setdefault(copy.record_id, []).append(line)
    filtered = branch is not None or available
    return [TitleResult(i, rows[i].title, rows[i].author, rows[i].isbn, rows[i].year, formats.get(i), queued.get(i, 0),
                        tuple(copies.get(i, ())))
            for i in ids if i in rows and (copies.get(i) or not filtered)]


@dataclass(frozen=True)
class TransitCopy:
    barcode: str
    title: str
    home_branch: str
    for_hold: bool  # set aside for a hold picked up here (else coming home)


def in_transit(desk: DeskContext, branch: str | None = None) -> list[TransitCopy]:
    """Copies on their way to the branch: scan each in when it arrives (a return), and it
    is shelved, put on the hold shelf, or sent on."""
    conn = desk.conn
    return [TransitCopy(item.barcode, item.title, item.home_branch, hold_store.trapped_for(conn, item.id) is not None)
            for item in item_store.in_transit_to(conn, desk.known_branch(branch))]


class Catalogue(Area):
    """Titles and copies."""

    name = "catalogue"
    add_item = call(add_item)
    item_view = call(item_view)
    search = call(search)
    in_transit = call(in_transit)
