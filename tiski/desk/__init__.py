"""The facade: every desk transaction as one atomic call.

The CLI and the TUI are shells over `Desk`; neither holds a rule. Each method lives
in the module of its area; the table below says where. A module is imported the
first time one of its methods is used, so the desk opens without loading what the
first screen does not need (admin, imports, interlibrary loans…).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import os
from pathlib import Path

from ..clock import Clock, system_clock
from ..core.roles import READS
from ..store.db import connect
from .context import DeskContext

AREAS = {
    "patrons": ("add_patron", "find_patrons", "patron_view", "report_lost_card", "update_patron", "set_pin",
                "export_patron"),
    "loans": ("check_checkout", "checkout", "return_item", "renew", "renew_all"),
    "holds": ("place_hold", "cancel_hold", "expire_holds", "pull_list"),
    "fees": ("balance", "charge_fee", "pay_fee", "waive_fee"),
    "catalogue": ("add_item", "item_view"),
    "ill": ("order_ill", "ill_arrived", "ill_cancel", "ill_list"),
    "digituki": ("queue_add", "queue_view", "digituki_visit", "call_next", "start_visit", "pause_visit",
                 "resume_visit", "mark_cap_hit", "finish_visit", "visit_left", "referral_services",
                 "save_referral_service", "remove_referral_service", "seed_referral_services",
                 "close_digituki_days", "digituki_stats", "digituki_stats_rows"),
    "digituki_bookings": ("add_hours", "remove_hours", "digituki_hours", "appointments_on", "free_slots", "book",
                          "cancel_appointment", "no_show", "appointment_arrived", "add_callback", "import_callbacks",
                          "callback", "callbacks", "log_call", "close_callback"),
    "kirjakassi": ("kirjakassi_client", "enrol_client", "pause_client", "resume_client", "end_client",
                   "kirjakassi_clients", "save_interview", "interviews", "wishes_of", "kirjakassi_pick_list", "pack",
                   "bag", "packing_slip", "bag_packed", "bag_sent", "bag_returned", "kirjakassi_deliveries"),
    "admin": ("add_branch", "close_day", "close_public_holidays", "add_ban", "lift_ban", "run_clearance",
              "set_policy", "add_staff", "set_staff_password", "disable_staff", "staff_list"),
}
_AREA_OF = {method: area for area, methods in AREAS.items() for method in methods}


# What of a call's arguments may go in the audit trail: never names, identity codes,
# PINs or free text (a reason may name someone).
_AUDITED = ("barcode", "amount_cents", "charge_type", "ban_type", "outcome", "pickup", "dropbox_date",
            "new_card", "ill_id", "visit_id", "appointment_id", "callback_id", "written", "hearing_date", "until")


def _guarded(area: str, name: str, function):
    """The facade method as callers see it: the role is checked first, then the call
    runs with its audit record written inside its own transaction."""
    signature = inspect.signature(function)

    @functools.wraps(function)
    def method(self: "Desk", *args, **kwargs):
        self.require(name, area)
        try:
            bound = signature.bind(self, *args, **kwargs)
        except TypeError:
            return function(self, *args, **kwargs)  # let Python say what is wrong
        values = bound.arguments
        card = values.get("card")
        if card is None and hasattr(values.get("new"), "card"):
            card = values["new"].card
        detail = ", ".join(f"{key}={values[key]}" for key in _AUDITED if values.get(key) not in (None, ""))
        if values.get("override"):
            detail = ", ".join(x for x in (detail, "override") if x)
        patron_id = self._loan_patron(values["barcode"]) if name == "return_item" else None
        self.begin_action(name, card if isinstance(card, str) else None, detail or None, patron_id)
        try:
            result = function(self, *args, **kwargs)
            if name in READS:
                self.log_read()
            return result
        finally:
            self.end_action()

    return method


class Desk(DeskContext):
    def __getattr__(self, name: str):
        area = _AREA_OF.get(name)
        if area is None:
            raise AttributeError(f"Desk has no {name!r}")
        function = getattr(importlib.import_module(f"{__name__}.{area}"), name)
        method = _guarded(area, name, function)
        setattr(Desk, name, method)  # from now on an ordinary method
        return method.__get__(self, Desk)

    def log_in(self, username: str, password: str) -> str:
        """A member of staff logs in (or takes over the desk); not a facade call of its own."""
        from .admin import log_in

        return log_in(self, username, password)

    def _loan_patron(self, barcode) -> int | None:
        row = self.conn.execute(
            "SELECT l.patron_id FROM loans l JOIN items i ON i.id = l.item_id"
            " WHERE i.barcode = ? AND l.returned_at IS NULL", (str(barcode or "").strip(),)).fetchone()
        return row[0] if row else None

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(_AREA_OF))

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        clock: Clock = system_clock,
        branch: str | None = None,
        staff: str | None = None,
    ) -> "Desk":
        return cls(connect(Path(path)), clock=clock, branch=branch, staff=staff)


__all__ = ["AREAS", "Desk"]
