"""The desk's own settings — which register, the clock of a drill, the printer, idle
times, mail and text messages — as opposed to the library's rules (data/policy.toml).

Read once, by the shell that starts (the command line, the desk, the SIP2 server), from
`tiski.toml` in the user config directory and then the `TISKI_*` environment variables,
which win; the shell passes on what each part needs. An empty variable counts as unset.
A bad value is refused with one message naming the setting (exit 2), never silently
replaced by a default. Each setting is declared once, below, with its variable; the
README's table ("Settings") lists them for people.

    # ~/.config/tiski/tiski.toml (every key optional)
    db = "/srv/tiski/tiski.sqlite"
    branch = "PORI"
    printer = "lp -d desk1"
    idle_clear_seconds = 120
    smtp_host = "smtp.example.fi"

`TISKI_KEYS_DIR` is the one setting read where it is used (`keys_dir()`): the store
needs the keys deep inside a transaction (every audit row is sealed with one), for a
register any script or test may open without a shell above it.
"""

from __future__ import annotations

import math
import os
import posixpath
import shlex
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from .clock import Clock, fixed_clock, offset_clock, parse_moment, system_clock
from .core.errors import invalid
from .i18n import LANGUAGES

Parse = Callable[[Any, str], Any]


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise invalid("setting.text", name=name, value=value)
    return value.strip()


def _path(value: Any, name: str) -> Path:
    return Path(_text(value, name)).expanduser()


def _seconds(value: Any, name: str) -> float:
    try:
        seconds = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        seconds = math.nan
    if not (0 < seconds < math.inf):
        raise invalid("setting.seconds", name=name, value=value)
    return seconds


def _port(value: Any, name: str) -> int:
    text = str(value).strip() if not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdigit() and 0 < int(text) < 65536):
        raise invalid("setting.port", name=name, value=value)
    return int(text)


