"""The book bag (kirjakassi): the client's wishes, the delivery rhythm, and the pick
list. Pure: facts in, answers out.

Picking keeps to what the client wants (formats, languages, genres and subjects,
liked authors first), never sends what they avoid or have already received, never
takes a copy someone else is waiting for, spreads the bag across authors and fills
it to its size — and says why each item was chosen.

A delivery moves planned → packing → packed → sent → returned (a bag may also
leave straight from packing); nothing goes back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from .calendar import BranchCalendar
from .errors import invalid, refuse

ELIGIBILITY = ("age", "illness", "disability")
# The register's bounds (the schema checks the same): a delivery at least every 12
# weeks, or it is no service; a bag one carrier can lift.
RHYTHM_WEEKS = range(1, 13)
BAG_SIZE = range(1, 41)
# What the interview offers, and the collection's formats each choice means.
MEDIA = {
    "regular_print": ("book",),
    "large_print": ("book",),
    "cd_audiobook": ("cd-audiobook",),
    "music": ("cd",),
    "dvd": ("dvd", "bluray"),
    "magazines": ("magazine",),
}
SECTIONS = ("reading", "authors", "formats", "avoid", "amount", "wishes")


@dataclass(frozen=True)
class Wishes:
    """What the interview found out. Terms are catalogue subjects and genres (lower case)."""

    genres: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    liked_authors: tuple[str, ...] = ()
    disliked_authors: tuple[str, ...] = ()
    media: tuple[str, ...] = ("regular_print",)
    languages: tuple[str, ...] = ("fin",)
    avoid: tuple[str, ...] = ()  # subjects or genres never to send (violence, horror…)
    amount: int | None = None  # how much to send, if less than the bag holds
    large_print_only: bool = False
    easy_read: bool = False
    wishes: str = ""

    @classmethod
    def from_answers(cls, answers: dict[str, Any]) -> Wishes:
        def words(key: str) -> tuple[str, ...]:
            value = answers.get(key) or ()
            if isinstance(value, str):
                value = value.split(",")
            return tuple(w.strip().lower() for w in value if str(w).strip())

        media = tuple(m for m in words("media") if m in MEDIA) or ("regular_print",)
        amount = answers.get("amount")
        try:
            amount = int(amount) if amount not in (None, "") else None
        except (TypeError, ValueError):
            amount = None
        return cls(
            genres=words("genres"), subjects=words("subjects"), liked_authors=words("liked_authors"),
            disliked_authors=words("disliked_authors"), media=media, languages=words("languages") or ("fin",),
            avoid=words("avoid"), amount=amount, large_print_only=bool(answers.get("large_print_only")),
            easy_read=bool(answers.get("easy_read")), wishes=str(answers.get("wishes") or ""),
        )


@dataclass(frozen=True)
class Candidate:
    """A copy on the shelf, with what the catalogue says of its title."""

    item_id: int
    barcode: str
    record_id: int
    title: str
    author: str | None
    format: str
    language: str | None
    large_print: bool
    easy_read: bool
    year: int | None
    terms: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Pick:
    candidate: Candidate
    score: float
    reasons: tuple[str, ...]  # message keys with their values: ("liked_author", "Linna")…


def _author_key(author: str | None) -> str:
    return (author or "").strip().lower()


@lru_cache(maxsize=4096)  # a shelf has many copies by the same few thousand authors
def _matches_author(author: str | None, names: tuple[str, ...]) -> str | None:
    """A name the client gave that this author matches ('linna' matches 'Linna, Väinö')."""
    key = _author_key(author)
    if not key:
        return None
    for name in names:
        if name and (name in key or key.split(",")[0].strip() == name):
            return name
    return None


def _medium(candidate: Candidate, wishes: Wishes) -> str | None:
    """The interview choice this copy answers, or None when it answers none."""
    for medium in wishes.media:
        if candidate.format not in MEDIA[medium]:
            continue
        if candidate.format == "book":
            if wishes.large_print_only and not candidate.large_print:
                continue
            if medium == "large_print" and not candidate.large_print:
                continue
            if medium == "regular_print" and candidate.large_print and "large_print" not in wishes.media:
                # a large-print copy suits a regular reader too, but only when asked
                continue
            if wishes.easy_read and not candidate.easy_read:
                continue
        return medium
    return None


def acceptable(candidate: Candidate, wishes: Wishes, received: frozenset[int]) -> str | None:
    """The medium this copy fits, or None when it must not go in the bag."""
    if candidate.record_id in received:
        return None
    if _matches_author(candidate.author, wishes.disliked_authors):
        return None
    if not candidate.terms.isdisjoint(wishes.avoid):
        return None
    if wishes.languages and candidate.language and candidate.language not in wishes.languages:
        return None
    return _medium(candidate, wishes)


def score(candidate: Candidate, wishes: Wishes, medium: str, today: date) -> tuple[float, tuple[str, ...]]:
    reasons = []
    points = 0.0
    liked = _matches_author(candidate.author, wishes.liked_authors)
    if liked:
        points += 5
        reasons.append(f"liked_author:{candidate.author}")
    for genre in sorted(candidate.terms.intersection(wishes.genres)):
        points += 3
        reasons.append(f"genre:{genre}")
    for subject in sorted(candidate.terms.intersection(wishes.subjects)):
        points += 2
        reasons.append(f"subject:{subject}")
    if wishes.languages and candidate.language == wishes.languages[0]:
        points += 0.5
    if candidate.year:
        points += max(0.0, 1.0 - (today.year - candidate.year) / 20)  # newer first, gently
    reasons.append(f"medium:{medium}")  # last: what matters most to the client comes first
    return points, tuple(reasons)


def pick_list(
    candidates: list[Candidate],
    wishes: Wishes,
    received: frozenset[int],
    bag_size: int,
    today: date,
    alternates: int = 0,
) -> list[Pick]:
    """The bag's contents, best first, then `alternates` more to choose from instead.

    One copy per title; an author appears once until every author has had a turn (a
    liked author may appear twice); never more than the bag (or the wished amount)."""
    size = min(bag_size, wishes.amount) if wishes.amount else bag_size
    scored: list[Pick] = []
    for candidate in candidates:
        medium = acceptable(candidate, wishes, received)
        if medium is None:
            continue
        points, reasons = score(candidate, wishes, medium, today)
        if points <= 0.5 and (wishes.genres or wishes.subjects or wishes.liked_authors):
            continue  # nothing the client asked for: not for this bag
        scored.append(Pick(candidate, points, reasons))
    scored.sort(key=lambda p: (-p.score, p.candidate.title, p.candidate.barcode))
    chosen: list[Pick] = []
    titles: set[int] = set()
    per_author: dict[str, int] = {}
    wanted = size + alternates
    for allowance in (1, 2):  # first one per author; then a liked author may have a second
        for pick in scored:
            if len(chosen) >= wanted:
                break
            c = pick.candidate
            if c.record_id in titles:
                continue
            author = _author_key(c.author) or f"#{c.record_id}"
            limit = allowance if allowance == 1 or any(r.startswith("liked_author:") for r in pick.reasons) else 1
            if per_author.get(author, 0) >= limit:
                continue
            chosen.append(pick)
            titles.add(c.record_id)
            per_author[author] = per_author.get(author, 0) + 1
    return chosen[:wanted]


def bag_size_for(bag_size: int, wishes: Wishes) -> int:
    return min(bag_size, wishes.amount) if wishes.amount else bag_size


def check_rhythm(rhythm_weeks: int, bag_size: int) -> None:
    if rhythm_weeks not in RHYTHM_WEEKS:
        raise invalid("rhythm")
    if bag_size not in BAG_SIZE:
        raise invalid("bag_size")


@dataclass(frozen=True)
class ShelfQuery:
    """What the catalogue alone can rule out, for the store to search by: only copies
    in these formats, a book large print or not (None: either), easy to read, in these
    languages (or of no stated language), and — when the client named any — only titles
    with one of these terms or by one of these authors. `acceptable` and `pick_list`
    still decide each copy; this only keeps the rest from being read at all."""

    formats: tuple[str, ...]
    books_large_print: bool | None
    books_easy_read: bool
    languages: tuple[str, ...]
    terms: tuple[str, ...]
    authors: tuple[str, ...]


def shelf_query(wishes: Wishes) -> ShelfQuery:
    books = [m for m in wishes.media if "book" in MEDIA[m]]
    large: bool | None = None
    if wishes.large_print_only or books == ["large_print"]:
        large = True
    elif books == ["regular_print"]:
        large = False  # a large-print copy goes to a regular reader only when asked
    return ShelfQuery(
        formats=tuple(sorted({fmt for medium in wishes.media for fmt in MEDIA[medium]})),
        books_large_print=large,
        books_easy_read=wishes.easy_read,
        languages=wishes.languages,
        terms=tuple(dict.fromkeys(wishes.genres + wishes.subjects)),
        authors=wishes.liked_authors,
    )


# --- a delivery's states ------------------------------------------------------------------

DELIVERY_MOVES: dict[str, dict[str, str]] = {
    "planned": {"pack": "packing"},
    "packing": {"pack": "packing", "packed": "packed", "send": "sent"},
    "packed": {"pack": "packed", "send": "sent"},  # a late addition keeps the bag packed
    "sent": {"return": "returned"},
    "returned": {},
}


def delivery_moves_to(status: str, move: str) -> str:
    """The delivery's state after `move`; an illegal move is refused (WRONG_STATE)."""
    after = DELIVERY_MOVES.get(status, {}).get(move)
    if after is None:
        raise refuse("WRONG_STATE", status=f"delivery.{status}")
    return after


