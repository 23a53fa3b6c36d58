"""Digital support through the facade: queue, timers, appointments, call-backs,
referrals, the end-of-day erasure and the statistics."""

from datetime import date, datetime

import pytest

from tiski.clock import HELSINKI
from tiski.core.errors import Refused


@pytest.fixture
def desk(desk):
    desk.bookings.add_hours("wed", "12:00", "14:00")  # drop-in: Wednesdays 12–14
    desk.bookings.add_hours("thu", "10:00", "12:00", kind="appointments", slot_minutes=45, helper="kaisa")
    desk.digituki.seed_referral_services()
    return desk


def code_of(call, *args, **kwargs):
    with pytest.raises(Refused) as refused:
        call(*args, **kwargs)
    return refused.value.code


def test_a_first_name_or_just_a_number_and_first_come_first_served(desk, clock):
    first = desk.digituki.queue_add("Aino", "e_services", "own_phone")
    clock.advance(minutes=1)
    second = desk.digituki.queue_add(None, "social_email", "own_tablet", "sv")
    assert (first.queue_no, second.queue_no) == (1, 2)
    assert second.label == "#2"
    served = desk.digituki.call_next("kaisa")
    assert served.id == first.id and served.helper == "kaisa" and served.status == "serving"


def test_the_queue_view_estimates_waits_and_shows_the_hours(desk, clock):
    clock.set(datetime(2026, 12, 2, 12, 30))
    for name in ("Aino", "Eino", "Liisa"):
        desk.digituki.queue_add(name, "device_use", "own_phone")
    desk.digituki.call_next("kaisa")
    view = desk.digituki.queue_view()
    assert view.minutes_left == 90 and view.hours_now is not None
    assert [v.name for v in view.waiting] == ["Eino", "Liisa"]
    assert [v.estimate for v in view.waiting] == [20, 40]  # one helper, 20 min by the policy
    clock.advance(minutes=5)
    assert [v.estimate for v in desk.digituki.queue_view().waiting] == [15, 35]


def test_timer_warns_and_goes_over_only_while_others_wait(desk, clock):
    desk.digituki.queue_add("Aino", "device_use", "own_phone")
    visit = desk.digituki.call_next("kaisa")
    clock.advance(minutes=26)
    assert desk.digituki.queue_view().serving[0].timer == "free"  # nobody waiting: no cap
    desk.digituki.queue_add("Eino", "device_use", "own_phone")
    assert desk.digituki.queue_view().serving[0].timer == "warning"
    clock.advance(minutes=4)
    assert desk.digituki.queue_view().serving[0].timer == "over"
    assert desk.digituki.visit(visit.id).cap_hit  # recorded by the read itself


def test_the_cap_is_recorded_without_any_screen_reading_the_queue(desk, clock):
    """No TUI, no queue read: finishing a visit helped 31 minutes while someone waited
    records the cap, and the day's figures count it.
    Mutation caught: finish_visit (or changing_queue) not recording the cap."""
    desk.digituki.queue_add("Aino", "device_use", "own_phone")
    visit = desk.digituki.call_next("kaisa")
    desk.digituki.queue_add("Eino", "device_use", "own_phone")
    clock.advance(minutes=31)
    finished, _ = desk.digituki.finish_visit(visit.id, "solved")
    assert finished.cap_hit
    desk.digituki.close_days(include_today=True)
    assert desk.digituki.stats(date(2026, 12, 2), date(2026, 12, 2), "topic")[0].cap_hits == 1


def test_the_cap_applies_from_the_moment_someone_waits(desk, clock):
    """Forty minutes alone is no cap; the moment someone joins the queue it is reached.
    Mutation caught: recording the cap only as the queue stood before a change."""
    desk.digituki.queue_add("Aino", "device_use", "own_phone")
    visit = desk.digituki.call_next("kaisa")
    clock.advance(minutes=40)
    assert not desk.digituki.visit(visit.id).cap_hit
    desk.digituki.queue_add("Eino", "device_use", "own_phone")
    assert desk.digituki.visit(visit.id).cap_hit


