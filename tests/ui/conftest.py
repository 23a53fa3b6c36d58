"""A small desk on fixed data and a fixed clock for the TUI tests: a few patrons in
known situations, a shelf of items, a loan overdue, a hold waiting."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from tiski.clock import HELSINKI, ManualClock
from tiski.desk import Desk
from tiski.desk.catalogue import NewItem
from tiski.desk.patrons import NewPatron
from tiski.settings import load_settings
from tiski.store.db import connect
from tiski.ui.app import TiskiApp

from ..conftest import START

PEOPLE = {
    # card: (first, last, birth, extra)
    "2028000000001": ("Aino", "Virtanen", None, {"hetu": "131052-308T", "email": "aino.virtanen@example.fi",
                                                "phone": "040 123 4567", "address": "Yrjönkatu 5, 28100 Pori"}),
    "2028000000002": ("Aino", "Virtala", date(1988, 4, 2), {}),
    "2028000000003": ("Eino", "Virtanen", date(2015, 6, 1), {"guardian": "Aino Virtanen",
                                                              "consent_date": date(2026, 1, 10)}),
    "2028000000004": ("Matti", "Mäkinen", date(1970, 1, 1), {"verify_id": True}),
    "2028000000005": ("Liisa", "Laine", date(1990, 3, 3), {}),
}


def build_desk(db_path, clock) -> Desk:
    desk = Desk(connect(db_path), clock=clock, branch="PORI", staff="kaisa")
    for card, (first, last, birth, extra) in PEOPLE.items():
        desk.patrons.add(NewPatron(card=card, first=first, last=last, birth_date=birth, **extra))
    for n in range(1, 41):
        fmt = "dvd" if n > 36 else "book"
        desk.catalogue.add_item(NewItem(barcode=f"1000{n:06d}", title=f"Kirja numero {n}", author="Kirjoittaja, Kalle",
                              format=fmt, rating=18 if n == 40 else None, branch="ULV" if n == 35 else None))
    # Aino Virtanen: a loan that will be overdue, fees over the limit.
    clock.set(datetime(2026, 10, 20, 12, tzinfo=HELSINKI))
    desk.loans.checkout("2028000000001", "1000000001")
    desk.loans.checkout("2028000000001", "1000000002")
    clock.set(START)
    desk.loans.checkout("2028000000001", "1000000003")
    desk.fees.charge("2028000000001", 1250, "Kadonnut nide", "lost")
    # Liisa Laine holds no. 3 (on loan to Aino) and no. 6 (on the shelf).
    desk.holds.place("2028000000005", "1000000003")
    desk.loans.checkout("2028000000002", "1000000004")
    desk.holds.place("2028000000005", "1000000006")  # a copy on the shelf: on the pull list
    return desk


@pytest.fixture(autouse=True)
def desk_log_and_defects(tmp_path, monkeypatch):
    """The desk's log goes to the test's own folder (XDG_STATE_HOME), and so do the papers
    saved without a printer (XDG_DATA_HOME); a defect in the
    desk's code fails the test (TISKI_DEBUG) instead of becoming a message on screen."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # slips and receipts saved at returns, payments
    monkeypatch.setenv("TISKI_DEBUG", "1")


@pytest.fixture
def ui_desk(db_path) -> Desk:
    clock = ManualClock(START)
    desk = build_desk(db_path, clock)
    desk.test_clock = clock
    yield desk
    desk.conn.close()


BAG_CLIENT = "2028000000050"


def book_bag_client(desk: Desk, *, rhythm_weeks: int = 4, weekday: str = "tue", books: bool = True) -> str:
    """Helmi Hakala, 95, a book-bag client at a care home, who allows her history to be
    kept; with `books`, four Finnish books for her bag (two crime, a novel, horror)."""
    desk.patrons.add(NewPatron(card=BAG_CLIENT, first="Helmi", last="Hakala", birth_date=date(1931, 5, 5)))
    desk.kirjakassi.enrol(BAG_CLIENT, eligibility="age", delivery_address="Palvelutalo Kotiranta, huone 12",
                      contact_name="Hoitaja Sari", contact_phone="040 555 0100", rhythm_weeks=rhythm_weeks,
                      weekday=weekday, bag_size=3, starts_on="2026-12-01", history_consent=True)
    if books:
        for n, (author, genre) in enumerate((("Kallentoft, Mons", "dekkarit"), ("Mäki, Eeva", "dekkarit"),
                                             ("Laine, Leo", "romaanit"), ("Hirvi, Heikki", "kauhukirjallisuus"))):
            desk.catalogue.add_item(NewItem(barcode=f"KK{n:04d}", title=f"Kassikirja {n}", author=author))
            record = desk.conn.execute("SELECT record_id FROM items WHERE barcode = ?", (f"KK{n:04d}",)).fetchone()[0]
            desk.conn.execute("UPDATE records SET language = 'fin' WHERE id = ?", (record,))
            desk.conn.execute("INSERT INTO record_terms VALUES (?, 'genre', ?)", (record, genre))
    return BAG_CLIENT


