"""F7 — the catalogue: "onko teillä …?". Type words of the title or the author, an ISBN,
or scan a copy; the titles come as you type, best first, and under the chosen one
every copy: where it belongs, where it stands on the shelf, what it is doing now.

The search runs off the UI loop (a thread with a connection of its own), a moment
after the last key, so typing never waits for the register; a newer query makes an
older answer stale, and it is dropped. ↑↓ choose a title, PgUp PgDn a copy, Enter
opens the copy (its life: lost, damaged, missing…); a scanned barcode opens its copy
at once. Ctrl+O places a hold on the title for the patron on screen; Ctrl+L orders
an interlibrary loan when no member library has the title."""

from __future__ import annotations

import threading

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ...core.errors import Refused
from ...core.money import parse_euros
from ...i18n import format_day, safe
from ..widgets.text_input import TextInput
from .base import DeskScreen
from .forms import Field, FormModal

DEBOUNCE = 0.15  # seconds after the last key
MIN_LENGTH = 2  # characters before a search starts


def copy_state(t, status: str, due=None, transit_to: str | None = None, since=None, by: str | None = None) -> str:
    """A copy's status in words: since when and by whom for a life status (lost, claimed
    returned, in repair…), the due date of a loan, where a copy travels."""
    if since is not None:
        return f"{t.value('status', status)} {format_day(since)} ({safe(by or '-')})"
    if status == "on_loan" and due is not None:
        return t("catalogue.on_loan_until", due=format_day(due))
    if status == "in_transit" and transit_to:
        return t("catalogue.in_transit_to", branch=transit_to)
    return t.value("status", status)


