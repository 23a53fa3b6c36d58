"""Logging in, and the lock: the base screen of a mode of its own (see the app), opaque,
so while it is up nothing of the desk shows. Anyone with an account can log in at a
locked desk; a different person taking over starts the areas afresh.

Wrong tries slow this terminal down, whoever's name was typed: the first few answer at
once, then each waits twice as long as the one before (up to half a minute). Guessing
from one terminal gets slow, and nobody can lock a colleague out by typing their name.
The screen shows what the facade answers (`t.refusal`) and nothing else about the name.
"""

from __future__ import annotations

import math
import time

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from ...core.errors import Refused
from ..boundary import Guarded
from ..widgets.text_input import TextInput
from .base import translated

FREE_TRIES = 3  # wrong tries in a row answered at once (a typo, a caps lock)
FIRST_WAIT = 2.0  # seconds after the first try beyond those, doubling with each
LONGEST_WAIT = 30.0

monotonic = time.monotonic  # the backoff runs on real time whatever the desk's clock says


def backoff_seconds(wrong_tries: int) -> float:
    """How long this terminal waits before the next try, after `wrong_tries` in a row."""
    if wrong_tries < FREE_TRIES:
        return 0.0
    return min(LONGEST_WAIT, FIRST_WAIT * 2 ** (wrong_tries - FREE_TRIES))


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
        self.wrong_tries = 0
        self.next_try_at = 0.0
        self.refusal = ""
        self._lang = None
        self._countdown = None

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
                user = TextInput(self.username, id="login-user", compact=True, max_length=32)
                user.cursor_blink = False
                yield user
            with Horizontal(classes="form-row"):
                yield Label(t("ui.login_password"), classes="form-label", markup=False)
                password = TextInput(id="login-password", password=True, compact=True, max_length=200)
                password.cursor_blink = False
                yield password
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
            self.show_wait()

    @on(Input.Submitted, "#login-user")
    def to_password(self) -> None:
        self.query_one("#login-password", Input).focus()

    @on(Input.Submitted, "#login-password")
    def log_in(self) -> None:
        if self.seconds_to_wait() > 0:
            self.show_wait()  # the try waits; what was typed stays
            return
        user = self.query_one("#login-user", Input).value
        password = self.query_one("#login-password", Input)
        try:
            username = self.app.desk.log_in(user, password.value)
        except Refused as refused:
            password.value = ""
            self.wrong_tries += 1
            self.next_try_at = monotonic() + backoff_seconds(self.wrong_tries)
            self.refusal = self.app.t.refusal(refused.first)
            self.show_wait()
            return
        self.post_message(self.LoggedIn(username))

    def seconds_to_wait(self) -> int:
        return max(0, math.ceil(self.next_try_at - monotonic()))

    def show_wait(self) -> None:
        """The refusal, and while this terminal waits, for how long (counting down)."""
        wait = self.seconds_to_wait()
        text = self.refusal
        if wait:
            text = f"{text}\n{self.app.t('desk.login_wait', seconds=wait)}".strip()
        self.query_one("#form-error", Static).update(text)
        if wait and self._countdown is None:
            self._countdown = self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        if self.seconds_to_wait() == 0 and self._countdown is not None:
            self._countdown.stop()
            self._countdown = None
        self.show_wait()
