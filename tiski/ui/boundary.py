"""The desk's boundary: an error never ends the desk, and never shows patron data.

Every way into the desk's own code passes here — a key's action (`App.run_action`), a
handler of a message to the app or a screen (scans, fields, Enter, mounts, palette
entries), a timer, a callback after a refresh, a dialog's answer. An error that
arrives is reported, not raised: one message in the desk's language (the register is
busy, the disk is full, a refusal in words, or "internal error"), what was typed stays
where it was, and one line goes to the log with the error's *kind* and where it was
raised — never its text or the values around it, which may quote a name, an identity
code or a PIN.

Textual has no public hook for this: a handler's exception would stop its message pump
for good, so the handlers are wrapped where Textual looks them up
(`_get_dispatch_methods`).

The log is `desk_log`'s. `TISKI_DEBUG=1` lets defects (not `Unavailable`, not
`Refused`) through to Textual, for developers and the test suite.
"""

from __future__ import annotations

import functools
import inspect
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from ..core.errors import Refused, Unavailable
from ..i18n import Translator


def kind(error: BaseException) -> str:
    """What went wrong, in words that can never carry patron data: the class, the reason
    of an `Unavailable`, the code of a refusal — never the message."""
    if isinstance(error, Unavailable):
        return f"Unavailable({error.reason})"
    if isinstance(error, Refused):
        return f"Refused({error.code})"
    return type(error).__name__


def log_error(error: BaseException, *, stopped: bool = False) -> None:
    from .desk_log import log_error as write  # logging is loaded at the first error, not at start

    write(error, kind(error), stopped=stopped)


def message(error: BaseException, t: Translator) -> str:
    if isinstance(error, Unavailable):
        return t(f"unavailable.{error.reason}")
    if isinstance(error, Refused):
        return " ".join(t.refusal(r) for r in error.refusals)
    return t("desk.internal_error", problem=type(error).__name__)


def passes_through(error: BaseException, debug: bool) -> bool:
    """Under TISKI_DEBUG (the settings' `debug`) a defect is raised as Textual would,
    traceback and all."""
    return debug and not isinstance(error, (Unavailable, Refused))


class Guarded:
    """Mixed into the app and every screen of the desk: whatever their handlers, timers
    and after-refresh callbacks raise is the desk's to report (`TiskiApp.report`)."""

    app: Any

    @contextmanager
    def guard(self) -> Iterator[None]:
        try:
            yield
        except Exception as error:
            if passes_through(error, self.app.settings.debug):
                raise
            self.app.report(error)

    def guarded(self, callback: Callable[..., Any]) -> Callable[..., Any]:
        """`callback`, reporting its errors. Its signature stays visible to Textual (which
        passes a callback as many arguments as it takes)."""

        @functools.wraps(callback)
        async def run(*args: Any) -> Any:
            with self.guard():
                result = callback(*args)
                if inspect.isawaitable(result):
                    result = await result
                return result
            return None

        return run

    def _get_dispatch_methods(self, method_name: str, message: Any) -> Iterator[tuple[type, Callable[..., Any]]]:
        """The handlers Textual is about to run for a message, the desk's own guarded
        one by one: a failing one leaves Textual's (layout, focus…) to run after it."""
        for cls, method in super()._get_dispatch_methods(method_name, message):  # type: ignore[misc]
            yield cls, self.guarded(method) if cls.__module__.startswith("tiski.") else method

    def set_timer(self, delay: float, callback: Any = None, **kwargs: Any) -> Any:
        return super().set_timer(delay, self.guarded(callback) if callback else None, **kwargs)  # type: ignore[misc]

    def set_interval(self, interval: float, callback: Any = None, **kwargs: Any) -> Any:
        return super().set_interval(interval, self.guarded(callback) if callback else None,  # type: ignore[misc]
                                    **kwargs)

    def call_after_refresh(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        return super().call_after_refresh(self.guarded(callback), *args, **kwargs)  # type: ignore[misc]
