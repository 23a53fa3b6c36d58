"""`tiski kirjakassi …` through the CLI runner."""

from __future__ import annotations

import json

from ..conftest import item, patron


def test_a_bag_from_enrolment_to_the_slip(db_path, desk, tmp_path, tiski_cli):
    patron(desk, "P0100", first="Helmi", last="Hakala")
    for n, genre in enumerate(("dekkarit", "dekkarit", "romaanit")):
        item(desk, f"KK{n:03d}", title=f"Teos {n}", author=f"Kirjailija {n}")
        desk.conn.execute("INSERT INTO record_terms SELECT record_id, 'genre', ? FROM items WHERE barcode = ?",
                          (genre, f"KK{n:03d}"))
    env = {"TISKI_DB": str(db_path), "TISKI_NOW": "2026-12-02T14:05", "TISKI_BRANCH": "PORI", "TISKI_STAFF": "kaisa"}

    def run(*args):
        result = tiski_cli(args, env=env)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout) if "--json" in args else result.stdout

    client = run("kirjakassi", "enrol", "P0100", "--eligibility", "illness", "--address", "Koivutie 3, Pori",
                 "--contact", "Tytär Tiina", "--every", "2", "--weekday", "thu", "--bag", "2", "--history-consent",
                 "--json")["client"]
    assert client["next_delivery"] == "2026-12-03" and client["history_consent"]
    answers = tmp_path / "toiveet.toml"
    answers.write_text('genres = ["dekkarit"]\nmedia = ["regular_print"]\nwishes = "Ohuita kirjoja"\n')
    assert run("kirjakassi", "interview", "P0100", "--file", str(answers), "--complete", "--json")[
        "interview"]["status"] == "complete"
    picks = run("kirjakassi", "pick", "P0100", "--json")["picks"]
    assert [p["barcode"] for p in picks][:2] == ["KK000", "KK001"] and picks[0]["reasons"][0] == "genre:dekkarit"
    loan = run("kirjakassi", "pack", "P0100", "KK000", "--json")["loan"]
    assert loan["due"] == "2026-12-24"  # the next delivery 17.12. plus a week
    slip = run("kirjakassi", "slip", "P0100")
    assert "Teos 0" in slip and "Tytär Tiina" in slip
    rows = run("kirjakassi", "deliveries", "--json")["deliveries"]
    assert rows[0]["status"] == "packing" and rows[0]["items"] == 1
    refused = tiski_cli(["kirjakassi", "enrol", "P0100", "--eligibility", "dementia", "--address", "x",
                         "--contact", "y", "--json"], env=env)
    assert refused.exit_code == 2


def test_a_bag_cannot_come_back_before_it_left(db_path, desk, tiski_cli):
    patron(desk, "P0100", first="Helmi", last="Hakala")
    desk.kirjakassi.enrol("P0100", eligibility="age", delivery_address="Koivutie 3", contact_name="Sari")
    env = {"TISKI_DB": str(db_path), "TISKI_NOW": "2026-12-02T14:05", "TISKI_BRANCH": "PORI", "TISKI_STAFF": "kaisa",
           "TISKI_LANG": "en"}
    result = tiski_cli(["kirjakassi", "returned", "P0100", "--json"], env=env)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"] == {"code": "WRONG_STATE", "confirmable": False,
                                                  "message": "Not possible now: the bag has not been started."}