def test_nobody_waiting_or_time_in_pauses_is_no_cap(desk, clock):
    """Mutation caught: counting pauses as help, or a cap with an empty queue."""
    alone = desk.digituki.queue_add("Aino", "device_use", "own_phone")
    desk.digituki.call_next("kaisa")
    clock.advance(minutes=45)
    assert not desk.digituki.finish_visit(alone.id, "solved")[0].cap_hit
    paused = desk.digituki.queue_add("Eino", "device_use", "own_phone")
    desk.digituki.queue_add("Liisa", "device_use", "own_phone")
    desk.digituki.call_next("kaisa")
    clock.advance(minutes=25)
    desk.digituki.pause_visit(paused.id)
    clock.advance(minutes=10)
    desk.digituki.resume_visit(paused.id)
    clock.advance(minutes=4)
    assert not desk.digituki.finish_visit(paused.id, "solved")[0].cap_hit  # 29 minutes of help


def test_a_visit_moves_only_as_the_queue_allows(desk):
    """waiting → serving ⇄ paused → finished, waiting → left: anything else is refused.
    Mutation caught: a state check dropped from any of the moves."""
    visit = desk.digituki.queue_add("Aino", "device_use", "own_phone")
    for move in (desk.digituki.pause_visit, desk.digituki.resume_visit):
        assert code_of(move, visit.id) == "WRONG_STATE"
    assert code_of(desk.digituki.finish_visit, visit.id, "solved") == "WRONG_STATE"
    desk.digituki.start_visit(visit.id)
    assert code_of(desk.digituki.start_visit, visit.id) == "WRONG_STATE"
    assert code_of(desk.digituki.visit_left, visit.id) == "WRONG_STATE"
    assert code_of(desk.digituki.resume_visit, visit.id) == "WRONG_STATE"
    desk.digituki.finish_visit(visit.id, "solved")
    assert code_of(desk.digituki.finish_visit, visit.id, "solved") == "WRONG_STATE"
    assert desk.digituki.visit(visit.id).status == "finished"


def test_a_pause_stops_the_clock(desk, clock):
    desk.digituki.queue_add("Aino", "device_use", "own_phone")
    visit = desk.digituki.call_next("kaisa")
    clock.advance(minutes=10)
    desk.digituki.pause_visit(visit.id)
    clock.advance(minutes=15)
    assert desk.digituki.visit(visit.id).elapsed == 600
    desk.digituki.resume_visit(visit.id)
    clock.advance(minutes=5)
    finished, _ = desk.digituki.finish_visit(visit.id, "solved")
    assert finished.elapsed == 900


def test_two_helpers_serve_at_once(desk):
    for name in ("Aino", "Eino", "Liisa"):
        desk.digituki.queue_add(name, "device_use", "own_phone")
    assert desk.digituki.call_next("kaisa").name == "Aino"
    assert desk.digituki.call_next("pekka").name == "Eino"
    view = desk.digituki.queue_view()
    assert {v.helper for v in view.serving} == {"kaisa", "pekka"} and view.helpers == 2


def test_finishing_needs_a_referral_when_the_library_could_not_help(desk):
    desk.digituki.queue_add("Aino", "e_services", "own_phone")
    visit = desk.digituki.call_next("kaisa")
    assert code_of(desk.digituki.finish_visit, visit.id, "not_helped") == "REFERRAL_MISSING"
    kela = next(s for s in desk.digituki.referral_services() if s.name == "Kela")
    finished, _ = desk.digituki.finish_visit(visit.id, "referred", topic="e_services", referral=kela.name)
    assert finished.status == "finished"


def test_a_note_is_redacted_and_staff_are_told(desk):
    desk.digituki.queue_add("Aino", "e_services", "own_phone")
    visit = desk.digituki.call_next("kaisa")
    _, removed = desk.digituki.finish_visit(visit.id, "solved", note="Tunnus 131052-308T, salasana: kissa\nOpastettu.")
    assert set(removed) == {"hetu", "password"}
    stored = desk.conn.execute("SELECT note FROM digituki_visits").fetchone()[0]
    assert "131052-308T" not in stored and "kissa" not in stored and "Opastettu." in stored


