"""What a notice costs, charged when it is sent (seed 004: "palautuskehotuksista ja
laskutuksesta aiheutuneet kulut" — a reminder never sent caused no cost), through the
ledger's own functions. An invoice charges each loan's replacement price and marks it
billed; a billed item returned later has its replacement credited (a paid one refunded),
the fees stay."""

from __future__ import annotations

from ..core.notices import invoice_fee_cents, reminder_fee_cents, replacement_cents
from ..store import fees as fee_store
from ..store import notice_facts
from ..store import notices as notice_store
from ..store import patrons as patron_store
from ..store.notices import Notice
from .context import DeskContext
from .item_life import Found, give_back, loss_charge
from .notice_texts import patron_category


def charge_for(desk: DeskContext, notice: Notice) -> None:
    """Inside the transaction that marks `notice` sent: its fees, once."""
    conn, now = desk.conn, desk.now()
    patron = patron_store.by_id(conn, notice.patron_id)
    if notice.charged or notice.due_date is None or patron is None or notice.kind not in ("overdue", "invoice"):
        return
    kind_of_patron = patron_category(desk, patron)
    owner = notice.branch if notice.kind == "invoice" else None
    loans = notice_facts.group_loans(conn, notice.patron_id, notice.due_date, owner)

    def charge(cents: int, charge_type: str, loan_id: int | None, item_id: int | None) -> None:
        if cents:
            fee_store.add_entry(conn, notice.patron_id, "charge", cents, now, charge_type=charge_type,
                                loan_id=loan_id, item_id=item_id, branch=notice.branch, staff=desk.staff)

    if notice.kind == "overdue":
        first = loans[0] if loans else None
        charge(reminder_fee_cents(notice.level, kind_of_patron, desk.policy), "reminder",
               first.loan_id if first else None, first.item_id if first else None)
    elif loans:  # an invoice whose loans all came back while it went out bills nothing
        for loan in loans:
            charge(replacement_cents(loan.price_cents, loan.format, desk.policy), "replacement", loan.loan_id, loan.item_id)
            notice_facts.mark_billed(conn, loan.loan_id, now)
        charge(invoice_fee_cents(kind_of_patron, desk.policy), "invoice", None, None)
    notice_store.mark_charged(conn, notice.id)


def credit_replacement(desk: DeskContext, loan_id: int) -> Found:
    """A billed item came back (inside the return's transaction): its replacement price
    is credited, paid or not — what was open is settled, what was paid is a refund owed
    to the patron, the way a lost copy that turns up is given back (item_life.give_back,
    the policy's [lost] rule); the late, reminder and invoicing fees stay."""
    replacement = notice_facts.billed_replacement(desk.conn, loan_id)
    if replacement is None:
        return Found(0, 0, None)
    charge = loss_charge(desk, replacement.charge_id, "replacement", replacement.amount_cents, replacement.open_cents)
    return give_back(desk, replacement.patron_id, loan_id, replacement.item_id, [charge],
                     reason="billed item returned")
