"""The facade: every desk transaction as one atomic call.

The CLI and the TUI are shells over `Desk`; neither holds a rule. Each method lives
in the module of its area and is gathered here so callers see one object.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..clock import Clock, system_clock
from ..store.db import connect
from . import admin, catalogue, fees, holds, ill, loans, patrons
from .context import DeskContext


class Desk(DeskContext):
    # patrons
    add_patron = patrons.add_patron
    find_patrons = patrons.find_patrons
    patron_view = patrons.patron_view
    report_lost_card = patrons.report_lost_card
    update_patron = patrons.update_patron
    set_pin = patrons.set_pin
    export_patron = patrons.export_patron
    # circulation
    check_checkout = loans.check_checkout
    checkout = loans.checkout
    return_item = loans.return_item
    renew = loans.renew
    renew_all = loans.renew_all
    place_hold = holds.place_hold
    cancel_hold = holds.cancel_hold
    expire_holds = holds.expire_holds
    pull_list = holds.pull_list
    # fees
    balance = fees.balance
    charge_fee = fees.charge_fee
    pay_fee = fees.pay_fee
    waive_fee = fees.waive_fee
    # collection
    add_item = catalogue.add_item
    item_view = catalogue.item_view
    # interlibrary loans
    order_ill = ill.order_ill
    ill_arrived = ill.ill_arrived
    ill_cancel = ill.ill_cancel
    ill_list = ill.ill_list
    # administration
    add_branch = admin.add_branch
    close_day = admin.close_day
    close_public_holidays = admin.close_public_holidays
    add_ban = admin.add_ban
    lift_ban = admin.lift_ban
    run_clearance = admin.run_clearance
    set_policy = admin.set_policy
    add_staff = admin.add_staff
    set_staff_password = admin.set_staff_password
    disable_staff = admin.disable_staff

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


__all__ = ["Desk"]
