"""What a notice says, and whether it is still owed: its facts from the register, its
words from the template of the patron's language (data/notices/LANG.toml)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from ..core.holds import pickup_by
from ..core.notices import Contacts, ItemLine, NoticeFacts, Rendered, Template, parse_templates, render
from ..core.notices import invoice_fee_cents, reminder_fee_cents, replacement_cents
from ..core.patrons import category
from ..resources import data_file
from ..store import holds as hold_store
from ..store import ill as ill_store
from ..store import items as item_store
from ..store import notice_facts
from ..store import notices as notice_store
from ..store.notices import Notice
from ..store.patrons import PatronRecord
from .context import DeskContext


@dataclass(frozen=True)
class About:
    """What a notice is about: enough to find its facts again at any time."""

    kind: str
    key: str
    patron_id: int
    level: int = 0
    hold_id: int | None = None
    ill_id: int | None = None
    due_date: date | None = None
    branch: str | None = None
    notice_id: int | None = None  # once it is in the outbox


def about(notice: Notice) -> About:
    return About(notice.kind, notice.key, notice.patron_id, notice.level, notice.hold_id, notice.ill_id,
                 notice.due_date, notice.branch, notice.id)


@lru_cache(maxsize=None)
def templates(lang: str) -> dict[str, Template]:
    return parse_templates(data_file("notices", f"{lang}.toml").read_text(encoding="utf-8"))


def contacts(patron: PatronRecord) -> Contacts:
    return Contacts(patron.email, patron.phone, patron.address)


def patron_category(desk: DeskContext, patron: PatronRecord) -> str:
    return category(patron.is_organisation, patron.birth_date, desk.today(), desk.policy)


def facts(desk: DeskContext, subject: About, patron: PatronRecord, day: date) -> NoticeFacts | None:
    """The notice's facts as they are on `day` (the day it is sent); None when it is
    owed no more: the hold was collected, the loans came back."""
    conn = desk.conn
    if subject.kind == "hold_arrived":
        hold = hold_store.by_id(conn, subject.hold_id or 0)
        copy = item_store.by_id(conn, hold.item_id) if hold is not None and hold.item_id is not None else None
        if hold is None or copy is None or hold.status != "waiting":
            return None
        if subject.notice_id is not None and notice_store.newest_for_hold(conn, hold.id) != subject.notice_id:
            return None  # trapped again since: the newer notice speaks for it
        return _facts(desk, hold.pickup_branch, kind=subject.kind, title=copy.title,
                           pickup_code=hold.pickup_code or "",
                           pickup_by=pickup_by(day, desk.policy, desk.calendar(hold.pickup_branch)))
    if subject.kind == "ill_arrived":
        order = ill_store.by_id(conn, subject.ill_id or 0)
        if order is None or order.status != "arrived":
            return None
        return _facts(desk, order.branch or desk.branch, kind=subject.kind, title=order.title,
                           from_library=order.from_library, price_cents=order.price_cents)
    due = subject.due_date
    if due is None:
        return None
    owner = subject.branch if subject.kind == "invoice" else None
    loans = notice_facts.group_loans(conn, subject.patron_id, due, owner)
    if not loans or (subject.kind == "due_soon" and day > due):
        return None
    branch = subject.branch or desk.branch
    if subject.kind == "due_soon":
        items = tuple(ItemLine(loan.title, loan.barcode, due) for loan in loans)
        return _facts(desk, branch, kind=subject.kind, due=due, items=items)
    kind_of_patron = patron_category(desk, patron)
    if subject.kind == "overdue":
        items = tuple(ItemLine(loan.title, loan.barcode, due) for loan in loans)
        return _facts(desk, branch, kind=subject.kind, level=subject.level, due=due, items=items,
                           fee_cents=reminder_fee_cents(subject.level, kind_of_patron, desk.policy))
    items = tuple(ItemLine(loan.title, loan.barcode, due, replacement_cents(loan.price_cents, loan.format, desk.policy))
                  for loan in loans)
    return _facts(desk, branch, kind=subject.kind, level=subject.level, due=due, items=items,
                       fee_cents=invoice_fee_cents(kind_of_patron, desk.policy),
                       pay_by=day + timedelta(days=desk.policy.notice_invoice_pay_days))


def _facts(desk: DeskContext, branch: str, **known: Any) -> NoticeFacts:
    """The facts, with the library's name, opening hours and contact line."""
    words = notice_store.branch_notices(desk.conn, branch)
    return NoticeFacts(library=words.name, hours=words.opening_hours, contact=words.contact, **known)


def words(desk: DeskContext, subject: About, patron: PatronRecord, channel: str, day: date) -> Rendered | None:
    """The notice's text for its channel in the patron's language; None when not owed."""
    found = facts(desk, subject, patron, day)
    if found is None:
        return None
    return render(templates(patron.language)[subject.kind], found, channel, patron.language)
