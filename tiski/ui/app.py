"""The desk: a full-screen Textual app over the facade. It holds no rule of its own.

Areas are modes, each with its own screen stack: F2 patron, F3 checkout, F4 returns.
The current patron belongs to the app (checkout lends to them); Esc on the patron
screen or a configurable idle time clears them from the screen.
"""

from __future__ import annotations

import os
from typing import Iterable

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.theme import Theme

from ..config import DeskConfig
from ..i18n import LANGUAGES, Translator
from ..resources import stylesheet
from ..store import branches as branch_store
from .screens.base import AREAS, translated


# Areas are imported when first opened: a desk PC starts on the patron screen.
def _patron_screen() -> Screen:
    from .screens.patron import PatronScreen

    return PatronScreen()


def _checkout_screen() -> Screen:
    from .screens.checkout import CheckoutScreen

    return CheckoutScreen()


def _returns_screen() -> Screen:
    from .screens.returns import ReturnsScreen

    return ReturnsScreen()


def _digituki_screen() -> Screen:
    from .screens.digituki import DigitukiScreen

    return DigitukiScreen()


def _kirjakassi_screen() -> Screen:
    from .screens.kirjakassi import KirjakassiScreen

    return KirjakassiScreen()


# Calm blue for the desk, the warm colours kept for what staff must not miss.
TISKI_THEME = Theme(
    name="tiski",
    primary="#3b7dd8",
    secondary="#2aa198",
    accent="#e0a526",
    warning="#e0a526",
    error="#e5484d",
    success="#46a758",
    foreground="#e6e6e6",
    background="#101418",
    surface="#182028",
    panel="#22303c",
    dark=True,
)


