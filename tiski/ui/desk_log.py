"""The desk's log: one line for each error that reached the desk's boundary — its kind
and the place in the code, never its text or any value (which may quote a name, an
identity code or a PIN).

`desk.log` in the user log directory (`~/.local/state/tiski/log` on Linux, following
`XDG_STATE_HOME`), mode 0600 in a 0700 folder, rotated at 1 MB with three old files kept.
"""

from __future__ import annotations

import logging
import os
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_BYTES = 1_000_000
LOG_BACKUPS = 3


def log_path() -> Path:
    from platformdirs import user_log_dir

    return Path(user_log_dir("tiski", appauthor=False)) / "desk.log"


def raised_at(error: BaseException) -> str:
    """file:line in function, of the innermost frame in Tiski's own code."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if f"{os.sep}tiski{os.sep}" in f.filename] or frames
    if not ours:
        return "?"
    frame = ours[-1]
    path = Path(frame.filename)
    parts = path.parts[path.parts.index("tiski"):] if "tiski" in path.parts else (path.name,)
    return f"{'/'.join(parts)}:{frame.lineno} in {frame.name}"


class _PrivateFileHandler(RotatingFileHandler):
    """A rotating log readable by its owner only, from the moment it is created."""

    def _open(self):  # type: ignore[no-untyped-def]
        return open(self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors,
                    opener=lambda path, flags: os.open(path, flags, 0o600))


def desk_log() -> logging.Logger:
    """The desk's log, opened at its first line (a desk that never errs writes no file)."""
    logger = logging.getLogger("tiski.desk")
    path = log_path()
    if getattr(logger, "tiski_path", None) == path:
        return logger
    for old in list(logger.handlers):
        logger.removeHandler(old)
        old.close()
    logger.propagate = False  # never to a console handler someone else configured
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler: logging.Handler = _PrivateFileHandler(path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS,
                                                       encoding="utf-8", delay=True)
    except OSError:
        handler = logging.NullHandler()  # a desk with nowhere to log still serves
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.tiski_path = path  # type: ignore[attr-defined]
    return logger


def log_error(error: BaseException, kind: str, *, stopped: bool = False) -> None:
    what = "stopped by" if stopped else "caught"
    try:
        desk_log().error("%s %s at %s", what, kind, raised_at(error))
    except Exception:  # noqa: BLE001 - a full disk must not turn a message into a crash
        pass
