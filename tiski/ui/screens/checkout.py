"""F3 — checkout: scan the patron's card, then the items one after another. Each scan
adds a line: the title and due date, or the refusal in words. A confirmable blocker
asks whether to override; a hard one just says why."""

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
from ..widgets.scan_input import ScanInput
from .base import DeskScreen
from .forms import ConfirmModal
from .override import OverrideModal

OK, NO, NOTE = "✓", "✗", "·"
STYLE = {OK: "", NO: "bold red", NOTE: "dim"}


class CheckoutScreen(DeskScreen):
    TITLE_KEY = "area.checkout"
    BINDINGS = [
        Binding("escape", "done", "key.done"),
        Binding("ctrl+t", "receipt", "key.receipt"),
    ]

    def compose(self) -> ComposeResult:
        t = self.t
        yield self.header()
        with Vertical(id="checkout-body"):
            yield Static("", id="checkout-patron", markup=False)
            with Horizontal(classes="scan-row"):
                yield Label(t("ui.scan_label"), classes="scan-label", id="checkout-scan-label")
                yield ScanInput(id="scan")
            yield RichLog(id="lines", wrap=True, markup=False, highlight=False)
        yield self.footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.replay()
        self.watch(self.app, "patron_card", self.show_patron)
        self.focus_scan()

    def after_language_change(self) -> None:
        self.replay()
        self.show_patron()

    async def on_screen_resume(self) -> None:
        await super().on_screen_resume()
        if getattr(self, "stale", False):
            self.replay()
            self.show_patron()

    def replay(self) -> None:
        """Refill the session list (after a recompose)."""
        lines = self.query_one("#lines", RichLog)
        lines.can_focus = False
        lines.clear()
        for mark, title, detail in self.app.session_lines:
            self._row(mark, title, detail)

    def show_patron(self, card: str | None = None) -> None:
        if not self.is_current:
            self.stale = True  # shown again on resume
            return
        self.stale = False
        t = self.t
        card = self.app.patron_card
        header = self.query_one("#checkout-patron", Static)
        label = self.query_one("#checkout-scan-label", Label)
        if card is None:
            header.update(t("ui.checkout_no_patron"))
            header.set_class(False, "-blocked")
            label.update(t("ui.scan_card"))
            self.query_one("#lines", RichLog).clear()
            return
        try:
            view = self.desk.patrons.view(card)
        except Refused:
            self.app.clear_patron()
            return
        loans = t("ui.loans_n", count=len(view.loans))
        text = f"{view.name} · {loans}"
        if view.blocks:
            text += " · " + " ".join(t.refusal(r) for r in view.blocks)
        header.update(safe(text))
        header.set_class(bool(view.blocks), "-blocked")
        label.update(t("ui.scan_item"))

    # --- scanning --------------------------------------------------------------------

    @on(ScanInput.Scanned, "#scan")
    def scanned(self, event: ScanInput.Scanned) -> None:
        if self.app.patron_card is None:
            self.open_patron(event.code)
            return
        if event.duplicate:
            self.line(NOTE, event.code, self.t("ui.duplicate_scan"))
            return
        self.lend(event.code)

    def open_patron(self, card: str) -> bool:
        try:
            patron = self.desk.find_card(card, for_circulation=False)
        except Refused as refused:
            self.line(NO, card, self.refusal_text(refused))
            return False
        self.app.set_patron(card)
        if patron.card_status != "active":
            self.line(NO, card, self.t("error.CARD_LOST"))
        elif patron.verify_id:
            self.app.push_screen(ConfirmModal(self.t("ui.verify_title"), self.t("error.VERIFY_ID")),
                                 self._identity_checked)
        return True

    def _identity_checked(self, checked: bool | None) -> None:
        if not checked:
            self.app.clear_patron()
            self.app.notify(self.t("ui.verify_cancelled"), severity="warning")
        self.focus_scan()

    def lend(self, barcode: str, override: str | None = None) -> None:
        card = self.app.patron_card
        try:
            loan = self.desk.loans.checkout(card, barcode, override=override)
        except Refused as refused:
            if refused.code == "ITEM_UNKNOWN" and self._is_card(barcode):
                self.open_patron(barcode)  # the next patron's card
                return
            if refused.confirmable:
                title = self._title(barcode)
                reasons = [self.t.refusal(r) for r in refused.refusals]
                self.app.push_screen(OverrideModal(title, reasons),
                                     lambda reason, b=barcode, ti=title, rs=reasons: self._overridden(b, ti, rs, reason))
                return
            self.line(NO, self._title(barcode), self.refusal_text(refused))
            self.app.bell()
            return
        if loan.unchanged:
            detail = self.t("ui.already_yours", due=format_day(loan.due))
        elif loan.renewed:
            detail = self.t("ui.renewed_due", due=format_day(loan.due))
        else:
            detail = self.t("ui.due", due=format_day(loan.due))
        notes = [self.t.refusal(a) for a in loan.alerts if a.code in ("HOLD_FILLED", "TRANSIT_CANCELLED")]
        if loan.overridden:
            notes.append(self.t("ui.overridden"))
        self.line(OK, loan.title, " · ".join([detail] + notes))
        self.show_patron()

    def _overridden(self, barcode: str, title: str, reasons: list[str], reason: str | None) -> None:
        if reason is None:
            self.line(NO, title, self.t("ui.skipped", reason=reasons[0]))
        else:
            self.lend(barcode, override=reason)
        self.focus_scan()

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

    def action_receipt(self) -> None:
        card = self.app.patron_card
        if card is None:
            return
        loans = [(title, detail) for mark, title, detail in self.app.session_lines if mark == OK]
        if not loans:
            self.app.notify(self.t("ui.receipt_empty"), severity="warning")
            return
        text = receipt_text(self.app, card, loans)
        try:
            where = deliver_receipt(self.app.settings, text, self.desk.now())
        except OSError as exc:
            self.app.notify(self.t("ui.receipt_failed", problem=safe(exc.strerror or type(exc).__name__)),
                            severity="error")
            return
        self.app.notify(self.t("ui.receipt_done", where=where), timeout=5)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "receipt":
            return self.app.patron_card is not None
        return True

    def palette_commands(self):
        from textual.app import SystemCommand

        if self.app.patron_card is not None:
            yield SystemCommand(self.t("key.receipt"), self.t("palette.receipt"), self.action_receipt)
            yield SystemCommand(self.t("key.done"), self.t("palette.done"), self.action_done)
