"""Logging in, and the lock: the base screen of a mode of its own (see the app), opaque,
so while it is up nothing of the desk shows. Anyone with an account can log in at a
locked desk; a different person taking over starts the areas afresh.

A refused try shows the facade's answer as it is (`t.refusal`) — a wrong password, or how
long this terminal must wait after several — and nothing of the screen's own about the
name typed: a real account and a name nobody has look the same.

A scan at the lock (a scanner typing a code and Enter into the name or the password) is
no try at all: it is refused with the bell, nothing goes to the register's count of
wrong passwords, and the code is not shown.
"""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from ...core.errors import Refused
from ..boundary import Guarded
from ..widgets.timed_input import TimedInput
from .base import translated


class LoginScreen(Guarded, Screen):
    BINDINGS = [Binding("ctrl+q", "app.quit", "key.quit", priority=True)]

    class LoggedIn(Message):
        """Someone logged in; the app takes them back to the desk."""

        def __init__(self, username: str):
            super().__init__()
            self.username = username

    def __init__(self, username: str = "", locked: bool = False):
        super().__init__()
        self.username = username
        self.locked = locked
        self._lang = None

    @property
    def active_bindings(self):
        return translated(super().active_bindings, self.app.t)

    def compose(self) -> ComposeResult:
        t = self.app.t
        with Vertical(classes="form-box login-box"):
            yield Label(t("ui.login_locked" if self.locked else "ui.login_title", branch=self.app.branch_name),
                        classes="form-title", markup=False)
            with Horizontal(classes="form-row"):
                yield Label(t("ui.login_user"), classes="form-label", markup=False)
                yield TimedInput(self.username, id="login-user", compact=True, max_length=32)
            with Horizontal(classes="form-row"):
                yield Label(t("ui.login_password"), classes="form-label", markup=False)
                yield TimedInput(id="login-password", password=True, compact=True, max_length=200)
            yield Static("", classes="form-error", id="form-error", markup=False)
            yield Static(t("ui.login_keys"), classes="form-hint", markup=False)

    def on_mount(self) -> None:
        self._lang = self.app.t.lang
        self.query_one("#login-password" if self.username else "#login-user", Input).focus()

    async def on_screen_resume(self) -> None:
        if self._lang is not None and self._lang != self.app.t.lang:  # the language chosen from the palette
            self.username = self.query_one("#login-user", Input).value
            await self.recompose()
            self.on_mount()

    async def _on_key(self, event: events.Key) -> None:
        """An Enter ending a scan typed into a field — digits at a scanner's pace (what a
        card or a barcode is; a password manager's typing is letters too): refused."""
        field = self.focused
        if event.key == "enter" and isinstance(field, TimedInput) and field.value.isascii() \
                and field.value.isdigit() and field.scanned_tail(event.time) == field.value:
            event.stop()
            event.prevent_default()
            field.value = ""
            field.typed_at.clear()
            self.app.bell()
            self.query_one("#form-error", Static).update(self.app.t("ui.login_scan"))

    @on(Input.Submitted, "#login-user")
    def to_password(self) -> None:
        self.query_one("#login-password", Input).focus()

    @on(Input.Submitted, "#login-password")
    def log_in(self) -> None:
        user = self.query_one("#login-user", Input).value
        password = self.query_one("#login-password", Input)
        try:
            username = self.app.desk.log_in(user, password.value)
        except Refused as refused:
            password.value = ""
            self.query_one("#form-error", Static).update(self.app.t.refusal(refused.first))
            return
        self.post_message(self.LoggedIn(username))
