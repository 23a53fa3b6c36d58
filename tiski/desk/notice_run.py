"""Notices into the outbox, and out of it.

A notice is produced in the transaction of the event that causes it (the return that
puts a copy on the hold shelf, the interlibrary loan's arrival) or by the daily run
(`tiski notices run`, cron), which catches up whatever is owed and not yet in the
outbox — a day cron missed included. Its key makes it unique: never produced twice.

Sending happens outside any desk transaction: a short transaction claims a notice
(its text as it goes now, the try counted and marked under way), the channel
delivers, a short transaction marks it sent (and charges its fees, and starts a hold's
pickup week). One sender at a time (store.notices.sender_lock): a run killed between
the SMTP server's acceptance and the marking leaves the try under way, and the next
run sends it again with the same Message-ID — one message twice, never one lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from ..core.holds import pickup_by
from ..core.notices import (
    address_lines,
    choose_channel,
    due_soon_key,
    due_soon_owed,
    hold_key,
    ill_key,
    invoice_key,
    mail_address,
    message_id,
    next_step,
    overdue_key,
    retry_at,
    sms_number,
)
from ..notify import Carrier, DeliveryFailed, Email, Letter, TextMessage
from ..settings import Settings
from ..store import holds as hold_store
from ..store import notice_facts
from ..store import notices as notice_store
from ..store import patrons as patron_store
from ..store.files import sharing
from ..store.holds import HoldRecord
from ..store.notices import Notice
from ..store.patrons import PatronRecord
from .context import DeskContext
from .notice_fees import charge_for
from .notice_texts import About, about, contacts, words


@dataclass(frozen=True)
class Delivery:
    """One notice in a run's report."""

    id: int
    kind: str
    channel: str
    card: str | None
    error: str | None = None
    retry_at: datetime | None = None  # None with an error: failed, now staff's


@dataclass(frozen=True)
class NoticeRun:
    produced: int
    cancelled: int  # owed no more: the loans came back, the hold was collected
    sent: tuple[Delivery, ...]
    failed: tuple[Delivery, ...]
    to_call: int  # on the staff's call list
    letters: Path | None  # this run's PDF
    busy: bool = False  # another run was sending: this one only produced
    dry_run: bool = False
    would_send: tuple[Delivery, ...] = ()


# --- into the outbox ---------------------------------------------------------------------

def produce(desk: DeskContext, subject: About) -> int | None:
    """Inside the caller's transaction: the notice into the outbox, by the channel that
    reaches the patron, in their language. None: in the outbox already, or not owed."""
    conn = desk.conn
    patron = patron_store.by_id(conn, subject.patron_id)
    if patron is None or notice_store.exists(conn, subject.key):
        return None
    preferred = notice_store.preferences(conn, patron.id).get(subject.kind)
    channel = choose_channel(subject.kind, preferred, contacts(patron))
    text = words(desk, subject, patron, channel, desk.today()) if channel is not None else None
    if channel is None or text is None:
        return None
    return notice_store.insert(conn, key=subject.key, patron_id=patron.id, kind=subject.kind, channel=channel,
                               subject=text.subject, body=text.text, now=desk.now(), level=subject.level,
                               hold_id=subject.hold_id, ill_id=subject.ill_id, due_date=subject.due_date,
                               branch=subject.branch)


def notify_hold_arrived(desk: DeskContext, hold: HoldRecord) -> None:
    """The copy is on the hold shelf (inside the return's transaction)."""
    produce(desk, About("hold_arrived", hold_key(hold.id, desk.now()), hold.patron_id, hold_id=hold.id,
                        branch=hold.pickup_branch))


def notify_ill_arrived(desk: DeskContext, ill_id: int, patron_id: int, branch: str | None) -> None:
    produce(desk, About("ill_arrived", ill_key(ill_id), patron_id, ill_id=ill_id, branch=branch))


