"""The notices' rules: the ladder after the due date, the fees, the channel, the text."""

from __future__ import annotations

import string
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tiski.core.errors import Refused
from tiski.core.notices import (
    KINDS,
    PLACEHOLDERS,
    Contacts,
    ItemLine,
    NoticeFacts,
    TemplateError,
    address_lines,
    check_preference,
    choose_channel,
    due_soon_owed,
    invoice_fee_cents,
    mail_address,
    message_id,
    next_step,
    parse_templates,
    reminder_fee_cents,
    render,
    replacement_cents,
    retry_at,
    sms_number,
)
from tiski.desk.context import default_policy
from tiski.resources import data_file

POLICY = default_policy()
DUE = date(2026, 12, 2)
EVERYONE = Contacts("aino@example.fi", "040 123 4567", "Yrjönkatu 5, 28100 Pori")
NOBODY = Contacts(None, None, None)


def test_the_ladder_is_the_policys_days_after_the_due_date():
    """Reminder 1 at 7 days, reminder 2 at 21 (14 after the first was sent), the invoice
    at 35. Mutation caught: a step owed a day early, or the invoice before reminder 2."""
    assert next_step(DUE, DUE + timedelta(days=6), POLICY, done=0, last_sent=None) is None
    first = next_step(DUE, DUE + timedelta(days=7), POLICY, done=0, last_sent=None)
    assert (first.kind, first.level) == ("overdue", 1)
    sent = DUE + timedelta(days=7)
    assert next_step(DUE, DUE + timedelta(days=20), POLICY, done=1, last_sent=sent) is None
    assert next_step(DUE, DUE + timedelta(days=21), POLICY, done=1, last_sent=sent).level == 2
    invoice = next_step(DUE, DUE + timedelta(days=35), POLICY, done=2, last_sent=DUE + timedelta(days=21))
    assert (invoice.kind, invoice.level) == ("invoice", 3)
    assert next_step(DUE, DUE + timedelta(days=400), POLICY, done=3, last_sent=DUE) is None


def test_a_step_produced_but_not_yet_sent_holds_the_next_back():
    """Mutation caught: reminder 2 produced while reminder 1 still waits for the call list."""
    assert next_step(DUE, DUE + timedelta(days=60), POLICY, done=1, last_sent=None) is None


@given(missed=st.lists(st.booleans(), min_size=80, max_size=80))
def test_missed_runs_catch_up_one_step_at_a_time_never_skipping_one(missed):
    """Whatever days cron missed, each step comes once, in order, never two on one day,
    and never sooner after the one before than the policy spaces them.
    Mutation caught: catching up by sending every step owed at once (three letters and
    three fees on one day), or skipping reminder 2 when the invoice's day has passed."""
    done, last_sent, days_of = 0, None, []
    for offset, skipped in enumerate(missed):
        today = DUE + timedelta(days=offset)
        if skipped:
            continue
        step = next_step(DUE, today, POLICY, done=done, last_sent=last_sent)
        if step is not None:
            assert step.level == done + 1
            done, last_sent = done + 1, today
            days_of.append(offset)
    gaps = [b - a for a, b in zip(days_of, days_of[1:])]
    assert all(gap >= spacing for gap, spacing in zip(gaps, (14, 14)))
    assert not days_of or days_of[0] >= 7


def test_the_due_date_reminder_is_owed_from_n_days_before_until_the_day():
    assert not due_soon_owed(DUE, DUE - timedelta(days=4), POLICY)
    assert due_soon_owed(DUE, DUE - timedelta(days=3), POLICY)
    assert due_soon_owed(DUE, DUE, POLICY)  # a missed run caught up on the day itself
    assert not due_soon_owed(DUE, DUE + timedelta(days=1), POLICY)


@pytest.mark.parametrize("category, first, second, invoice", [("adult", 150, 300, 750), ("organisation", 150, 300, 750),
                                                              ("child", 0, 0, 0)])
def test_fees_are_the_policys_and_none_for_children(category, first, second, invoice):
    """Mutation caught: fees charged to the children's category the policy spares."""
    assert reminder_fee_cents(1, category, POLICY) == first
    assert reminder_fee_cents(2, category, POLICY) == second
    assert invoice_fee_cents(category, POLICY) == invoice


def test_a_policy_may_charge_children_too():
    from dataclasses import replace

    policy = replace(POLICY, notice_fees_for_children=True)
    assert reminder_fee_cents(1, "child", policy) == 150 and invoice_fee_cents("child", policy) == 750


