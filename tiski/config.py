"""The desk's own settings (not the library's rules): idle clearing, the receipt printer.

Read from `tiski.toml` in the user config directory when there is one, then from
`TISKI_*` environment variables, which win:

    [desk]
    idle_clear_seconds = 120      # TISKI_IDLE_CLEAR: clear the patron after this long idle
    lock_seconds = 300            # TISKI_LOCK: lock the screen after this long idle (with accounts)
    printer = "lp -d tiski"       # TISKI_PRINTER: a command that prints stdin
    receipts = "/var/tmp/kuitit"  # TISKI_RECEIPTS: where receipts go when there is no printer
"""

from __future__ import annotations

import os
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DeskConfig:
    idle_clear_seconds: float = 120.0
    lock_seconds: float = 300.0
    printer: tuple[str, ...] = ()
    receipts: Path | None = None


def config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("tiski", appauthor=False)) / "tiski.toml"


def load_config(environ: dict[str, str] | None = None, path: Path | None = None) -> DeskConfig:
    """Defaults, then the file, then the environment. Bad values fall back to defaults."""
    env = os.environ if environ is None else environ
    values: dict = {}
    file = path or config_path()
    if file.is_file():
        try:
            values.update(tomllib.loads(file.read_text(encoding="utf-8")).get("desk", {}))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            pass
    for key, name in (("idle_clear_seconds", "TISKI_IDLE_CLEAR"), ("lock_seconds", "TISKI_LOCK"),
                      ("printer", "TISKI_PRINTER"), ("receipts", "TISKI_RECEIPTS")):
        if env.get(name):
            values[key] = env[name]
    idle = _seconds(values.get("idle_clear_seconds"), 120.0)
    lock = _seconds(values.get("lock_seconds"), 300.0)
    printer = values.get("printer") or ""
    receipts = values.get("receipts")
    return DeskConfig(
        idle_clear_seconds=idle,
        lock_seconds=lock,
        printer=tuple(shlex.split(printer)) if isinstance(printer, str) else tuple(printer),
        receipts=Path(receipts) if receipts else None,
    )


def _seconds(value, default: float) -> float:
    try:
        seconds = float(value) if value is not None else default
    except (TypeError, ValueError):
        return default
    return seconds if seconds > 0 else default
