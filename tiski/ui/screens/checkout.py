"""F3 — checkout: scan the patron's card, then the items one after another. Each scan
adds a line: the title and due date, or the refusal in words. A confirmable blocker
asks whether to override; a hard one just says why. A card scanned among the items
starts the next patron, and nothing of the one before stays on the screen.

The alerts at the card (notes, holds waiting, overdue loans, fees) stand under the
patron's name. A patron who asked for an ID check at every loan is asked about before
anything is lent, and the answer goes to the audit trail. Scans that arrive while a
question is open wait for it (see `Question`) and are handled in order afterwards.

After a loan the screen is updated from the loan itself — the patron is not read
again (a scan costs one transaction, not two).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, RichLog, Static

from ...core.errors import Refused
from ...i18n import format_day, safe
from ..receipt import deliver_receipt, receipt_text
from ..widgets.card_alerts import CardAlerts
from ..widgets.scan_input import ScanInput
from .base import DeskScreen
from .forms import ConfirmModal
from .override import OverrideModal

OK, NO, NOTE = "✓", "✗", "·"
STYLE = {OK: "", NO: "bold red", NOTE: "dim"}


class CheckoutScreen(DeskScreen):
    TITLE_KEY = "area.checkout"
    HELP_KEYS = (("Enter", "help.scan_checkout"),)
    BINDINGS = [
        Binding("escape", "done", "key.done"),
        Binding("ctrl+t", "receipt", "key.receipt"),
        Binding("ctrl+g", "receipt(True)", "key.receipt_all", show=False),  # Ctrl+U clears the field
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.shown_card: str | None = None  # whose lines and alerts are on screen
        self.view = None  # the patron as read when their card was scanned
        self.loans = 0
        self.stale = False

    def compose(self) -> ComposeResult:
        t = self.t
        yield self.header()
        with Vertical(id="checkout-body"):
            yield Static("", id="checkout-patron", markup=False)
            yield CardAlerts(id="checkout-alerts", classes="card-alerts")
            with Horizontal(classes="scan-row"):
                yield Label(t("ui.scan_label"), classes="scan-label", id="checkout-scan-label")
                yield ScanInput(id="scan")
            yield RichLog(id="lines", wrap=True, markup=False, highlight=False)
        yield self.footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#lines", RichLog).can_focus = False
        self.watch(self.app, "patron_card", self.show_patron)
        self.focus_scan()

    def after_language_change(self) -> None:
        self.shown_card = None
        self.show_patron()

    async def on_screen_resume(self) -> None:
        await super().on_screen_resume()
        if self.stale:
            self.show_patron()

    def show_patron(self, card: str | None = None) -> None:
        """The current patron (the app's): a new one starts a clean screen."""
        if not self.is_current:
            self.stale = True  # shown again on resume
            return
        self.stale = False
        card = self.app.patron_card
        if card != self.shown_card:
            self.shown_card = card
            self.replay()
        if card is None:
            self.view = None
            self.show_header()
            return
        try:
            self.view = self.desk.patrons.view(card)
        except Refused:
            self.app.clear_patron()
            return
        self.loans = len(self.view.loans)
        self.show_header()
        if self.view.verify_id and self.view.card_status == "active" and self.app.identity_checked != card:
            self.ask_identity(card)

    def show_header(self) -> None:
        t, view = self.t, self.view
        header = self.query_one("#checkout-patron", Static)
        label = self.query_one("#checkout-scan-label", Label)
        alerts = self.query_one("#checkout-alerts", CardAlerts)
        if view is None:
            header.update(t("ui.checkout_no_patron"))
            header.set_class(False, "-blocked")
            label.update(t("ui.scan_card"))
            alerts.show((), t)
            self.refresh_bindings()
            return
        text = f"{view.name} · {t('ui.loans_n', count=self.loans)}"
        if view.blocks:
            text += " · " + " ".join(t.refusal(r) for r in view.blocks)
        header.update(safe(text))
        header.set_class(bool(view.blocks), "-blocked")
        label.update(t("ui.scan_item"))
        alerts.show(view.alerts, t)
        self.refresh_bindings()  # the receipt's key, now there is a patron

    def replay(self) -> None:
        """The session's lines of the patron on screen (none for a new one)."""
        lines = self.query_one("#lines", RichLog)
        lines.clear()
        for mark, title, detail in self.app.session_lines:
            self._row(mark, title, detail)

    # --- the ID check --------------------------------------------------------------------

    def ask_identity(self, card: str) -> None:
        self.app.push_screen(ConfirmModal(self.t("ui.verify_title"), self.t("error.VERIFY_ID")),
                             lambda checked: self._identity_checked(card, bool(checked)))

    def _identity_checked(self, card: str, checked: bool) -> None:
        self.desk.patrons.identity_checked(card, checked)
        if checked:
            self.app.identity_checked = card
        else:
            self.app.clear_patron()
            for code in self.app.take_held_scans():  # nothing is lent to someone not identified
                self.line(NO, code, self.t("scan.again", code=code))
                self.app.bell()
            self.app.notify(self.t("ui.verify_cancelled"), severity="warning")
        self.focus_scan()

    # --- scanning --------------------------------------------------------------------

    @on(ScanInput.Scanned, "#scan")
    def scanned(self, event: ScanInput.Scanned) -> None:
        if event.duplicate and self.app.patron_card is not None:
            self.line(NOTE, event.code, self.t("ui.duplicate_scan"))
            return
        self.handle_scan(event.code)

    def handle_scan(self, code: str) -> None:
        """A card without a patron on screen, an item with one."""
        if self.app.patron_card is None:
            self.open_patron(code)
        else:
            self.lend(code)

    def open_patron(self, card: str) -> None:
        try:
            patron = self.desk.find_card(card, for_circulation=False)
        except Refused as refused:
            self.line(NO, card, self.refusal_text(refused))
            self.app.bell()
            return
        self.app.set_patron(card)
        if patron.card_status != "active":
            self.line(NO, card, self.t("error.CARD_LOST"))
            self.app.bell()

    def lend(self, barcode: str) -> None:
        card = self.app.patron_card
        try:
            loan = self.desk.loans.checkout(card, barcode)
        except Refused as refused:
            if refused.code == "ITEM_UNKNOWN" and self._is_card(barcode):
                self.open_patron(barcode)  # the next patron's card
                return
            title = self._title(barcode)
            if refused.confirmable:
                reasons = [self.t.refusal(r) for r in refused.refusals]
                self.app.push_screen(OverrideModal(title, reasons, lambda reason: self._override(card, barcode, title,
                                                                                                  reason)),
                                     lambda reason: self._overridden(title, reasons, reason))
                return
            self.line(NO, title, self.refusal_text(refused))
            self.app.bell()
            return
        self.lent(loan)

    def _override(self, card: str, barcode: str, title: str, reason: str) -> str | None:
        """The override dialog's reason: lend, or the refusal the dialog shows."""
        try:
            loan = self.desk.loans.checkout(card, barcode, override=reason)
        except Refused as refused:
            if refused.code == "INVALID_INPUT":
                return self.refusal_text(refused)  # the reason will not do: the dialog stays
            self.line(NO, title, self.refusal_text(refused))
            self.app.bell()
            return None
        self.lent(loan)
        return None

    def _overridden(self, title: str, reasons: list[str], reason: str | None) -> None:
        if reason is None:
            self.line(NO, title, self.t("ui.skipped", reason=reasons[0]))
        self.focus_scan()

    def lent(self, loan) -> None:
        """A loan went through: its line, the count, and the alerts it changed."""
        t = self.t
        if loan.unchanged:
            detail = t("ui.already_yours", due=format_day(loan.due))
        elif loan.renewed:
            detail = t("ui.renewed_due", due=format_day(loan.due))
        else:
            detail = t("ui.due", due=format_day(loan.due))
            self.loans += 1
        self.app.visit_loans.append(loan)  # for the receipt
        notes = [t.refusal(a) for a in loan.alerts if a.code in ("HOLD_FILLED", "TRANSIT_CANCELLED")]
        if loan.overridden:
            notes.append(t("ui.overridden"))
        self.line(OK, loan.title, " · ".join([detail] + notes))
        if self.view is not None and any(a.code == "HOLD_FILLED" for a in loan.alerts):
            self.view = self.desk.patrons.view(self.app.patron_card)  # a hold on the shelf was collected
        self.show_header()

    def _is_card(self, code: str) -> bool:
        try:
            self.desk.find_card(code, for_circulation=False)
            return True
        except Refused:
            return False

    def _title(self, barcode: str) -> str:
        try:
            return self.desk.catalogue.item_view(barcode).title
        except Refused:
            return barcode

    # --- the session list -------------------------------------------------------------

    def line(self, mark: str, title: str, detail: str) -> None:
        self.app.session_lines.append((mark, title, detail))
        self._row(mark, title, detail)

    def _row(self, mark: str, title: str, detail: str) -> None:
        line = Text(f"{mark} ", style=STYLE[mark] or "bold")
        line.append(safe(title), style=STYLE[mark] or "bold")
        line.append(f" — {safe(detail)}", style=STYLE[mark])
        self.query_one("#lines", RichLog).write(line)

    def action_done(self) -> None:
        """Esc: this patron is done; the desk is ready for the next one."""
        self.app.clear_patron()

    def action_receipt(self, with_all_loans: bool = False) -> None:
        """Ctrl+T: this visit's loans on paper; Ctrl+G: and all the patron's loans now."""
        card = self.app.patron_card
        if card is None:
            return
        loans = [(loan.title, f"{loan.barcode} · {self.t('ui.due', due=format_day(loan.due))}")
                 for loan in self.app.visit_loans]
        if not loans:
            self.app.notify(self.t("ui.receipt_empty"), severity="warning")
            return
        text = receipt_text(self.app, card, loans, with_all_loans)
        try:
            where = deliver_receipt(self.app.settings, text, self.desk.now())
        except OSError as exc:
            self.app.notify(self.t("ui.receipt_failed", problem=safe(exc.strerror or type(exc).__name__)),
                            severity="error")
            return
        self.app.notify(self.t("ui.receipt_done", where=where), timeout=5)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in ("receipt", "receipt_all"):
            return self.app.patron_card is not None
        return True

    def palette_commands(self):
        from textual.app import SystemCommand

        if self.app.patron_card is not None:
            yield SystemCommand(self.t("key.receipt"), self.t("palette.receipt"), self.action_receipt)
            yield SystemCommand(self.t("key.receipt_all"), self.t("palette.receipt_all"),
                                lambda: self.action_receipt(True))
            yield SystemCommand(self.t("key.done"), self.t("palette.done"), self.action_done)
