"""Taking a payment at the patron screen (Ctrl+F): how much, how (cash, card, other —
recorded in the ledger), and the payment receipt: what was paid, which charges it
settled, the balance after."""

from __future__ import annotations

from ...core.errors import Refused
from ...core.money import PAYMENT_METHODS, parse_positive_euros
from ...i18n import safe
from ..receipt import PrinterFailed, deliver_receipt, payment_receipt
from .forms import Field, FormModal


def payment_dialog(screen, card: str) -> None:
    """The payment form over `screen` (which shows the patron: `show_patron`, `focus_scan`)."""
    app = screen.app
    t, desk = app.t, app.desk
    balance = desk.fees.balance(card)
    if balance <= 0:
        app.notify(t("ui.nothing_to_pay"), severity="warning")
        return
    taken = []

    def submit(values: dict) -> str | None:
        try:
            cents = parse_positive_euros(values["amount"])
            taken.append(desk.fees.take_payment(card, cents, values["method"] or "cash"))
        except Refused as refused:
            return screen.refusal_text(refused)
        return None

    def closed(values: dict | None) -> None:
        screen.show_patron()
        screen.focus_scan()
        if not taken:
            return
        payment = taken[0]
        app.notify(t("ui.paid") + " " + t("cli.balance", balance_cents=payment.balance_cents), timeout=4)
        if values and values.get("receipt"):
            print_payment_receipt(app, payment)

    methods = [(t(f"method.{method}"), method) for method in PAYMENT_METHODS]
    app.push_screen(FormModal(t("ui.pay_title", balance_cents=balance), [
        Field("amount", t("ui.amount"), t.money(balance).removesuffix(" €")),
        Field("method", t("receipt.method"), "cash", "select", methods),
        Field("receipt", t("receipt.print_it"), "1", "checkbox"),
    ], submit), closed)


def print_payment_receipt(app, payment) -> None:
    t = app.t
    text = payment_receipt(t, app.branch_name, payment)
    try:
        where = deliver_receipt(app.settings, text, payment.at, "maksu")
    except PrinterFailed as failed:
        app.notify(t("receipt.printer_failed", path=str(failed.kept)), severity="error", timeout=8)
        return
    except OSError as exc:
        app.notify(t("ui.receipt_failed", problem=safe(exc.strerror or type(exc).__name__)), severity="error")
        return
    app.notify(t("ui.receipt_done", where=where), timeout=5)
