"""Picking and packing one client's bag: the ranked pick list with its reasons, what
is already in the bag, and the scan field — scanning an item lends it into the bag.
Staff decide: skip a suggestion, scan anything else that suits.

The pick list reads the branch's shelves, which on a consortium's register takes
longer than a frame: it is made in a worker thread, on a desk of its own (a second
connection to the same file — a connection is never shared between threads), while
the screen stays live. A newer list replaces one still being made."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Label, Static
from textual.worker import get_current_worker

from ...core.errors import Refused, Unavailable
from ...core.kirjakassi import Pick
from ...i18n import format_day, safe
from ..receipt import deliver_receipt
from ..widgets.scan_input import ScanInput
from .base import DeskScreen

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from ...desk import Desk


TITLE_WIDTH = 26


class PackScreen(DeskScreen):
    TITLE_KEY = "area.kk_pack"
    BINDINGS = [
        Binding("escape", "back", "key.back"),
        # priority: the scan field would take Ctrl+X (cut) and Ctrl+E (end of line) for itself
        Binding("ctrl+x", "skip", "key.kk_skip", priority=True),
        Binding("ctrl+t", "slip", "key.kk_slip"),
        Binding("ctrl+e", "packed", "key.kk_packed", priority=True),
        Binding("up", "move(-1)", show=False),
        Binding("down", "move(1)", show=False),
    ]

    def __init__(self, card: str):
        super().__init__()
        self.card = card
        self.skipped: set[str] = set()
        self.picks: list[Pick] = []
        self.room = 0  # what the bag still holds: picks beyond it are alternates

    def compose(self) -> ComposeResult:
        t = self.t
        yield self.header()
        with Vertical(id="kk-body"):
            yield Static("", id="kk-client", markup=False)
            with Horizontal(classes="scan-row"):
                yield Label(t("ui.kk_scan"), classes="scan-label")
                yield ScanInput(id="scan")
            yield Label(t("ui.kk_picklist"), classes="dt-heading")
            yield DataTable(id="picks", cursor_type="row", zebra_stripes=True)
            yield Static("", id="kk-bag", markup=False)
        yield self.footer()

    def on_mount(self) -> None:
        super().on_mount()
        table = self.query_one("#picks", DataTable)
        table.can_focus = False
        t = self.t
        table.add_column(t("ui.col_barcode"), key="barcode")
        # The reasons wrap in the width the barcode and the title leave (80 columns: every word seen).
        table.add_column(t("ui.col_title"), key="title", width=TITLE_WIDTH)
        table.add_column(t("ui.kk_col_why"), key="why", width=max(16, self.app.size.width - TITLE_WIDTH - 22))
        self.fill()
        self.focus_scan()

    def fill(self) -> None:
        t, desk = self.t, self.desk
        client = desk.kirjakassi.client(self.card)
        delivery, items = desk.kirjakassi.bag(self.card)
        due = format_day(delivery.due_on if delivery else client.next_delivery) or "-"
        self.query_one("#kk-client", Static).update(safe(
            f"{client.name} · {client.delivery_address} · {t('ui.kk_next', day=due)} · "
            f"{t('ui.kk_bag_count', count=len(items), size=client.bag_size)} · {client.contact_name}"))
        self.room = max(0, client.bag_size - len(items))
        bag = [f"✓ {safe(i.title)}" for i in items]
        self.query_one("#kk-bag", Static).update(t("ui.kk_in_bag") + "\n" + "\n".join(bag) if bag else "")
        self.load_picks(self.desk.companion())

    @work(thread=True, exclusive=True, group="kk-picks")
    def load_picks(self, companion: AbstractContextManager[Desk]) -> None:
        worker = get_current_worker()
        problem: Refused | Unavailable | None = None
        picks: list[Pick] = []
        try:
            with companion as desk:
                picks = desk.kirjakassi.pick_list(self.card)
        except (Refused, Unavailable) as error:
            problem = error
        if not worker.is_cancelled:
            self.app.call_from_thread(self.show_picks, picks, problem)

    def show_picks(self, picks: list[Pick], problem: Refused | Unavailable | None = None) -> None:
        if not self.is_attached:
            return  # the screen was closed while the list was being made
        if isinstance(problem, Refused):
            self.app.notify(self.refusal_text(problem), severity="warning")
        elif problem is not None:
            self.app.notify(self.t(f"unavailable.{problem.reason}", **problem.params), severity="error")
        self.picks = [p for p in picks if p.candidate.barcode not in self.skipped]
        table = self.query_one("#picks", DataTable)
        table.clear()
        for n, pick in enumerate(self.picks):
            c = pick.candidate
            style = "" if n < self.room else "dim"
            table.add_row(Text(c.barcode, style=style),
                          Text(safe(f"{c.title} / {c.author}" if c.author else c.title), style=style,
                               overflow="ellipsis", no_wrap=True),
                          Text(self.reasons(pick.reasons), style=style), key=c.barcode, height=None)

    def reasons(self, reasons: tuple[str, ...]) -> str:
        t = self.t
        words = []
        for reason in reasons:
            kind, _, value = reason.partition(":")
            if kind == "medium":
                words.append(t(f"media.{value}"))
            else:
                words.append(t(f"ui.kk_why_{kind}", value=value))
        return ", ".join(words)

    def action_move(self, step: int) -> None:
        table = self.query_one("#picks", DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def chosen(self) -> str | None:
        table = self.query_one("#picks", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    @on(ScanInput.Scanned, "#scan")
    def scanned(self, event: ScanInput.Scanned) -> None:
        if event.duplicate:
            return
        reason = next((self.reasons(p.reasons) for p in self.picks if p.candidate.barcode == event.code), None)
        try:
            loan = self.desk.kirjakassi.pack(self.card, event.code, reason)
        except Refused as refused:
            self.app.notify(self.refusal_text(refused), severity="error", timeout=6)
            self.app.bell()
            return
        self.app.notify(self.t("ui.kk_packed_item", title=loan.title, due=format_day(loan.due)), timeout=3)
        self.fill()

    def action_skip(self) -> None:
        barcode = self.chosen()
        if barcode:
            self.skipped.add(barcode)
            self.show_picks(self.picks)

    def action_slip(self) -> None:
        try:
            text = self.desk.kirjakassi.packing_slip(self.card, self.t.lang)
            where = deliver_receipt(self.app.settings, text, self.desk.now(), "pakkauslista")
        except Refused as refused:
            self.app.notify(self.refusal_text(refused), severity="warning")
            return
        except OSError as exc:
            self.app.notify(self.t("ui.receipt_failed", problem=safe(exc.strerror or type(exc).__name__)),
                            severity="error")
            return
        self.app.notify(self.t("ui.receipt_done", where=where), timeout=5)

    def action_packed(self) -> None:
        try:
            self.desk.kirjakassi.bag_packed(self.card)
        except Refused as refused:
            self.app.notify(self.refusal_text(refused), severity="warning")
            return
        self.dismiss()

    def action_back(self) -> None:
        self.dismiss()
