"""Privacy by default: what is not needed is not kept.

Run daily (`tiski retention run`, e.g. from cron at night):
- a returned loan loses its patron at once (see loans); any left over lose it here;
- closed holds, sent notices and closed interlibrary loans go after the policy's days
  (a row a fee still refers to stays, for the fee's sake);
- the digi-support queue's past days keep only their anonymous figures.
A book-bag client's history of what they received is kept only with their consent,
in its own table (see kirjakassi).
"""

from __future__ import annotations

from datetime import timedelta

from ..clock import stamp
from .context import DeskContext
from .digituki import close_digituki_days


def run_retention(desk: DeskContext) -> dict[str, int]:
    policy, conn = desk.policy, desk.conn
    now = desk.now()
    counts: dict[str, int] = {}
    with desk.write():
        counts["loans_anonymised"] = conn.execute(
            "UPDATE loans SET patron_id = NULL, card = '' WHERE returned_at IS NOT NULL AND patron_id IS NOT NULL"
        ).rowcount
        counts["notices_removed"] = conn.execute(
            "DELETE FROM notices WHERE julianday(created_at) < julianday(?)",
            (stamp(now - timedelta(days=policy.privacy_notice_days)),),
        ).rowcount
        old_holds = stamp(now - timedelta(days=policy.privacy_hold_days))
        conn.execute(
            "DELETE FROM notices WHERE hold_id IN (SELECT id FROM holds WHERE closed_at IS NOT NULL"
            " AND julianday(closed_at) < julianday(?))", (old_holds,))
        counts["holds_removed"] = conn.execute(
            "DELETE FROM holds WHERE closed_at IS NOT NULL AND julianday(closed_at) < julianday(?)"
            " AND id NOT IN (SELECT hold_id FROM fees WHERE hold_id IS NOT NULL)", (old_holds,)).rowcount
        counts["ill_removed"] = conn.execute(
            "DELETE FROM ill_requests WHERE closed_at IS NOT NULL AND julianday(closed_at) < julianday(?)"
            " AND id NOT IN (SELECT ill_id FROM fees WHERE ill_id IS NOT NULL)",
            (stamp(now - timedelta(days=policy.privacy_ill_days)),)).rowcount
    counts.update({f"digituki_{k}": v for k, v in close_digituki_days(desk).items()})
    return counts
