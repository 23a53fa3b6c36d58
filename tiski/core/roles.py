"""Who may do what. Four roles: desk staff, digital-support helpers, admins, and the
self-service machines.

Admins alone set the policy, give bans, run the clearance, keep staff accounts, add
branches, import, back up, restore and replace the register, run retention, and read
and verify the audit trail. Desk staff do all
the rest, digital support included (it is part of daily service). Digital-support
helpers work the digi-support desk only. A self-service machine (automaatti) does
circulation for the patron in front of it — lend, return, renew, hold, and with the
library's leave take a payment — and nothing else.
"""

from __future__ import annotations

ROLES = ("desk", "digituki", "admin", "automat")

ADMIN_ONLY = frozenset({
    "add_branch", "close_day", "close_public_holidays", "add_ban", "lift_ban", "run_clearance", "set_policy",
    "add_staff", "set_staff_password", "disable_staff", "staff_list", "issue_token", "unlock_logins", "import",
    "backup", "restore", "init", "audit", "verify_audit", "retention", "add_machine", "set_branch_notices",
})

AUTOMAT_ACTIONS = frozenset({
    "checkout", "return_item", "renew", "renew_all", "place_hold", "cancel_hold", "pay_fee",
    "patron_view", "item_view", "check_pin", "pin_session_open", "machine_patron",
})

DIGITUKI_AREAS = frozenset({"digituki", "bookings"})


def allowed(role: str | None, action: str, area: str | None) -> bool:
    if role == "admin":
        return True
    if role == "desk":
        return action not in ADMIN_ONLY
    if role == "digituki":
        return area in DIGITUKI_AREAS
    if role == "automat":
        return action in AUTOMAT_ACTIONS
    return False