def test_an_item_without_a_price_is_invoiced_at_the_policys():
    assert replacement_cents(1990, "book", POLICY) == 1990
    assert replacement_cents(None, "book", POLICY) == 2500  # [lost.price_cents_by_format]
    assert replacement_cents(None, "console-game", POLICY) == 6000


def test_the_channel_is_the_patrons_choice_when_it_reaches_them_else_the_default_order():
    assert choose_channel("hold_arrived", None, EVERYONE) == "email"
    assert choose_channel("hold_arrived", "sms", EVERYONE) == "sms"
    assert choose_channel("hold_arrived", "sms", Contacts("a@b.fi", None, None)) == "email"
    assert choose_channel("hold_arrived", None, Contacts(None, None, "Katu 1")) == "letter"
    assert choose_channel("hold_arrived", None, NOBODY) == "call"  # the staff's call list
    assert choose_channel("invoice", None, EVERYONE) == "letter"
    assert choose_channel("invoice", "sms", Contacts(None, "040", None)) == "call"  # a bill is no text message
    assert choose_channel("due_soon", None, Contacts(None, "040", "Katu 1")) is None  # e-mail only
    assert choose_channel("due_soon", "none", EVERYONE) is None  # declined


def test_only_the_due_date_reminder_may_be_declined():
    check_preference("due_soon", "none")
    check_preference("hold_arrived", None)
    for kind, channel in (("hold_arrived", "none"), ("invoice", "sms"), ("due_soon", "letter"), ("nothing", None)):
        with pytest.raises(Refused):
            check_preference(kind, channel)


def test_the_backoff_then_staff():
    now = datetime(2026, 12, 2, 2, 0)
    assert [retry_at(n, now, POLICY) for n in (1, 2, 3)] == [
        now + timedelta(minutes=15), now + timedelta(hours=1), now + timedelta(hours=4)]
    assert retry_at(4, now, POLICY) is None


def test_one_message_id_per_notice_in_the_librarys_domain():
    first = message_id("hold_arrived:7:20261202T140500", "pori.fi")
    assert first == message_id("hold_arrived:7:20261202T140500", "pori.fi")
    assert first != message_id("hold_arrived:7:20261203T090000", "pori.fi")
    assert first.startswith("<") and first.endswith(".notice@pori.fi>")


def test_numbers_for_the_gateway_and_addresses_for_the_window():
    assert sms_number("040 123 4567") == "+358401234567"
    assert sms_number("+358 40 123 4567") == "+358401234567"
    assert sms_number("00358401234567") == "+358401234567"
    assert sms_number("ei numeroa") is None and sms_number(None) is None
    assert address_lines("Åsa Öberg", "Yrjönkatu 5, 28100 Pori") == ["Åsa Öberg", "Yrjönkatu 5", "28100 Pori"]


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_every_language_has_every_kind_with_the_same_placeholders(lang):
    """Mutation caught: a template in one language missing a kind or saying a placeholder
    the others do not (a Swedish patron's reminder without its fee)."""
    def names(text):
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    finnish = parse_templates(data_file("notices", "fi.toml").read_text(encoding="utf-8"))
    other = parse_templates(data_file("notices", f"{lang}.toml").read_text(encoding="utf-8"))
    assert set(other) == set(KINDS)
    for kind in KINDS:
        for part in ("subject", "body", "sms", "item"):
            assert names(getattr(other[kind], part)) == names(getattr(finnish[kind], part)), (lang, kind, part)


@pytest.mark.parametrize("change, where", [
    (("{pickup_by}", "{patron_name}"), "hold_arrived"),
    (("[invoice]", "[lasku]"), "invoice"),
    (('subject = "Lainojesi eräpäivä on {due}"', ""), "due_soon.subject"),
    (('subject = "Lainojesi eräpäivä on {due}"', 'subject = "Lainojesi eräpäivä\\r\\nBcc: x@example.fi {due}"'),
     "due_soon.subject"),
])
def test_a_bad_template_names_where(change, where):
    text = data_file("notices", "fi.toml").read_text(encoding="utf-8")
    with pytest.raises(TemplateError) as error:
        parse_templates(text.replace(*change, 1))
    assert error.value.where.startswith(where)