class CatalogueScreen(DeskScreen):
    TITLE_KEY = "area.catalogue"
    BINDINGS = [
        Binding("escape", "clear", "key.clear_search"),
        Binding("up", "move(-1)", show=False),
        Binding("down", "move(1)", show=False),
        Binding("pageup", "copy(-1)", show=False),
        Binding("pagedown", "copy(1)", show=False),
        Binding("ctrl+o", "hold", "key.hold_title"),
        Binding("ctrl+l", "ill", "key.ill"),  # not Ctrl+K: the field deletes to the end with it
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.results: list = []
        self.shown_for = ""  # the query the results answer
        self._debounce = None
        self._lock = threading.Lock()  # one search at a time on the search connection
        self._searcher = None  # (context manager, desk) of the search thread
        self._open_barcode: str | None = None  # a scanned barcode: open its copy when found

    def compose(self) -> ComposeResult:
        t = self.t
        yield self.header()
        with Vertical(id="catalogue-body"):
            with Horizontal(classes="scan-row"):
                yield Label(t("catalogue.search_label"), classes="scan-label")
                field = TextInput(placeholder=t("catalogue.search_hint"), id="scan", max_length=200)
                field.cursor_blink = False
                yield field
            yield Static("", id="catalogue-patron", markup=False)
            yield OptionList(id="titles")
            yield Static("", id="title-detail", markup=False)
            yield DataTable(id="copies", cursor_type="row", zebra_stripes=True)
        yield self.footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.setup()
        self.watch(self.app, "patron_card", self.show_patron)
        self.focus_scan()

    def after_language_change(self) -> None:
        self.setup()
        self.show_patron()
        self.show(self.shown_for, self.results)

    def setup(self) -> None:
        t = self.t
        titles = self.query_one("#titles", OptionList)
        titles.can_focus = False  # the search field keeps the focus; ↑↓ move the choice
        copies = self.query_one("#copies", DataTable)
        copies.can_focus = False
        copies.clear(columns=True)
        for key, label in (("barcode", "ui.col_barcode"), ("branch", "catalogue.col_branch"),
                           ("status", "catalogue.col_status"), ("location", "catalogue.col_location")):
            copies.add_column(t(label), key=key)

    async def on_screen_resume(self) -> None:
        await super().on_screen_resume()
        self.show_patron()

    def on_unmount(self) -> None:
        self.close_searcher()

    def show_patron(self, card: str | None = None) -> None:
        widget = self.query_one("#catalogue-patron", Static)
        card = self.app.patron_card
        if card is None:
            widget.update(self.t("catalogue.no_patron"))
            return
        try:
            view = self.desk.patrons.view(card)
        except Refused:
            widget.update(self.t("catalogue.no_patron"))
            return
        widget.update(self.t("catalogue.for_patron", name=view.name, card=view.card))

    # --- searching, off the UI loop ------------------------------------------------------

    @on(Input.Changed, "#scan")
    def typed(self, event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        text = event.value.strip()
        if len(text) >= MIN_LENGTH:
            self._debounce = self.set_timer(DEBOUNCE, lambda: self.search(text))

    @on(Input.Submitted, "#scan")
    def submitted(self, event: Input.Submitted) -> None:
        """Enter: the chosen copy opens — of the results for what is typed; otherwise (a
        scanner's code and Enter) the search runs now and a barcode's copy opens."""
        text = event.value.strip()
        if not text:
            return
        if text == self.shown_for and self.results:
            self.action_open()
            return
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        self._open_barcode = text if " " not in text else None
        self.search(text)

    def search(self, text: str) -> None:
        self._debounce = None
        self.run_search(text)

    @work(thread=True, exclusive=True, group="catalogue-search")
    def run_search(self, text: str) -> None:
        with self._lock:
            if self._searcher is None:
                opened = self.desk.companion()
                self._searcher = (opened, opened.__enter__())
            results = self._searcher[1].catalogue.search(text, limit=30)
        self.app.call_from_thread(self.arrived, text, results)

    def close_searcher(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher[0].__exit__(None, None, None)
                self._searcher = None

    def arrived(self, text: str, results: list) -> None:
        field = self.query_one("#scan", Input).value.strip()
        if text != field and text != self._open_barcode:
            return  # typed on since: a newer search is on its way
        self.show(text, results)
        barcode, self._open_barcode = self._open_barcode, None
        if barcode == text:
            self.open_scanned(barcode)

    def open_scanned(self, barcode: str) -> None:
        """A scanned copy: choose it and open it, and empty the field for the next scan."""
        for row, copy in enumerate(self.current().copies if self.current() else ()):
            if copy.barcode == barcode:
                self.query_one("#copies", DataTable).move_cursor(row=row)
                self.query_one("#scan", Input).value = ""
                self.action_open()
                return

    # --- showing ---------------------------------------------------------------------

    def show(self, text: str, results: list) -> None:
        t = self.t
        self.shown_for, self.results = text, results
        titles = self.query_one("#titles", OptionList)
        titles.clear_options()
        for r in results:
            free = sum(1 for c in r.copies if c.status == "available")
            line = Text(safe(r.title), style="bold")
            if r.author:
                line.append(f" / {safe(r.author)}")
            if r.year:
                line.append(f" ({r.year})")
            line.append("  " + t("catalogue.copies_free", free=free, total=len(r.copies)), style="dim")
            titles.add_option(Option(line, id=str(r.record_id)))
        if results:
            titles.highlighted = 0
        self.show_title()

    def current(self):
        titles = self.query_one("#titles", OptionList)
        if titles.highlighted is None or titles.highlighted >= len(self.results):
            return None
        return self.results[titles.highlighted]

    def show_title(self) -> None:
        t = self.t
        detail = self.query_one("#title-detail", Static)
        copies = self.query_one("#copies", DataTable)
        copies.clear()
        self.refresh_bindings()  # a hold needs a title; an interlibrary loan, one no library has
        chosen = self.current()
        if chosen is None:
            detail.update(t("catalogue.nothing_found", query=self.shown_for) if self.shown_for else
                          t("catalogue.start_hint"))
            return
        facts = [t.value("format", chosen.format) if chosen.format else "",
                 f"ISBN {chosen.isbn}" if chosen.isbn else "", t("catalogue.queued", count=chosen.holds_queued)]
        if not chosen.copies:
            facts.append(t("catalogue.no_copies"))
        detail.update(" · ".join(safe(f) for f in facts if f))
        for copy in chosen.copies:
            style = "bold" if copy.status == "available" else ""
            state = copy_state(t, copy.status, copy.due, copy.transit_to, copy.since, copy.changed_by)
            copies.add_row(Text(safe(copy.barcode)), Text(safe(copy.branch)), Text(state, style=style),
                           Text(safe(copy.location or "")), key=copy.barcode)

    def action_move(self, step: int) -> None:
        titles = self.query_one("#titles", OptionList)
        if titles.option_count:
            current = titles.highlighted or 0
            titles.highlighted = max(0, min(titles.option_count - 1, current + step))
            self.show_title()

    def action_copy(self, step: int) -> None:
        copies = self.query_one("#copies", DataTable)
        if copies.row_count:
            copies.move_cursor(row=max(0, min(copies.row_count - 1, copies.cursor_row + step)))

    def chosen_copy(self) -> str | None:
        copies = self.query_one("#copies", DataTable)
        if not copies.row_count:
            return None
        return copies.coordinate_to_cell_key(copies.cursor_coordinate).row_key.value

    def action_clear(self) -> None:
        field = self.query_one("#scan", Input)
        if field.value:
            field.value = ""
            return
        self.show("", [])

    # --- from a result ---------------------------------------------------------------

    def action_open(self) -> None:
        """Enter: the chosen copy, its status and its life."""
        from .item import ItemModal

        barcode = self.chosen_copy()
        if barcode is None:
            return

        def closed(changed: bool | None) -> None:
            if changed and self.shown_for:
                self.run_search(self.shown_for)
            self.focus_scan()

        self.app.push_screen(ItemModal(barcode), closed)

    def card(self) -> str | None:
        """The card the desk acts with for the patron on screen: their valid one, whichever
        was scanned (a lost card opens the patron, as at F2, but never lends or holds)."""
        card = self.app.patron_card
        if card is None:
            return None
        try:
            return self.desk.patrons.view(card).card
        except Refused:
            return card  # the facade's refusal comes with the action

    def action_hold(self) -> None:
        """Ctrl+O: a hold on the chosen title for the patron on screen."""
        card, chosen = self.card(), self.current()
        if card is None:
            self.app.notify(self.t("catalogue.no_patron"), severity="warning")
            return
        if chosen is None:
            return
        branches = [(branch.name, branch.code) for branch in self.desk.holds.pickup_branches()]
        placed = []

        def submit(values: dict) -> str | None:
            try:
                placed.append(self.desk.holds.place_on_title(card, chosen.record_id, values["pickup"]))
            except Refused as refused:
                return self.refusal_text(refused)
            return None

        def closed(values: dict | None) -> None:
            if placed:
                self.app.notify(self.t("cli.hold_placed", title=placed[0].title, position=placed[0].position),
                                timeout=5)
                self.run_search(self.shown_for)
            self.focus_scan()

        self.app.push_screen(FormModal(self.t("catalogue.hold_title", title=chosen.title),
                                       [Field("pickup", self.t("ui.pickup_branch"), self.desk.branch, "select",
                                              branches)], submit), closed)

    def action_ill(self) -> None:
        """Ctrl+L: no member library has it — order it from elsewhere for the patron on screen."""
        card, chosen = self.card(), self.current()
        if card is None:
            self.app.notify(self.t("catalogue.no_patron"), severity="warning")
            return
        ordered = []

        def submit(values: dict) -> str | None:
            try:
                price = parse_euros(values["price"] or "0")
                ordered.append(self.desk.ill.order(card, values["title"], values["from"], price))
            except Refused as refused:
                return self.refusal_text(refused)
            return None

        def closed(values: dict | None) -> None:
            if ordered:
                self.app.notify(self.t("cli.ill_ordered", id=ordered[0].id, title=ordered[0].title), timeout=5)
            self.focus_scan()

        title = chosen.title if chosen is not None else self.query_one("#scan", Input).value.strip()
        self.app.push_screen(FormModal(self.t("catalogue.ill_title"), [
            Field("title", self.t("catalogue.ill_what"), title),
            Field("from", self.t("catalogue.ill_from")),
            Field("price", self.t("catalogue.ill_price")),
        ], submit, self.t("catalogue.ill_note")), closed)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "hold":
            return self.current() is not None
        if action == "ill":  # only when no member library has the title (copies lost or withdrawn count not)
            chosen = self.current()
            return bool(self.shown_for) and (chosen is None or not chosen.held)
        return True

    def palette_commands(self):
        from textual.app import SystemCommand

        t = self.t
        if self.current() is not None:
            yield SystemCommand(t("key.hold_title"), t("palette.hold_title"), self.action_hold)
            yield SystemCommand(t("key.open_copy"), t("palette.open_copy"), self.action_open)
        if self.check_action("ill", ()):
            yield SystemCommand(t("key.ill"), t("palette.ill"), self.action_ill)