def _switch(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("on", "1", "yes", "true"):
        return True
    if text in ("off", "0", "no", "false"):
        return False
    raise invalid("setting.switch", name=name, value=value)


def _command(value: Any, name: str) -> tuple[str, ...]:
    """A command line as `sh` would split it, or a TOML list of its words."""
    if isinstance(value, list) and value and all(isinstance(word, str) for word in value):
        return tuple(value)
    try:
        words = shlex.split(_text(value, name))
    except ValueError:  # unbalanced quotes
        words = []
    if not words:
        raise invalid("setting.command", name=name, value=value)
    return tuple(words)


def _language(value: Any, name: str) -> str:
    code = _text(value, name).lower()[:2]  # fi, fi_FI.UTF-8, FI
    if code not in LANGUAGES:
        raise invalid("setting.choice", name=name, value=value, choices=" | ".join(LANGUAGES))
    return code


def _theme(value: Any, name: str) -> str:
    theme = _text(value, name).lower()
    if theme not in ("ansi", "tiski"):
        raise invalid("setting.choice", name=name, value=value, choices="ansi | tiski")
    return theme


def _clock_mode(value: Any, name: str) -> str:
    mode = _text(value, name).lower()
    if mode not in ("running", "frozen"):
        raise invalid("setting.choice", name=name, value=value, choices="running | frozen")
    return mode


def _moment(value: Any, name: str) -> datetime:
    try:
        return parse_moment(_text(value, name))
    except ValueError:
        raise invalid("setting.moment", name=name, value=value) from None


def _setting(env: str, parse: Parse, default: Any = None, *, in_file: bool = True,
             factory: Callable[[], Any] | None = None) -> Any:
    """A setting: its environment variable, how a value is read, and whether
    tiski.toml may set it (not what belongs to one run: the clock, who acts, debugging)."""
    metadata = {"env": env, "parse": parse, "in_file": in_file}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


def _xdg_folder(variable: str, default: str) -> Path | None:
    """On Linux, the XDG base folder platformdirs gives — `variable` when it is an
    absolute path, else `default` under an absolute HOME — without importing it (some
    7 ms on every start); None where platformdirs must decide (another system, Android,
    a relative XDG variable or HOME). tests/test_settings.py holds the two together."""
    if sys.platform != "linux" or hasattr(sys, "getandroidapilevel") or os.environ.get("ANDROID_DATA") == "/data":
        return None
    given = os.environ.get(variable, "")
    if given:
        return Path(given, "tiski") if posixpath.isabs(given) else None
    home = os.environ.get("HOME", "")
    return Path(home, default, "tiski") if posixpath.isabs(home) else None


def default_db() -> Path:
    folder = _xdg_folder("XDG_DATA_HOME", ".local/share")
    if folder is None:
        from platformdirs import user_data_dir

        folder = Path(user_data_dir("tiski", appauthor=False))
    return folder / "tiski.sqlite"


def config_dir() -> Path:
    """The user's Tiski config folder: tiski.toml, the token files, the keys by default."""
    folder = _xdg_folder("XDG_CONFIG_HOME", ".config")
    if folder is None:
        from platformdirs import user_config_dir

        folder = Path(user_config_dir("tiski", appauthor=False))
    return folder


@dataclass(frozen=True)
class Settings:
    # which register, when, where, who, in which language
    db: Path = _setting("TISKI_DB", _path, factory=default_db)
    now: datetime | None = _setting("TISKI_NOW", _moment, in_file=False)  # None: the system clock
    clock_mode: str = _setting("TISKI_CLOCK", _clock_mode, "running", in_file=False)  # frozen: TISKI_NOW stands still
    branch: str | None = _setting("TISKI_BRANCH", _text)  # None: the first branch created
    staff: str | None = _setting("TISKI_STAFF", _text, in_file=False)  # None: the Unix user's account
    lang: str = _setting("TISKI_LANG", _language, "fi")
    # the desk (TUI)
    idle_clear_seconds: float = _setting("TISKI_IDLE_CLEAR", _seconds, 120.0)
    lock_seconds: float = _setting("TISKI_LOCK", _seconds, 300.0)
    printer: tuple[str, ...] = _setting("TISKI_PRINTER", _command, ())  # (): receipts go to files
    receipts: Path | None = _setting("TISKI_RECEIPTS", _path)  # None: the user data folder's receipts/
    theme: str | None = _setting("TISKI_THEME", _theme)  # None: chosen by the terminal
    debug: bool = _setting("TISKI_DEBUG", _switch, False, in_file=False)
    # notices: e-mail, text messages, letters
    smtp_host: str | None = _setting("TISKI_SMTP_HOST", _text)
    smtp_port: int = _setting("TISKI_SMTP_PORT", _port, 587)
    smtp_starttls: bool = _setting("TISKI_SMTP_STARTTLS", _switch, True)
    smtp_user: str | None = _setting("TISKI_SMTP_USER", _text)
    smtp_password_file: Path | None = _setting("TISKI_SMTP_PASSWORD_FILE", _path)
    mail_from: str | None = _setting("TISKI_MAIL_FROM", _text)
    sms_command: tuple[str, ...] = _setting("TISKI_SMS_COMMAND", _command, ())
    letters: Path | None = _setting("TISKI_LETTERS", _path)

    def clock(self) -> Clock:
        """The system clock; with TISKI_NOW, a clock starting at that moment that runs on
        as the wall's does (a drill), or stands still there with TISKI_CLOCK=frozen (tests)."""
        if self.now is None:
            return system_clock
        return fixed_clock(self.now) if self.clock_frozen else offset_clock(self.now)

    @property
    def clock_frozen(self) -> bool:
        return self.now is not None and self.clock_mode == "frozen"


def settings_file() -> Path:
    return config_dir() / "tiski.toml"


def load_settings(environ: Mapping[str, str] | None = None, path: Path | None = None) -> Settings:
    """The defaults, then tiski.toml (`path`, else the user config folder's), then the
    environment (`environ`, else this process's). Refuses a bad value or an unknown
    key in the file with one message (INVALID_INPUT)."""
    env = os.environ if environ is None else environ
    file = settings_file() if path is None else path
    given = _read_file(file)
    values: dict[str, Any] = {}
    for setting in fields(Settings):
        env_name, parse = setting.metadata["env"], setting.metadata["parse"]
        if env.get(env_name, "").strip():
            values[setting.name] = parse(env[env_name], env_name)
        elif setting.metadata["in_file"] and given.get(setting.name) not in (None, ""):
            values[setting.name] = parse(given[setting.name], f"{file.name}: {setting.name}")
    return Settings(**values)


def overridden(settings: Settings, **given: str | None) -> Settings:
    """`settings` with what the command line gave (`--db`, `--lang`), read as the
    environment's values are: these win over both."""
    parsers = {setting.name: setting.metadata["parse"] for setting in fields(Settings)}
    values = {name: parsers[name](value, f"--{name}") for name, value in given.items() if value}
    return replace(settings, **values) if values else settings


def _read_file(file: Path) -> dict[str, Any]:
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise invalid("setting.file", path=str(file), problem=getattr(exc, "strerror", None) or "UTF-8") from None
    import tomllib  # only when there is a file

    try:
        given = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise invalid("setting.file", path=str(file), problem=str(exc)) from None
    known = {setting.name for setting in fields(Settings) if setting.metadata["in_file"]}
    for key in given:
        if key not in known:
            raise invalid("setting.unknown", path=str(file), name=key)
    return given


def keys_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The folder of the register's keys (HETU, audit): TISKI_KEYS_DIR, else the
    user config folder's keys/."""
    configured = (os.environ if environ is None else environ).get("TISKI_KEYS_DIR", "").strip()
    return Path(configured).expanduser() if configured else config_dir() / "keys"