def test_someone_who_left_the_queue(desk):
    visit = desk.digituki.queue_add("Aino", "e_services", "own_phone")
    desk.digituki.visit_left(visit.id)
    assert desk.digituki.queue_view().waiting == ()
    assert code_of(desk.digituki.call_next) == "NOT_FOUND"


def test_appointments_book_cancel_no_show_and_arrive(desk, clock):
    thursday = date(2026, 12, 3)
    slots = desk.bookings.free_slots(thursday)
    assert [s[0].strftime("%H:%M") for s in slots] == ["10:00", "10:45"]
    booked = desk.bookings.book(slots[0][0], "Liisa", "library_services", phone="040 111 2222")
    assert booked.helper == "kaisa" and booked.minutes == 45
    assert code_of(desk.bookings.book, slots[0][0], "Eino", "device_use") == "SLOT_TAKEN"
    assert len(desk.bookings.free_slots(thursday)) == 1
    second = desk.bookings.book(slots[1][0], "Eino", "device_use")
    desk.bookings.cancel_appointment(second.id)
    assert len(desk.bookings.free_slots(thursday)) == 1
    clock.set(datetime(2026, 12, 3, 9, 55))
    assert [a.name for a in desk.digituki.queue_view().appointments] == ["Liisa"]  # today's, at their time
    visit = desk.bookings.appointment_arrived(booked.id)
    assert visit.status == "serving" and visit.helper == "kaisa" and visit.appointment_id == booked.id
    assert code_of(desk.bookings.no_show, booked.id) == "INVALID_INPUT"


def test_call_backs_are_due_by_the_next_working_day_and_listed_by_due_time(desk, clock):
    clock.set(datetime(2026, 12, 4, 15, 0))  # a Friday
    later = desk.bookings.add_callback("Aino", "040 123 4567", "e_services")
    assert later.due_by == datetime(2026, 12, 7, 20, 0, tzinfo=HELSINKI)  # Monday at closing time
    clock.set(datetime(2026, 12, 2, 9, 0))
    sooner = desk.bookings.add_callback("Eino", "050 765 4321", "device_use", wish_from="2026-12-02T13:00",
                               wish_to="2026-12-02T15:00")
    assert [c.id for c in desk.bookings.callbacks()] == [sooner.id, later.id]
    clock.set(datetime(2026, 12, 3, 21, 0))
    assert desk.bookings.callbacks()[0].overdue


def test_call_attempts_are_logged_and_closing_names_the_referral(desk):
    request = desk.bookings.add_callback("Aino", "040 123 4567", "e_services")
    request, removed = desk.bookings.log_call(request.id, "no_answer", "Soitettu, ei vastausta. Uusi numero 050 111 2222")
    assert request.attempts == 1 and removed == ("phone",)
    assert code_of(desk.bookings.close_callback, request.id, "referred") == "REFERRAL_MISSING"
    closed = desk.bookings.close_callback(request.id, "referred", "Verohallinto (OmaVero)")
    assert closed.status == "done"
    assert desk.conn.execute("SELECT channel FROM digituki_callbacks").fetchone()[0] == "phone"


def test_web_form_requests_import_all_or_nothing(desk, tmp_path):
    good = tmp_path / "pyynnot.csv"
    good.write_text("name,phone,topic,wish_from,wish_to\nAino,040 123 4567,e_services,,\n"
                    "Eino,050 765 4321,social_email,2026-12-03T10:00,2026-12-03T12:00\n", encoding="utf-8")
    assert desk.bookings.import_callbacks(good) == (2, [])
    bad = tmp_path / "huonot.csv"
    bad.write_text("name,phone,topic\nLiisa,040 1,e_services\nMatti,040 555 1234,cooking\n", encoding="utf-8")
    count, errors = desk.bookings.import_callbacks(bad)
    assert count == 0 and [line for line, _ in errors] == [2, 3]
    assert len(desk.bookings.callbacks()) == 2


