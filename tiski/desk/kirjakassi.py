"""The book bag at the desk: enrolment, the interview, picking, packing and delivery."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache
from typing import Any

from ..core import kirjakassi as rules
from ..core.calendar import WEEKDAYS, BranchCalendar
from ..core.errors import invalid, refuse
from ..core.patrons import without_hetu
from ..core.text import clean_phone, clean_text, parse_day
from ..store import kirjakassi as store
from ..store.kirjakassi import BagItem, BagRecord, ClientRecord, Delivery, Interview
from ..store.patrons import Patron
from .area import Area, call, patron_read
from .context import DeskContext
from .loans import Loan, checkout, return_item

__all__ = ["BagItem", "Client", "Delivery", "Interview", "InterviewForm", "Kirjakassi"]


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
class InterviewForm:
    """What the interview screen opens with: the client, every earlier version, and
    the catalogue's most used genres and subjects as hints."""

    client: Client
    versions: tuple[Interview, ...]
    genre_hints: tuple[str, ...]
    subject_hints: tuple[str, ...]


def _patron(desk: DeskContext, card: str) -> Patron:
    return desk.find_card(card, for_circulation=False)


def _record(desk: DeskContext, patron: Patron) -> ClientRecord:
    record = store.client(desk.conn, patron.id)
    if record is None:
        raise refuse("NOT_FOUND", what="kirjakassi_client")
    return record


def _dates(desk: DeskContext, record: ClientRecord, after: date, count: int = 1,
           calendar_of: Callable[[str], BranchCalendar] | None = None) -> list[date]:
    """The client's next delivery days. `calendar_of`: a branch's calendar, cached by a
    caller going through a whole list of clients (each read is a few queries)."""
    calendar = (calendar_of or desk.calendar)(record.branch)
    return rules.delivery_dates(record.starts_on, record.rhythm_weeks, record.weekday, calendar,
                                after, count, (record.paused_from, record.paused_until), record.ends_on)


def _client(desk: DeskContext, record: ClientRecord, card: str, name: str,
            calendar_of: Callable[[str], BranchCalendar] | None = None) -> Client:
    upcoming = _dates(desk, record, desk.today(), calendar_of=calendar_of)
    return Client(
        patron_id=record.patron_id, card=card, name=name, branch=record.branch, eligibility=record.eligibility,
        delivery_address=record.delivery_address, contact_name=record.contact_name,
        contact_phone=record.contact_phone, contact_relation=record.contact_relation,
        rhythm_weeks=record.rhythm_weeks, weekday=record.weekday, bag_size=record.bag_size,
        history_consent=record.history_consent, consent_date=record.consent_date, starts_on=record.starts_on,
        paused_from=record.paused_from, paused_until=record.paused_until, ends_on=record.ends_on,
        next_delivery=upcoming[0] if upcoming else None,
    )


def kirjakassi_client(desk: DeskContext, card: str) -> Client:
    patron = _patron(desk, card)
    return _client(desk, _record(desk, patron), patron.card, patron.name)


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
    rules.check_rhythm(int(rhythm_weeks), int(bag_size))
    address = without_hetu(clean_text(delivery_address, "address", max_length=300), "address") or ""
    contact = without_hetu(clean_text(contact_name, "contact", max_length=100), "contact") or ""
    phone = without_hetu(clean_phone(contact_phone), "phone")
    relation = without_hetu(clean_text(contact_relation, "relation", required=False, max_length=60), "relation")
    starts = parse_day(starts_on, "starts_on", desk.today()) or desk.today()
    with desk.write():
        patron = _patron(desk, card)
        existing = store.client(desk.conn, patron.id)
        consent_date = None
        if history_consent:
            kept = existing.consent_date if existing and existing.history_consent else None
            consent_date = kept or desk.today()
        store.save_client(desk.conn, ClientRecord(
            patron_id=patron.id, branch=desk.branch, eligibility=eligibility, delivery_address=address,
            contact_name=contact, contact_phone=phone, contact_relation=relation, rhythm_weeks=int(rhythm_weeks),
            weekday=WEEKDAYS.index(weekday.lower()), bag_size=int(bag_size), history_consent=history_consent,
            consent_date=consent_date, starts_on=starts, paused_from=existing.paused_from if existing else None,
            paused_until=existing.paused_until if existing else None, ends_on=existing.ends_on if existing else None,
        ), desk.now())
        if not history_consent:
            store.forget_received(desk.conn, patron.id)  # consent withdrawn (or never given): no history
        return kirjakassi_client(desk, card)


def _change_client(desk: DeskContext, card: str, **changes: Any) -> Client:
    with desk.write():
        patron = _patron(desk, card)
        store.save_client(desk.conn, replace(_record(desk, patron), **changes), desk.now())
        return kirjakassi_client(desk, card)