def bag_to_move(move: str, statuses: Sequence[str]) -> int:
    """Which of a client's bags not yet back (earliest due first) `move` applies to, by
    its place in `statuses`; refused naming the state of the earliest one."""
    for place, status in enumerate(statuses):
        if move in DELIVERY_MOVES.get(status, {}):
            return place
    raise refuse("WRONG_STATE", status=f"delivery.{statuses[0] if statuses else 'planned'}")


def packing_day(upcoming: Sequence[date], started: dict[date, str]) -> date | None:
    """The delivery day a bag is packed for: the first coming one whose bag has not
    already left (a bag sent today does not take the next scans)."""
    for day in upcoming:
        if "pack" in DELIVERY_MOVES[started.get(day, "planned")]:
            return day
    return None


# --- the rhythm --------------------------------------------------------------------------

def delivery_dates(
    starts_on: date,
    rhythm_weeks: int,
    weekday: int,
    calendar: BranchCalendar,
    after: date,
    count: int = 1,
    paused: tuple[date | None, date | None] = (None, None),
    ends_on: date | None = None,
) -> list[date]:
    """The next `count` delivery days on or after `after`: every `rhythm_weeks` weeks
    on `weekday` from the start, each moved forward off days the branch is closed,
    skipping a pause and stopping at the end."""
    first = starts_on + timedelta(days=(weekday - starts_on.weekday()) % 7)
    out: list[date] = []
    step = timedelta(weeks=rhythm_weeks)
    if after > first:
        periods = (after - first).days // step.days
        first += step * max(0, periods - 1)
    planned = first
    for _ in range(1000):
        if len(out) >= count:
            break
        actual = calendar.next_open_day(planned)
        if ends_on is not None and planned > ends_on:
            break
        pause_from, pause_until = paused
        in_pause = pause_from is not None and pause_from <= planned and (pause_until is None or planned <= pause_until)
        if actual >= after and not in_pause:
            out.append(actual)
        planned += step
    return out


def loan_due(next_delivery: date, margin_days: int, calendar: BranchCalendar) -> date:
    """A bag's loans last until the next delivery plus a margin, on an open day."""
    return calendar.next_open_day(next_delivery + timedelta(days=margin_days))
