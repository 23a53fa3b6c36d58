"""Receipts and slips: plain text, 40 columns, to the desk's printer command or a file.

- The checkout receipt: this visit's loans (and, if asked, all the patron's loans now).
- The payment receipt: what was paid, how, which charges it settled, the balance after.
- The hold slip, put in a copy trapped for a hold here: its shelf number, which is also
  the pickup code the patron's notice gives, the last pickup day and the patron's
  initials — never a name.
- The transfer slip, put in a copy that travels: the destination branch's *name*.

None carries a patron's name or the whole card number: a paper left on the counter or
in a crate tells a stranger nothing about who borrowed what.

Delivery: `TISKI_PRINTER` (a command reading stdin), else a file in `TISKI_RECEIPTS`
(or the user data directory's `receipts`). Files never overwrite one another, even two
documents in the same second under a fixed clock. A printer that fails does not lose
the document: it is saved as a file and the failure reported (`PrinterFailed`).

Text only: this module is shared by the command line and must not import Textual.
"""

from __future__ import annotations

import os
import subprocess
from datetime import date, datetime
from pathlib import Path
from typing import Iterable, Sequence

from ..i18n import Translator, format_day, safe
from ..settings import Settings

WIDTH = 40


class PrinterFailed(OSError):
    """The printer command failed; the document was kept in `kept`."""

    def __init__(self, problem: str, kept: Path):
        super().__init__(f"{problem}; {kept}")
        self.strerror = f"{problem}; {kept}"
        self.problem = problem
        self.kept = kept


def masked_card(card: str) -> str:
    return "*" * max(0, len(card) - 4) + card[-4:]


def _header(branch_name: str, now: datetime, title: str) -> list[str]:
    return [safe(branch_name)[:WIDTH], f"{format_day(now)} {now:%H:%M}", title[:WIDTH], "-" * WIDTH]


def _item(title: str, detail: str) -> list[str]:
    # titles come from the catalogue: no control character reaches the printer
    return [safe(title)[:WIDTH], "  " + safe(detail)[: WIDTH - 2]]


def checkout_receipt(t: Translator, branch_name: str, now: datetime, card: str, visit: Sequence[tuple[str, str]],
                     current: Sequence[tuple[str, date]] | None = None, balance_cents: int = 0) -> str:
    """This visit's loans as (title, detail); with `current`, every loan the patron has
    now as (title, due date)."""
    lines = _header(branch_name, now, t("receipt.checkout_title"))
    lines.append(t("ui.receipt_card", card=masked_card(card)))
    for title, detail in visit:
        lines += _item(title, detail)
    lines += ["-" * WIDTH, t("ui.receipt_count", count=len(visit))]
    if current is not None:
        lines += ["", t("receipt.all_loans", count=len(current))]
        for title, due in current:
            lines += _item(title, t("ui.due", due=format_day(due)))
    if balance_cents:
        lines.append(t("cli.balance", balance_cents=balance_cents))
    lines.append(t("ui.receipt_thanks"))
    return "\n".join(lines) + "\n"


def receipt_text(app, card: str, loans: list[tuple[str, str]], with_all_loans: bool = False) -> str:
    """The checkout receipt of the patron at the desk (the app's desk, clock and branch)."""
    desk = app.desk
    current = None
    if with_all_loans:
        current = [(loan.title, loan.due) for loan in desk.patrons.view(card).loans]
    return checkout_receipt(app.t, app.branch_name, desk.now(), card, loans, current, desk.fees.balance(card))


def payment_receipt(t: Translator, branch_name: str, payment) -> str:
    """A `desk.fees.Payment` on paper."""
    lines = _header(branch_name, payment.at, t("receipt.payment_title"))
    lines.append(t("ui.receipt_card", card=masked_card(payment.card)))
    lines.append(f"{t('receipt.paid')} {t.money(payment.amount_cents)} ({t(f'method.{payment.method}')})")
    lines.append(t("receipt.settled"))
    for settled in payment.settled:
        what = t(f"fee.{settled.charge_type}") if settled.charge_type else ""
        lines.append(f"  {safe(what)[: WIDTH - 14]:<24}{t.money(settled.amount_cents):>12}"[: WIDTH + 2])
        if settled.title:
            lines.append("    " + safe(settled.title)[: WIDTH - 4])
    lines += ["-" * WIDTH, t("cli.balance", balance_cents=payment.balance_cents), t("ui.receipt_thanks")]
    return "\n".join(lines) + "\n"