def pause_client(desk: DeskContext, card: str, paused_from: str | date,
                 paused_until: str | date | None = None) -> Client:
    start = parse_day(paused_from, "paused_from", desk.today())
    until = parse_day(paused_until, "paused_until", desk.today())
    if start is None or (until is not None and until < start):
        raise invalid("date_order")
    return _change_client(desk, card, paused_from=start, paused_until=until)


def resume_client(desk: DeskContext, card: str) -> Client:
    return _change_client(desk, card, paused_from=None, paused_until=None)


def end_client(desk: DeskContext, card: str, ends_on: str | date | None = None) -> Client:
    return _change_client(desk, card, ends_on=parse_day(ends_on, "ends_on", desk.today()) or desk.today())


def kirjakassi_clients(desk: DeskContext) -> list[Client]:
    calendar_of = cache(desk.calendar)
    return [_client(desk, c.record, c.card, c.name, calendar_of) for c in store.clients(desk.conn, desk.today())]


# --- the interview ------------------------------------------------------------------------

ANSWER_KEYS = ("genres", "subjects", "liked_authors", "disliked_authors", "media", "languages", "avoid", "amount",
               "large_print_only", "easy_read", "wishes")


def _clean_answers(answers: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ANSWER_KEYS:
        value = answers.get(key)
        if key in ("large_print_only", "easy_read"):
            out[key] = bool(value)
        elif key == "amount":
            text = str(value or "").strip()
            if text and (not text.isdigit() or int(text) not in rules.BAG_SIZE):
                raise invalid("bag_size")
            out[key] = int(text) if text else None
        elif isinstance(value, (list, tuple)):
            out[key] = [without_hetu(clean_text(str(v), key, max_length=100), key) for v in value if str(v).strip()]
        else:
            out[key] = without_hetu(clean_text(value, key, required=False, max_length=1000, multiline=key == "wishes"),
                                    key) or ""
    return out


def save_interview(desk: DeskContext, card: str, answers: dict[str, Any], *, complete: bool = False) -> Interview:
    """Save the interview as it stands: a draft to go on with later, or complete —
    then dated and signed by the interviewer. A new interview after a complete one is
    a new version; the earlier ones are kept."""
    cleaned = _clean_answers(answers)
    with desk.write():
        patron = _patron(desk, card)
        _record(desk, patron)
        return store.save_interview(desk.conn, patron.id, cleaned, complete=complete,
                                    interviewer=desk.staff if complete else None,
                                    on=desk.today() if complete else None, at=desk.now())


def interviews(desk: DeskContext, card: str) -> list[Interview]:
    """Every version, newest first."""
    return store.interviews(desk.conn, _patron(desk, card).id)


def interview_form(desk: DeskContext, card: str) -> InterviewForm:
    patron = _patron(desk, card)
    return InterviewForm(
        client=_client(desk, _record(desk, patron), patron.card, patron.name),
        versions=tuple(store.interviews(desk.conn, patron.id)),
        genre_hints=tuple(store.popular_terms(desk.conn, "genre")),
        subject_hints=tuple(store.popular_terms(desk.conn, "subject")),
    )


def _wishes(desk: DeskContext, patron: Patron) -> rules.Wishes:
    for interview in store.interviews(desk.conn, patron.id):
        if interview.status == "complete":
            return rules.Wishes.from_answers(interview.answers)
    raise refuse("NOT_FOUND", what="interview")


def wishes_of(desk: DeskContext, card: str) -> rules.Wishes:
    """The latest complete interview's wishes (a draft is not yet what the client said)."""
    return _wishes(desk, _patron(desk, card))


# --- picking -------------------------------------------------------------------------------

def kirjakassi_pick_list(desk: DeskContext, card: str) -> list[rules.Pick]:
    """What to put in the client's next bag, best first, with alternates after."""
    patron = _patron(desk, card)
    record = _record(desk, patron)
    wishes = _wishes(desk, patron)
    in_bag = store.items_in_open_bags(desk.conn, patron.id)
    on_loan = store.records_on_loan(desk.conn, patron.id)
    candidates = [c for c in store.shelf(desk.conn, record.branch, patron.id, rules.shelf_query(wishes))
                  if c.item_id not in in_bag and c.record_id not in on_loan]
    size = rules.bag_size_for(record.bag_size, wishes) - len(in_bag)
    return rules.pick_list(candidates, wishes, store.received(desk.conn, patron.id), max(0, size), desk.today(),
                           desk.policy.kirjakassi_alternates)


# --- packing and delivery ---------------------------------------------------------------------

def _bag_for_packing(desk: DeskContext, patron: Patron, record: ClientRecord) -> BagRecord:
    """The bag being packed: the one already started, or a new one for the next
    delivery day whose bag has not yet left."""
    bags = [b for b in store.bags_not_back(desk.conn, patron.id) if "pack" in rules.DELIVERY_MOVES[b.status]]
    if bags:
        return bags[0]
    today = desk.today()
    day = rules.packing_day(_dates(desk, record, today, count=3), store.started_bags(desk.conn, patron.id, today))
    if day is None:
        raise invalid("no_delivery")
    return store.start_bag(desk.conn, patron.id, day, rules.delivery_moves_to("planned", "pack"))


def pack(desk: DeskContext, card: str, barcode: str, reason: str | None = None) -> Loan:
    """Scan an item into the bag: it is lent to the client until the next delivery
    plus the margin, with no late fees; with consent, it joins their history."""
    reason = without_hetu(clean_text(reason, "reason", required=False, max_length=300), "reason")
    with desk.write():
        patron = _patron(desk, card)
        record = _record(desk, patron)
        bag = _bag_for_packing(desk, patron, record)
        following = _dates(desk, record, bag.due_on + timedelta(days=1))
        next_one = following[0] if following else bag.due_on + timedelta(weeks=record.rhythm_weeks)
        due = rules.loan_due(next_one, desk.policy.kirjakassi_loan_margin_days, desk.calendar(record.branch))
        loan = checkout(desk, patron.card, barcode, kind="kirjakassi", due=due)
        copy = store.lent_copy(desk.conn, loan.barcode)
        if copy is None:  # checkout has lent it, or refused: never reached
            raise refuse("ITEM_UNKNOWN")
        store.add_to_bag(desk.conn, bag.id, copy, reason)
        if record.history_consent:
            store.remember_received(desk.conn, patron.id, copy.record_id, desk.today())
        return loan


def bag(desk: DeskContext, card: str) -> tuple[Delivery | None, list[BagItem]]:
    """The bag being packed (or packed) and what is in it."""
    patron = _patron(desk, card)
    current = next((b for b in store.bags_not_back(desk.conn, patron.id) if b.status in ("packing", "packed")), None)
    if current is None:
        return None, []
    return store.delivery(desk.conn, current.id), store.bag_items(desk.conn, current.id)


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
             t("ui.kk_slip_delivery", day=format_day(delivery.due_on)),
             t("ui.kk_slip_contact", name=client.contact_name, phone=client.contact_phone or "-"), "-" * width]
    due = None
    for item in items:
        lines.append(item.title[:width])
        if item.author:
            lines.append(f"  {item.author[:width - 2]}")
        due = item.due or due
    lines.append("-" * width)
    lines.append(t("ui.kk_slip_count", count=len(items)))
    if due:
        lines.append(t("ui.kk_slip_due", day=format_day(due)))
    lines.append(t("ui.kk_slip_free"))
    return "\n".join(lines) + "\n"


