"""The book bag's tables: clients, interviews, deliveries and what went in them, the
history kept with consent — and the shelf a bag is picked from."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ..clock import stamp
from ..core.kirjakassi import Candidate, ShelfQuery


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


# --- clients --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClientRecord:
    patron_id: int
    branch: str
    eligibility: str
    delivery_address: str
    contact_name: str
    contact_phone: str | None
    contact_relation: str | None
    rhythm_weeks: int
    weekday: int
    bag_size: int
    history_consent: bool
    consent_date: date | None
    starts_on: date
    paused_from: date | None
    paused_until: date | None
    ends_on: date | None


@dataclass(frozen=True)
class NamedClient:
    record: ClientRecord
    card: str
    name: str


def _client(row: sqlite3.Row) -> ClientRecord:
    return ClientRecord(
        patron_id=row["patron_id"], branch=row["branch"], eligibility=row["eligibility"],
        delivery_address=row["delivery_address"], contact_name=row["contact_name"],
        contact_phone=row["contact_phone"], contact_relation=row["contact_relation"],
        rhythm_weeks=row["rhythm_weeks"], weekday=row["weekday"], bag_size=row["bag_size"],
        history_consent=bool(row["history_consent"]), consent_date=_day(row["consent_date"]),
        starts_on=date.fromisoformat(row["starts_on"]), paused_from=_day(row["paused_from"]),
        paused_until=_day(row["paused_until"]), ends_on=_day(row["ends_on"]),
    )


def client(conn: sqlite3.Connection, patron_id: int) -> ClientRecord | None:
    row = conn.execute("SELECT * FROM kirjakassi_clients WHERE patron_id = ?", (patron_id,)).fetchone()
    return _client(row) if row else None


def clients(conn: sqlite3.Connection, today: date) -> list[NamedClient]:
    """Clients whose service has not ended, by name, with their card in use."""
    return [NamedClient(_client(r), r["card"], r["name"]) for r in conn.execute(
        """
        SELECT k.*, c.card, p.first_name || ' ' || p.last_name AS name
        FROM kirjakassi_clients k JOIN patrons p ON p.id = k.patron_id
        JOIN cards c ON c.patron_id = k.patron_id AND c.status = 'active'
        WHERE k.ends_on IS NULL OR k.ends_on >= ?
        ORDER BY p.last_name, p.first_name
        """, (today.isoformat(),))]


def save_client(conn: sqlite3.Connection, c: ClientRecord, at: datetime) -> None:
    """Enrol, or change the details of, a client."""
    now = stamp(at)
    conn.execute(
        """
        INSERT INTO kirjakassi_clients (patron_id, branch, eligibility, delivery_address, contact_name,
            contact_phone, contact_relation, rhythm_weeks, weekday, bag_size, history_consent, consent_date,
            starts_on, paused_from, paused_until, ends_on, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (patron_id) DO UPDATE SET branch = excluded.branch, eligibility = excluded.eligibility,
            delivery_address = excluded.delivery_address, contact_name = excluded.contact_name,
            contact_phone = excluded.contact_phone, contact_relation = excluded.contact_relation,
            rhythm_weeks = excluded.rhythm_weeks, weekday = excluded.weekday, bag_size = excluded.bag_size,
            history_consent = excluded.history_consent, consent_date = excluded.consent_date,
            starts_on = excluded.starts_on, paused_from = excluded.paused_from,
            paused_until = excluded.paused_until, ends_on = excluded.ends_on, updated_at = excluded.updated_at
        """,
        (c.patron_id, c.branch, c.eligibility, c.delivery_address, c.contact_name, c.contact_phone,
         c.contact_relation, c.rhythm_weeks, c.weekday, c.bag_size, int(c.history_consent),
         c.consent_date.isoformat() if c.consent_date else None, c.starts_on.isoformat(),
         c.paused_from.isoformat() if c.paused_from else None,
         c.paused_until.isoformat() if c.paused_until else None, c.ends_on.isoformat() if c.ends_on else None,
         now, now),
    )


# --- what a client has had ----------------------------------------------------------------

def received(conn: sqlite3.Connection, patron_id: int) -> frozenset[int]:
    """The titles (record ids) a client has received, kept with their consent."""
    return frozenset(r[0] for r in conn.execute(
        "SELECT record_id FROM kirjakassi_received WHERE patron_id = ?", (patron_id,)))


def remember_received(conn: sqlite3.Connection, patron_id: int, record_id: int, on: date) -> None:
    conn.execute("INSERT OR IGNORE INTO kirjakassi_received (patron_id, record_id, received_on) VALUES (?, ?, ?)",
                 (patron_id, record_id, on.isoformat()))


def forget_received(conn: sqlite3.Connection, patron_id: int) -> None:
    conn.execute("DELETE FROM kirjakassi_received WHERE patron_id = ?", (patron_id,))


def records_on_loan(conn: sqlite3.Connection, patron_id: int) -> frozenset[int]:
    return frozenset(r[0] for r in conn.execute(
        "SELECT i.record_id FROM loans l JOIN items i ON i.id = l.item_id"
        " WHERE l.patron_id = ? AND l.returned_at IS NULL", (patron_id,)))


# --- the interview --------------------------------------------------------------------------

@dataclass(frozen=True)
class Interview:
    id: int
    version: int
    status: str  # draft | complete
    answers: dict[str, Any]
    interviewer: str | None
    interviewed_on: date | None


def _interview(row: sqlite3.Row) -> Interview:
    return Interview(row["id"], row["version"], row["status"], json.loads(row["answers"]), row["interviewer"],
                     _day(row["interviewed_on"]))


def interviews(conn: sqlite3.Connection, patron_id: int) -> list[Interview]:
    """Every version, newest first."""
    return [_interview(r) for r in conn.execute(
        "SELECT * FROM kirjakassi_interviews WHERE patron_id = ? ORDER BY version DESC", (patron_id,))]


def save_interview(conn: sqlite3.Connection, patron_id: int, answers: dict[str, Any], *, complete: bool,
                   interviewer: str | None, on: date | None, at: datetime) -> Interview:
    """Write over the client's draft, or start the next version."""
    values = (json.dumps(answers, ensure_ascii=False), "complete" if complete else "draft", interviewer,
              on.isoformat() if on else None, stamp(at))
    draft = conn.execute("SELECT id FROM kirjakassi_interviews WHERE patron_id = ? AND status = 'draft'"
                         " ORDER BY version DESC LIMIT 1", (patron_id,)).fetchone()
    if draft is not None:
        conn.execute("UPDATE kirjakassi_interviews SET answers = ?, status = ?, interviewer = ?, interviewed_on = ?,"
                     " updated_at = ? WHERE id = ?", (*values, draft[0]))
        interview_id = int(draft[0])
    else:
        cursor = conn.execute(
            "INSERT INTO kirjakassi_interviews (patron_id, version, status, answers, interviewer, interviewed_on,"
            " updated_at) SELECT ?, COALESCE(MAX(version), 0) + 1, ?, ?, ?, ?, ? FROM kirjakassi_interviews"
            " WHERE patron_id = ?", (patron_id, values[1], values[0], *values[2:], patron_id))
        interview_id = int(cursor.lastrowid or 0)
    return _interview(conn.execute("SELECT * FROM kirjakassi_interviews WHERE id = ?", (interview_id,)).fetchone())


def popular_terms(conn: sqlite3.Connection, kind: str, limit: int = 6) -> list[str]:
    """The catalogue's most used subjects or genres."""
    return [r[0] for r in conn.execute(
        "SELECT term FROM record_terms WHERE kind = ? GROUP BY term ORDER BY COUNT(*) DESC, term LIMIT ?",
        (kind, limit))]


# --- the shelf ------------------------------------------------------------------------------

def _marks(values: tuple[str, ...] | list[str]) -> str:
    return ",".join("?" * len(values))


def _author_match(names: tuple[str, ...]) -> str | None:
    """An FTS5 query for the catalogue's author index: any name, each of its words as
    the start of a word of the author ('linna' finds 'Linna, Väinö'; so does 'väinö
    linna'). The core then keeps only the authors it truly matches."""
    alternatives = []
    for name in names:
        words = re.findall(r"\w+", name.lower())
        if words:
            alternatives.append("(" + " AND ".join(f'"{word}"*' for word in words) + ")")
    return "{author} : (" + " OR ".join(alternatives) + ")" if alternatives else None


def shelf(conn: sqlite3.Connection, branch: str, patron_id: int, query: ShelfQuery) -> list[Candidate]:
    """The copies on the branch's shelves a bag may take: loanable, not in transit, on
    loan to nobody, the title held for nobody else — within `query`, one copy (the
    lowest barcode) per title and format.

    With wished terms or authors the search starts from them (the terms' index and the
    catalogue's author index) and goes to the titles' copies; without, from the
    branch's shelf index by format. Either way no pass over all items."""
    where = [f"i.format IN ({_marks(query.formats)})"]
    params: list[Any] = [branch, *query.formats]
    if query.languages:
        where.append(f"(r.language IS NULL OR r.language IN ({_marks(query.languages)}))")
        params += query.languages
    if query.books_large_print is not None:
        where.append("(i.format != 'book' OR r.large_print = ?)")
        params.append(int(query.books_large_print))
    if query.books_easy_read:
        where.append("(i.format != 'book' OR r.easy_read = 1)")
    params.append(patron_id)
    wanted: list[str] = []
    wanted_params: list[object] = []
    if query.terms:
        wanted.append(f"SELECT record_id FROM record_terms WHERE lower(term) IN ({_marks(query.terms)})")
        wanted_params += query.terms
    authors = _author_match(query.authors)
    if authors is not None:
        wanted.append("SELECT rowid FROM records_fts WHERE records_fts MATCH ?")
        wanted_params.append(authors)
    if wanted:
        source = ("WITH wanted(record_id) AS (" + " UNION ".join(wanted) + ")"
                  " SELECT {columns} FROM wanted w CROSS JOIN records r ON r.id = w.record_id"
                  " CROSS JOIN items i ON i.record_id = r.id")
        params = wanted_params + params
    elif query.terms or query.authors:
        return []  # names without a single word: nothing can match them
    else:
        source = "SELECT {columns} FROM items i CROSS JOIN records r ON r.id = i.record_id"
    columns = ("i.id, MIN(i.barcode), i.record_id, r.title, r.author, i.format, r.language, r.large_print,"
               " r.easy_read, r.year, (SELECT group_concat(lower(t.term), '|') FROM record_terms t"
               " WHERE t.record_id = r.id)")
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: thousands of rows, read by place
    rows = cursor.execute(
        source.format(columns=columns)
        + f""" WHERE i.home_branch = ? AND i.loanable = 1 AND i.transit_to IS NULL AND {' AND '.join(where)}
          AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.record_id = r.id
                          AND h.status IN ('queued', 'in_transit', 'waiting') AND h.patron_id != ?)
          AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.item_id = i.id AND l.returned_at IS NULL)
        GROUP BY r.id, i.format""",  # noqa: S608 (placeholders only)
        params,
    ).fetchall()
    return [Candidate(item_id=r[0], barcode=r[1], record_id=r[2], title=r[3], author=r[4], format=r[5], language=r[6],
                      large_print=bool(r[7]), easy_read=bool(r[8]), year=r[9],
                      terms=frozenset(r[10].split("|")) if r[10] else frozenset())
            for r in rows]


# --- deliveries and bags ----------------------------------------------------------------------

@dataclass(frozen=True)
class Delivery:
    id: int | None  # None: only planned by the client's rhythm
    card: str
    name: str
    due_on: date
    status: str  # planned | packing | packed | sent | returned
    items: int


@dataclass(frozen=True)
class BagItem:
    item_id: int
    barcode: str
    title: str
    author: str | None
    format: str
    due: date | None
    reason: str | None


_DELIVERY = """
SELECT d.id, d.due_on, d.status, c.card, p.first_name || ' ' || p.last_name AS name,
       (SELECT COUNT(*) FROM kirjakassi_bag_items b WHERE b.delivery_id = d.id) AS items
FROM kirjakassi_deliveries d JOIN patrons p ON p.id = d.patron_id
JOIN cards c ON c.patron_id = d.patron_id AND c.status = 'active'
"""


def _delivery(row: sqlite3.Row) -> Delivery:
    return Delivery(row["id"], row["card"], row["name"], date.fromisoformat(row["due_on"]), row["status"],
                    row["items"])


def delivery(conn: sqlite3.Connection, delivery_id: int) -> Delivery:
    return _delivery(conn.execute(f"{_DELIVERY} WHERE d.id = ?", (delivery_id,)).fetchone())


def deliveries_between(conn: sqlite3.Connection, start: date, end: date) -> list[Delivery]:
    return [_delivery(r) for r in conn.execute(f"{_DELIVERY} WHERE d.due_on BETWEEN ? AND ? ORDER BY d.id",
                                               (start.isoformat(), end.isoformat()))]


@dataclass(frozen=True)
class BagRecord:
    id: int
    due_on: date
    status: str  # packing | packed | sent | returned


def bags_not_back(conn: sqlite3.Connection, patron_id: int) -> list[BagRecord]:
    """A client's bags being packed, packed or out, the earliest due first."""
    return [BagRecord(r[0], date.fromisoformat(r[1]), r[2]) for r in conn.execute(
        "SELECT id, due_on, status FROM kirjakassi_deliveries WHERE patron_id = ? AND status != 'returned'"
        " ORDER BY due_on", (patron_id,))]


def started_bags(conn: sqlite3.Connection, patron_id: int, since: date) -> dict[date, str]:
    """The state of each bag started for a delivery day from `since` on."""
    return {date.fromisoformat(r[0]): r[1] for r in conn.execute(
        "SELECT due_on, status FROM kirjakassi_deliveries WHERE patron_id = ? AND due_on >= ?",
        (patron_id, since.isoformat()))}


def start_bag(conn: sqlite3.Connection, patron_id: int, due_on: date, status: str) -> BagRecord:
    cursor = conn.execute("INSERT INTO kirjakassi_deliveries (patron_id, due_on, status) VALUES (?, ?, ?)",
                          (patron_id, due_on.isoformat(), status))
    return BagRecord(int(cursor.lastrowid or 0), due_on, status)


_STATUS_MOMENT = {"packed": "packed_at", "sent": "sent_at", "returned": "returned_at"}


def set_bag_status(conn: sqlite3.Connection, delivery_id: int, status: str, at: datetime) -> None:
    column = _STATUS_MOMENT.get(status)
    if column is None:
        conn.execute("UPDATE kirjakassi_deliveries SET status = ? WHERE id = ?", (status, delivery_id))
    else:
        conn.execute(f"UPDATE kirjakassi_deliveries SET status = ?, {column} = ? WHERE id = ?",  # noqa: S608
                     (status, stamp(at), delivery_id))


def bag_items(conn: sqlite3.Connection, delivery_id: int) -> list[BagItem]:
    return [BagItem(r["item_id"], r["barcode"], r["title"], r["author"], r["format"], _day(r["due_date"]),
                    r["reason"]) for r in conn.execute(
        "SELECT b.item_id, i.barcode, r.title, r.author, i.format, l.due_date, b.reason FROM kirjakassi_bag_items b"
        " JOIN items i ON i.id = b.item_id JOIN records r ON r.id = i.record_id"
        " LEFT JOIN loans l ON l.id = b.loan_id WHERE b.delivery_id = ? ORDER BY r.title, i.barcode",
        (delivery_id,))]


def items_in_open_bags(conn: sqlite3.Connection, patron_id: int) -> frozenset[int]:
    return frozenset(r[0] for r in conn.execute(
        "SELECT b.item_id FROM kirjakassi_bag_items b JOIN kirjakassi_deliveries d ON d.id = b.delivery_id"
        " WHERE d.patron_id = ? AND d.status IN ('packing', 'packed')", (patron_id,)))


@dataclass(frozen=True)
class LentCopy:
    item_id: int
    record_id: int
    loan_id: int


def lent_copy(conn: sqlite3.Connection, barcode: str) -> LentCopy | None:
    """The copy with this barcode and its loan now."""
    row = conn.execute("SELECT i.id, i.record_id, l.id FROM items i JOIN loans l ON l.item_id = i.id"
                       " AND l.returned_at IS NULL WHERE i.barcode = ?", (barcode,)).fetchone()
    return LentCopy(row[0], row[1], row[2]) if row else None


def add_to_bag(conn: sqlite3.Connection, delivery_id: int, copy: LentCopy, reason: str | None) -> None:
    conn.execute("INSERT OR IGNORE INTO kirjakassi_bag_items (delivery_id, item_id, loan_id, reason)"
                 " VALUES (?, ?, ?, ?)", (delivery_id, copy.item_id, copy.loan_id, reason))


def still_lent_from_bag(conn: sqlite3.Connection, delivery_id: int, patron_id: int) -> list[str]:
    """Barcodes of the bag's copies still on loan to the client."""
    return [r[0] for r in conn.execute(
        "SELECT i.barcode FROM kirjakassi_bag_items b JOIN items i ON i.id = b.item_id"
        " JOIN loans l ON l.item_id = i.id AND l.returned_at IS NULL AND l.patron_id = ?"
        " WHERE b.delivery_id = ? ORDER BY i.barcode", (patron_id, delivery_id))]
