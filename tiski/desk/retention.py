"""Privacy by default: what is not needed is not kept.

Run daily (`tiski retention run`, e.g. from cron at night):
- a returned loan loses its patron at once (see loans); any left over lose it here;
- closed holds, sent (or cancelled) notices and closed interlibrary loans go after the
  policy's days (a row a fee still refers to stays, for the fee's sake; a pending or
  failed notice stays, it is still work; so do a reminder and an invoice while their
  loans are still out: they say how far the ladder went);
- the audit trail's rows go after the policy's days of real time (TISKI_NOW cannot
  move them), only by a sealed checkpoint that says how far it was cut;
- the digi-support queue's past days keep only their anonymous figures.
A book-bag client's history of what they received is kept only with their consent,
in its own table (see kirjakassi). The fee ledger is never cut.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..store import audit as audit_store
from ..store import chain
from ..store import retention as retention_store
from .context import DeskContext
from .digituki import close_digituki_days


def retention(desk: DeskContext) -> dict[str, int]:
    """The daily run, one transaction (`desk.register.retention()`)."""
    policy, conn, now = desk.policy, desk.conn, desk.now()

    def days_ago(days: int) -> datetime:
        return now - timedelta(days=days)

    counts: dict[str, int] = {}
    with desk.write():
        counts["loans_anonymised"] = retention_store.anonymise_returned_loans(conn)
        counts["notices_removed"] = retention_store.remove_notices(conn, days_ago(policy.privacy_notice_days))
        counts["holds_removed"] = retention_store.remove_closed_holds(conn, days_ago(policy.privacy_hold_days))
        counts["ill_removed"] = retention_store.remove_closed_ill(conn, days_ago(policy.privacy_ill_days))
        counts["audit_removed"] = audit_store.remove_before(
            conn, chain.real_now() - timedelta(days=policy.privacy_audit_days),
            at=now, staff=desk.staff, branch=desk.branch)
        counts.update({f"digituki_{k}": v for k, v in close_digituki_days(desk).items()})
    return counts