def produce_owed(desk: DeskContext) -> int:
    """What is owed today and not yet in the outbox: due-date reminders, then each group
    of late loans' next step (a reminder, or the invoice from each owning library)."""
    conn, today, policy = desk.conn, desk.today(), desk.policy
    produced = 0
    soon = today + timedelta(days=policy.notice_due_soon_days)
    for group in notice_facts.due_groups(conn, today, soon):
        if due_soon_owed(group.due_date, today, policy):
            produced += produce(desk, About("due_soon", due_soon_key(group.patron_id, group.due_date), group.patron_id,
                                            due_date=group.due_date, branch=group.branch)) is not None
    last_late_due = today - timedelta(days=policy.notice_reminder_days[0])
    for group in notice_facts.due_groups(conn, date.min, last_late_due):
        steps = notice_store.ladder(conn, group.patron_id, group.due_date)
        # The highest level reached, not how many levels are in the outbox: an earlier
        # reminder gone (retention, in a register from before it kept them) must neither
        # stop the ladder there nor send (and charge) a step again.
        reached = max((step.level for step in steps), default=0)
        top = [step for step in steps if step.level == reached]
        waiting = any(step.status in ("pending", "failed") for step in top)
        last = None if waiting or not top else max((step.sent_at or step.created_at).date() for step in top)
        step = next_step(group.due_date, today, policy, done=reached, last_sent=last)
        if step is None:
            continue
        if not step.is_invoice:
            key = overdue_key(group.patron_id, group.due_date, step.level)
            produced += produce(desk, About("overdue", key, group.patron_id, step.level, due_date=group.due_date,
                                            branch=group.branch)) is not None
            continue
        loans = notice_facts.group_loans(conn, group.patron_id, group.due_date)
        for owner in sorted({loan.home_branch for loan in loans}):
            key = invoice_key(group.patron_id, group.due_date, owner)
            produced += produce(desk, About("invoice", key, group.patron_id, step.level, due_date=group.due_date,
                                            branch=owner)) is not None
    return produced


def cancel_moot(desk: DeskContext) -> int:
    """Pending and failed notices owed no more leave the staff's lists (cancelled)."""
    cancelled = 0
    for notice in notice_store.open_notices(desk.conn):
        patron = patron_store.by_id(desk.conn, notice.patron_id)
        if patron is None or words(desk, about(notice), patron, notice.channel, desk.today()) is None:
            notice_store.cancel(desk.conn, notice.id)
            cancelled += 1
    return cancelled


# --- out of it ---------------------------------------------------------------------------

def deliver(desk: DeskContext, notice: Notice) -> None:
    """Inside a transaction: the notice went (or the patron was told by phone). Its fees
    are charged, and a hold's pickup week starts now (seed 004: "7 päivän kuluessa
    saapumisilmoituksen lähettämisestä") — never earlier than a date already given."""
    notice_store.mark_sent(desk.conn, notice.id, desk.now())
    charge_for(desk, notice)
    if notice.kind == "hold_arrived" and notice.hold_id is not None:
        hold = hold_store.by_id(desk.conn, notice.hold_id)
        if hold is not None and hold.status == "waiting":
            week = pickup_by(desk.today(), desk.policy, desk.calendar(hold.pickup_branch))
            if hold.pickup_by is None or week > hold.pickup_by:
                hold_store.set_pickup_by(desk.conn, hold.id, week)


Outgoing = Email | TextMessage | Letter


def _outgoing(desk: DeskContext, notice: Notice, patron: PatronRecord, subject: str, body: str,
              settings: Settings) -> Outgoing | str:
    """The message for the channel, or why it cannot go (no address of that kind)."""
    now = desk.now()
    if notice.channel == "email":
        if not patron.email:
            return "no_email"
        address = mail_address(patron.email)
        if address is None:
            return "bad_email"
        from ..notify.mail import mail_domain  # e-mail and its modules: only when a notice is sent

        same = message_id(notice.key, mail_domain(settings.mail_from))
        return Email(address, subject, body, same, patron.language, now)
    if notice.channel == "sms":
        number = sms_number(patron.phone)
        return TextMessage(number, body) if number else "no_phone"
    if not patron.address:
        return "no_address"
    library = notice_store.branch_notices(desk.conn, notice.branch or desk.branch)
    return Letter(tuple(address_lines(patron.name, patron.address)),
                  tuple(line for line in (library.name, library.contact) if line), subject, body, now.date(),
                  patron.language)


def _claim(desk: DeskContext, notice_id: int, settings: Settings) -> tuple[Notice, Outgoing] | None:
    """One short transaction: still pending and owed? Then its text as it goes now, the
    try counted and marked under way. None: nothing to send (cancelled, or failed for
    want of an address)."""
    with desk.write():
        conn = desk.conn
        notice = notice_store.by_id(conn, notice_id)
        if notice is None or notice.status != "pending":
            return None
        patron = patron_store.by_id(conn, notice.patron_id)
        text = words(desk, about(notice), patron, notice.channel, desk.today()) if patron is not None else None
        if patron is None or text is None:
            notice_store.cancel(conn, notice.id)
            return None
        outgoing = _outgoing(desk, notice, patron, text.subject, text.text, settings)
        if isinstance(outgoing, str):
            notice_store.retext(conn, notice.id, text.subject, text.text)
            notice_store.mark_failed(conn, notice.id, outgoing, None)
            return None
        notice_store.claim(conn, notice.id, text.subject, text.text, desk.now())
        return notice, outgoing


