"""`tiski digituki …` through the CLI runner: the queue from a script, stats as CSV."""

from __future__ import annotations

import csv
import io
import json

import pytest


@pytest.fixture
def run(db_path, tiski_cli):
    def invoke(*args, now="2026-12-02T12:30"):
        env = {"TISKI_DB": str(db_path), "TISKI_NOW": now, "TISKI_BRANCH": "PORI", "TISKI_LANG": "fi",
               "TISKI_STAFF": "kaisa"}
        result = tiski_cli(args, env=env)
        assert "Traceback" not in result.output
        return result

    return invoke


def ok(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_morning_of_digital_support_from_the_command_line(run):
    ok(run("digituki", "hours", "add", "wed", "12:00", "14:00", "--json"))
    aino = ok(run("digituki", "add", "Aino", "--topic", "e_services", "--device", "own_phone", "--json"))["visit"]
    anon = ok(run("digituki", "add", "--topic", "device_use", "--device", "library_computer", "--json"))["visit"]
    assert anon["name"] is None and anon["queue_no"] == 2
    queue = ok(run("digituki", "queue", "--json"))
    assert queue["hours_now"]["minutes_left"] == 90
    assert [v["estimate_minutes"] for v in queue["waiting"]] == [0, 20]
    started = ok(run("digituki", "next", "--json"))["visit"]
    assert started["id"] == aino["id"] and started["helper"] == "kaisa"
    refused = run("digituki", "finish", str(aino["id"]), "--outcome", "not_helped", "--json")
    assert refused.exit_code == 1 and json.loads(refused.stdout)["error"]["code"] == "REFERRAL_MISSING"
    done = ok(run("digituki", "finish", str(aino["id"]), "--outcome", "referred", "--referral", "Kela",
                  "--note", "Hetu 131052-308T", "--json", now="2026-12-02T12:55"))
    assert done["redacted"] == ["hetu"] and done["visit"]["elapsed_seconds"] == 25 * 60


def test_bad_choices_are_bad_input(run):
    result = run("digituki", "add", "Aino", "--topic", "cooking", "--device", "own_phone", "--json")
    assert result.exit_code == 2 and json.loads(result.stdout)["error"]["code"] == "INVALID_INPUT"


def test_appointments_and_callbacks(run):
    ok(run("digituki", "hours", "add", "thu", "10:00", "12:00", "--appointments", "--slot-minutes", "60", "--json"))
    slots = ok(run("digituki", "slots", "2026-12-03", "--json"))["slots"]
    assert [s["starts_at"][11:16] for s in slots] == ["10:00", "11:00"]
    booked = ok(run("digituki", "book", "2026-12-03T10:00", "--name", "Liisa", "--topic", "library_services",
                    "--json"))["appointment"]
    taken = run("digituki", "book", "2026-12-03T10:00", "--name", "Eino", "--topic", "device_use", "--json")
    assert taken.exit_code == 1 and json.loads(taken.stdout)["error"]["code"] == "SLOT_TAKEN"
    ok(run("digituki", "cancel", str(booked["id"]), "--json"))
    request = ok(run("digituki", "callback", "add", "--name", "Aino", "--phone", "040 123 4567", "--topic",
                     "e_services", "--json"))["callback"]
    assert request["due_by"].startswith("2026-12-03T20:00") and request["channel"] == "phone"
    ok(run("digituki", "callback", "log", str(request["id"]), "--result", "no_answer", "--json"))
    listed = ok(run("digituki", "callbacks", "--json"))["callbacks"]
    assert listed[0]["attempts"] == 1


def test_stats_for_the_network_as_csv(run):
    for minute, topic in (("12:30", "e_services"), ("12:40", "device_use")):
        visit = ok(run("digituki", "add", "X", "--topic", topic, "--device", "own_phone", "--json",
                       now=f"2026-12-02T{minute}"))["visit"]
        run("digituki", "next", now=f"2026-12-02T{minute}")
        run("digituki", "finish", str(visit["id"]), "--outcome", "solved", now=f"2026-12-02T{minute[:3]}{int(minute[3:]) + 8}")
    ok(run("digituki", "close-day", "--json", now="2026-12-03T07:00"))
    result = run("digituki", "stats", "--from", "2026-12-01", "--to", "2026-12-31", "--csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["topic"] for r in rows] == ["e_services", "device_use"]
    assert {r["service_seconds"] for r in rows} == {"480"}
    assert "name" not in rows[0] and "X" not in result.stdout
    grouped = ok(run("digituki", "stats", "--from", "2026-12-01", "--to", "2026-12-31", "--by", "month", "--json"))
    assert grouped["stats"][0]["count"] == 2


def test_the_cap_reaches_the_command_line_and_the_statistics_without_a_screen(run):
    """The cap is the facade's: a script that never opens the TUI sees it recorded.
    Mutation caught: the cap decided or recorded by the screen's timer again."""
    aino = ok(run("digituki", "add", "Aino", "--topic", "e_services", "--device", "own_phone", "--json",
                  now="2026-12-02T12:00"))["visit"]
    ok(run("digituki", "next", "--json", now="2026-12-02T12:00"))
    ok(run("digituki", "add", "Eino", "--topic", "device_use", "--device", "own_phone", "--json",
           now="2026-12-02T12:05"))
    queue = ok(run("digituki", "queue", "--json", now="2026-12-02T12:31"))
    assert queue["serving"][0]["timer"] == "over" and queue["serving"][0]["cap_hit"]
    done = ok(run("digituki", "finish", str(aino["id"]), "--outcome", "solved", "--json", now="2026-12-02T12:40"))
    assert done["visit"]["cap_hit"]
    ok(run("digituki", "close-day", "--today", "--json", now="2026-12-02T15:00"))
    result = run("digituki", "stats", "--from", "2026-12-02", "--to", "2026-12-02", "--csv")
    assert [r["cap_hit"] for r in csv.DictReader(io.StringIO(result.stdout))] == ["1"]  # Eino still waits


def test_a_move_the_visit_cannot_make_is_a_rule_refusal(run):
    visit = ok(run("digituki", "add", "Aino", "--topic", "e_services", "--device", "own_phone", "--json"))["visit"]
    refused = run("digituki", "pause", str(visit["id"]), "--json")
    error = json.loads(refused.stdout)["error"]
    assert refused.exit_code == 1 and error["code"] == "WRONG_STATE"
    assert error["message"] == "Ei mahdollista nyt: asiakas on vielä jonossa."


def test_a_callback_window_typed_as_the_desk_shows_it(run):
    """`--from "3.12.2026 9:00" --to "3.12. 11:30"` (this year by the desk's clock): the
    window stored as typed. Mutation caught: the options ISO only (exit 2, "aika
    muodossa VVVV-KK-PPTHH:MM"), or `3.12.` without the desk's year."""
    request = ok(run("digituki", "callback", "add", "--name", "Aino", "--phone", "040 123 4567", "--topic",
                     "e_services", "--from", "3.12.2026 9:00", "--to", "3.12. 11:30", "--json"))["callback"]
    assert request["wish_from"].startswith("2026-12-03T09:00") and request["wish_to"].startswith("2026-12-03T11:30")
    refused = run("digituki", "callback", "add", "--name", "Aino", "--phone", "040 123 4567", "--topic",
                  "e_services", "--from", "3.12.2026 kymmeneltä", "--json")
    assert refused.exit_code == 2 and "3.12.2026 10:00" in json.loads(refused.stdout)["error"]["message"]


def test_an_appointment_booked_at_a_moment_typed_as_shown(run):
    ok(run("digituki", "hours", "add", "thu", "10:00", "12:00", "--appointments", "--slot-minutes", "60", "--json"))
    booked = ok(run("digituki", "book", "3.12.2026 11:00", "--name", "Liisa", "--topic", "library_services",
                    "--json"))["appointment"]
    assert booked["starts_at"].startswith("2026-12-03T11:00")