def test_at_the_end_of_the_day_names_go_and_the_figures_stay(desk, clock):
    clock.set(datetime(2026, 12, 2, 12, 0))
    desk.digituki.queue_add("Aino", "e_services", "own_phone", card="2028000000001")
    clock.advance(minutes=10)
    visit = desk.digituki.call_next("kaisa")
    desk.digituki.queue_add("Eino", "device_use", "library_computer")
    clock.advance(minutes=31)  # past the cap while Eino waits
    desk.digituki.finish_visit(visit.id, "referred", referral="Kela", note="Kelan lomake")
    request = desk.bookings.add_callback("Liisa", "040 123 4567", "social_email")
    desk.bookings.close_callback(request.id, "solved")
    clock.set(datetime(2026, 12, 3, 8, 0))
    counts = desk.digituki.close_days()
    assert counts == {"visits": 2, "appointments": 0, "callbacks": 1}
    assert desk.conn.execute("SELECT COUNT(*) FROM digituki_visits").fetchone()[0] == 0
    assert tuple(desk.conn.execute("SELECT name, phone FROM digituki_callbacks").fetchone()) == (None, None)
    kept = [dict(r) for r in desk.conn.execute("SELECT * FROM digituki_stats ORDER BY id")]
    assert kept[0]["wait_seconds"] == 600 and kept[0]["service_seconds"] == 31 * 60
    assert kept[0]["outcome"] == "referred" and kept[0]["referral"] == "Kela" and kept[0]["cap_hit"] == 1
    assert kept[1]["outcome"] is None  # Eino never got his turn
    columns = set(kept[0])
    assert not columns & {"name", "card", "phone", "note", "helper", "arrived_at"}


def test_closing_days_with_nothing_to_close_writes_nothing(desk, clock):
    """The F5 screen closes past days each time it is shown: with nothing to close that
    is no write and no line in the audit trail (there were 245 in a morning's pilot
    run). Mutation caught: the early return taken away (one audit row per visit to F5)."""
    audit_rows = "SELECT COUNT(*) FROM audit_log WHERE action = 'close_digituki_days'"
    assert desk.digituki.close_days() == {"visits": 0, "appointments": 0, "callbacks": 0}
    assert desk.conn.execute(audit_rows).fetchone()[0] == 0
    desk.digituki.queue_add("Aino", "e_services", "own_phone")
    clock.set(datetime(2026, 12, 3, 8, 0))
    assert desk.digituki.close_days()["visits"] == 1
    assert desk.conn.execute(audit_rows).fetchone()[0] == 1


def test_statistics_by_topic_and_month(desk, clock):
    clock.set(datetime(2026, 12, 2, 12, 0))
    for topic in ("e_services", "e_services", "device_use"):
        desk.digituki.queue_add("X", topic, "own_phone")
        visit = desk.digituki.call_next("kaisa")
        clock.advance(minutes=12)
        desk.digituki.finish_visit(visit.id, "solved")
    clock.set(datetime(2026, 12, 3, 8, 0))
    desk.digituki.close_days()
    by_topic = {r.group: r for r in desk.digituki.stats(date(2026, 12, 1), date(2026, 12, 31), "topic")}
    assert by_topic["e_services"].count == 2 and by_topic["device_use"].count == 1
    assert by_topic["e_services"].average_service_minutes == pytest.approx(12)
    [month] = desk.digituki.stats(date(2026, 12, 1), date(2026, 12, 31), "month")
    assert month.group == "2026-12" and month.count == 3
    assert code_of(desk.digituki.stats, date(2026, 12, 1), date(2026, 12, 31), "name") == "INVALID_INPUT"


def test_the_directory_of_services_is_editable(desk):
    desk.digituki.save_referral_service("Porin korjauspalvelu Oy", "repair", phone="02 123 4567", address="Itäpuisto 1")
    assert "Porin korjauspalvelu Oy" in [s.name for s in desk.digituki.referral_services()]
    desk.digituki.remove_referral_service("Porin korjauspalvelu Oy")
    assert "Porin korjauspalvelu Oy" not in [s.name for s in desk.digituki.referral_services()]
