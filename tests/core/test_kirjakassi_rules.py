"""The book bag's rules: what goes in the bag, and when it goes (DOMAIN.md §6)."""

from datetime import date, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tiski.core.calendar import BranchCalendar, parse_weekdays
from tiski.core.errors import Refused
from tiski.core.kirjakassi import (
    Candidate,
    ShelfQuery,
    Wishes,
    acceptable,
    bag_to_move,
    check_rhythm,
    delivery_dates,
    delivery_moves_to,
    loan_due,
    packing_day,
    pick_list,
    shelf_query,
)

TODAY = date(2026, 12, 2)


def book(n, author="Kirjoittaja, A", fmt="book", terms=(), large=False, lang="fin", record=None, easy=False):
    return Candidate(n, f"B{n:05d}", record or n, f"Nimeke {n}", author, fmt, lang, large, easy, 2020,
                     frozenset(terms))


def test_liked_authors_first_with_the_reason_in_words():
    wishes = Wishes(genres=("dekkarit",), liked_authors=("kallentoft",), media=("large_print",))
    shelf = [book(1, "Virtanen, Aino", terms={"dekkarit"}, large=True),
             book(2, "Kallentoft, Mons", terms={"dekkarit"}, large=True),
             book(3, "Kallentoft, Mons", large=False)]
    picks = pick_list(shelf, wishes, frozenset(), 5, TODAY)
    assert [p.candidate.item_id for p in picks] == [2, 1]  # no. 3 is not large print
    assert picks[0].reasons == ("liked_author:Kallentoft, Mons", "genre:dekkarit", "medium:large_print")


def test_avoided_subjects_disliked_authors_and_received_titles_never_go():
    wishes = Wishes(genres=("romaanit",), disliked_authors=("virtanen",), avoid=("kauhukirjallisuus",))
    shelf = [book(1, "Virtanen, Aino", terms={"romaanit"}), book(2, terms={"romaanit", "kauhukirjallisuus"}),
             book(3, terms={"romaanit"}), book(4, "Mäki, Eeva", terms={"romaanit"})]
    picks = pick_list(shelf, wishes, frozenset({4}), 5, TODAY)
    assert [p.candidate.item_id for p in picks] == [3]


def test_the_bag_spreads_across_authors_and_keeps_its_size():
    wishes = Wishes(genres=("romaanit",))
    shelf = [book(n, f"Kirjailija {n % 3}", terms={"romaanit"}) for n in range(1, 13)]
    picks = pick_list(shelf, wishes, frozenset(), 3, TODAY)
    assert len(picks) == 3
    assert len({p.candidate.author for p in picks}) == 3


def test_one_copy_per_title_and_the_wished_amount():
    wishes = Wishes(genres=("runot",), amount=2)
    shelf = [book(1, "A", terms={"runot"}, record=7), book(2, "B", terms={"runot"}, record=7),
             book(3, "C", terms={"runot"}), book(4, "D", terms={"runot"})]
    picks = pick_list(shelf, wishes, frozenset(), 8, TODAY)
    assert len(picks) == 2 and len({p.candidate.record_id for p in picks}) == 2


def test_formats_languages_and_easy_to_read():
    wishes = Wishes(media=("cd_audiobook", "regular_print"), languages=("swe",), easy_read=True)
    shelf = [book(1, "A", lang="swe", easy=True), book(2, "B", lang="swe"), book(3, "C", fmt="cd-audiobook", lang="swe"),
             book(4, "D", fmt="dvd", lang="swe"), book(5, "E", lang="fin", easy=True)]
    assert {p.candidate.item_id for p in pick_list(shelf, wishes, frozenset(), 8, TODAY)} == {1, 3}


names = st.sampled_from(["Linna, Väinö", "Jansson, Tove", "Waltari, Mika", "Kallentoft, Mons", None])
terms = st.frozensets(st.sampled_from(["romaanit", "dekkarit", "kauhukirjallisuus", "sota", "luonto"]), max_size=3)
candidates = st.lists(
    st.builds(Candidate, item_id=st.integers(1, 10_000), barcode=st.just("X"), record_id=st.integers(1, 60),
              title=st.just("T"), author=names, format=st.sampled_from(["book", "cd-audiobook", "dvd", "magazine"]),
              language=st.sampled_from(["fin", "swe"]), large_print=st.booleans(), easy_read=st.booleans(),
              year=st.integers(1950, 2026), terms=terms),
    max_size=60, unique_by=lambda c: c.item_id)
wishes_strategy = st.builds(
    Wishes, genres=st.lists(st.sampled_from(["romaanit", "dekkarit", "luonto"]), max_size=2).map(tuple),
    liked_authors=st.lists(st.sampled_from(["linna", "jansson"]), max_size=1).map(tuple),
    disliked_authors=st.lists(st.sampled_from(["waltari", "kallentoft"]), max_size=2).map(tuple),
    media=st.lists(st.sampled_from(["regular_print", "large_print", "cd_audiobook", "dvd", "magazines"]),
                   min_size=1, max_size=3, unique=True).map(tuple),
    avoid=st.lists(st.sampled_from(["kauhukirjallisuus", "sota"]), max_size=2).map(tuple),
    amount=st.one_of(st.none(), st.integers(1, 10)), large_print_only=st.booleans())


