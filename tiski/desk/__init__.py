"""The facade: every desk transaction as one atomic call, grouped by area.

The CLI, the TUI and the SIP2 server are shells over `Desk`; none holds a rule or a
line of SQL. `desk.loans.checkout(card, barcode)`, `desk.digituki.call_next()`: each
area is a class in its own module listing its calls (see `desk.area`), created the
first time it is used, so the desk opens without loading what the first screen does
not need (admin, imports, interlibrary loans…).
"""

from __future__ import annotations

import os
import sqlite3
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ..clock import Clock, system_clock
from ..store.db import connect, unavailable
from .context import DeskContext

if TYPE_CHECKING:
    from .admin import Admin
    from .automat import Automat
    from .catalogue import Catalogue
    from .digituki import Digituki
    from .digituki_bookings import Bookings
    from .fees import Fees
    from .holds import Holds
    from .ill import InterlibraryLoans
    from .kirjakassi import Kirjakassi
    from .loans import Loans
    from .patrons import Patrons


class Desk(DeskContext):
    @cached_property
    def patrons(self) -> Patrons:
        from .patrons import Patrons

        return Patrons(self)

    @cached_property
    def loans(self) -> Loans:
        from .loans import Loans

        return Loans(self)

    @cached_property
    def holds(self) -> Holds:
        from .holds import Holds

        return Holds(self)

    @cached_property
    def fees(self) -> Fees:
        from .fees import Fees

        return Fees(self)

    @cached_property
    def catalogue(self) -> Catalogue:
        from .catalogue import Catalogue

        return Catalogue(self)

    @cached_property
    def ill(self) -> InterlibraryLoans:
        from .ill import InterlibraryLoans

        return InterlibraryLoans(self)

    @cached_property
    def digituki(self) -> Digituki:
        from .digituki import Digituki

        return Digituki(self)

    @cached_property
    def bookings(self) -> Bookings:
        from .digituki_bookings import Bookings

        return Bookings(self)

    @cached_property
    def kirjakassi(self) -> Kirjakassi:
        from .kirjakassi import Kirjakassi

        return Kirjakassi(self)

    @cached_property
    def admin(self) -> Admin:
        from .admin import Admin

        return Admin(self)

    @cached_property
    def automat(self) -> Automat:
        from .automat import Automat

        return Automat(self)

    def log_in(self, username: str, password: str) -> str:
        """A member of staff logs in (or takes over the desk); not a facade call of its own."""
        from .admin import log_in

        return log_in(self, username, password)

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        clock: Clock = system_clock,
        branch: str | None = None,
        staff: str | None = None,
    ) -> Desk:
        try:
            conn = connect(Path(path))
        except sqlite3.Error as error:
            raise unavailable(error) from None
        return cls(conn, clock=clock, branch=branch, staff=staff)


__all__ = ["Desk"]
