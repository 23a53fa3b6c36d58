"""The desk: a full-screen Textual app over the facade. It holds no rule of its own.

Areas are modes, each with its own screen stack: F2 patron, F3 checkout, F4 returns.
The current patron belongs to the app (checkout lends to them); Esc on the patron
screen or a configurable idle time clears them from the screen.

The login is a mode of its own too, and while it is up (at the start, after F12 or
idle time) the desk is locked: nobody acts (the facade has no staff), no area can be
switched to, no key, palette entry or dialog reaches one, and no toast shows. The
areas' stacks stay as they were for the same person; someone else gets fresh ones.

Keys reach the desk one at a time, in order (`typeahead`); a scan that arrives while a
question is open is held here and handed to the screen underneath once it is answered.
"""

from __future__ import annotations

import inspect
from collections import deque
from typing import Iterable

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.reactive import reactive
from textual.screen import Screen
from textual.theme import Theme
from textual.widget import AwaitMount
from textual.widgets import Static
from textual.worker import WorkerFailed

from ..i18n import LANGUAGES, Translator
from ..settings import Settings
from ..resources import stylesheet
from . import boundary
from .boundary import Guarded
from .screens.base import AREAS, translated
from .screens.login import LoginScreen
from .screens.question import HoldsScans, Question
from .typeahead import Typeahead

LOGIN = "login"  # the mode of the login and the lock
# What the app itself may do while it is locked (Tab between the login's fields, quit).
LOCKED_APP_ACTIONS = {"quit", "focus_next", "focus_previous", "command_palette"}


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


def _catalogue_screen() -> Screen:
    from .screens.catalogue import CatalogueScreen

    return CatalogueScreen()


def _pull_list_screen() -> Screen:
    from .screens.worklists import PullListScreen

    return PullListScreen()


def _in_transit_screen() -> Screen:
    from .screens.worklists import InTransitScreen

    return InTransitScreen()


def _hold_shelf_screen() -> Screen:
    from .screens.worklists import HoldShelfScreen

    return HoldShelfScreen()


def _notices_screen() -> Screen:
    from .screens.notices import NoticesScreen

    return NoticesScreen()


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


