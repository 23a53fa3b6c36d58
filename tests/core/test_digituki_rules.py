"""The digi-support queue's rules (DOMAIN.md §5, seeds 000–002)."""

from datetime import date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tiski.clock import HELSINKI
from tiski.core import digituki as rules
from tiski.core.calendar import BranchCalendar, parse_weekdays
from tiski.core.errors import Refused


def test_the_cap_applies_only_while_others_wait():
    assert rules.timer_state(45 * 60, 0, 30, 5) == "free"  # nobody waiting: no cap
    assert rules.timer_state(24 * 60, 1, 30, 5) == "ok"
    assert rules.timer_state(25 * 60, 1, 30, 5) == "warning"  # five minutes before
    assert rules.timer_state(30 * 60 - 1, 3, 30, 5) == "warning"
    assert rules.timer_state(30 * 60, 1, 30, 5) == "over"  # the seed's 30 minutes


def test_pauses_do_not_count():
    start = datetime(2026, 12, 2, 12, 0, tzinfo=HELSINKI)
    now = start + timedelta(minutes=40)
    assert rules.elapsed_seconds(start, 10 * 60, None, now) == 30 * 60
    assert rules.elapsed_seconds(start, 0, now - timedelta(minutes=5), now) == 35 * 60


def test_waits_with_one_and_two_helpers():
    assert rules.estimate_waits(3, 1, 20) == [0, 20, 40]
    assert rules.estimate_waits(3, 2, 20) == [0, 0, 20]
    # Someone is being helped and has 5 minutes left by the average.
    assert rules.estimate_waits(2, 1, 20, [5]) == [5, 25]
    assert rules.estimate_waits(0, 2, 20) == []


@given(st.integers(0, 30), st.integers(1, 5), st.floats(1, 60), st.lists(st.floats(0, 60), max_size=5))
def test_waits_never_shrink_down_the_line_and_more_helpers_never_hurt(waiting, helpers, average, remaining):
    waits = rules.estimate_waits(waiting, helpers, average, remaining[:helpers])
    assert len(waits) == waiting
    assert waits == sorted(waits)
    more = rules.estimate_waits(waiting, helpers + 1, average, remaining[:helpers])
    assert all(m <= w for m, w in zip(more, waits))


def test_the_average_comes_from_recent_services_or_the_policy():
    assert rules.average_service_minutes([], 20) == 20
    assert rules.average_service_minutes([600, 1200], 20) == 15
    assert rules.average_service_minutes([60] * 5 + [3600] * 20, 20) == 60  # only the last 20


def test_drop_in_hours_wednesdays_12_to_14():
    wednesday = [rules.Hours(2, time(12), time(14))]
    noon = datetime(2026, 12, 2, 12, 30, tzinfo=HELSINKI)
    assert rules.current_hours(wednesday, noon) == wednesday[0]
    assert rules.minutes_left(wednesday[0], noon) == 90
    assert rules.current_hours(wednesday, noon.replace(hour=14)) is None
    day, hours = rules.next_hours(wednesday, noon.replace(hour=15))
    assert day == date(2026, 12, 9) and hours.starts == time(12)


def test_appointment_slots_fit_the_hours():
    assert rules.slots(time(10), time(12), 45) == [time(10), time(10, 45)]


CALENDAR = BranchCalendar("PORI", time(20), parse_weekdays("sun"), frozenset({date(2026, 12, 7)}))


def test_a_call_back_is_due_by_the_end_of_the_next_working_day():
    wednesday = datetime(2026, 12, 2, 16, tzinfo=HELSINKI)
    assert rules.callback_due(wednesday, CALENDAR, 1) == datetime(2026, 12, 3, 20, tzinfo=HELSINKI)
    friday = datetime(2026, 12, 4, 16, tzinfo=HELSINKI)
    # Saturday is no working day, Monday 7.12. is closed: Tuesday.
    assert rules.callback_due(friday, CALENDAR, 1) == datetime(2026, 12, 8, 20, tzinfo=HELSINKI)
    assert rules.callback_due(wednesday, CALENDAR, 0) == datetime(2026, 12, 2, 20, tzinfo=HELSINKI)


def test_never_sent_away_empty_handed():
    assert rules.finish_refusals("solved", None) == []
    assert [r.code for r in rules.finish_refusals("referred", " ")] == ["REFERRAL_MISSING"]
    assert [r.code for r in rules.finish_refusals("not_helped", None)] == ["REFERRAL_MISSING"]
    assert rules.finish_refusals("not_helped", "Kela") == []


def test_notes_lose_what_must_not_be_kept():
    note = ("Asiakas 131052-308T ja lapsi 010203B0023, kortti 2028000000001, tili FI21 1234 5600 0007 85,\n"
            "puh 040 123 4567 / +358 50 765 4321, posti aino.virtanen@example.fi\n"
            "salasana: kissa123\n"
            "Opastettiin Kelan hakemuksen tulostus.")
    text, kinds = rules.redact(note)
    for secret in ("131052-308T", "010203B0023", "2028000000001", "FI21", "040 123 4567", "50 765 4321",
                   "aino.virtanen@example.fi", "kissa123"):
        assert secret not in text, secret
    assert "Opastettiin Kelan hakemuksen tulostus." in text
    assert set(kinds) >= {"hetu", "card", "account", "phone", "email", "password"}


def test_an_ordinary_note_is_left_alone():
    text, kinds = rules.redact("Opastettiin sähköpostin liitteen avaaminen puhelimella, 2 kertaa.")
    assert kinds == () and "2 kertaa" in text


