"""Letters for patrons with neither e-mail nor phone: one PDF per run, a letter a page
(more when it is long), A4 folded once into a C5 window envelope.

ReportLab draws them: a pure-Python wheel that installs cleanly everywhere, with a font
of its own (Bitstream Vera) that writes å, ä, ö and € — fpdf2's built-in fonts stop at
Latin-1 (no €, and it ships no other), WeasyPrint needs Pango from the system.
The file holds names and addresses: it is made private (0600, or the register's
group's), under a name nothing else has, and appears whole or not at all."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from . import DeliveryFailed, Letter

MM = 72 / 25.4  # PDF points per millimetre
PAGE_WIDTH, PAGE_HEIGHT = 210 * MM, 297 * MM  # A4
LEFT, RIGHT = 20 * MM, 190 * MM
# The address field of SFS 2487 / DIN 5008 form B, which the window of a C5 envelope
# shows when the A4 is folded once: 20 mm from the left, 45 mm from the top, 85 × 40 mm;
# the first line of it is the library's return address, in small type.
WINDOW_LEFT, WINDOW_TOP, WINDOW_WIDTH, WINDOW_HEIGHT = 20 * MM, 45 * MM, 85 * MM, 40 * MM
FOLD = 148.5 * MM  # the fold mark: A4 in half
BODY_TOP = 105 * MM
BOTTOM = 20 * MM
SIZE, LEADING = 10.5, 14

FONT, BOLD = "TiskiSans", "TiskiSans-Bold"


def _fonts() -> None:
    """DejaVu Sans where the system has it (most Linux machines: every European letter,
    ż, ś, ř, ő among them), else ReportLab's own Vera (Western European letters, €, Ł,
    Š, Ž, Č) — both looked up on ReportLab's font path, both embedded in the file."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for regular, bold in (("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"), ("Vera.ttf", "VeraBd.ttf")):
        try:
            faces = TTFont(FONT, regular), TTFont(BOLD, bold)
        except (TTFError, OSError):
            continue
        for face in faces:
            pdfmetrics.registerFont(face)
        return


def write_letters(letters: list[Letter], folder: Path, now: datetime, mode: int = 0o600) -> Path:
    """One PDF of all the run's letters, in `folder`; the path of the file made."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = _new_file(folder, f".letters-{now:%Y%m%d-%H%M%S}", ".partial", mode)
        try:
            _draw(letters, partial)
            final = _publish(partial, folder, f"letters-{now:%Y%m%d-%H%M%S}")
        finally:
            partial.unlink(missing_ok=True)
    except OSError as error:
        raise DeliveryFailed(f"the letters cannot be written to {folder} ({error.strerror or type(error).__name__})") \
            from None
    return final


def _new_file(folder: Path, stem: str, suffix: str, mode: int) -> Path:
    for n in range(1, 1000):
        path = folder / f"{stem}{'' if n == 1 else f'-{n}'}{suffix}"
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, mode))
        except FileExistsError:
            continue
        os.chmod(path, mode)  # the umask may have narrowed a group's mode
        return path
    raise FileExistsError(stem)


def _publish(partial: Path, folder: Path, stem: str) -> Path:
    """The finished file under its own name: a link, which never replaces another file."""
    for n in range(1, 1000):
        final = folder / f"{stem}{'' if n == 1 else f'-{n}'}.pdf"
        try:
            os.link(partial, final)
        except FileExistsError:
            continue
        return final
    raise FileExistsError(stem)


def _draw(letters: list[Letter], path: Path) -> None:
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen.canvas import Canvas

    _fonts()
    canvas = Canvas(str(path), pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1)
    canvas.setTitle("Tiski")
    canvas.setCreator("Tiski")
    for letter in letters:
        _first_page(canvas, letter)
        y = PAGE_HEIGHT - BODY_TOP
        canvas.setFont(BOLD, 12)
        canvas.drawString(LEFT, y, letter.heading)
        y -= 2 * LEADING
        for paragraph in letter.body.split("\n"):
            lines = simpleSplit(paragraph, FONT, SIZE, RIGHT - LEFT) or [""]
            for text in lines:
                if y < BOTTOM:
                    canvas.showPage()
                    y = PAGE_HEIGHT - BOTTOM
                canvas.setFont(FONT, SIZE)
                canvas.drawString(LEFT, y, text)
                y -= LEADING
        canvas.showPage()
    canvas.save()


def _first_page(canvas: Any, letter: Letter) -> None:
    top = PAGE_HEIGHT
    canvas.setFont(BOLD, 11)
    canvas.drawString(LEFT, top - 20 * MM, letter.sender[0])
    canvas.setFont(FONT, 8.5)
    for n, line in enumerate(letter.sender[1:], start=1):
        canvas.drawString(LEFT, top - 20 * MM - n * 11, line)
    canvas.setFont(FONT, SIZE)
    canvas.drawRightString(RIGHT, top - 20 * MM, f"{letter.day.day}.{letter.day.month}.{letter.day.year}")
    # The window: the return address in small type, then the recipient.
    canvas.setFont(FONT, 7)
    canvas.drawString(WINDOW_LEFT, top - WINDOW_TOP - 9, ", ".join(letter.sender)[:90])
    canvas.setFont(FONT, 11)
    for n, line in enumerate(letter.window[:6]):
        canvas.drawString(WINDOW_LEFT, top - WINDOW_TOP - 24 - n * 13, line)
    canvas.setLineWidth(0.3)
    canvas.line(4 * MM, top - FOLD, 8 * MM, top - FOLD)
