"""Notices (ilmoitukset): the outbox as staff work it — the daily run, the lists (what
waits, what failed and why, the calls to make, what went today), sending again,
switching a channel, marking a call made — the patron's own channel per kind, and
what a branch's notices say of it.

A failure is work, never silence: a failed try is tried again after the policy's
backoff, then it waits for staff on the notices screen (F11) and in
`tiski notices list --status failed`. How notices are made and sent: desk/notice_run.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from ..clock import HELSINKI
from ..core.errors import invalid, refuse
from ..core.notices import (
    KINDS,
    ROUTES,
    STATUSES,
    check_preference,
    check_switch,
    choose_channel,
    due_soon_key,
    hold_key,
    ill_key,
    invoice_key,
    ladder,
    overdue_key,
)
from ..core.text import clean_text
from ..store import holds as hold_store
from ..store import ill as ill_store
from ..store import notice_facts
from ..store import notices as notice_store
from ..store import patrons as patron_store
from ..store.notices import BranchNotices, Notice, NoticeLine
from ..store.patrons import PatronRecord
from .area import Area, call, patron_read
from .context import DeskContext
from .notice_run import Delivery, NoticeRun, deliver, run_notices
from .notice_texts import About, about, contacts, words

__all__ = ["BranchNotices", "Delivery", "NoticeLine", "NoticeRun", "Notices", "Preview"]


@dataclass(frozen=True)
class Preview:
    kind: str
    channel: str
    subject: str
    text: str


def _notice(desk: DeskContext, notice_id: int) -> Notice:
    notice = notice_store.by_id(desk.conn, notice_id)
    if notice is None:
        raise refuse("NOT_FOUND", what="notice")
    return notice


def _patron(desk: DeskContext, patron_id: int) -> PatronRecord:
    patron = patron_store.by_id(desk.conn, patron_id)
    if patron is None:
        raise refuse("PATRON_UNKNOWN")
    return patron


def _line(desk: DeskContext, notice_id: int) -> NoticeLine:
    found = notice_store.line(desk.conn, notice_id)
    if found is None:
        raise refuse("NOT_FOUND", what="notice")
    return found


# --- the lists ---------------------------------------------------------------------------

def work_list(desk: DeskContext) -> list[NoticeLine]:
    """The notices screen: failed (with the reason), the calls to make, the rest
    pending, and what was sent today."""
    midnight = datetime.combine(desk.today(), time(0), tzinfo=HELSINKI)
    return notice_store.work_list(desk.conn, midnight)


def list_notices(desk: DeskContext, status: str | None = None) -> list[NoticeLine]:
    """Notices in one status, newest first; none given: the work list."""
    if status is None:
        return work_list(desk)
    if status not in STATUSES:
        raise invalid("notice_status", value=status)
    return notice_store.by_status(desk.conn, status)


# --- staff's work on one notice -----------------------------------------------------------

def _reopen(desk: DeskContext, notice_id: int, channel: str | None) -> NoticeLine:
    with desk.write():
        notice = _notice(desk, notice_id)
        channel = channel or notice.channel
        check_switch(notice.kind, channel)
        text = words(desk, about(notice), _patron(desk, notice.patron_id), channel, desk.today())
        if text is None:
            notice_store.cancel(desk.conn, notice.id)
            raise refuse("WRONG_STATE", status="notice.moot")
        notice_store.reopen(desk.conn, notice.id, channel, text.subject, text.text)
        return _line(desk, notice.id)


def resend(desk: DeskContext, notice_id: int) -> NoticeLine:
    """Send a notice again (it failed, or it went and never arrived): pending, its tries
    counted afresh, its Message-ID the same. The next run sends it."""
    return _reopen(desk, notice_id, None)


def switch_channel(desk: DeskContext, notice_id: int, channel: str) -> NoticeLine:
    """Send a notice another way (a text message for an e-mail that bounced, a letter,
    the call list); pending again."""
    return _reopen(desk, notice_id, channel)


def mark_called(desk: DeskContext, notice_id: int) -> NoticeLine:
    """Staff told the patron by phone (or at the desk): the notice counts as sent now —
    a hold's pickup week starts from this moment — whatever channel it waited for."""
    with desk.write():
        notice = _notice(desk, notice_id)
        if notice.status not in ("pending", "failed"):
            raise refuse("WRONG_STATE", status=f"notice.{notice.status}")
        text = words(desk, about(notice), _patron(desk, notice.patron_id), "call", desk.today())
        if text is None:
            notice_store.cancel(desk.conn, notice.id)
            raise refuse("WRONG_STATE", status="notice.moot")
        notice_store.reopen(desk.conn, notice.id, "call", text.subject, text.text)
        deliver(desk, notice)
        return _line(desk, notice.id)


