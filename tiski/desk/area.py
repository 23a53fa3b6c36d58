"""How a desk transaction becomes a facade call.

Each area module writes its transactions as plain functions `f(desk, …)` and lists
them once in an `Area` class: `checkout = call(checkout)`. A reader, mypy and an
IDE see every call with its real signature (`desk.loans.checkout(card, barcode)`);
the wrapper checks the acting role first and writes the audit record inside the
call's own transaction.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Callable, ClassVar, Concatenate, ParamSpec, TypeVar

if TYPE_CHECKING:
    from .context import DeskContext

P = ParamSpec("P")
R = TypeVar("R")


class Area:
    """One area of the desk's work (loans, holds, the book bag…)."""

    name: ClassVar[str]

    def __init__(self, desk: DeskContext) -> None:
        self.desk = desk


def _facade(function: Callable[Concatenate[DeskContext, P], R], *, reads: str) -> Callable[Concatenate[Area, P], R]:
    action = function.__name__

    def method(area: Area, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return area.desk.perform(area.name, action, reads, function, *args, **kwargs)

    functools.update_wrapper(method, function)
    return method


def call(function: Callable[Concatenate[DeskContext, P], R]) -> Callable[Concatenate[Area, P], R]:
    """A facade call: the role checked first; what it writes is audited in its own transaction."""
    return _facade(function, reads="")


def patron_read(function: Callable[Concatenate[DeskContext, P], R]) -> Callable[Concatenate[Area, P], R]:
    """A facade call that shows a patron's data: also logged as a read (once a while)."""
    return _facade(function, reads="read")


def patron_export(function: Callable[Concatenate[DeskContext, P], R]) -> Callable[Concatenate[Area, P], R]:
    """A facade call that hands out a patron's data in full (the identity code opened):
    recorded every time, under its own action — never folded into a recent read."""
    return _facade(function, reads="export")
