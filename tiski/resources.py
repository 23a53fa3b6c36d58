"""Files shipped with Tiski: the default policy, demo data, the stylesheet.

An installed wheel carries them inside the package (tiski/_data, tiski/tiski.tcss);
a source checkout has them at the top level (data/, tiski.tcss).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_file(*parts: str) -> Path:
    packaged = _PACKAGE.joinpath("_data", *parts)
    if packaged.exists():
        return packaged
    return _PACKAGE.parent.joinpath("data", *parts)


def stylesheet() -> Path:
    packaged = _PACKAGE / "tiski.tcss"
    if packaged.exists():
        return packaged
    return _PACKAGE.parent / "tiski.tcss"
