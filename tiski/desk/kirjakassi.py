"""The book bag at the desk: enrolment, the interview, picking, packing and delivery."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta

from ..clock import stamp
from ..core import kirjakassi as rules
from ..core.calendar import WEEKDAYS
from ..core.errors import invalid, refuse
from ..core.text import clean_phone, clean_text, parse_day
from .area import Area, call, patron_read
from .context import DeskContext, Patron
from .loans import Loan


@dataclass(frozen=True)
class Client:
    patron_id: int
    card: str
    name: str
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
    next_delivery: date | None


@dataclass(frozen=True)
class Interview:
    id: int
    version: int
    status: str
    answers: dict
    interviewer: str | None
    interviewed_on: date | None


@dataclass(frozen=True)
class Delivery:
    id: int | None
    card: str
    name: str
    due_on: date
    status: str  # planned | packing | packed | sent | returned
    items: int


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _client_row(desk: DeskContext, patron: Patron) -> sqlite3.Row:
    row = desk.conn.execute("SELECT * FROM kirjakassi_clients WHERE patron_id = ?", (patron.id,)).fetchone()
    if row is None:
        raise refuse("NOT_FOUND", what="kirjakassi_client")
    return row


def _dates(desk: DeskContext, row: sqlite3.Row, after: date, count: int = 1) -> list[date]:
    return rules.delivery_dates(
        date.fromisoformat(row["starts_on"]), row["rhythm_weeks"], row["weekday"], desk.calendar(row["branch"]),
        after, count, (_day(row["paused_from"]), _day(row["paused_until"])), _day(row["ends_on"]),
    )


def _client(desk: DeskContext, row: sqlite3.Row, card: str, name: str) -> Client:
    upcoming = _dates(desk, row, desk.today())
    return Client(
        patron_id=row["patron_id"], card=card, name=name, branch=row["branch"], eligibility=row["eligibility"],
        delivery_address=row["delivery_address"], contact_name=row["contact_name"],
        contact_phone=row["contact_phone"], contact_relation=row["contact_relation"],
        rhythm_weeks=row["rhythm_weeks"], weekday=row["weekday"], bag_size=row["bag_size"],
        history_consent=bool(row["history_consent"]), consent_date=_day(row["consent_date"]),
        starts_on=date.fromisoformat(row["starts_on"]), paused_from=_day(row["paused_from"]),
        paused_until=_day(row["paused_until"]), ends_on=_day(row["ends_on"]),
        next_delivery=upcoming[0] if upcoming else None,
    )


def kirjakassi_client(desk: DeskContext, card: str) -> Client:
    patron = desk.find_card(card, for_circulation=False)
    return _client(desk, _client_row(desk, patron), patron.card, patron.name)


def enrol_client(desk: DeskContext, card: str, *, eligibility: str, delivery_address: str, contact_name: str,
                 contact_phone: str | None = None, contact_relation: str | None = None, rhythm_weeks: int = 4,
                 weekday: str = "tue", bag_size: int = 8, starts_on: str | date | None = None,
                 history_consent: bool = False) -> Client:
    """Enrol a registered patron (or change their details). Eligibility is the category
    only — age, illness or disability — never health details. The history of what they
    received is kept only with their explicit consent."""
    if eligibility not in rules.ELIGIBILITY:
        raise invalid("eligibility", value=eligibility)
    if weekday.lower() not in WEEKDAYS:
        raise invalid("weekdays", value=weekday)
    if not 1 <= int(rhythm_weeks) <= 12:
        raise invalid("rhythm")
    if not 1 <= int(bag_size) <= 40:
        raise invalid("bag_size")
    address = clean_text(delivery_address, "address", max_length=300)
    contact = clean_text(contact_name, "contact", max_length=100)
    phone = clean_phone(contact_phone)
    relation = clean_text(contact_relation, "relation", required=False, max_length=60)
    starts = parse_day(starts_on, "starts_on") or desk.today()
    with desk.write():
        patron = desk.find_card(card, for_circulation=False)
        now = stamp(desk.now())
        existing = desk.conn.execute(
            "SELECT history_consent, consent_date FROM kirjakassi_clients WHERE patron_id = ?", (patron.id,)
        ).fetchone()
        consent_date = None
        if history_consent:
            consent_date = existing["consent_date"] if existing and existing["history_consent"] else \
                desk.today().isoformat()
        desk.conn.execute(
            """
            INSERT INTO kirjakassi_clients (patron_id, branch, eligibility, delivery_address, contact_name,
                contact_phone, contact_relation, rhythm_weeks, weekday, bag_size, history_consent, consent_date,
                starts_on, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (patron_id) DO UPDATE SET branch = excluded.branch, eligibility = excluded.eligibility,
                delivery_address = excluded.delivery_address, contact_name = excluded.contact_name,
                contact_phone = excluded.contact_phone, contact_relation = excluded.contact_relation,
                rhythm_weeks = excluded.rhythm_weeks, weekday = excluded.weekday, bag_size = excluded.bag_size,
                history_consent = excluded.history_consent, consent_date = excluded.consent_date,
                starts_on = excluded.starts_on, updated_at = excluded.updated_at
            """,
            (patron.id, desk.branch, eligibility, address, contact, phone, relation, int(rhythm_weeks),
             WEEKDAYS.index(weekday.lower()), int(bag_size), int(history_consent), consent_date,
             starts.isoformat(), now, now),
        )
        if not history_consent:
            # Consent withdrawn (or never given): no history is kept.
            desk.conn.execute("DELETE FROM kirjakassi_received WHERE patron_id = ?", (patron.id,))
    return kirjakassi_client(desk, card)


def pause_client(desk: DeskContext, card: str, paused_from: str | date, paused_until: str | date | None = None) \
        -> Client:
    start = parse_day(paused_from, "paused_from")
    until = parse_day(paused_until, "paused_until")
    if start is None or (until is not None and until < start):
        raise invalid("date_order")
    with desk.write():
        patron = desk.find_card(card, for_circulation=False)
        _client_row(desk, patron)
        desk.conn.execute(
            "UPDATE kirjakassi_clients SET paused_from = ?, paused_until = ?, updated_at = ? WHERE patron_id = ?",
            (start.isoformat(), until.isoformat() if until else None, stamp(desk.now()), patron.id),
        )
    return kirjakassi_client(desk, card)


def resume_client(desk: DeskContext, card: str) -> Client:
    with desk.write():
        patron = desk.find_card(card, for_circulation=False)
        _client_row(desk, patron)
        desk.conn.execute("UPDATE kirjakassi_clients SET paused_from = NULL, paused_until = NULL, updated_at = ?"
                          " WHERE patron_id = ?", (stamp(desk.now()), patron.id))
    return kirjakassi_client(desk, card)


def end_client(desk: DeskContext, card: str, ends_on: str | date | None = None) -> Client:
    end = parse_day(ends_on, "ends_on") or desk.today()
    with desk.write():
        patron = desk.find_card(card, for_circulation=False)
        _client_row(desk, patron)
        desk.conn.execute("UPDATE kirjakassi_clients SET ends_on = ?, updated_at = ? WHERE patron_id = ?",
                          (end.isoformat(), stamp(desk.now()), patron.id))
    return kirjakassi_client(desk, card)


def kirjakassi_clients(desk: DeskContext) -> list[Client]:
    rows = desk.conn.execute(
        """
        SELECT k.*, c.card, p.first_name || ' ' || p.last_name AS name
        FROM kirjakassi_clients k JOIN patrons p ON p.id = k.patron_id
        JOIN cards c ON c.patron_id = k.patron_id AND c.status = 'active'
        WHERE k.ends_on IS NULL OR k.ends_on >= ?
        ORDER BY p.last_name, p.first_name
        """,
        (desk.today().isoformat(),),
    ).fetchall()
    return [_client(desk, r, r["card"], r["name"]) for r in rows]


# --- the interview ------------------------------------------------------------------------

ANSWER_KEYS = ("genres", "subjects", "liked_authors", "disliked_authors", "media", "languages", "avoid", "amount",
               "large_print_only", "easy_read", "wishes")


def _clean_answers(answers: dict) -> dict:
    out = {}
    for key in ANSWER_KEYS:
        value = answers.get(key)
        if key in ("large_print_only", "easy_read"):
            out[key] = bool(value)
        elif key == "amount":
            text = str(value or "").strip()
            if text and (not text.isdigit() or not 1 <= int(text) <= 40):
                raise invalid("bag_size")
            out[key] = int(text) if text else None
        elif isinstance(value, (list, tuple)):
            out[key] = [clean_text(str(v), key, max_length=100) for v in value if str(v).strip()]
        else:
            out[key] = clean_text(value, key, required=False, max_length=1000, multiline=key == "wishes") or ""
    return out


def save_interview(desk: DeskContext, card: str, answers: dict, *, complete: bool = False) -> Interview:
    """Save the interview as it stands: a draft to go on with later, or complete —
    then dated and signed by the interviewer. A new interview after a complete one is
    a new version; the earlier ones are kept."""
    cleaned = _clean_answers(answers)
    with desk.write():
        patron = desk.find_card(card, for_circulation=False)
        _client_row(desk, patron)
        conn, now = desk.conn, desk.now()
        draft = conn.execute(
            "SELECT * FROM kirjakassi_interviews WHERE patron_id = ? AND status = 'draft' ORDER BY version DESC",
            (patron.id,),
        ).fetchone()
        signed = (desk.staff, desk.today().isoformat()) if complete else (None, None)
        if draft is not None:
            conn.execute(
                "UPDATE kirjakassi_interviews SET answers = ?, status = ?, interviewer = ?, interviewed_on = ?,"
                " updated_at = ? WHERE id = ?",
                (json.dumps(cleaned, ensure_ascii=False), "complete" if complete else "draft", *signed, stamp(now),
                 draft["id"]),
            )
            interview_id = draft["id"]
        else:
            version = conn.execute(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM kirjakassi_interviews WHERE patron_id = ?", (patron.id,)
            ).fetchone()[0]
            interview_id = conn.execute(
                "INSERT INTO kirjakassi_interviews (patron_id, version, status, answers, interviewer, interviewed_on,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (patron.id, version, "complete" if complete else "draft", json.dumps(cleaned, ensure_ascii=False),
                 *signed, stamp(now)),
            ).lastrowid
        row = conn.execute("SELECT * FROM kirjakassi_interviews WHERE id = ?", (interview_id,)).fetchone()
    return _interview(row)


def _interview(row: sqlite3.Row) -> Interview:
    return Interview(row["id"], row["version"], row["status"], json.loads(row["answers"]), row["interviewer"],
                     _day(row["interviewed_on"]))


def interviews(desk: DeskContext, card: str) -> list[Interview]:
    """Every version, newest first."""
    patron = desk.find_card(card, for_circulation=False)
    return [_interview(r) for r in desk.conn.execute(
        "SELECT * FROM kirjakassi_interviews WHERE patron_id = ? ORDER BY version DESC", (patron.id,))]


def wishes_of(desk: DeskContext, card: str) -> rules.Wishes:
    """The latest complete interview's wishes (a draft is not yet what the client said)."""
    for interview in interviews(desk, card):
        if interview.status == "complete":
            return rules.Wishes.from_answers(interview.answers)
    raise refuse("NOT_FOUND", what="interview")


# --- picking -------------------------------------------------------------------------------

def _candidates(desk: DeskContext, patron_id: int, branch: str, wishes: rules.Wishes) -> list[rules.Candidate]:
    """Copies on this branch's shelves that nobody is waiting for, in the formats and
    languages wished — and, when the client named genres, subjects or authors, only
    titles that match one of them (the rest would never make the list)."""
    formats = sorted({fmt for medium in wishes.media for fmt in rules.MEDIA[medium]})
    where, params = [f"i.format IN ({','.join('?' * len(formats))})"], [branch, *formats]
    if wishes.languages:
        where.append(f"(r.language IS NULL OR r.language IN ({','.join('?' * len(wishes.languages))}))")
        params += list(wishes.languages)
    wanted = list(wishes.genres) + list(wishes.subjects)
    if wanted or wishes.liked_authors:
        alternatives = []
        if wanted:
            alternatives.append("EXISTS (SELECT 1 FROM record_terms t WHERE t.record_id = r.id"
                                f" AND lower(t.term) IN ({','.join('?' * len(wanted))}))")
            params += wanted
        for name in wishes.liked_authors:
            alternatives.append("lower(r.author) LIKE ?")
            params.append(f"%{name}%")
        where.append("(" + " OR ".join(alternatives) + ")")
    params.append(patron_id)
    rows = desk.conn.execute(
        f"""
        SELECT i.id, i.barcode, i.record_id, i.format, r.title, r.author, r.language, r.large_print, r.easy_read,
               r.year, (SELECT group_concat(lower(term), '|') FROM record_terms t WHERE t.record_id = r.id) AS terms
        FROM items i JOIN records r ON r.id = i.record_id
        WHERE i.home_branch = ? AND i.loanable = 1 AND i.transit_to IS NULL AND {' AND '.join(where)}
          AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.item_id = i.id AND l.returned_at IS NULL)
          AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.record_id = i.record_id
                          AND h.status IN ('queued', 'in_transit', 'waiting') AND h.patron_id != ?)
        """,  # noqa: S608 (placeholders only)
        params,
    ).fetchall()
    return [
        rules.Candidate(r["id"], r["barcode"], r["record_id"], r["title"], r["author"], r["format"], r["language"],
                        bool(r["large_print"]), bool(r["easy_read"]), r["year"],
                        frozenset((r["terms"] or "").split("|")) - {""})
        for r in rows
    ]


def kirjakassi_pick_list(desk: DeskContext, card: str) -> list[rules.Pick]:
    """What to put in the client's next bag, best first, with alternates after."""
    patron = desk.find_card(card, for_circulation=False)
    row = _client_row(desk, patron)
    wishes = wishes_of(desk, card)
    received = frozenset(r[0] for r in desk.conn.execute(
        "SELECT record_id FROM kirjakassi_received WHERE patron_id = ?", (patron.id,)))
    in_bag = {r[0] for r in desk.conn.execute(
        "SELECT b.item_id FROM kirjakassi_bag_items b JOIN kirjakassi_deliveries d ON d.id = b.delivery_id"
        " WHERE d.patron_id = ? AND d.status IN ('packing', 'packed')", (patron.id,))}
    on_loan = {r[0] for r in desk.conn.execute(
        "SELECT i.record_id FROM loans l JOIN items i ON i.id = l.item_id"
        " WHERE l.patron_id = ? AND l.returned_at IS NULL", (patron.id,))}
    candidates = [c for c in _candidates(desk, patron.id, row["branch"], wishes)
                  if c.item_id not in in_bag and c.record_id not in on_loan]
    size = rules.bag_size_for(row["bag_size"], wishes) - len(in_bag)
    return rules.pick_list(candidates, wishes, received, max(0, size), desk.today(),
                           desk.policy.kirjakassi_alternates)


# --- packing and delivery ---------------------------------------------------------------------

def _delivery(desk: DeskContext, patron: Patron, row: sqlite3.Row) -> sqlite3.Row:
    """The bag being packed: the one already started, or one for the next delivery day."""
    conn = desk.conn
    current = conn.execute(
        "SELECT * FROM kirjakassi_deliveries WHERE patron_id = ? AND status IN ('packing', 'packed')"
        " ORDER BY due_on LIMIT 1", (patron.id,)).fetchone()
    if current is not None:
        return current
    upcoming = _dates(desk, row, desk.today())
    if not upcoming:
        raise invalid("no_delivery")
    delivery_id = conn.execute(
        "INSERT INTO kirjakassi_deliveries (patron_id, due_on) VALUES (?, ?)"
        " ON CONFLICT (patron_id, due_on) DO UPDATE SET status = 'packing'"
        " RETURNING id", (patron.id, upcoming[0].isoformat())).fetchone()[0]
    return conn.execute("SELECT * FROM kirjakassi_deliveries WHERE id = ?", (delivery_id,)).fetchone()


def pack(desk: DeskContext, card: str, barcode: str, reason: str | None = None) -> Loan:
    """Scan an item into the bag: it is lent to the client until the next delivery
    plus the margin, with no late fees; with consent, it joins their history."""
    from .loans import checkout

    patron = desk.find_card(card, for_circulation=False)
    row = _client_row(desk, patron)
    with desk.write():
        delivery = _delivery(desk, patron, row)
    due_on = date.fromisoformat(delivery["due_on"])
    following = _dates(desk, row, due_on + timedelta(days=1))
    calendar = desk.calendar(row["branch"])
    next_one = following[0] if following else due_on + timedelta(weeks=row["rhythm_weeks"])
    loan = checkout(desk, patron.card, barcode, kind="kirjakassi",
                    due=rules.loan_due(next_one, desk.policy.kirjakassi_loan_margin_days, calendar))
    with desk.write():
        item = desk.conn.execute("SELECT id, record_id FROM items WHERE barcode = ?", (loan.barcode,)).fetchone()
        loan_id = desk.conn.execute("SELECT id FROM loans WHERE item_id = ? AND returned_at IS NULL",
                                    (item["id"],)).fetchone()[0]
        desk.conn.execute(
            "INSERT OR IGNORE INTO kirjakassi_bag_items (delivery_id, item_id, loan_id, reason) VALUES (?, ?, ?, ?)",
            (delivery["id"], item["id"], loan_id, clean_text(reason, "reason", required=False, max_length=300)),
        )
        if row["history_consent"]:
            desk.conn.execute(
                "INSERT OR IGNORE INTO kirjakassi_received (patron_id, record_id, received_on) VALUES (?, ?, ?)",
                (patron.id, item["record_id"], desk.today().isoformat()),
            )
    return loan


def bag(desk: DeskContext, card: str) -> tuple[sqlite3.Row | None, list[sqlite3.Row]]:
    """The bag being packed (or packed) and what is in it."""
    patron = desk.find_card(card, for_circulation=False)
    delivery = desk.conn.execute(
        "SELECT * FROM kirjakassi_deliveries WHERE patron_id = ? AND status IN ('packing', 'packed')"
        " ORDER BY due_on LIMIT 1", (patron.id,)).fetchone()
    if delivery is None:
        return None, []
    items = desk.conn.execute(
        "SELECT i.barcode, r.title, r.author, i.format, l.due_date, b.reason FROM kirjakassi_bag_items b"
        " JOIN items i ON i.id = b.item_id JOIN records r ON r.id = i.record_id"
        " LEFT JOIN loans l ON l.id = b.loan_id WHERE b.delivery_id = ? ORDER BY r.title",
        (delivery["id"],)).fetchall()
    return delivery, items


def packing_slip(desk: DeskContext, card: str, lang: str | None = None) -> str:
    """The slip that goes in the bag: what is in it, when it is due, who brings it."""
    client = kirjakassi_client(desk, card)
    delivery, items = bag(desk, card)
    if delivery is None:
        raise invalid("no_bag")
    from ..i18n import Translator, format_day

    t = Translator(lang)
    width = 46
    lines = [t("ui.kk_slip_title"), "=" * width, client.name, client.delivery_address,
             t("ui.kk_slip_delivery", day=format_day(date.fromisoformat(delivery["due_on"]))),
             t("ui.kk_slip_contact", name=client.contact_name, phone=client.contact_phone or "-"), "-" * width]
    due = None
    for item in items:
        lines.append(f"{item['title'][:width]}")
        if item["author"]:
            lines.append(f"  {item['author'][:width - 2]}")
        due = item["due_date"] or due
    lines.append("-" * width)
    lines.append(t("ui.kk_slip_count", count=len(items)))
    if due:
        lines.append(t("ui.kk_slip_due", day=format_day(date.fromisoformat(due))))
    lines.append(t("ui.kk_slip_free"))
    return "\n".join(lines) + "\n"


def _set_delivery(desk: DeskContext, card: str, allowed: tuple[str, ...], status: str, column: str) -> Delivery:
    patron = desk.find_card(card, for_circulation=False)
    with desk.write():
        row = desk.conn.execute(
            f"SELECT * FROM kirjakassi_deliveries WHERE patron_id = ? AND status IN ({','.join('?' * len(allowed))})"
            " ORDER BY due_on LIMIT 1", (patron.id, *allowed)).fetchone()  # noqa: S608
        if row is None:
            raise invalid("no_bag")
        desk.conn.execute(f"UPDATE kirjakassi_deliveries SET status = ?, {column} = ? WHERE id = ?",  # noqa: S608
                          (status, stamp(desk.now()), row["id"]))
    return _delivery_view(desk, row["id"])


def _delivery_view(desk: DeskContext, delivery_id: int) -> Delivery:
    r = desk.conn.execute(
        """
        SELECT d.*, c.card, p.first_name || ' ' || p.last_name AS name,
               (SELECT COUNT(*) FROM kirjakassi_bag_items b WHERE b.delivery_id = d.id) AS items
        FROM kirjakassi_deliveries d JOIN patrons p ON p.id = d.patron_id
        JOIN cards c ON c.patron_id = d.patron_id AND c.status = 'active'
        WHERE d.id = ?
        """, (delivery_id,)).fetchone()
    return Delivery(r["id"], r["card"], r["name"], date.fromisoformat(r["due_on"]), r["status"], r["items"])


def bag_packed(desk: DeskContext, card: str) -> Delivery:
    return _set_delivery(desk, card, ("packing",), "packed", "packed_at")


def bag_sent(desk: DeskContext, card: str) -> Delivery:
    return _set_delivery(desk, card, ("packing", "packed"), "sent", "sent_at")


def bag_returned(desk: DeskContext, card: str) -> tuple[Delivery, list[str]]:
    """The previous bag came back: everything in it still on loan is checked in."""
    from .loans import return_item

    patron = desk.find_card(card, for_circulation=False)
    row = desk.conn.execute(
        "SELECT * FROM kirjakassi_deliveries WHERE patron_id = ? AND status = 'sent' ORDER BY due_on LIMIT 1",
        (patron.id,)).fetchone()
    if row is None:
        raise invalid("no_bag")
    checked_in = []
    for (barcode,) in desk.conn.execute(
        "SELECT i.barcode FROM kirjakassi_bag_items b JOIN items i ON i.id = b.item_id"
        " JOIN loans l ON l.item_id = i.id AND l.returned_at IS NULL AND l.patron_id = ?"
        " WHERE b.delivery_id = ?", (patron.id, row["id"])).fetchall():
        return_item(desk, barcode)
        checked_in.append(barcode)
    with desk.write():
        desk.conn.execute("UPDATE kirjakassi_deliveries SET status = 'returned', returned_at = ? WHERE id = ?",
                          (stamp(desk.now()), row["id"]))
    return _delivery_view(desk, row["id"]), checked_in


def kirjakassi_deliveries(desk: DeskContext, start: date, end: date) -> list[Delivery]:
    """Bags due between two days: those started (packing, packed, sent, returned) and
    those still only planned by the clients' rhythms."""
    out: dict[tuple[str, date], Delivery] = {}
    for (delivery_id,) in desk.conn.execute(
            "SELECT id FROM kirjakassi_deliveries WHERE due_on BETWEEN ? AND ?", (start.isoformat(), end.isoformat())):
        delivery = _delivery_view(desk, delivery_id)
        out[(delivery.card, delivery.due_on)] = delivery
    for client in kirjakassi_clients(desk):
        row = desk.conn.execute("SELECT * FROM kirjakassi_clients WHERE patron_id = ?",
                                (client.patron_id,)).fetchone()
        for due in _dates(desk, row, max(start, desk.today()), count=6):  # a past plan is no delivery
            if due > end:
                break
            out.setdefault((client.card, due), Delivery(None, client.card, client.name, due, "planned", 0))
    return sorted(out.values(), key=lambda d: (d.due_on, d.name))


class Kirjakassi(Area):
    """The book bag: clients, the interview, picking, packing, deliveries."""

    name = "kirjakassi"
    client = patron_read(kirjakassi_client)
    enrol = call(enrol_client)
    pause = call(pause_client)
    resume = call(resume_client)
    end = call(end_client)
    clients = call(kirjakassi_clients)
    save_interview = call(save_interview)
    interviews = patron_read(interviews)
    wishes_of = patron_read(wishes_of)
    pick_list = patron_read(kirjakassi_pick_list)
    pack = call(pack)
    bag = patron_read(bag)
    packing_slip = patron_read(packing_slip)
    bag_packed = call(bag_packed)
    bag_sent = call(bag_sent)
    bag_returned = call(bag_returned)
    deliveries = call(kirjakassi_deliveries)