def _move_bag(desk: DeskContext, patron: Patron, move: str) -> BagRecord:
    """Inside a write: the earliest bag `move` applies to takes it (the core says which,
    and refuses an illegal move)."""
    bags = store.bags_not_back(desk.conn, patron.id)
    chosen = bags[rules.bag_to_move(move, [b.status for b in bags])]
    store.set_bag_status(desk.conn, chosen.id, rules.delivery_moves_to(chosen.status, move), desk.now())
    return chosen


def bag_packed(desk: DeskContext, card: str) -> Delivery:
    with desk.write():
        return store.delivery(desk.conn, _move_bag(desk, _patron(desk, card), "packed").id)


def bag_sent(desk: DeskContext, card: str) -> Delivery:
    with desk.write():
        return store.delivery(desk.conn, _move_bag(desk, _patron(desk, card), "send").id)


def bag_returned(desk: DeskContext, card: str) -> tuple[Delivery, list[str]]:
    """The previous bag came back: everything in it still on loan is checked in — all of
    it and the bag's return, or nothing."""
    with desk.write():
        patron = _patron(desk, card)
        chosen = _move_bag(desk, patron, "return")
        checked_in = store.still_lent_from_bag(desk.conn, chosen.id, patron.id)
        for barcode in checked_in:
            return_item(desk, barcode)
        return store.delivery(desk.conn, chosen.id), checked_in


def kirjakassi_deliveries(desk: DeskContext, start: date, end: date) -> list[Delivery]:
    """Bags due between two days: those started (packing, packed, sent, returned) and
    those still only planned by the clients' rhythms."""
    out = {(d.card, d.due_on): d for d in store.deliveries_between(desk.conn, start, end)}
    calendar_of = cache(desk.calendar)
    for client in store.clients(desk.conn, desk.today()):
        # a past plan is no delivery
        for due in _dates(desk, client.record, max(start, desk.today()), count=6, calendar_of=calendar_of):
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
    interview_form = patron_read(interview_form)
    wishes_of = patron_read(wishes_of)
    pick_list = patron_read(kirjakassi_pick_list)
    pack = call(pack)
    bag = patron_read(bag)
    packing_slip = patron_read(packing_slip)
    bag_packed = call(bag_packed)
    bag_sent = call(bag_sent)
    bag_returned = call(bag_returned)
    deliveries = call(kirjakassi_deliveries)
