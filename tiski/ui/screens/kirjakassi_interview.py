"""The interview of a book-bag client's wishes: sections staff fill in while talking
with the client (in person or by phone). Saved as a draft at any point (Ctrl+S) and
resumed later; completed (Ctrl+D) it is dated and signed by the interviewer. A new
interview after a complete one is a new version; the earlier ones stay."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Checkbox, Input, Label, SelectionList, Static, TabbedContent, TabPane, TextArea

from ...core.errors import Refused
from ...core.kirjakassi import MEDIA
from ...i18n import format_day, safe
from ..widgets.note_area import NoteArea
from ..widgets.text_input import TextInput
from .base import DeskScreen

LIST_FIELDS = ("genres", "subjects", "liked_authors", "disliked_authors", "languages", "avoid")
SECTIONS = ("reading", "authors", "formats", "avoid", "wishes")


class InterviewScreen(DeskScreen):
    TITLE_KEY = "area.kk_interview"
    BINDINGS = [
        Binding("escape", "leave", "key.kk_leave"),
        # priority: the fields would take Ctrl+D (delete) and the page keys for themselves
        Binding("ctrl+s", "save", "key.kk_draft", priority=True),
        Binding("ctrl+d", "complete", "key.kk_complete", priority=True),
        Binding("pagedown", "section(1)", "key.kk_section", priority=True),
        Binding("pageup", "section(-1)", "key.kk_section", show=False, priority=True),
    ]

    def __init__(self, card: str):
        super().__init__()
        self.card = card
        self.refused = ""

    def compose(self) -> ComposeResult:
        t = self.t
        form = self.desk.kirjakassi.interview_form(self.card)
        client, versions = form.client, form.versions
        self.answers = versions[0].answers if versions else {}
        self.editing_draft = bool(versions) and versions[0].status == "draft"
        yield self.header()
        with Vertical(id="kk-body"):
            history = " · ".join(
                f"v{i.version} {t(f'kk_interview.{i.status}')}"
                + (f" {format_day(i.interviewed_on)} {i.interviewer or ''}" if i.interviewed_on else "")
                for i in versions[:3])
            yield Static(safe(f"{client.name} · {history or t('ui.kk_first_interview')}"), id="kk-interview-head",
                         markup=False)
            with TabbedContent(id="kk-sections"):
                with TabPane(t("ui.kk_sec_reading"), id="sec-reading"), VerticalScroll():
                    yield from self.row("genres", ", ".join(form.genre_hints))
                    yield from self.row("subjects", ", ".join(form.subject_hints))
                    yield from self.row("languages", "fin, swe, eng")
                with TabPane(t("ui.kk_sec_authors"), id="sec-authors"), VerticalScroll():
                    yield from self.row("liked_authors", t("ui.kk_authors_hint"))
                    yield from self.row("disliked_authors", t("ui.kk_authors_hint"))
                with TabPane(t("ui.kk_sec_formats"), id="sec-formats"), VerticalScroll():
                    chosen = set(self.answers.get("media") or ["regular_print"])
                    yield SelectionList(*[(t(f"media.{m}"), m, m in chosen) for m in MEDIA], id="k-media")
                    yield Checkbox(t("ui.kk_large_print_only"), bool(self.answers.get("large_print_only")),
                                   id="k-large_print_only", compact=True)
                    yield Checkbox(t("ui.kk_easy_read"), bool(self.answers.get("easy_read")), id="k-easy_read",
                                   compact=True)
                    yield from self.row("amount", t("ui.kk_amount_hint"))
                with TabPane(t("ui.kk_sec_avoid"), id="sec-avoid"), VerticalScroll():
                    yield from self.row("avoid", t("ui.kk_avoid_hint"))
                with TabPane(t("ui.kk_sec_wishes"), id="sec-wishes"):
                    area = NoteArea(str(self.answers.get("wishes") or ""), id="k-wishes", soft_wrap=True)
                    area.cursor_blink = False
                    yield area
            yield Static("", classes="form-error", id="form-error", markup=False)
        yield self.footer()

    def row(self, name: str, hint: str = "") -> ComposeResult:
        value = self.answers.get(name)
        text = ", ".join(value) if isinstance(value, list) else str(value or "")
        with Horizontal(classes="form-row"):
            label = self.t(f"field.{name}") if self.t.has(f"field.{name}") else name
            yield Label(label[:1].upper() + label[1:], classes="form-label")
            field = TextInput(text, id=f"k-{name}", compact=True, max_length=1000, placeholder=hint)
            field.cursor_blink = False
            yield field

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#k-genres", Input).focus()

    def focus_scan(self) -> None:
        pass

    def action_section(self, step: int) -> None:
        tabs = self.query_one("#kk-sections", TabbedContent)
        ids = [f"sec-{s}" for s in SECTIONS]
        tabs.active = ids[(ids.index(tabs.active) + step) % len(ids)]
        first = {"sec-reading": "#k-genres", "sec-authors": "#k-liked_authors", "sec-formats": "#k-media",
                 "sec-avoid": "#k-avoid", "sec-wishes": "#k-wishes"}[tabs.active]
        self.query_one(first).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def collected(self) -> dict:
        answers = {}
        for name in LIST_FIELDS:
            text = self.query_one(f"#k-{name}", Input).value
            answers[name] = [part.strip() for part in text.split(",") if part.strip()]
        answers["media"] = list(self.query_one("#k-media", SelectionList).selected)
        answers["large_print_only"] = self.query_one("#k-large_print_only", Checkbox).value
        answers["easy_read"] = self.query_one("#k-easy_read", Checkbox).value
        answers["amount"] = self.query_one("#k-amount", Input).value.strip()
        answers["wishes"] = self.query_one("#k-wishes", TextArea).text.strip()
        return answers

    def _save(self, complete: bool) -> bool:
        try:
            saved = self.desk.kirjakassi.save_interview(self.card, self.collected(), complete=complete)
        except Refused as refused:
            self.refused = self.refusal_text(refused)
            self.query_one("#form-error", Static).update(self.refused)
            return False
        self.app.notify(self.t("ui.kk_saved_complete" if complete else "ui.kk_saved_draft", version=saved.version),
                        timeout=4)
        return True

    def action_save(self) -> None:
        self._save(complete=False)

    def action_complete(self) -> None:
        if self._save(complete=True):
            self.dismiss()

    def action_leave(self) -> None:
        """Leaving keeps what was typed, as a draft — nothing said in the interview is lost.
        What cannot be kept (the rules refuse it) is left only when staff say so."""
        if self.collected() == _normalised(self.answers) or self._save(complete=False):
            self.dismiss()
            return
        from .forms import ConfirmModal

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss()

        question = f"{self.refused}\n{self.t('ui.kk_unsaved')}"
        self.app.push_screen(ConfirmModal(self.t("ui.kk_unsaved_title"), question), answered)


def _normalised(answers: dict) -> dict:
    out = {}
    for name in LIST_FIELDS:
        value = answers.get(name) or []
        out[name] = list(value) if isinstance(value, list) else [p.strip() for p in str(value).split(",") if p.strip()]
    out["media"] = list(answers.get("media") or ["regular_print"])
    out["large_print_only"] = bool(answers.get("large_print_only"))
    out["easy_read"] = bool(answers.get("easy_read"))
    amount = answers.get("amount")
    out["amount"] = "" if amount in (None, "") else str(amount)
    out["wishes"] = str(answers.get("wishes") or "")
    return out