@given(st.dates(date(1900, 1, 1), date(2099, 12, 31)), st.integers(2, 899),
       st.sampled_from("-YXWVUABCDEF"), st.text(max_size=20), st.text(max_size=20))
def test_any_valid_hetu_is_removed_wherever_it_stands(born, individual, sign, before, after):
    from tiski.demo import make_hetu

    if (born.year >= 2000) != (sign in "ABCDEF"):
        return
    hetu = make_hetu(born, individual, sign)
    text, _ = rules.redact(f"{before} {hetu} {after}")
    assert hetu not in text


# --- the note scrubber: identity codes as people type them, "ss:" lines (issue 9, 16) ---

def test_an_identity_code_without_its_separator_or_glued_to_words_is_removed():
    for hetu in ("140574231L", "140574-231L", "140574231l", "010203A0023", "311299+123X"):
        text, kinds = rules.redact(f"Asiakkaan tunnus{hetu}, hoidettu")
        assert hetu not in text and "hetu" in kinds, hetu
    text, kinds = rules.redact("Tilillä FI2112345600000785 ja kortti 2028000000001")
    assert kinds == ("account", "card")  # an IBAN's digits are not taken for an identity code


def test_a_password_line_written_ss_goes_whole():
    text, kinds = rules.redact("Opastettu OmaKantaan.\nss: Kissa123!\nSS=hevonen")
    assert "Kissa123" not in text and "hevonen" not in text and kinds == ("password",)
    assert "Opastettu OmaKantaan." in text
    assert rules.redact("Lasse kävi, ss-alkuinen sana")[1] == ()  # no colon: not a password line


def _hetu_shaped(text: str) -> list[str]:
    """Every place in `text` shaped like an identity code: ddmmyy (a plausible day and
    month) not preceded by a digit, an optional century sign, three digits and a check
    character — written here without the scrubber's pattern, to check it."""
    found = []
    for start in range(len(text)):
        if start and text[start - 1].isdigit():
            continue
        head = text[start:start + 6]
        if len(head) < 6 or not head.isdigit() or not (1 <= int(head[:2]) <= 31 and 1 <= int(head[2:4]) <= 12):
            continue
        rest = text[start + 6:]
        if rest[:1].upper() in set("-+ABCDEFUVWXY") and rest[:1] != "":
            rest = rest[1:]
        if len(rest) >= 4 and rest[:3].isdigit() and (rest[3].isdigit() or "A" <= rest[3].upper() <= "Y"):
            found.append(text[start:start + 11])
    return found


_hetus = st.builds(
    lambda d, m, y, sign, n, check: f"{d:02d}{m:02d}{y:02d}{sign}{n:03d}{check}",
    st.integers(1, 31), st.integers(1, 12), st.integers(0, 99), st.sampled_from(["", "-", "+", "A", "Y", "u", "f"]),
    st.integers(0, 999), st.sampled_from("0123456789ABCDEFHJKLMNPRSTUVWXYhjkl"))
_noise = st.text(alphabet="0123456789 -+:/ABCXYabcxyäö\n.,", max_size=30)


@given(st.lists(st.one_of(_hetus, _noise), min_size=1, max_size=8))
def test_a_note_keeps_no_identity_code_shaped_string(parts):
    """Whatever surrounds them — digits, signs, letters, line breaks — no string shaped
    like an identity code survives the scrubber.
    Mutation caught: a separator made compulsory again, or a word boundary demanded."""
    text, _ = rules.redact("".join(parts))
    assert _hetu_shaped(text) == []


# --- a visit's moves and the cap -------------------------------------------------------

def test_a_visit_moves_waiting_serving_paused_finished_or_left_and_nothing_else():
    assert rules.visit_moves_to("waiting", "start") == "serving"
    assert rules.visit_moves_to("serving", "pause") == "paused"
    assert rules.visit_moves_to("paused", "resume") == "serving"
    assert rules.visit_moves_to("paused", "finish") == "finished"
    assert rules.visit_moves_to("waiting", "leave") == "left"
    for status, move in (("waiting", "finish"), ("serving", "start"), ("serving", "leave"), ("finished", "pause"),
                         ("left", "start"), ("paused", "pause")):
        try:
            rules.visit_moves_to(status, move)
        except Refused as refused:
            assert refused.code == "WRONG_STATE" and refused.first.params == {"status": f"visit.{status}"}
        else:
            raise AssertionError(f"{status} --{move}--> allowed")


def test_the_cap_is_reached_only_at_the_cap_and_only_while_someone_waits():
    assert not rules.cap_reached(30 * 60 - 1, 2, 30)
    assert rules.cap_reached(30 * 60, 1, 30)
    assert not rules.cap_reached(90 * 60, 0, 30)


def test_a_timer_says_when_it_next_changes():
    assert rules.timer_changes_in(20 * 60, 1, 30, 5) == 5 * 60  # the warning at 25 minutes
    assert rules.timer_changes_in(27 * 60, 1, 30, 5) == 3 * 60  # the cap at 30
    assert rules.timer_changes_in(31 * 60, 1, 30, 5) is None  # over stays over
    assert rules.timer_changes_in(20 * 60, 0, 30, 5) is None  # nobody waits: no cap to come


def test_the_averaging_window_is_policy():
    from tiski.desk.context import default_policy

    assert default_policy().digituki_estimate_window_days == 14
