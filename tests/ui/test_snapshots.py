"""Each screen at 80×24 on fixed data and a fixed clock (pytest-textual-snapshot).
Update after an intended change: pytest tests/ui/test_snapshots.py --snapshot-update"""

from __future__ import annotations

import pytest

from .conftest import burst, make_app

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def fixed_theme(monkeypatch):
    monkeypatch.setenv("TISKI_THEME", "tiski")
    monkeypatch.delenv("NO_COLOR", raising=False)


def typed(*steps):
    """run_before: each step is text to scan (ending in Enter) or a key name in <>."""

    async def run(pilot):
        for step in steps:
            if step.startswith("<"):
                await pilot.press(step.strip("<>"))
                await pilot.pause()
            else:
                await burst(pilot, step)
        await pilot.pause()

    return run


def test_patron_screen_empty(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk), terminal_size=SIZE)


def test_patron_search_results(snap_compare, ui_desk):
    async def run(pilot):
        await burst(pilot, "virt", enter=False)

    assert snap_compare(make_app(ui_desk), terminal_size=SIZE, run_before=run)


def test_patron_blocked_with_loans(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk), terminal_size=SIZE, run_before=typed("2028000000001"))


def test_patron_holds_tab(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk), terminal_size=SIZE, run_before=typed("2028000000005", "<pagedown>"))


def test_register_form(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk), terminal_size=SIZE, run_before=typed("<ctrl+n>"))


def test_checkout_session(snap_compare, ui_desk):
    steps = typed("<f3>", "2028000000002", "1000000010", "1000000011", "1000000011", "999", "1000000040")
    assert snap_compare(make_app(ui_desk), terminal_size=SIZE, run_before=steps)


def test_override_modal(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk), terminal_size=SIZE,
                        run_before=typed("<f3>", "2028000000002", "1000000001"))


def test_returns_with_hold_shelf_alert(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk), terminal_size=SIZE,
                        run_before=typed("<f4>", "1000000002", "1000000003"))


def test_help(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk), terminal_size=SIZE, run_before=typed("<f1>"))


def test_patron_in_english(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk, lang="en"), terminal_size=SIZE, run_before=typed("2028000000001"))


def test_checkout_in_swedish(snap_compare, ui_desk):
    assert snap_compare(make_app(ui_desk, lang="sv"), terminal_size=SIZE,
                        run_before=typed("<f3>", "2028000000002", "1000000010"))
