"""Imports from files: MARC records with their items, patrons from CSV.

Both read their file a record or a row at a time and write in short steps with a
checkpoint (tiski.store.batches): the desks keep working during an import, and an
import that stops half-way carries on when the same file is imported again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any


class ImportStopped(Exception):
    """An import stopped part-way: the register busy past the wait, a full disk, Ctrl+C,
    a row another desk made invalid meanwhile. What the steps before wrote is kept, and
    importing the same file again goes on from there. `reason` is one of Unavailable's
    reasons, 'interrupted' or 'refused'; `report` is the import's report so far."""

    def __init__(self, reason: str, report: Any):
        super().__init__(reason)
        self.reason = reason
        self.report = report


def file_digest(path: Path) -> str:
    """What names a file's checkpoint: the same bytes, the same import."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
