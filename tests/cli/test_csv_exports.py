"""CSV exports open in a spreadsheet as text, never as formulas (OWASP CSV injection).

A referral typed as `=HYPERLINK(…)` would be a live link in Excel or LibreOffice when
the network's report is opened; every CSV writer passes its cells through
tiski.core.text.spreadsheet_safe. The bytes written are what is checked.
"""

from __future__ import annotations

import csv
import io

import pytest

HOSTILE = ['=HYPERLINK("http://example.com/x","Kela")', "+358 40 1", "-2+3", "@SUM(A1)", "\tTAB", "＝1+1"]


@pytest.fixture
def run(db_path, tiski_cli):
    def invoke(*args, now="2026-12-02T12:30"):
        env = {"TISKI_DB": str(db_path), "TISKI_NOW": now, "TISKI_BRANCH": "PORI", "TISKI_STAFF": "kaisa"}
        result = tiski_cli(args, env=env)
        assert result.exit_code == 0, result.output
        return result

    return invoke


def test_digituki_stats_csv_neutralises_formula_cells(run):
    """Mutation caught: `digituki stats --csv` writing the rows without spreadsheet_safe
    (the referral cell would start with `=` in the file)."""
    for n, referral in enumerate(HOSTILE):
        minute = f"{12 + n // 6}:{10 * (n % 6):02d}"
        visit = run("digituki", "add", "X", "--topic", "e_services", "--device", "own_phone", "--json",
                    now=f"2026-12-02T{minute}")
        visit_id = visit.stdout.split('"id": ')[1].split(",")[0]
        run("digituki", "next", now=f"2026-12-02T{minute}")
        run("digituki", "finish", visit_id, "--outcome", "referred", "--referral", referral,
            now=f"2026-12-02T{minute[:3]}{int(minute[3:]) + 5:02d}")
    run("digituki", "close-day", now="2026-12-03T07:00")
    raw = run("digituki", "stats", "--from", "2026-12-01", "--to", "2026-12-31", "--csv").stdout_bytes
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    written = {r["referral"] for r in rows}
    assert written == {"'" + HOSTILE[0], "'+358 40 1", "'-2+3", "'@SUM(A1)", "TAB", "'＝1+1"}  # the tab was trimmed
    for row in rows:
        assert not row["referral"].startswith(("=", "+", "-", "@", "\t", "\r", "＝"))
        assert row["wait_seconds"].lstrip("-").isdigit()  # figures stay figures
    assert b"\n=HYPERLINK" not in raw and b",=HYPERLINK" not in raw and b'"=HYPERLINK' not in raw
