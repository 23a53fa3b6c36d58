"""F2 — the patron: scan a card or type a name; the patron's standing, the alerts at
the card, loans, holds and fees; the actions of the desk by key.

A card scanned here replaces everything of the patron before. Once a patron is on
screen, the desk acts with their valid card — also when the card scanned was one
they have since reported lost (the screen says so).

While a patron is on screen, a tick once a second asks SQLite whether anyone else has
committed to the register (data_version: no table is read), so a loan made at a
self-service machine or another desk shows within a second. Nothing ticks without a
patron or while another area (or the lock) is on screen."""

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
from ..widgets.card_alerts import CardAlerts
from ..widgets.scan_input import ScanInput
from .base import DeskScreen
from .forms import Field, FormModal

PATRON_ACTIONS = {"renew", "renew_all", "pay", "waive", "hold", "lost_card", "edit", "notes", "notice_channels",
                  "loan_copy"}
SEARCH_DELAY = 0.15  # seconds of quiet typing before a name search: a scanned card needs none
WATCH_EVERY = 1.0  # seconds between looks for other desks' and machines' changes (issue 14: within a second)
TABS = ("tab-loans", "tab-holds", "tab-fees")


class PatronScreen(DeskScreen):
    TITLE_KEY = "area.patron"
    HELP_KEYS = (("↑ ↓", "help.rows"), ("PgUp PgDn", "help.tabs"), ("Enter", "help.enter"))
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
        Binding("ctrl+t", "notes", "key.notes", show=False),
        Binding("ctrl+s", "notice_channels", "key.nt_channels", show=False),
        Binding("ctrl+n", "register", "key.register", show=False),
        # Over the field's "to the end" (End does that too): a loan lost, claimed returned or
        # damaged is reached from the patron, not only through the catalogue (issue 12).
        Binding("ctrl+e", "loan_copy", "key.loan_copy", show=False, priority=True),
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.view = None  # the patron on screen, as last read
        self.view_ready = False
        self.stale = False
        self._search_timer = None
        self._watcher = None
        self._seen_version: int | None = None
        self.searching = False  # the names found are shown in place of the patron

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
        if self.stale:
            self.show_patron()
        self.watch_for_changes()

    def on_screen_suspend(self) -> None:
        if self._watcher is not None:
            self._watcher.pause()  # another area, a dialog or the lock: nothing runs

    def watch_for_changes(self) -> None:
        """The tick runs while a patron is on this screen, and only then."""
        wanted = self.view is not None and self.is_current
        if wanted and self._watcher is None:
            self._watcher = self.set_interval(WATCH_EVERY, self.look_for_changes, name="patron-watch")
        elif self._watcher is not None:
            self._watcher.resume() if wanted else self._watcher.pause()

    def look_for_changes(self) -> None:
        """Someone else committed: the patron read again, the tables refilled only if it
        shows (a busy register commits every second; the rows under the cursor stay)."""
        version = self.desk.register_version()
        if self.view is None or not self.is_current or version == self._seen_version:
            return
        self._seen_version = version
        try:
            view = self.desk.patrons.view(self.app.patron_card, with_fees=True)
        except Refused:
            return  # the card went meanwhile: the next scan or Esc says so
        if view != self.view:
            self.view = view
            cursors = {table.id: table.cursor_row for table in self.query("DataTable")}
            self.fill(view)
            for table in self.query("DataTable"):
                if table.row_count and cursors.get(table.id):
                    table.move_cursor(row=min(table.row_count - 1, cursors[table.id]))

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
    def typed(self, event: Input.Changed) -> None:
        """A name search once the typing pauses (a scanner's digits never wait for one)."""
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        if len(event.value.strip()) >= 2:
            self._search_timer = self.set_timer(SEARCH_DELAY, self.search)
        else:
            self.query_one("#results", OptionList).clear_options()
            self.show_parts(searching=False)

    def search(self) -> list:
        self._search_timer = None
        text = self.query_one("#scan", ScanInput).value.strip()
        results = self.query_one("#results", OptionList)
        results.clear_options()
        hits = self.desk.patrons.find(text, limit=30) if len(text) >= 2 else []
        for hit in hits:
            year = hit["birth_year"] or ""
            results.add_option(Option(Text(f"{safe(hit['name'])}  {year}  {hit['card'] or ''}"), id=hit["card"]))
        if results.option_count:
            results.highlighted = 0
        self.show_parts(searching=bool(text))
        return hits

    @on(ScanInput.Scanned, "#scan")
    def scanned(self, event: ScanInput.Scanned) -> None:
        results = self.query_one("#results", OptionList)
        chosen = None
        if results.option_count and results.highlighted is not None:
            chosen = results.get_option_at_index(results.highlighted).id
        if self._search_timer is not None:  # Enter before the search: the card, or the first name found
            self._search_timer.stop()
            self._search_timer = None
        self.handle_scan(event.code, chosen)

    def handle_scan(self, code: str, chosen: str | None = None) -> None:
        """A card (or the name chosen from the results) opens that patron; a code that
        is neither clears the patron before, so nobody sees someone else's data."""
        try:
            self.desk.find_card(code, for_circulation=False)
            card: str | None = code
        except Refused:
            card = chosen
            if card is None:
                hits = self.desk.patrons.find(code, limit=1)
                card = hits[0]["card"] if hits else None
        self.show_parts(searching=False)
        self.query_one("#results", OptionList).clear_options()
        if card is None:
            self.app.clear_patron()
            self.app.notify(self.t("ui.no_patron_found"), severity="warning")
            return
        if card == self.app.patron_card:
            self.show_patron()  # the same card again: read afresh (a new one is shown by the watch)
        self.app.set_patron(card)

    def action_move(self, step: int) -> None:
        if self.searching:
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

    def show_parts(self, *, searching: bool | None = None) -> None:
        """Below the scan field: the names found while searching, else the patron, else
        the hint. Set on the three widgets themselves — a class on the screen would have
        Textual apply the stylesheet again to every widget of the patron's view, the
        larger part of a card scan's time."""
        if searching is not None:
            self.searching = searching
        self.query_one("#results").display = self.searching
        self.query_one("#patron-view").display = self.view is not None and not self.searching
        self.query_one("#patron-empty").display = self.view is None and not self.searching

    def show_patron(self, card: str | None = None) -> None:
        if not self.view_ready:
            return  # build_view shows the patron when the tables are there
        if not self.is_current:
            self.stale = True  # another area is on screen: refresh when this one is shown again
            return
        self.stale = False
        card = self.app.patron_card
        view = None
        self._seen_version = self.desk.register_version()  # read before the view: nothing slips between
        if card is not None:
            try:
                view = self.desk.patrons.view(card, with_fees=True)
            except Refused:
                view = None
        self.view = view
        self.show_parts()
        self.refresh_bindings()
        self.watch_for_changes()
        if view is None:
            for table in self.query("DataTable"):
                table.clear()
            self.query_one("#patron-alerts", CardAlerts).show((), self.t)
            return
        self.fill(view)

    def card(self) -> str:
        """The card the desk acts with: the patron's valid one, whichever was scanned."""
        return self.view.card if self.view is not None else self.app.patron_card

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
        widget = self.query_one("#patron-banner", Static)
        widget.update("\n".join(banner))
        widget.display = bool(banner)
        widget.set_class(bool(view.blocks), "-blocked")
        self.query_one("#patron-alerts", CardAlerts).show(view.alerts, t)

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
            title = Text(safe(loan.title))
            if loan.claims_returned:  # searched for, not overdue: said in words, not with the "!"
                due_cell = Text(due)
                title.append(f" ({t.value('status', 'claims_returned')})", style="italic")
            else:
                due_cell = Text(f"! {due}", style="bold red") if loan.overdue else Text(due)
            loans.add_row(title, due_cell, str(loan.renewals), Text(safe(loan.barcode)), key=loan.barcode)
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
            return self.view_ready or self.searching
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
            loan = self.desk.loans.renew(self.card(), barcode)
        except Refused as refused:
            self.app.notify(self.refusal_text(refused), severity="error", timeout=6)
            return
        self._done(renewal_text(self.t, loan.title, loan))

    def action_loan_copy(self) -> None:
        """Ctrl+E: the highlighted loan's copy in the copy's view (as the catalogue opens
        it): lost, claims returned, damaged… The patron is read afresh when it closes."""
        from .item import ItemModal

        table = self.query_one("#loans")
        if not table.row_count:
            self.app.notify(self.t("ui.no_loans"), severity="warning")
            return
        self.query_one("#tabs").active = "tab-loans"
        barcode = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

        def closed(_changed: bool | None) -> None:
            self.show_patron()
            self.focus_scan()

        self.app.push_screen(ItemModal(barcode), closed)

    def action_renew_all(self) -> None:
        """Every loan renewed that can be, and a list of what became of each."""
        from .renewals import RenewalsModal

        results = self.desk.loans.renew_all(self.card())
        if not results:
            self.app.notify(self.t("ui.no_loans"), severity="warning")
            return
        lines = [(("✗" if isinstance(r.result, Refused) else "✓" if r.result.renewed else "·"),
                  renewal_text(self.t, r.title, r.result)) for r in results]
        renewed = sum(1 for mark, _ in lines if mark == "✓")
        self.show_patron()
        self.app.push_screen(RenewalsModal(self.t("ui.renewed_all", renewed=renewed, total=len(results)), lines),
                             lambda _: self.focus_scan())

    def action_pay(self) -> None:
        from .payment import payment_dialog  # the method and the payment receipt

        payment_dialog(self, self.card())

    def action_waive(self) -> None:
        card = self.card()

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
        card = self.card()
        branches = [(branch.name, branch.code) for branch in self.desk.holds.pickup_branches()]

        def submit(values: dict) -> str | None:
            return self._try(lambda: self.desk.holds.place(card, values["barcode"], values["pickup"]))

        self._form(self.t("ui.hold_title"),
                   [Field("barcode", self.t("ui.item_barcode"), code=True),
                    Field("pickup", self.t("ui.pickup_branch"), self.desk.branch, "select", branches)],
                   submit, self.t("ui.hold_placed"))

    def action_lost_card(self) -> None:
        card = self.card()
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
            FormModal(self.t("ui.lost_title"), [Field("new_card", self.t("ui.new_card"), code=True)], submit,
                      self.t("ui.lost_note")),
            closed,
        )

    def action_edit(self) -> None:
        card = self.card()
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

    def action_notice_channels(self) -> None:
        from .notice_channels import choose_channels

        choose_channels(self, self.card())

    def action_notes(self) -> None:
        """Ctrl+T: the patron's circulation notes — add one, mark one done."""
        from .notes import NotesModal

        def closed(_) -> None:
            self.show_patron()
            self.focus_scan()

        self.app.push_screen(NotesModal(self.card()), closed)

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
        for action in ("renew", "renew_all", "pay", "waive", "hold", "lost_card", "edit", "notes", "loan_copy",
                       "register"):
            if action == "register" or self.app.patron_card is not None:
                yield SystemCommand(t(f"key.{action}"), t(f"palette.{action}"),
                                    lambda a=action: self.run_action(a))
        if self.app.patron_card is not None:
            yield SystemCommand(t("key.nt_channels"), t("palette.nt_channels"), lambda: self.run_action("notice_channels"))


def renewal_text(t, title: str, result) -> str:
    """What became of a renewal, in words: the new due date, no change, or why not."""
    if isinstance(result, Refused):
        return t("ui.not_renewed", title=title, reasons=" ".join(t.refusal(r) for r in result.refusals))
    if result.unchanged:
        return t("cli.renew_unchanged", title=title, due=result.due)
    return t("cli.renewed", title=title, due=result.due)