@settings(max_examples=300)
@given(candidates, wishes_strategy, st.frozensets(st.integers(1, 60), max_size=20), st.integers(1, 15))
def test_never_an_avoided_author_never_received_never_more_than_the_bag(shelf, wishes, received, bag):
    picks = pick_list(shelf, wishes, received, bag, TODAY)
    assert len(picks) <= bag and (wishes.amount is None or len(picks) <= wishes.amount)
    for pick in picks:
        c = pick.candidate
        assert c.record_id not in received
        assert not any(d in (c.author or "").lower() for d in wishes.disliked_authors)
        assert not c.terms & set(wishes.avoid)
    assert len({p.candidate.record_id for p in picks}) == len(picks)


PORI = BranchCalendar("PORI", time(20), parse_weekdays("sun"),
                      frozenset({date(2026, 12, 8), date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26)}))


def test_every_four_weeks_on_tuesdays_moved_off_closed_days():
    days = delivery_dates(date(2026, 11, 10), 4, 1, PORI, date(2026, 11, 10), count=3)
    assert days == [date(2026, 11, 10), date(2026, 12, 9), date(2027, 1, 5)]  # 8.12. closed: Wednesday


def test_two_weekly_across_christmas():
    days = delivery_dates(date(2026, 12, 10), 2, 3, PORI, date(2026, 12, 20), count=2)
    # Thursday 24.12. is closed and so are Friday and Saturday; Sunday is always closed: Monday 28.12.
    assert days == [date(2026, 12, 28), date(2027, 1, 7)]


def test_a_pause_and_an_end():
    days = delivery_dates(date(2026, 11, 3), 1, 1, PORI, date(2026, 11, 3), count=3,
                          paused=(date(2026, 11, 10), date(2026, 11, 17)))
    assert days == [date(2026, 11, 3), date(2026, 11, 24), date(2026, 12, 1)]
    assert delivery_dates(date(2026, 11, 3), 1, 1, PORI, date(2026, 11, 20), count=3, ends_on=date(2026, 11, 30)) \
        == [date(2026, 11, 24)]


def test_a_bags_loans_last_until_the_next_delivery_and_a_margin():
    assert loan_due(date(2026, 12, 9), 7, PORI) == date(2026, 12, 16)
    assert loan_due(date(2026, 12, 17), 7, PORI) == date(2026, 12, 28)  # 24.–27. closed


# --- what the store may search by (issue 11: the pick list from an index) ----------------

def _on_the_shelf(query: ShelfQuery, c: Candidate) -> bool:
    """What the store's search keeps of the catalogue's facts (tiski.store.kirjakassi.shelf)."""
    if c.format not in query.formats:
        return False
    if query.languages and c.language is not None and c.language not in query.languages:
        return False
    if c.format == "book" and query.books_large_print is not None and c.large_print != query.books_large_print:
        return False
    return not (c.format == "book" and query.books_easy_read and not c.easy_read)


@settings(max_examples=300)
@given(candidates, wishes_strategy.flatmap(
    lambda w: st.builds(lambda easy, langs: Wishes(**{**w.__dict__, "easy_read": easy, "languages": langs}),
                        st.booleans(), st.sampled_from([("fin",), ("fin", "swe"), ()]))))
def test_the_search_never_leaves_out_a_copy_the_rules_would_take(shelf, wishes):
    """Mutation caught: a large-print, easy-to-read, format or language condition in
    shelf_query stricter than `acceptable` (a copy the client wants never offered)."""
    query = shelf_query(wishes)
    for c in shelf:
        if acceptable(c, wishes, frozenset()) is not None:
            assert _on_the_shelf(query, c), c
    assert query.terms == tuple(dict.fromkeys(wishes.genres + wishes.subjects))
    assert query.authors == wishes.liked_authors


def test_the_search_leaves_regular_print_out_for_a_large_print_reader():
    assert shelf_query(Wishes(media=("large_print", "cd_audiobook"))).books_large_print is True
    assert shelf_query(Wishes(media=("regular_print",))).books_large_print is False
    assert shelf_query(Wishes(media=("regular_print", "large_print"))).books_large_print is None


# --- a delivery's moves ---------------------------------------------------------------------

def test_a_delivery_moves_forward_only():
    assert delivery_moves_to("planned", "pack") == "packing"
    assert delivery_moves_to("packing", "packed") == "packed"
    assert delivery_moves_to("packed", "pack") == "packed"  # a late addition keeps it packed
    assert delivery_moves_to("packing", "send") == "sent"
    assert delivery_moves_to("sent", "return") == "returned"
    for status, move in (("planned", "send"), ("packed", "packed"), ("sent", "pack"), ("sent", "send"),
                         ("returned", "return"), ("packing", "return")):
        with pytest.raises(Refused) as refused:
            delivery_moves_to(status, move)
        assert refused.value.first.params == {"status": f"delivery.{status}"}


def test_the_bag_a_move_applies_to_and_the_day_a_new_bag_is_packed_for():
    assert bag_to_move("return", ["sent", "packing"]) == 0
    assert bag_to_move("send", ["sent", "packing"]) == 1
    with pytest.raises(Refused, match="WRONG_STATE"):
        bag_to_move("send", [])
    days = [date(2026, 12, 29), date(2027, 1, 26)]
    assert packing_day(days, {}) == date(2026, 12, 29)
    assert packing_day(days, {date(2026, 12, 29): "sent"}) == date(2027, 1, 26)
    assert packing_day(days, {date(2026, 12, 29): "returned", date(2027, 1, 26): "sent"}) is None


def test_the_bounds_of_the_register():
    check_rhythm(12, 40)
    for rhythm, size in ((0, 8), (13, 8), (4, 0), (4, 41)):
        with pytest.raises(Refused, match="INVALID_INPUT"):
            check_rhythm(rhythm, size)