class TiskiApp(Guarded, App):
    CSS_PATH = str(stylesheet())
    TITLE = "Tiski"
    ENABLE_COMMAND_PALETTE = True
    MODES = {"patron": _patron_screen, "checkout": _checkout_screen, "returns": _returns_screen,
             "digituki": _digituki_screen, "kirjakassi": _kirjakassi_screen,
             "catalogue": _catalogue_screen, "pull_list": _pull_list_screen, "in_transit": _in_transit_screen,
             "hold_shelf": _hold_shelf_screen, "notices": _notices_screen}
    DEFAULT_MODE = "patron"
    BINDINGS = [
        Binding("f1", "help", "key.help"),
        Binding("f2", "area('patron')", "key.patron", group=AREAS),
        Binding("f3", "area('checkout')", "key.checkout", group=AREAS),
        Binding("f4", "area('returns')", "key.returns", group=AREAS),
        Binding("f5", "area('digituki')", "key.digituki", group=AREAS),
        Binding("f6", "area('kirjakassi')", "key.kirjakassi", group=AREAS),
        Binding("f7", "area('catalogue')", "key.catalogue", group=AREAS),
        Binding("f8", "area('pull_list')", "key.pull_list", group=AREAS),
        Binding("f9", "area('in_transit')", "key.in_transit", group=AREAS),
        Binding("f10", "area('hold_shelf')", "key.hold_shelf", group=AREAS),
        Binding("f11", "area('notices')", "key.notices", group=AREAS),
        Binding("f12", "lock", "key.lock", show=False, priority=True),  # over a dialog too
        Binding("ctrl+q", "quit", "key.quit", show=False, priority=True),
    ]

    patron_card: reactive[str | None] = reactive(None, init=False)

    def __init__(self, desk, *, settings: Settings | None = None, clock_is_fixed: bool = False):
        self.desk = desk
        self.locked = False
        self.stopped_by: str | None = None  # the kind of error that ended the desk, if one did
        self._area = self.DEFAULT_MODE  # where the desk returns after a login
        self._staff_before: str | None = None
        if self.needs_login():
            self.DEFAULT_MODE = LOGIN  # the first screen is the login: no area exists before it
        super().__init__()
        self.settings = settings or Settings()
        self.t = Translator(self.settings.lang)
        self.clock_is_fixed = clock_is_fixed
        self.branch_name = desk.branch_name()
        self.session_lines: list[tuple[str, str, str]] = []  # the checkout session: (mark, title, detail)
        self.visit_loans: list = []  # the checkout session's loans, for the receipt
        self.identity_checked: str | None = None  # the current patron's card, once their ID was checked
        self.held_scans: deque[str] = deque()  # scans that came while a question was open
        self.typeahead = Typeahead(self)
        self._idle_timer = None
        self._lock_timer = None
        self.first_frame_shown = False
        self.register_theme(TISKI_THEME)
        self._choose_theme("ansi-dark" if self._sixteen_colours() else "tiski")
        if self.DEFAULT_MODE == LOGIN:
            self._lock(locked=False)

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
        if self.settings.theme is not None:
            return self.settings.theme == "ansi"
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
        self._restart_lock()

    # --- who is at the desk ---------------------------------------------------------

    def needs_login(self) -> bool:
        return self.desk.needs_login()

    def _lock(self, locked: bool) -> None:
        """The login covers every area: the start (`locked` False) or the lock."""
        from ..shell import unix_staff

        self.locked = True
        if self.current_mode != LOGIN:
            self._area = self.current_mode
        self._staff_before = self.desk.staff if locked else None
        username = (self.desk.staff if locked else None) or unix_staff(self.desk) or ""
        self.desk.act_as(None)  # until someone logs in, the facade refuses everything
        self.clear_notifications()
        if self._lock_timer is not None:
            self._lock_timer.stop()
            self._lock_timer = None
        self.add_mode(LOGIN, lambda: LoginScreen(username, locked))
        if self.current_mode != LOGIN:
            self.switch_mode(LOGIN)

    def on_login_screen_logged_in(self, message: LoginScreen.LoggedIn) -> None:
        """Back to the desk: to the area left, unless the new person's role cannot use it.
        Someone else taking over starts every area afresh: no patron, no open dialog,
        no half-typed form of the person before."""
        if message.username != self._staff_before:
            self.clear_patron()
            self.clear_notifications()
            self.held_scans.clear()  # the person before's scans are not the next one's work
            for mode, screen in self.MODES.items():
                self.remove_mode(mode)
                self.add_mode(mode, screen)
        self.locked = False
        area = self._area if self.area_allowed(self._area) else next(
            (mode for mode in self.MODES if self.area_allowed(mode)), self._area)
        self.switch_mode(area)
        self.remove_mode(LOGIN)
        self.refresh_bindings()
        self._restart_lock()

    def action_lock(self) -> None:
        """F12 (or idle time): the lock covers everything; the same person or another logs in.
        With no staff accounts yet there is nobody to log in as: say so, and how to start."""
        if not self.needs_login():
            self.notify(self.t("ui.lock_no_accounts"), title=self.t("key.lock"), severity="warning", timeout=12)
        elif not self.locked:
            self._lock(locked=True)

    def _restart_lock(self) -> None:
        if self._lock_timer is not None:
            self._lock_timer.stop()
            self._lock_timer = None
        if self.needs_login() and not self.locked:
            self._lock_timer = self.set_timer(self.settings.lock_seconds, self.action_lock)

    # --- nothing reaches an area while the desk is locked -----------------------------

    def switch_mode(self, mode: str) -> AwaitMount:
        if self.locked and mode != LOGIN:
            return AwaitMount(self.screen, [])
        return super().switch_mode(mode)

    def push_screen(self, screen, callback=None, wait_for_dismiss: bool = False, **kwargs):
        """A dialog's answer is handled inside the desk's boundary, like everything else.
        While locked, only the command palette (languages, quit) opens over the login."""
        if self.locked and not isinstance(screen, CommandPalette):
            return AwaitMount(self.screen, [])
        if isinstance(screen, HoldsScans):  # a question, a form, help: the scans it held, after it
            callback = self._then_held_scans(callback)
        return super().push_screen(screen, self.guarded(callback) if callback else None, wait_for_dismiss,
                                   **kwargs)

    # --- scans that came while a question was open ------------------------------------

    def hold_scan(self, code: str) -> None:
        self.held_scans.append(code)

    def take_held_scans(self) -> list[str]:
        codes = list(self.held_scans)
        self.held_scans.clear()
        return codes

    def _then_held_scans(self, callback):
        """After a question's answer is handled, the scans it held, in order."""

        async def answered(result) -> None:
            if callback is not None:
                done = callback(result)
                if inspect.isawaitable(done):
                    await done
            self.handle_held_scans()

        return answered

    def handle_held_scans(self) -> None:
        """Each held scan to the screen on top, as if scanned now — until one opens a
        question (the rest wait for that one). A screen that takes no scans refuses
        them, with the bell and the code to scan again."""
        screen = self.screen
        while self.held_scans and self.screen is screen and not self.locked:
            code = self.held_scans.popleft()
            if hasattr(screen, "handle_scan"):
                screen.handle_scan(code)
            else:
                self.bell()
                self.notify(self.t("scan.again", code=code), severity="warning", timeout=10)

    def action_command_palette(self) -> None:
        """The palette, its search field in the desk's language."""
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder=self.t("ui.palette_placeholder"), id="--command-palette"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.locked:
            return action in LOCKED_APP_ACTIONS
        return True

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = False) -> None:
        """Toasts are plain text: a title or a name in one never becomes markup. None
        while locked (the login would show it to whoever comes to the desk)."""
        if self.locked:
            return
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def action_help_quit(self) -> None:
        """Ctrl+C where no field takes it: Textual's own hint is English and markup."""
        self.notify(self.t("desk.quit_hint"), timeout=4)

    # --- the boundary: an error never ends the desk -----------------------------------

    async def run_action(self, action, default_namespace=None, namespaces=None) -> bool:
        with self.guard():
            return await super().run_action(action, default_namespace, namespaces)
        return True

    def report(self, error: Exception) -> None:
        """An error reached the boundary: a message where it is seen, a line in the log."""
        boundary.log_error(error)
        text = boundary.message(error, self.t)
        shown = self.screen.query("#form-error")
        if shown:
            shown.first(Static).update(text)
        else:
            self.notify(text, severity="error", timeout=8)

    def _handle_exception(self, error: Exception) -> None:
        """The last resort, for an error outside every guard (while drawing, say). Textual
        would print a traceback with the local variables of every frame — a patron's
        name, identity code or PIN among them. The desk ends with one line instead."""
        if isinstance(error, WorkerFailed) and not boundary.passes_through(error.error, self.settings.debug):
            self.report(error.error)  # a worker (the pick list) failed: the desk's own loop is whole
            return
        boundary.log_error(error, stopped=True)
        if boundary.passes_through(error, self.settings.debug):
            super()._handle_exception(error)
            return
        if self.stopped_by is None:
            self.stopped_by = boundary.kind(error)
            self.exit(return_code=1)

    # --- areas, help, language ----------------------------------------------------------

    def area_allowed(self, mode: str) -> bool:
        from ..core.roles import allowed

        needed = {"digituki": ("queue_view", "digituki"), "notices": ("work_list", "notices")}.get(
            mode, ("patron_view", "patrons"))
        return allowed(self.desk.role, *needed)

    def action_area(self, mode: str) -> None:
        if not self.area_allowed(mode):
            self.notify(self.t("error.NOT_ALLOWED"), severity="warning")
            return
        if self.current_mode != mode:
            self.switch_mode(mode)
        else:
            self.screen.focus_scan()

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def set_language(self, lang: str) -> None:
        self.t = Translator(lang)
        screen = self.screen
        if hasattr(screen, "on_screen_resume"):
            self.call_later(screen.on_screen_resume)
        self.refresh_bindings()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action of the desk, in the desk's language, for the command palette;
        at the login only the languages and quitting."""
        t = self.t
        if self.locked:
            yield from self._language_commands()
            yield SystemCommand(t("key.quit"), t("palette.quit"), self.action_quit)
            return
        yield SystemCommand(t("key.help"), t("palette.help"), self.action_help)
        for mode in self.MODES:
            yield SystemCommand(t(f"key.{mode}"), t(f"palette.{mode}"), lambda m=mode: self.action_area(m))
        if hasattr(screen, "palette_commands"):
            yield from screen.palette_commands()
        yield from self._language_commands()
        yield SystemCommand(t("key.quit"), t("palette.quit"), self.action_quit)

    def _language_commands(self) -> Iterable[SystemCommand]:
        t = self.t
        for lang in LANGUAGES:
            if lang != t.lang:
                yield SystemCommand(t(f"palette.language_{lang}"), t("palette.language"),
                                    lambda code=lang: self.set_language(code))

    # --- the current patron, cleared when idle ------------------------------------------

    def set_patron(self, card: str | None) -> None:
        """The patron at the desk. Another one (or none) leaves nothing of the one
        before: their checkout lines, their ID check and any toast about them go."""
        if card != self.patron_card:
            self.session_lines = []
            self.visit_loans = []
            self.identity_checked = None
            self.clear_notifications()
        self.patron_card = card
        self._restart_idle()

    def clear_patron(self) -> None:
        self.set_patron(None)

    def _restart_idle(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.stop()
            self._idle_timer = None
        if self.patron_card is not None:
            self._idle_timer = self.set_timer(self.settings.idle_clear_seconds, self._idle_clear)

    def _idle_clear(self) -> None:
        self._idle_timer = None
        if isinstance(self.screen, Question):  # a question is open for this patron: after it
            self._restart_idle()
            return
        if self.patron_card is not None:
            self.clear_patron()
            self.notify(self.t("ui.idle_cleared"), timeout=4)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            if event.key == "ctrl+j":
                # A line feed is an Enter: a scanner set to end its codes with LF, and
                # keys typed before the desk took the terminal (whose Enter the
                # terminal turned into a line feed) end a code as a scan's Enter does.
                enter = events.Key("enter", "\r")
                enter.time = event.time
                event = enter
            if not self.typeahead.passes(event):
                return  # it waits for the keys before it
            for timer in (self._idle_timer, self._lock_timer):
                if timer is not None:
                    timer.reset()
        await super().on_event(event)
