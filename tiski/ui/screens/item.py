"""One copy, opened from the catalogue: where it belongs and stands, what it is doing,
and its life — every change with its date, who made it and where. A letter key moves
it on (each asks first): lost, claims returned, damaged, missing, withdrawn, to repair,
available again. A copy scanned while the view is open takes its place: the clerk's
next book, not a lost scan."""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ...core.errors import Refused
from ...core.money import parse_positive_euros
from ...i18n import format_day, safe
from ..boundary import Guarded
from ..receipt import deliver_slips
from .base import translated
from .forms import ConfirmModal, Field, FormModal
from .question import SCAN_TAIL


class ItemModal(Guarded, ModalScreen[bool]):
    BINDINGS = [
        Binding("escape", "close", "key.close"),
        Binding("l", "lost", "key.item_lost"),
        Binding("c", "claims_returned", "key.item_claims"),
        Binding("d", "damaged", "key.item_damaged"),
        Binding("m", "status('missing')", "key.item_missing"),
        Binding("w", "status('withdrawn')", "key.item_withdrawn", show=False),
        Binding("r", "status('repair')", "key.item_repair", show=False),
        Binding("a", "status('available')", "key.item_available"),
    ]

    def __init__(self, barcode: str):
        super().__init__()
        self.barcode = barcode
        self.changed = False
        self.scanned = ""  # the keys of a scan arriving, until its Enter
        self.scanned_at = 0.0

    @property
    def active_bindings(self):
        return translated(super().active_bindings, self.app.t)

    @property
    def t(self):
        return self.app.t

    @property
    def desk(self):
        return self.app.desk

    def compose(self) -> ComposeResult:
        with Vertical(classes="form-box item-box"):
            yield Label("", id="item-title", classes="form-title", markup=False)
            yield Static("", id="item-facts", markup=False)
            with VerticalScroll(id="item-history-box"):
                yield Static("", id="item-history", markup=False)
            yield Static(self.t("catalogue.item_keys"), classes="form-hint", markup=False)

    def on_mount(self) -> None:
        self.fill()

    def fill(self) -> None:
        from .catalogue import copy_state

        t = self.t
        view = self.desk.catalogue.item_view(self.barcode)
        self.query_one("#item-title", Label).update(
            safe(view.title) + (f" / {safe(view.author)}" if view.author else ""))
        facts = [f"{view.barcode} · {t.value('format', view.format)} · {view.home_branch}",
                 copy_state(t, view.status, view.due, view.transit_to),
                 t("catalogue.queued", count=view.holds_queued)]
        location = " ".join(part for part in (view.shelf, view.call_number) if part)
        if location:
            facts.insert(1, safe(location))
        if view.price_cents:
            facts.append(t("catalogue.price", price_cents=view.price_cents))
        self.query_one("#item-facts", Static).update("\n".join(facts))
        history = [f"{format_day(e.at)} {e.at:%H:%M}  {t(f'catalogue.event_{e.event}')}  "
                   f"({safe(e.staff or '-')}, {safe(e.branch or '-')})" + (f"  {safe(e.note)}" if e.note else "")
                   for e in view.history]
        self.query_one("#item-history", Static).update("\n".join(history) or t("catalogue.no_history"))
        # The latest change is the one asked about: in sight at 80×24, the older ones above it (↑).
        box = self.query_one("#item-history-box", VerticalScroll)
        self.call_after_refresh(lambda: box.scroll_end(animate=False))

    def on_key(self, event) -> None:
        now = time.monotonic()
        if event.is_printable and event.character:
            if now - self.scanned_at > SCAN_TAIL:
                self.scanned = ""
            self.scanned, self.scanned_at = self.scanned + event.character, now
        elif event.key == "enter" and self.scanned and now - self.scanned_at < SCAN_TAIL:
            barcode, self.scanned = self.scanned.strip(), ""
            event.stop()
            self.open_scanned(barcode)

    def open_scanned(self, barcode: str) -> None:
        try:
            self.desk.catalogue.item_view(barcode)
        except Refused as refused:
            self.app.notify(" ".join(self.t.refusal(r) for r in refused.refusals), severity="error", timeout=6)
            return
        self.barcode = barcode
        self.fill()

    # --- moves ----------------------------------------------------------------------

    def _confirm(self, question: str, call, done) -> None:
        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                result = call()
            except Refused as refused:
                self.app.notify(" ".join(self.t.refusal(r) for r in refused.refusals), severity="error", timeout=6)
                return
            self.changed = True
            self.app.notify(done(result), timeout=6)
            self.fill()

        self.app.push_screen(ConfirmModal(self.t("catalogue.item_change"), question), answered)

    def action_lost(self) -> None:
        t = self.t

        def done(loss) -> str:
            if loss.card is None:
                return t("catalogue.lost_done", title=loss.title)
            return t("catalogue.lost_done", title=loss.title) + " " + t(
                "catalogue.lost_charged", card=loss.card, replacement_cents=loss.replacement_cents,
                processing_cents=loss.processing_cents)

        self._confirm(t("catalogue.ask_lost"), lambda: self.desk.items.lost(self.barcode), done)

    def action_claims_returned(self) -> None:
        t = self.t
        self._confirm(t("catalogue.ask_claims"), lambda: self.desk.items.claims_returned(self.barcode),
                      lambda claim: t("catalogue.claim_done", title=claim.title, day=claim.since))

    def action_status(self, status: str) -> None:
        t = self.t

        def done(change) -> str:
            message = t("catalogue.status_done", title=change.title, status=change.status)
            if change.paid_back_cents:
                message += " " + t("catalogue.paid_back", paid_back_cents=change.paid_back_cents,
                                   method=t(f"method.{change.paid_back_method}"))
            elif change.refund_cents:
                message += " " + t("catalogue.refunded", refund_cents=change.refund_cents)
            routing = change.routing
            if routing is None:
                return message
            # Released, the copy is checked in here as at a return: the same words, and the
            # same slips (a hold slip when it is trapped here, a transfer slip when it travels).
            hold = routing.hold
            if hold is not None and not hold.in_transit:
                message += " " + t("ui.alert_hold_shelf", code=hold.pickup_code or "", day=format_day(hold.pickup_by))
            elif routing.route_to is not None:
                key = "ui.alert_send_for_hold" if hold is not None else "ui.alert_send_home"
                message += " " + t(key, branch=routing.route_to)
            if hold is not None or routing.route_to is not None:
                self.app.bell()
            deliver_slips(self.app, change.title, change.barcode, hold, routing.route_to)
            return message

        self._confirm(t("catalogue.ask_status", status=t.value("status", status)),
                      lambda: self.desk.items.set_status(self.barcode, status), done)

    def action_damaged(self) -> None:
        def done(damage) -> None:
            self.changed = True

        damaged_form(self.app, done, self.barcode, closed=self.fill)

    def action_close(self) -> None:
        self.dismiss(self.changed)


def damaged_form(app, done, barcode: str | None = None, closed=None) -> None:
    """Damaged: a note, an optional charge to the loan's patron, and the copy to repair
    (returned first if it is on loan). Without `barcode` the form asks for a scan."""
    t = app.t
    fields = [] if barcode is not None else [Field("barcode", t("ui.item_barcode"), code=True)]
    fields += [Field("note", t("catalogue.damage_note")),
               Field("charge", t("catalogue.damage_charge"), placeholder=t("catalogue.damage_charge_hint"))]

    def submit(values: dict) -> str | None:
        try:
            charge = parse_positive_euros(values["charge"]) if values["charge"].strip() else None
            damage = app.desk.items.damaged(barcode or values["barcode"], values["note"], charge)
        except Refused as refused:
            return " ".join(t.refusal(r) for r in refused.refusals)
        message = t("catalogue.damaged_done", title=damage.title)
        if damage.charged_cents:
            message += " " + t("catalogue.damage_charged", card=damage.card or "-", fee_cents=damage.charged_cents)
        app.notify(message, timeout=6)
        done(damage)
        return None

    app.push_screen(FormModal(t("catalogue.damaged_title"), fields, submit, t("catalogue.damaged_note")),
                    (lambda values: closed()) if closed is not None else None)
