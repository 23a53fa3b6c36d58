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
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ..clock import Clock, system_clock
from ..store.db import close, connect, database_file, unavailable
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
    from .items import Items
    from .kirjakassi import Kirjakassi
    from .loans import Loans
    from .notices import Notices
    from .patrons import Patrons
    from .register import Register


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
    def items(self) -> Items:
        from .items import Items

        return Items(self)

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
    def notices(self) -> Notices:
        from .notices import Notices

        return Notices(self)

    @cached_property
    def admin(self) -> Admin:
        from .admin import Admin

        return Admin(self)

    @cached_property
    def register(self) -> Register:
        from .register import Register

        return Register(self)

    @cached_property
    def automat(self) -> Automat:
        from .automat import Automat

        return Automat(self)

    # Who acts: asked before anyone does, so not facade calls of their own.

    def log_in(self, username: str, password: str, terminal: str | None = None) -> str:
        """A member of staff logs in (or takes over the desk)."""
        from .sessions import log_in

        return log_in(self, username, password, terminal)

    def log_in_with_token(self, username: str, token: str) -> str:
        from .sessions import log_in_with_token

        return log_in_with_token(self, username, token)

    def needs_login(self) -> bool:
        from .sessions import needs_login

        return needs_login(self)

    def unix_account(self, unix_user: str | None) -> str | None:
        from .sessions import unix_account

        return unix_account(self, unix_user)

    def check_guards(self) -> None:
        """At start: refuse a register whose guard triggers are gone."""
        from .sessions import check_guards

        check_guards(self)

    def companion(self) -> AbstractContextManager[Desk]:
        """This desk — its file, clock, branch and member of staff — on a connection of its
        own, opened on entering and closed on leaving: for work in another thread, since a
        connection must never be used by two threads at once. The file is looked up now,
        on the calling thread."""
        return _opened(database_file(self.conn), self.clock, self._branch, self.staff)

    def close(self) -> None:
        """The desk closes: the query planner's statistics are refreshed (PRAGMA
        optimize) and the connection closed. Use it wherever a desk's work ends."""
        close(self.conn)

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


@contextmanager
def _opened(path: Path, clock: Clock, branch: str | None, staff: str | None) -> Iterator[Desk]:
    desk = Desk.open(path, clock=clock, branch=branch, staff=staff)
    try:
        yield desk
    finally:
        desk.close()


__all__ = ["Desk"]
