"""Logging in, and the lock. The lock is opaque: while it is up no patron data shows.
Anyone with an account can log in at a locked desk; a different person taking over
clears the patron from the screen (a shared desk PC, quick to switch)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ...core.errors import Refused
from ..widgets.text_input import TextInput
from .base import translated


class LoginScreen(ModalScreen[str]):
    BINDINGS = [Binding("ctrl+q", "app.quit", "key.quit", priority=True)]

    def __init__(self, username: str = "", locked: bool = False):
        super().__init__()
        self.username = username
        self.locked = locked

    @property
    def active_bindings(self):
        return translated(super().active_bindings, self.app.t)

    def compose(self) -> ComposeResult:
        t = self.app.t
        with Vertical(classes="form-box login-box"):
            yield Label(t("ui.login_locked" if self.locked else "ui.login_title", branch=self.app.branch_name),
                        classes="form-title")
            with Horizontal(classes="form-row"):
                yield Label(t("ui.login_user"), classes="form-label")
                user = TextInput(self.username, id="login-user", compact=True, max_length=32)
                user.cursor_blink = False
                yield user
            with Horizontal(classes="form-row"):
                yield Label(t("ui.login_password"), classes="form-label")
                password = TextInput(id="login-password", password=True, compact=True, max_length=200)
                password.cursor_blink = False
                yield password
            yield Static("", classes="form-error", id="form-error", markup=False)
            yield Static(t("ui.login_keys"), classes="form-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#login-password" if self.username else "#login-user", Input).focus()

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
        self.dismiss(username)