def make_app(desk: Desk, **settings) -> TiskiApp:
    """The desk on `desk`, in Finnish unless `lang` says otherwise; other settings as the
    test's environment has them (TISKI_DEBUG, TISKI_THEME) or as given."""
    settings.setdefault("lang", "fi")
    return TiskiApp(desk, settings=replace(load_settings(), **settings), clock_is_fixed=True)


def screen_text(app: TiskiApp) -> str:
    """What the screen shows, as plain text (a person's view, without colours)."""
    import re

    svg = app.export_screenshot(simplify=True)
    texts = re.findall(r">([^<>]*)</text>", svg)
    import html

    return html.unescape("".join(texts)).replace("\xa0", " ")


_SVG_TEXT = r'<text class="terminal-[^"]*" x="([0-9.]+)" y="[0-9.]+" textLength="[0-9.]+" ' \
            r'clip-path="url\(#terminal-(?:[0-9]+-)?line-([0-9]+)\)">([^<]*)</text>'


def screen_lines(app: TiskiApp) -> list[str]:
    """The screen as a person sees it: one string per terminal row, every character in
    its column (for "is it on screen, and whole?")."""
    import html
    import re

    width, height = app.size
    rows = [[" "] * width for _ in range(height)]
    for x, line, text in re.findall(_SVG_TEXT, app.export_screenshot(simplify=True)):
        row, column = rows[int(line)], round(float(x) / 12.2)
        for n, char in enumerate(html.unescape(text).replace("\xa0", " ")):
            if column + n < width:
                row[column + n] = char
    return ["".join(row).rstrip() for row in rows]


_KEY_NAMES = {" ": "space", ",": "comma", ".": "full_stop", "-": "minus", "@": "at", "+": "plus", ":": "colon"}


async def burst(pilot, text: str, enter: bool = True) -> None:
    """Type like a barcode scanner: every key at once, no pause between, then Enter."""
    await scan(pilot, text, enter=enter, gap=0.0)


def key_event(char: str, at: float):
    from textual import events

    if char == "\n":
        key = events.Key("enter", "\r")
    elif char == "\t":
        key = events.Key("tab", "\t")
    else:
        key = events.Key(_KEY_NAMES.get(char, char), char)
    key.time = at
    return key


async def scan(pilot, text: str, enter: bool = True, gap: float = 0.005) -> None:
    """Keys as a scanner types them: `gap` seconds apart (5 ms), then Enter — or as a
    person types ahead, with a larger gap. "\n" in `text` is an Enter, "\t" a Tab. Each
    key carries the moment it was typed; they all reach the desk at once, as keys typed
    faster than the desk answers do. Returns when the desk has taken every one."""
    import time

    app = pilot.app
    keys = list(text) + (["\n"] if enter else [])
    start = time.monotonic() - gap * len(keys)  # typed over the moments just past, arriving now
    for n, char in enumerate(keys):
        app.post_message(key_event(char, start + n * gap))
    await settled(pilot)


async def settled(pilot) -> None:
    """Every key typed so far handled, and the desk quiet."""
    import asyncio

    app = pilot.app
    await pilot.pause()
    while not app.typeahead.idle:
        await asyncio.sleep(0.01)
    await pilot.pause()


async def shows(pilot, *words: str, line: int | None = None, seconds: float = 10.0) -> str:
    """Wait until the screen (or one line of it) shows every word, then return that text.
    Waits for the state, never a fixed pause: a busy CI machine only makes it slower."""
    import time

    deadline = time.monotonic() + seconds
    while True:
        text = screen_text(pilot.app)
        if line is not None:
            text = text.splitlines()[line]
        if all(word in text for word in words) or time.monotonic() > deadline:
            return text
        await pilot.pause(0.05)