# --- what a patron would get ---------------------------------------------------------------

def preview(desk: DeskContext, kind: str, card: str) -> Preview:
    """The notice of `kind` the patron would get now, from their own holds, loans or
    interlibrary loans, in their language, by the channel that reaches them."""
    if kind not in KINDS:
        raise invalid("notice_kind", value=kind)
    patron = desk.find_card(card, for_circulation=False)
    subject = _sample(desk, kind, patron.id)
    chosen = notice_store.preferences(desk.conn, patron.id).get(kind)
    channel = choose_channel(kind, chosen, contacts(patron)) or ROUTES[kind][0]
    text = words(desk, subject, patron, channel, desk.today()) if subject is not None else None
    if text is None:
        raise refuse("NOT_FOUND", what="notice_facts")
    return Preview(kind, channel, text.subject, text.text)


def _sample(desk: DeskContext, kind: str, patron_id: int) -> About | None:
    """What a notice of `kind` to the patron would be about now."""
    conn, today = desk.conn, desk.today()
    if kind == "hold_arrived":
        hold = next((h for h in hold_store.patron_holds(conn, patron_id) if h.status == "waiting"), None)
        return About(kind, hold_key(hold.id, desk.now()), patron_id, hold_id=hold.id,
                     branch=hold.pickup_branch) if hold else None
    if kind == "ill_arrived":
        order = next((o for o in reversed(ill_store.orders(conn, "arrived")) if o.patron_id == patron_id), None)
        return About(kind, ill_key(order.id), patron_id, ill_id=order.id, branch=order.branch) if order else None
    groups = notice_facts.patron_groups(conn, patron_id)
    if kind == "due_soon":
        group = next((g for g in groups if g.due_date >= today), None)
        return About(kind, due_soon_key(patron_id, group.due_date), patron_id, due_date=group.due_date,
                     branch=group.branch) if group else None
    late = next((g for g in groups if g.due_date < today), None)
    if late is None:
        return None
    steps = ladder(desk.policy)
    if kind == "invoice":
        owner = notice_facts.group_loans(conn, patron_id, late.due_date)[0].home_branch
        return About(kind, invoice_key(patron_id, late.due_date, owner), patron_id, steps[-1][0].level,
                     due_date=late.due_date, branch=owner)
    done = len({n.level for n in notice_store.ladder(conn, patron_id, late.due_date)})
    level = min(done + 1, len(steps) - 1)
    return About(kind, overdue_key(patron_id, late.due_date, level), patron_id, level, due_date=late.due_date,
                 branch=late.branch)


# --- the patron's channels, the branch's words ------------------------------------------

def channel_preferences(desk: DeskContext, card: str) -> dict[str, str | None]:
    """The patron's own channel per kind (None: the default order — e-mail, text
    message, letter, the call list; an invoice by letter first)."""
    patron = desk.find_card(card, for_circulation=False)
    chosen = notice_store.preferences(desk.conn, patron.id)
    return {kind: chosen.get(kind) for kind in KINDS}


def set_channel_preference(desk: DeskContext, card: str, kind: str, channel: str | None) -> dict[str, str | None]:
    """The patron chooses how a kind of notice reaches them ("none" declines the
    due-date reminder; "default" or None: back to the default order)."""
    channel = None if channel in (None, "", "default") else channel
    check_preference(kind, channel)
    with desk.write():
        patron = desk.find_card(card, for_circulation=False)
        notice_store.set_preference(desk.conn, patron.id, kind, channel)
    return channel_preferences(desk, card)


def branch_notices(desk: DeskContext, code: str | None = None) -> BranchNotices:
    return notice_store.branch_notices(desk.conn, desk.known_branch(code))


def set_branch_notices(desk: DeskContext, code: str | None, opening_hours: str | None = None,
                       contact: str | None = None) -> BranchNotices:
    """What the branch's notices say of it: its opening hours, its contact line."""
    hours = None if opening_hours is None else clean_text(opening_hours, "opening_hours", required=False) or ""
    line = None if contact is None else clean_text(contact, "branch_contact", required=False) or ""
    with desk.write():
        branch = desk.known_branch(code)
        notice_store.set_branch_notices(desk.conn, branch, hours, line)
        return notice_store.branch_notices(desk.conn, branch)


class Notices(Area):
    """Notices to patrons: the outbox, its runs and its lists."""

    name = "notices"
    run = call(run_notices)
    work_list = call(work_list)
    listing = call(list_notices)
    resend = call(resend)
    switch_channel = call(switch_channel)
    mark_called = call(mark_called)
    preview = patron_read(preview)
    channels = patron_read(channel_preferences)
    set_channel = call(set_channel_preference)
    branch = call(branch_notices)
    set_branch = call(set_branch_notices)