def hold_slip(t: Translator, branch_name: str, now: datetime, title: str, barcode: str, shelf) -> str:
    """A `routing.HoldShelf` on the hold shelf here: goes in the copy."""
    lines = _header(branch_name, now, t("receipt.hold_title"))
    lines += [t("receipt.shelf_number", code=shelf.pickup_code or ""),
              t("receipt.pickup_by", day=format_day(shelf.pickup_by)),
              t("receipt.initials", initials=shelf.initials or "-"),
              "-" * WIDTH]
    lines += _item(title, barcode)
    return "\n".join(lines) + "\n"


def transfer_slip(t: Translator, branch_name: str, now: datetime, title: str, barcode: str, to_name: str,
                  for_hold: bool) -> str:
    """A copy on its way: to which branch (by name), and why."""
    lines = _header(branch_name, now, t("receipt.transfer_title"))
    lines += [t("receipt.transfer_to"), safe(to_name)[:WIDTH].upper(),
              t("receipt.for_hold" if for_hold else "receipt.going_home"), "-" * WIDTH]
    lines += _item(title, barcode)
    return "\n".join(lines) + "\n"


def routing_slips(t: Translator, desk, title: str, barcode: str, hold, route_to: str | None
                  ) -> Iterable[tuple[str, str]]:
    """The slips a copy's routing calls for, as (kind, text): a hold slip when it went to
    the hold shelf here (`hold`, a `routing.HoldShelf`), a transfer slip when it travels."""
    now, here = desk.now(), desk.branch_name()
    if hold is not None and not hold.in_transit:
        yield "varaus", hold_slip(t, here, now, title, barcode, hold)
    elif route_to is not None:
        names = {branch.code: branch.name for branch in desk.holds.pickup_branches()}
        yield "siirto", transfer_slip(t, here, now, title, barcode, names.get(route_to, route_to), hold is not None)


def deliver_receipt(settings: Settings, text: str, now: datetime, kind: str = "kuitti") -> str:
    """Print with the configured command, or save to a file; says where it went. A failed
    printer raises PrinterFailed with the document saved."""
    if settings.printer:
        try:
            subprocess.run(list(settings.printer), input=text.encode("utf-8"), check=True, timeout=20,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except (subprocess.SubprocessError, OSError) as exc:  # no such command, it said no, it hung
            raise PrinterFailed(type(exc).__name__, save(settings, text, now, kind)) from None
        return " ".join(settings.printer)
    return str(save(settings, text, now, kind))


def save(settings: Settings, text: str, now: datetime, kind: str) -> Path:
    """A new file of its own (mode 0600): `kind-YYYYMMDD-HHMMSS.txt`, then `-2`, `-3`… —
    never over another document, never through a link planted at the name."""
    from platformdirs import user_data_dir

    folder = settings.receipts or Path(user_data_dir("tiski", appauthor=False)) / "receipts"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stem = f"{kind}-{now:%Y%m%d-%H%M%S}"
    for n in range(1, 10_000):
        path = folder / (f"{stem}.txt" if n == 1 else f"{stem}-{n}.txt")
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        return path
    raise FileExistsError(stem)


def deliver_slips(app, title: str, barcode: str, hold, route_to: str | None) -> None:
    """At the return (or off the hold shelf): the slips print (or are saved) on their own,
    so the clerk's hands stay on the books; only a failure is said, with where it was kept.
    A printer command runs off the UI loop: a slow or hung printer never holds up the next
    scan (a file is written at once)."""
    slips = list(routing_slips(app.t, app.desk, title, barcode, hold, route_to))
    now = app.desk.now()

    def deliver(tell) -> None:
        for kind, text in slips:
            try:
                deliver_receipt(app.settings, text, now, kind)
            except PrinterFailed as failed:
                tell(app.t("receipt.printer_failed", path=str(failed.kept)))
            except OSError as exc:
                tell(app.t("ui.receipt_failed", problem=safe(exc.strerror or type(exc).__name__)))

    def tell(message: str) -> None:
        app.notify(message, severity="error", timeout=8)

    if slips and app.settings.printer:
        app.run_worker(lambda: deliver(lambda message: app.call_from_thread(tell, message)), thread=True,
                       group="slips")
    else:
        deliver(tell)