class TiskiApp(App):
    CSS_PATH = str(stylesheet())
    TITLE = "Tiski"
    ENABLE_COMMAND_PALETTE = True
    MODES = {"patron": _patron_screen, "checkout": _checkout_screen, "returns": _returns_screen,
             "digituki": _digituki_screen, "kirjakassi": _kirjakassi_screen}
    DEFAULT_MODE = "patron"
    BINDINGS = [
        Binding("f1", "help", "key.help"),
        Binding("f2", "area('patron')", "key.patron", group=AREAS),
        Binding("f3", "area('checkout')", "key.checkout", group=AREAS),
        Binding("f4", "area('returns')", "key.returns", group=AREAS),
        Binding("f5", "area('digituki')", "key.digituki", group=AREAS),
        Binding("f6", "area('kirjakassi')", "key.kirjakassi", group=AREAS),
        Binding("f12", "lock", "key.lock", show=False),
        Binding("ctrl+q", "quit", "key.quit", show=False, priority=True),
    ]

    patron_card: reactive[str | None] = reactive(None, init=False)

    def __init__(self, desk, *, lang: str | None = None, config: DeskConfig | None = None,
                 clock_is_fixed: bool = False):
        super().__init__()
        self.desk = desk
        self.t = Translator(lang)
        self.config = config or DeskConfig()
        self.clock_is_fixed = clock_is_fixed
        branch = branch_store.get(desk.conn, desk.branch)
        self.branch_name = branch.name if branch else desk.branch
        self.session_lines: list[tuple[str, str, str]] = []  # the checkout session: (mark, title, detail)
        self._idle_timer = None
        self._lock_timer = None
        self.locked = False
        self.first_frame_shown = False
        self.register_theme(TISKI_THEME)
        self._choose_theme("ansi-dark" if self._sixteen_colours() else "tiski")

    def _choose_theme(self, name: str) -> None:
        """The theme, set before the first frame without the watcher Textual runs on a
        change of theme: that would parse every stylesheet a second time (~20 ms)."""
        self.set_reactive(TiskiApp.theme, name)
        self.add_class(f"-theme-{name}")
        self._watch_ansi_color(self.ansi_color)  # ansi-dark draws in the terminal's own colours

    def _sixteen_colours(self) -> bool:
        """Plain terminals (the Linux console, old SSH clients) get the terminal's own
        ANSI colours rather than approximations of true colour. TISKI_THEME=ansi|tiski
        chooses by hand."""
        chosen = os.environ.get("TISKI_THEME", "").lower()
        if chosen in ("ansi", "tiski"):
            return chosen == "ansi"
        return self.console.color_system in ("standard", "windows")

    @property
    def active_bindings(self):
        return translated(super().active_bindings, self.t)

    def on_ready(self) -> None:
        """The first frame is on the terminal: now the heavier parts of the screen."""
        self.first_frame_shown = True
        for screen in self.screen_stack:
            if hasattr(screen, "after_first_frame"):
                screen.after_first_frame()

    def on_mount(self) -> None:
        if self.needs_login():
            # After the first screen is up (it shows no patron yet), the login covers it.
            self.call_after_refresh(self.show_login, False)
        else:
            self._restart_lock()

    # --- who is at the desk ---------------------------------------------------------

    def needs_login(self) -> bool:
        return self.desk.needs_login()

    def show_login(self, locked: bool) -> None:
        from ..shell import unix_staff
        from .screens.login import LoginScreen

        self.locked = True
        before = self.desk.staff if locked else None
        self.push_screen(LoginScreen(before or unix_staff(self.desk) or "", locked), self._logged_in)

    def _logged_in(self, username: str) -> None:
        if username != getattr(self, "_previous_staff", username):
            self.clear_patron()  # someone else took over the desk
        self._previous_staff = username
        self.locked = False
        self.refresh_bindings()
        self._restart_lock()
        for header in self.screen.query("DeskHeader"):
            header.update_text()
        if hasattr(self.screen, "focus_scan"):
            self.screen.focus_scan()

    def action_lock(self) -> None:
        """F12 (or idle time): the lock covers everything; the same person or another logs in."""
        if self.needs_login() and not self.locked:
            self._previous_staff = self.desk.staff
            self.show_login(locked=True)

    def _restart_lock(self) -> None:
        if self._lock_timer is not None:
            self._lock_timer.stop()
            self._lock_timer = None
        if self.needs_login() and not self.locked:
            self._lock_timer = self.set_timer(self.config.lock_seconds, self.action_lock)

    # --- areas, help, language ----------------------------------------------------------

    def action_area(self, mode: str) -> None:
        from ..core.roles import allowed

        needed = {"digituki": ("queue_view", "digituki")}.get(mode, ("patron_view", "patrons"))
        if not allowed(self.desk.role, *needed):
            self.notify(self.t("error.NOT_ALLOWED"), severity="warning")
            return
        if self.current_mode != mode:
            self.switch_mode(mode)
        else:
            self.screen.focus_scan()

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def set_language(self, lang: str) -> None:
        self.t = Translator(lang)
        screen = self.screen
        if hasattr(screen, "on_screen_resume"):
            self.call_later(screen.on_screen_resume)
        self.refresh_bindings()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action of the desk, in the desk's language, for the command palette."""
        t = self.t
        yield SystemCommand(t("key.help"), t("palette.help"), self.action_help)
        for mode in ("patron", "checkout", "returns", "digituki", "kirjakassi"):
            yield SystemCommand(t(f"key.{mode}"), t(f"palette.{mode}"), lambda m=mode: self.action_area(m))
        if hasattr(screen, "palette_commands"):
            yield from screen.palette_commands()
        for lang in LANGUAGES:
            if lang != t.lang:
                yield SystemCommand(t(f"palette.language_{lang}"), t("palette.language"),
                                    lambda code=lang: self.set_language(code))
        yield SystemCommand(t("key.quit"), t("palette.quit"), self.action_quit)

    # --- the current patron, cleared when idle ------------------------------------------

    def set_patron(self, card: str | None) -> None:
        if card != self.patron_card:
            self.session_lines = []
        self.patron_card = card
        self._restart_idle()

    def clear_patron(self) -> None:
        self.set_patron(None)

    def _restart_idle(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.stop()
            self._idle_timer = None
        if self.patron_card is not None:
            self._idle_timer = self.set_timer(self.config.idle_clear_seconds, self._idle_clear)

    def _idle_clear(self) -> None:
        self._idle_timer = None
        if self.patron_card is not None:
            self.clear_patron()
            self.notify(self.t("ui.idle_cleared"), timeout=4)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            for timer in (self._idle_timer, self._lock_timer):
                if timer is not None:
                    timer.reset()
        await super().on_event(event)