def test_a_line_whose_facts_are_empty_is_left_out():
    """A child's reminder says no fee; a branch without opening hours set says none.
    Mutation caught: "Tämän kehotuksen maksu: 0,00 €" on a child's reminder."""
    templates = parse_templates(data_file("notices", "fi.toml").read_text(encoding="utf-8"))
    facts = NoticeFacts(kind="overdue", library="Porin pääkirjasto", level=1, due=DUE,
                        items=(ItemLine("Muumipeikko ja pyrstötähti", "B0001", DUE),))
    text = render(templates["overdue"], facts, "email", "fi").text
    assert "maksu:" not in text and "Aukioloajat" not in text
    assert "  Muumipeikko ja pyrstötähti (B0001)" in text
    charged = render(templates["overdue"], NoticeFacts(**{**facts.__dict__, "fee_cents": 150, "hours": "ma–pe 10–20"}),
                     "email", "fi").text
    assert "Tämän kehotuksen maksu: 1,50 €" in charged and "Aukioloajat: ma–pe 10–20" in charged


HOURS = "ma–pe 10–20, la 10–16"
HOURS_LABEL = {"fi": "Aukioloajat: ", "sv": "Öppettider: ", "en": "Opening hours: "}
FEE = {"fi": "1,50 €", "sv": "1,50 €", "en": "1.50 €"}


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_every_letter_and_e_mail_gives_the_librarys_opening_hours(lang):
    """Issue 13: each kind "with the library's name and opening hours".
    Mutation caught: the due-date reminder or the invoice without {hours} (in any language)."""
    templates = parse_templates(data_file("notices", f"{lang}.toml").read_text(encoding="utf-8"))
    items = (ItemLine("Muumipeikko ja pyrstötähti", "B0001", DUE, 1990),)
    for kind in KINDS:
        facts = NoticeFacts(kind=kind, library="Porin pääkirjasto", hours=HOURS, title="Sinuhe",
                            pickup_code="001", pickup_by=DUE, level=1, due=DUE, items=items, fee_cents=150)
        text = render(templates[kind], facts, "email", lang).text
        assert HOURS_LABEL[lang] + HOURS in text, (lang, kind)


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_overdue_text_message_says_its_fee_when_it_charges_one(lang):
    """The reminder's fee is charged when it is sent: the text message says so, in one
    line; a child's (no fee) says nothing of one.
    Mutation caught: the overdue SMS without {fee}; "fee ." on a child's message; a text
    message broken over lines (a gateway script may read one)."""
    templates = parse_templates(data_file("notices", f"{lang}.toml").read_text(encoding="utf-8"))
    facts = NoticeFacts(kind="overdue", library="Porin pääkirjasto", level=1, due=DUE,
                        items=(ItemLine("Muumipeikko ja pyrstötähti", "B0001", DUE),))
    free = render(templates["overdue"], facts, "sms", lang).text
    charged = render(templates["overdue"], NoticeFacts(**{**facts.__dict__, "fee_cents": 150}), "sms", lang).text
    assert charged.startswith(free) and charged.endswith(FEE[lang] + ".") and FEE[lang] not in free
    assert "\n" not in charged and len(charged) <= 160 and free.endswith(".") and "  " not in charged


def test_every_kind_names_what_it_is_about_and_never_the_patron():
    assert all(not ({"name", "card", "address", "hetu"} & names) for names in PLACEHOLDERS.values())


def test_a_title_with_a_line_break_stays_on_the_subject_line():
    """The subject is the e-mail's Subject header. Mutation caught: a title that brought
    CR LF (an old record, a catalogue feed) rendered as is: a header of its own
    ("Bcc: …") or, refused by the mail library, a notice that can never go."""
    templates = parse_templates(data_file("notices", "fi.toml").read_text(encoding="utf-8"))
    facts = NoticeFacts(kind="hold_arrived", library="Porin pääkirjasto", title="Sinuhe\r\nBcc: x@example.fi",
                        pickup_code="001", pickup_by=DUE)
    subject = render(templates["hold_arrived"], facts, "email", "fi").subject
    assert subject == "Varauksesi on noudettavissa: Sinuhe Bcc: x@example.fi"


@pytest.mark.parametrize("text, address", [
    ("aino@example.fi", "aino@example.fi"),
    (" aino@example.fi ", "aino@example.fi"),
    ("äiti@esimerkki.fi", "äiti@esimerkki.fi"),
    ("aino,virtanen@example.fi", None),  # a typo for a dot: "aino" and a stranger
    ("aino@example.fi, eino@example.fi", None),
    ("Aino <aino@example.fi>", None),
    ("aino@example.fi (koti)", None),
    ("", None),
    (None, None),
])
def test_an_e_mail_goes_to_one_mailbox_or_none(text, address):
    """Mutation caught: the register's text used as the To header, where a comma makes
    two recipients (the patron's titles to a stranger)."""
    assert mail_address(text) == address