def _failed(desk: DeskContext, notice: Notice, failure: DeliveryFailed) -> Delivery:
    again = None if failure.permanent else retry_at(notice.tries + 1, desk.now(), desk.policy)
    with desk.write():
        notice_store.mark_failed(desk.conn, notice.id, failure.reason, again)
    return _line(desk, notice, failure.reason, again)


def _line(desk: DeskContext, notice: Notice, error: str | None = None, again: datetime | None = None) -> Delivery:
    return Delivery(notice.id, notice.kind, notice.channel, patron_store.active_card(desk.conn, notice.patron_id),
                    error, again)


class _Rehearsal(Exception):
    """A dry run ends by undoing what it produced."""

    def __init__(self, run: NoticeRun):
        super().__init__("dry run")
        self.run = run


def run_notices(desk: DeskContext, settings: Settings | None = None, dry_run: bool = False,
                carrier: Carrier | None = None) -> NoticeRun:
    """The daily run: produce, cancel the moot, send what is pending and due (a failed
    try waits its backoff, then is staff's). The desk's settings (read by the shell that
    starts) say where: the SMTP server, the SMS command, the letters' folder; `carrier`
    delivers another way (the demo). `dry_run`: what would be produced and sent, with
    nothing written or sent."""
    if desk.conn.in_transaction:
        raise RuntimeError("notices are sent outside any desk transaction")
    try:
        with desk.write():
            produced, cancelled = produce_owed(desk), cancel_moot(desk)
            if dry_run:
                due = notice_store.to_send(desk.conn, desk.now())
                raise _Rehearsal(NoticeRun(produced, cancelled, (), (), _calls(desk), None, dry_run=True,
                                           would_send=tuple(_line(desk, notice) for notice in due)))
    except _Rehearsal as rehearsal:
        return rehearsal.run
    with notice_store.sender_lock(desk.conn) as alone:
        if not alone:
            return NoticeRun(produced, cancelled, (), (), _calls(desk), None, busy=True)
        settings = settings or Settings()
        from ..notify.postman import Postman

        carrier = carrier or Postman(settings, notice_store.letters_folder(desk.conn), sharing(desk.conn).file_mode)
        sent, failed, letters = _send_pending(desk, settings, carrier)
    return NoticeRun(produced, cancelled, tuple(sent), tuple(failed), _calls(desk), letters)


def _send_pending(desk: DeskContext, settings: Settings,
                  postman: Carrier) -> tuple[list[Delivery], list[Delivery], Path | None]:
    sent: list[Delivery] = []
    failed: list[Delivery] = []
    letters: list[tuple[Notice, Letter]] = []
    try:
        for pending in notice_store.to_send(desk.conn, desk.now()):
            claimed = _claim(desk, pending.id, settings)
            if claimed is None:
                failed.extend(_line(desk, n, n.last_error) for n in _now_failed(desk, pending.id))
                continue
            notice, outgoing = claimed
            if isinstance(outgoing, Letter):
                letters.append((notice, outgoing))
                continue
            try:
                postman.send(outgoing)
            except DeliveryFailed as failure:
                failed.append(_failed(desk, notice, failure))
                continue
            with desk.write():
                deliver(desk, notice)
            sent.append(_line(desk, notice))
        path = None
        if letters:
            try:
                path = postman.post([letter for _, letter in letters], desk.now())
            except DeliveryFailed as failure:
                failed.extend(_failed(desk, notice, failure) for notice, _ in letters)
            else:
                with desk.write():
                    for notice, _ in letters:
                        deliver(desk, notice)
                sent.extend(_line(desk, notice) for notice, _ in letters)
    finally:
        postman.close()
    return sent, failed, path


def _now_failed(desk: DeskContext, notice_id: int) -> list[Notice]:
    """The notice, if its claim just failed it (no address for its channel)."""
    notice = notice_store.by_id(desk.conn, notice_id)
    return [notice] if notice is not None and notice.status == "failed" else []


def _calls(desk: DeskContext) -> int:
    return sum(1 for notice in notice_store.open_notices(desk.conn)
               if notice.channel == "call" and notice.status == "pending")
