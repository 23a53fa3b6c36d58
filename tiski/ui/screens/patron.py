"""F2 — the patron: scan a card or type a name; the patron's standing, loans, holds
and fees; the actions of the desk by key."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ...core.errors import Refused
from ...core.money import parse_positive_euros
from ...i18n import format_day, safe
from ..widgets.scan_input import ScanInput
from .base import DeskScreen
from .forms import Field, FormModal

PATRON_ACTIONS = {"renew", "renew_all", "pay", "waive", "hold", "lost_card", "edit"}
TABS = ("tab-loans", "tab-holds", "tab-fees")


class PatronScreen(DeskScreen):
    TITLE_KEY = "area.patron"
    BINDINGS = [
        Binding("escape", "clear", "key.clear"),
        Binding("up", "move(-1)", show=False),
        Binding("down", "move(1)", show=False),
        Binding("pageup", "tab(-1)", show=False),
        Binding("pagedown", "tab(1)", show=False),
        Binding("ctrl+r", "renew", "key.renew"),
        Binding("ctrl+g", "renew_all", "key.renew_all", show=False),
        Binding("ctrl+f", "pay", "key.pay"),
        Binding("ctrl+b", "waive", "key.waive", show=False),
        Binding("ctrl+o", "hold", "key.hold", show=False),
        Binding("ctrl+l", "lost_card", "key.lost_card", show=False),
        Binding("ctrl+y", "edit", "key.edit", show=False),
        Binding("ctrl+n", "register", "key.register", show=False),
    ]

    def compose(self) -> ComposeResult:
        t = self.t
        yield self.header()
        with Vertical(id="patron-body"):
            with Horizontal(classes="scan-row"):
                yield Label(t("ui.card_or_name"), classes="scan-label")
                yield ScanInput(placeholder=t("ui.card_or_name_hint"), id="scan")
            yield OptionList(id="results")
            yield Vertical(id="patron-view")  # filled just after the first paint: see build_view
            yield Static(t("ui.patron_empty"), id="patron-empty", markup=False)
        yield self.footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.view_ready = False
        self.watch(self.app, "patron_card", self.show_patron)
        self.focus_scan()
        if self.app.first_frame_shown:
            self.call_after_refresh(self.build_view)

    def after_first_frame(self) -> None:
        self.call_after_refresh(self.build_view)

    async def build_view(self) -> None:
        """The patron's tabs and tables are mounted once the desk is on the terminal (at
        start-up, after its first frame): the scan field is usable at once, and a scan
        typed meanwhile simply waits."""
        from ...desk import patrons  # noqa: F401 - loaded now, so the first scan need not wait for it
        from .patron_details import PatronDetails

        view = self.query_one("#patron-view", Vertical)
        await view.remove_children()
        await view.mount(PatronDetails())
        self.setup_tables()
        self.view_ready = True
        self.show_patron()

    def after_language_change(self) -> None:
        self.view_ready = False
        self.call_after_refresh(self.build_view)

    async def on_screen_resume(self) -> None:
        await super().on_screen_resume()
        if getattr(self, "stale", False):
            self.show_patron()

    def setup_tables(self) -> None:
        t = self.t
        self.query_one("#loans").add_columns(t("ui.col_title"), t("ui.col_due"), t("ui.col_renewals"),
                                                        t("ui.col_barcode"))
        self.query_one("#holds").add_columns(t("ui.col_title"), t("ui.col_hold_state"),
                                                        t("ui.col_pickup"))
        self.query_one("#fees").add_columns(t("ui.col_date"), t("ui.col_fee_type"), t("ui.col_amount"),
                                                       t("ui.col_open"))
        for table in self.query("DataTable"):
            table.can_focus = False  # the scan field keeps the focus; ↑↓ move the rows

    # --- finding ---------------------------------------------------------------------

    @on(Input.Changed, "#scan")
    def search(self, event: Input.Changed) -> None:
        text = event.value.strip()
        results = self.query_one("#results", OptionList)
        results.clear_options()
        searching = len(text) >= 2
        if searching:
            for hit in self.desk.patrons.find(text, limit=30):
                year = hit["birth_year"] or ""
                results.add_option(Option(Text(f"{safe(hit['name'])}  {year}  {hit['card'] or ''}"), id=hit["card"]))
            if results.option_count:
                results.highlighted = 0
        self.set_class(searching, "-searching")

    @on(ScanInput.Scanned, "#scan")
    def scanned(self, event: ScanInput.Scanned) -> None:
        desk = self.desk
        try:
            desk.find_card(event.code, for_circulation=False)
            card = event.code
        except Refused:
            results = self.query_one("#results", OptionList)
            option = results.get_option_at_index(results.highlighted) if results.highlighted is not None else None
            card = option.id if option is not None else None
        self.set_class(False, "-searching")
        self.query_one("#results", OptionList).clear_options()
        if card is None:
            self.app.notify(self.t("ui.no_patron_found"), severity="warning")
            return
        self.app.set_patron(card)
        self.show_patron(card)

    def action_move(self, step: int) -> None:
        if self.has_class("-searching"):
            results = self.query_one("#results", OptionList)
            if results.option_count:
                current = results.highlighted or 0
                results.highlighted = max(0, min(results.option_count - 1, current + step))
            return
        table = self.current_table()
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def action_tab(self, step: int) -> None:
        tabs = self.query_one("#tabs")
        index = TABS.index(tabs.active) if tabs.active in TABS else 0
        tabs.active = TABS[(index + step) % len(TABS)]

    def current_table(self):
        active = self.query_one("#tabs").active or "tab-loans"
        return self.query_one("#" + active.removeprefix("tab-"))

    def action_clear(self) -> None:
        """Esc: the patron leaves the screen (privacy at a shared desk)."""
        scan = self.query_one("#scan", ScanInput)
        if scan.value:
            scan.value = ""
            return
        self.app.clear_patron()

    # --- showing ---------------------------------------------------------------------

    def show_patron(self, card: str | None = None) -> None:
        if not getattr(self, "view_ready", False):
            return  # build_view shows the patron when the tables are there
        if not self.is_current:
            self.stale = True  # another area is on screen: refresh when this one is shown again
            return
        self.stale = False
        card = self.app.patron_card
        view = None
        if card is not None:
            try:
                view = self.desk.patrons.view(card, with_fees=True)
            except Refused:
                view = None
        self.set_class(view is not None, "-has-patron")
        self.refresh_bindings()
        if view is None:
            for table in self.query("DataTable"):
                table.clear()
            return
        self.fill(view)

    def fill(self, view) -> None:
        t = self.t
        title = f"{view.last_name}, {view.first_name}" if view.first_name else view.last_name
        parts = [title, t.value("category", view.category)]
        if view.age is not None:
            parts.append(t("ui.age", age=view.age))
        parts.append(t("ui.card_no", card=view.card))
        self.query_one("#patron-title", Static).update(" · ".join(safe(p) for p in parts))

        banner = []
        if view.card_status != "active":
            banner.append(t("ui.presented_lost", card=view.presented_card))
        banner += [f"⛔ {t.refusal(r)}" for r in view.blocks if r.code != "CARD_LOST" or view.card_status == "active"]
        if view.verify_id:
            banner.append(f"🪪 {t('error.VERIFY_ID')}")
        if 0 < view.balance_cents and not any(r.code == "FEES_OVER_LIMIT" for r in view.blocks):
            banner.append(t("error.FEES_DUE", balance_cents=view.balance_cents))
        widget = self.query_one("#patron-banner", Static)
        widget.update("\n".join(banner))
        widget.display = bool(banner)
        widget.set_class(bool(view.blocks), "-blocked")

        contact = []
        if view.hetu_masked:
            contact.append(t("ui.hetu", hetu=view.hetu_masked))
        contact += [v for v in (view.phone, view.email, view.address) if v]
        if view.guardian:
            contact.append(t("ui.guardian", name=view.guardian, day=format_day(view.consent_date)))
        if view.responsible:
            contact.append(t("ui.responsible", name=view.responsible))
        self.query_one("#patron-contact", Static).update(" · ".join(safe(c) for c in contact))

        tabs = self.query_one("#tabs")
        tabs.get_tab("tab-loans").label = t("ui.loans_n", count=len(view.loans))
        tabs.get_tab("tab-holds").label = t("ui.holds_n", count=len(view.holds))
        tabs.get_tab("tab-fees").label = t("ui.fees_n", balance_cents=view.balance_cents)

        loans = self.query_one("#loans")
        loans.clear()
        for loan in view.loans:
            due = format_day(loan.due)
            due_cell = Text(f"! {due}", style="bold red") if loan.overdue else Text(due)
            loans.add_row(Text(safe(loan.title)), due_cell, str(loan.renewals), Text(safe(loan.barcode)),
                          key=loan.barcode)
        holds = self.query_one("#holds")
        holds.clear()
        for hold in view.holds:
            if hold.status == "waiting":
                state = Text(t("ui.hold_waiting", day=format_day(hold.pickup_by), code=hold.pickup_code or ""),
                             style="bold")
            elif hold.status == "in_transit":
                state = Text(t("ui.hold_in_transit"))
            else:
                state = Text(t("ui.hold_queued", position=hold.position))
            holds.add_row(Text(safe(hold.title)), state, Text(safe(hold.pickup_branch)),
                          key=hold.barcode or hold.title)
        fees = self.query_one("#fees")
        fees.clear()
        for fee in view.fees:
            kind = t(f"fee.{fee.charge_type}") if fee.entry == "charge" else t(f"fee.{fee.entry}")
            sign = "" if fee.entry == "charge" else "-"
            fees.add_row(format_day(fee.at), kind, sign + t.money(fee.amount_cents),
                         t.money(fee.open_cents) if fee.open_cents else "")

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action in PATRON_ACTIONS:
            return self.app.patron_card is not None and self.view_ready
        if action in ("move", "tab"):
            return self.view_ready or self.has_class("-searching")
        return True

    # --- actions ------------------------------------------------------------------------

    def _done(self, message: str) -> None:
        self.show_patron()
        self.app.notify(message, timeout=4)
        self.focus_scan()

    def _form(self, title: str, fields: list[Field], submit, done: str | None = None, note: str = "") -> None:
        def closed(values: dict | None) -> None:
            self.show_patron()
            self.focus_scan()
            if values is not None and done:
                self.app.notify(done, timeout=4)

        self.app.push_screen(FormModal(title, fields, submit, note), closed)

    def _try(self, call) -> str | None:
        try:
            call()
        except Refused as refused:
            return self.refusal_text(refused)
        return None

    def action_renew(self) -> None:
        table = self.query_one("#loans")
        tabs = self.query_one("#tabs")
        if not table.row_count:
            self.app.notify(self.t("ui.no_loans"), severity="warning")
            return
        tabs.active = "tab-loans"
        barcode = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        try:
            loan = self.desk.loans.renew(self.app.patron_card, barcode)
        except Refused as refused:
            self.app.notify(self.refusal_text(refused), severity="error", timeout=6)
            return
        self._done(self.t("cli.renewed" if loan.renewed else "cli.already_due", title=loan.title, due=loan.due))

    def action_renew_all(self) -> None:
        results = self.desk.loans.renew_all(self.app.patron_card)
        renewed = sum(1 for r in results if not isinstance(r.result, Refused) and r.result.renewed)
        failed = [r.result for r in results if isinstance(r.result, Refused)]
        message = self.t("ui.renewed_all", renewed=renewed, failed=len(failed))
        if failed:
            message += " " + self.refusal_text(failed[0])
        self._done(message)

    def action_pay(self) -> None:
        from .payment import payment_dialog  # method and payment receipt (issue 12)

        payment_dialog(self)

    def action_waive(self) -> None:
        card = self.app.patron_card

        def submit(values: dict) -> str | None:
            try:
                cents = parse_positive_euros(values["amount"])
            except Refused as refused:
                return self.refusal_text(refused)
            return self._try(lambda: self.desk.fees.waive(card, cents, values["reason"]))

        self._form(self.t("ui.waive_title"),
                   [Field("amount", self.t("ui.amount")), Field("reason", self.t("ui.reason"))],
                   submit, self.t("ui.waived"))

    def action_hold(self) -> None:
        card = self.app.patron_card
        branches = [(branch.name, branch.code) for branch in self.desk.holds.pickup_branches()]

        def submit(values: dict) -> str | None:
            return self._try(lambda: self.desk.holds.place(card, values["barcode"], values["pickup"]))

        self._form(self.t("ui.hold_title"),
                   [Field("barcode", self.t("ui.item_barcode")),
                    Field("pickup", self.t("ui.pickup_branch"), self.desk.branch, "select", branches)],
                   submit, self.t("ui.hold_placed"))

    def action_lost_card(self) -> None:
        card = self.app.patron_card
        new_card: list[str] = []

        def submit(values: dict) -> str | None:
            error = self._try(lambda: self.desk.patrons.report_lost_card(card, values["new_card"]))
            if error is None:
                new_card.append(values["new_card"].strip())
            return error

        def closed(values: dict | None) -> None:
            if new_card:
                self.app.set_patron(new_card[0])
                self.app.notify(self.t("cli.card_replaced", old=card, new=new_card[0]), timeout=6)
            self.show_patron()
            self.focus_scan()

        self.app.push_screen(
            FormModal(self.t("ui.lost_title"), [Field("new_card", self.t("ui.new_card"))], submit,
                      self.t("ui.lost_note")),
            closed,
        )

    def action_edit(self) -> None:
        card = self.app.patron_card
        view = self.desk.patrons.view(card)

        def submit(values: dict) -> str | None:
            from ...desk.patrons import ContactChange

            change = ContactChange(email=values["email"], phone=values["phone"], address=values["address"],
                                   verify_id=values["verify_id"])
            return self._try(lambda: self.desk.patrons.update(card, change))

        self._form(self.t("ui.edit_title"), [
            Field("phone", self.t("ui.phone"), view.phone or ""),
            Field("email", self.t("ui.email"), view.email or ""),
            Field("address", self.t("ui.address"), view.address or ""),
            Field("verify_id", self.t("ui.verify_id"), "1" if view.verify_id else "", "checkbox"),
        ], submit, self.t("ui.saved"))

    def action_register(self) -> None:
        from .register import RegisterScreen

        def closed(card: str | None) -> None:
            if card:
                self.app.set_patron(card)
            self.show_patron()
            self.focus_scan()

        self.app.push_screen(RegisterScreen(), closed)

    def palette_commands(self):
        from textual.app import SystemCommand

        t = self.t
        for action in ("renew", "renew_all", "pay", "waive", "hold", "lost_card", "edit", "register"):
            if action == "register" or self.app.patron_card is not None:
                yield SystemCommand(t(f"key.{action}"), t(f"palette.{action}"),
                                    lambda a=action: self.run_action(a))
