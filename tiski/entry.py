"""The `tiski` console script (and `python -m tiski`)."""

from __future__ import annotations

import sys


def main() -> None:
    from .cli import run

    sys.exit(run(sys.argv[1:]))
