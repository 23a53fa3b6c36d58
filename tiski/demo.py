"""A believable demo library, the same every time for the same clock.

Three Satakunta branches with their calendars, a few thousand patrons (children with
a guardian's consent, organisations with a responsible person), tens of thousands of
items in every format and age rating, and two months of desk history played through
the facade — so the loans, late fees, holds on the shelf and in the queue obey the
same rules as the desk. Then a lost card, a ban, fees over the limit, ILL orders.

The register itself is bulk-inserted (tiski.store.demo); the history goes through `Desk`.
"""

from __future__ import annotations

import random
import sqlite3
import tomllib
from datetime import date, datetime, time, timedelta

from .clock import HELSINKI, Clock, ManualClock, stamp
from .core.errors import Refused
from .core.patrons import age_on
from .core.text import phone_digits
from .resources import data_file
from .store import demo as demo_store

BRANCHES = (
    ("PORI", "Porin pääkirjasto", "sun", "20:00"),
    ("ULV", "Ulvilan kirjasto", "sat,sun", "19:00"),
    ("NAK", "Nakkilan kirjasto", "sat,sun", "19:00"),
)
FORMAT_WEIGHTS = {
    "book": 70, "cd": 6, "cd-audiobook": 5, "dvd": 7, "bluray": 3, "console-game": 3, "magazine": 4, "other": 2,
}
RATINGS = (None, 7, 12, 16, 18)
_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def make_hetu(birth: date, individual: int, sign: str | None = None) -> str:
    """A HETU that passes every check (the people are invented)."""
    if sign is None:
        sign = {18: "+", 19: "-", 20: "A"}[birth.year // 100]
    base = f"{birth:%d%m%y}{individual:03d}"
    return f"{birth:%d%m%y}{sign}{individual:03d}{_CHECK[int(base) % 31]}"


class _Demo:
    def __init__(self, conn: sqlite3.Connection, clock: Clock, seed: int):
        self.conn = conn
        self.rng = random.Random(seed)
        self.words = tomllib.loads(data_file("demo", "words.toml").read_text(encoding="utf-8"))
        self.now = clock().astimezone(HELSINKI)
        self.today = self.now.date()

    # --- the register ---------------------------------------------------------------------

    def branches(self) -> None:
        from .desk import Desk

        desk = Desk(self.conn, clock=lambda: self.now)
        for code, name, closed, closes in BRANCHES:
            desk.admin.add_branch(code, name, closed, closes)
            for year in (self.today.year - 1, self.today.year, self.today.year + 1):
                desk.admin.close_public_holidays(code, year)

    def _birth(self) -> date:
        rng = self.rng
        bucket = rng.random()
        if bucket < 0.15:
            age = rng.randint(3, 14)
        elif bucket < 0.20:
            age = rng.randint(15, 17)
        else:
            age = min(98, int(rng.triangular(18, 95, 45)))
        return self.today - timedelta(days=age * 365 + rng.randint(0, 364))

    def patrons(self, count: int) -> list[tuple[int, str]]:
        """Bulk-insert patrons with their cards. Returns (patron id, card)."""
        from .core.patrons import mask_hetu
        from .store.hetu_vault import HetuVault

        rng, w = self.rng, self.words
        vault = HetuVault.of(self.conn, create=True)
        rows, cards, hetus = [], [], set()
        created = stamp(self.now - timedelta(days=400))
        for number in range(1, count + 1):
            birth = self._birth()
            female = rng.random() < 0.55
            first = rng.choice(w["first_names_female"] if female else w["first_names_male"])
            last = rng.choice(w["last_names"])
            age = age_on(birth, self.today)
            hetu = None
            if rng.random() < 0.95:
                sign = rng.choice("YB") if rng.random() < 0.02 and birth.year >= 1900 else None
                if sign == "Y" and birth.year >= 2000:
                    sign = "B"
                if sign == "B" and birth.year < 2000:
                    sign = "Y"
                while hetu is None or hetu in hetus:
                    hetu = make_hetu(birth, rng.randint(2, 899), sign)
                hetus.add(hetu)
            street, (postcode, town) = rng.choice(w["streets"]), rng.choice(w["towns"])
            phone = f"04{rng.randint(0, 9)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
            row = {
                "id": number,
                "first_name": first,
                "last_name": last,
                "hetu_sealed": vault.seal(hetu) if hetu else None,
                "hetu_digest": vault.digest(hetu) if hetu else None,
                "hetu_masked": mask_hetu(hetu) if hetu else None,
                "birth_date": birth.isoformat(),
                "is_organisation": 0,
                "email": _ascii(f"{first}.{last}{rng.randint(1, 99)}@example.fi") if rng.random() < 0.7 else None,
                "phone": phone,
                "phone_digits": phone_digits(phone),
                "address": f"{street} {rng.randint(1, 60)}, {postcode} {town}",
                "verify_id": int(rng.random() < 0.01),
                "home_branch": rng.choice(BRANCHES)[0],
                "created_at": created,
                "updated_at": created,
            }
            if age < 15:
                guardian_first = rng.choice(w["first_names_female"] + w["first_names_male"])
                row["guardian_name"] = f"{guardian_first} {last}"
                row["consent_date"] = (self.today - timedelta(days=rng.randint(30, 900))).isoformat()
                row["email"] = None
                row["phone"] = row["phone_digits"] = None
            rows.append(row)
            cards.append({"card": f"2028{number:09d}", "patron_id": number, "status": "active", "issued_at": created})
        for offset, (name, _kind) in enumerate(w["organisations"], start=count + 1):
            responsible = f"{rng.choice(w['first_names_female'])} {rng.choice(w['last_names'])}"
            rows.append({
                "id": offset, "first_name": "", "last_name": name, "is_organisation": 1,
                "responsible_person": responsible, "home_branch": rng.choice(BRANCHES)[0],
                "phone": "02 621 1111", "phone_digits": "026211111",
                "created_at": created, "updated_at": created,
            })
            cards.append({"card": f"2029{offset:09d}", "patron_id": offset, "status": "active", "issued_at": created})
        demo_store.insert_patrons(self.conn, rows, cards)
        return [(c["patron_id"], c["card"]) for c in cards]

    def _title(self, fmt: str, audience: str | None, subject: str) -> str:
        rng, w = self.rng, self.words
        noun = rng.choice(w["title_nouns"])
        if fmt == "magazine":
            return f"{rng.choice(w['magazines'])} {rng.randint(1, 12)}/{self.today.year - rng.randint(0, 1)}"
        if fmt == "cd":
            return rng.choice(w["music_titles"]).format(noun=noun.capitalize())
        if fmt == "console-game":
            return rng.choice(w["game_titles"]).format(adjective=rng.choice(w["title_adjectives"]), noun=noun.capitalize())
        if audience == "children":
            name = rng.choice(w["first_names_female"] + w["first_names_male"])
            return rng.choice(w["children_titles"]).format(noun=noun, name=name)
        pattern = rng.random()
        if pattern < 0.15:
            return rng.choice(w["nonfiction_titles"]).format(subject=subject.capitalize() if pattern < 0.05 else subject)
        if pattern < 0.55:
            return f"{rng.choice(w['title_adjectives'])} {noun}"
        if pattern < 0.8:
            return f"{rng.choice(w['title_genitives'])} {noun}"
        if pattern < 0.9:
            return f"{noun.capitalize()} ja {rng.choice(w['title_nouns'])}"
        return f"{rng.choice(w['title_genitives'])} {rng.choice(w['title_series'])}"

    def collection(self, titles: int, items: int) -> int:
        """Bulk-insert records (with subjects and genres) and their items."""
        rng, w = self.rng, self.words
        authors = [f"{rng.choice(w['last_names'])}, {rng.choice(w['first_names_female'] + w['first_names_male'])}"
                   for _ in range(max(50, titles // 6))]
        formats, weights = zip(*FORMAT_WEIGHTS.items())
        created = stamp(self.now - timedelta(days=500))
        records, terms, record_formats = [], [], []
        for rid in range(1, titles + 1):
            fmt = rng.choices(formats, weights)[0]
            audience = None
            if fmt in ("book", "cd-audiobook", "dvd") and rng.random() < 0.25:
                audience = "children" if rng.random() < 0.8 else "youth"
            subject = rng.choice(w["subjects"])
            genre = rng.choice(w["genres"][:15] if audience is None else ["kuvakirjat", "seikkailukirjat", "sarjakuvat"])
            language = rng.choices(("fin", "swe", "eng"), (85, 7, 8))[0]
            records.append({
                "id": rid,
                "title": self._title(fmt, audience, subject),
                "author": rng.choice(authors) if fmt not in ("magazine", "console-game") else None,
                "year": self.today.year - int(rng.triangular(0, 40, 2)),
                "language": language,
                "large_print": int(fmt == "book" and audience is None and rng.random() < 0.06),
                "easy_read": int(genre == "selkokirjat"),
                "audience": audience,
                "created_at": created,
            })
            terms.append({"record_id": rid, "kind": "subject", "term": subject.lower()})
            if rng.random() < 0.4:
                other = rng.choice(w["subjects"])
                if other != subject:
                    terms.append({"record_id": rid, "kind": "subject", "term": other.lower()})
            terms.append({"record_id": rid, "kind": "genre", "term": genre.lower()})
            record_formats.append((rid, fmt, audience))
        rows = []
        copies = [1] * titles
        for _ in range(items - titles):
            copies[rng.randrange(titles)] += 1
        barcode = 0
        for (rid, fmt, audience), count in zip(record_formats, copies):
            rating = rng.choices(RATINGS, (30, 20, 25, 15, 10))[0] if fmt in ("dvd", "bluray", "console-game") else None
            if audience is not None and rating is not None:
                rating = min(rating, 7)
            for _ in range(count):
                barcode += 1
                branch_index = rng.choices((0, 1, 2), (60, 25, 15))[0]
                rows.append({
                    "barcode": f"{branch_index + 1}{barcode:09d}",
                    "record_id": rid,
                    "format": fmt,
                    "rating": rating,
                    "children": int(audience is not None),
                    "price_cents": rng.choice((1500, 2000, 2500, 2990, 3500)) if fmt != "magazine" else 800,
                    "home_branch": BRANCHES[branch_index][0],
                    "loanable": int(not (fmt == "magazine" and rng.random() < 0.3)),
                    "created_at": created,
                })
        demo_store.insert_collection(self.conn, records, terms, rows)
        return len(rows)

    # --- two months at the desk -------------------------------------------------------------

    def history(self, people: list[tuple[int, str]], days: int, loans_per_day: int) -> None:
        """Play the last `days` days at the three desks: arrivals from transit first,
        then returns, new loans and holds, pickups from the hold shelf, payments."""
        from .desk import Desk

        rng, conn = self.rng, self.conn
        clock = ManualClock(datetime.combine(self.today - timedelta(days=days), time(10), HELSINKI))
        desks = {code: Desk(conn, clock=clock, branch=code, staff="demo") for code, *_ in BRANCHES}
        share = {"PORI": 0.6, "ULV": 0.25, "NAK": 0.15}
        barcodes = demo_store.loanable_barcodes(conn)
        borrowers = [card for _, card in people]
        due_back: dict[str, tuple[date, str]] = {}  # barcode -> (day it comes back, where)
        for offset in range(days, 0, -1):
            day = self.today - timedelta(days=offset)
            for code, desk in desks.items():
                if not desk.calendar(code).is_open(day):
                    continue
                clock.set(datetime.combine(day, time(10), HELSINKI))
                for barcode in demo_store.in_transit_to(conn, code):
                    self._try(desk.loans.return_item, barcode)
                for barcode, (back_on, where) in sorted(due_back.items()):
                    if back_on <= day and where == code:
                        del due_back[barcode]
                        self._try(desk.loans.return_item, barcode)
                on_loan = sorted(due_back)
                for _ in range(int(loans_per_day * share[code])):
                    card, barcode = rng.choice(borrowers), rng.choice(barcodes)
                    clock.advance(seconds=rng.randint(20, 90))
                    if rng.random() < 0.1 and on_loan:
                        self._try(desk.holds.place, card, rng.choice(on_loan))
                    if barcode in due_back:
                        continue
                    if rng.random() < 0.3 and desk.fees.balance(card):
                        self._try(desk.fees.pay, card, desk.fees.balance(card))
                    if self._try(desk.loans.checkout, card, barcode):
                        due_back[barcode] = self._comes_back(day, code)
                # Patrons pick up most of what waits for them on the shelf.
                for barcode, card in demo_store.waiting_on_the_shelf(conn, code):
                    if rng.random() < 0.35 and self._try(desk.loans.checkout, card, barcode):
                        due_back[barcode] = self._comes_back(day, code)
            clock.set(datetime.combine(day, time(21), HELSINKI))
            desks["PORI"].notices.run(carrier=_Delivered())  # the evening's notices: as if they went
            desks["PORI"].holds.expire()
        clock.set(datetime.combine(self.today, time(6), HELSINKI))
        desks["PORI"].holds.expire()  # the night job before today's opening

    def _comes_back(self, day: date, code: str) -> tuple[date, str]:
        """Most loans come back in time at the branch they left; some late, some elsewhere."""
        rng = self.rng
        late = rng.random() < 0.12
        back_on = day + timedelta(days=rng.randint(30, 50) if late else rng.randint(4, 27))
        where = code if rng.random() < 0.85 else rng.choice(BRANCHES)[0]
        return back_on, where

    @staticmethod
    def _try(action, *args) -> bool:
        try:
            action(*args)
            return True
        except Refused:
            return False

    def special_cases(self, people: list[tuple[int, str]]) -> None:
        """The patrons every drill needs: lost card, ban, fees over the limit, ILL."""
        from .desk import Desk

        rng = self.rng
        desk = Desk(self.conn, clock=lambda: self.now, branch="PORI", staff="demo")
        over_30 = demo_store.born_before(self.conn, self.today - timedelta(days=30 * 365))
        adults = [card for pid, card in people if pid in over_30]
        chosen = rng.sample(adults, 12)
        desk.patrons.report_lost_card(chosen[0], f"2030{int(chosen[0][4:]):09d}")
        desk.admin.add_ban(chosen[1], "use", "Kirjaston omaisuuden tahallinen turmeleminen", written=True,
                     hearing_date=self.today - timedelta(days=3), until=self.today + timedelta(days=90))
        for card in chosen[2:6]:
            desk.fees.charge(card, rng.choice((1250, 1990, 2500)), "Kadonnut nide", "lost")
        for card in chosen[6:9]:
            desk.fees.charge(card, rng.choice((150, 300, 750)), "Palautuskehotus", "reminder")
        for card, (title, library) in zip(chosen[9:12], (
            ("Suomen kansan vanhat runot", "Helsingin yliopiston kirjasto"),
            ("Porin kaupungin historia 1558–1809", "Kansalliskirjasto"),
            ("Saariston luonto", "Turun kaupunginkirjasto"),
        )):
            self._try(desk.ill.order, card, title, library, 600)


class _Delivered:
    """The demo's past notices went out (nothing leaves the machine, no letter is written)."""

    def send(self, message: object) -> None:
        pass

    def post(self, letters: list, now: datetime) -> None:
        return None

    def close(self) -> None:
        pass


def _digituki(demo: "_Demo", days: int) -> None:
    """Drop-in Wednesdays 12–14 and appointments on Thursdays at the main library; two
    months of helped visits (kept only as figures), a queue today, call-back requests."""
    from .core.digituki import DEVICES, LANGUAGES, TOPICS
    from .desk import Desk

    rng = demo.rng
    clock = ManualClock(datetime.combine(demo.today - timedelta(days=days), time(12), HELSINKI))
    desk = Desk(demo.conn, clock=clock, branch="PORI", staff="kaisa")
    desk.bookings.add_hours("wed", "12:00", "14:00")
    desk.bookings.add_hours("thu", "10:00", "12:00", kind="appointments", slot_minutes=45, helper="kaisa")
    desk.bookings.add_hours("mon", "14:00", "16:00", kind="appointments", slot_minutes=60)
    desk.digituki.seed_referral_services()
    referrals = [s.name for s in desk.digituki.referral_services()]
    outcomes = ("solved", "partly", "referred", "not_helped")
    for offset in range(days, 0, -1):
        day = demo.today - timedelta(days=offset)
        if day.weekday() not in (1, 2, 3) or not desk.calendar("PORI").is_open(day):
            continue
        clock.set(datetime.combine(day, time(12), HELSINKI))
        arrived = [desk.digituki.queue_add(rng.choice(demo.words["first_names_female"] + demo.words["first_names_male"]),
                                           rng.choice(TOPICS), rng.choice(DEVICES[:4]), rng.choice(LANGUAGES[:3]))
                   for _ in range(rng.randint(2, 7))]  # they come as the doors open and wait their turn
        for visit in arrived:
            clock.advance(minutes=rng.randint(0, 15))
            desk.digituki.start_visit(visit.id, rng.choice(("kaisa", "pekka")))
            clock.advance(minutes=rng.randint(8, 38))  # past 30 with others waiting: the facade records the cap
            outcome = rng.choices(outcomes, (60, 20, 15, 5))[0]
            desk.digituki.finish_visit(visit.id, outcome, referral=rng.choice(referrals) if outcome in ("referred", "not_helped")
                              else None)
    clock.set(datetime.combine(demo.today, time(6), HELSINKI))
    desk.digituki.close_days()
    clock.set(demo.now)
    for name, topic in (("Aino", "e_services"), (None, "device_use")):
        desk.digituki.queue_add(name, topic, "own_phone")
    for name, phone in (("Eino", "040 555 0101"), ("Helmi", "050 555 0202")):
        desk.bookings.add_callback(name, phone, rng.choice(TOPICS))
    free = [s for offset in range(1, 8) for s in desk.bookings.free_slots(demo.today + timedelta(days=offset))]
    if free:
        desk.bookings.book(free[0][0], "Sirkka", "library_services", phone="044 555 0303")


def _kirjakassi(demo: "_Demo", people: list[tuple[int, str]]) -> None:
    """Six home-delivery clients with their interviews; one bag packed for this week."""
    from .desk import Desk

    rng = demo.rng
    desk = Desk(demo.conn, clock=lambda: demo.now, branch="PORI", staff="kaisa")
    over_75 = demo_store.born_before(demo.conn, demo.today - timedelta(days=75 * 365))
    elderly = [card for pid, card in people if pid in over_75]
    genres = ["romaanit", "jännityskirjallisuus", "dekkarit", "historialliset romaanit", "elämäkerrat", "runot",
              "muistelmat", "rakkausromaanit"]
    subjects = ["luonto", "historia", "perhe", "Satakunta", "sota", "puutarhanhoito", "eläimet"]
    for n, card in enumerate(rng.sample(elderly, 6)):
        desk.kirjakassi.enrol(
            card, eligibility=rng.choice(("age", "age", "illness", "disability")),
            delivery_address=f"{rng.choice(demo.words['streets'])} {rng.randint(1, 40)}, Pori",
            contact_name=rng.choice(("Palvelutalo Kotiranta", "Kotihoito, Pori", "Tytär Tiina", "Naapuri Kalle")),
            contact_phone=f"040 555 {1000 + n:04d}", contact_relation=rng.choice(("kumppani", "omainen", "naapuri")),
            rhythm_weeks=rng.choice((2, 3, 4)), weekday=rng.choice(("tue", "wed", "thu")), bag_size=rng.choice((6, 8, 10)),
            starts_on=(demo.today - timedelta(days=rng.randint(30, 300))).isoformat(), history_consent=n % 3 != 2,
        )
        media = ["large_print", "cd_audiobook"] if n % 2 else ["regular_print"]
        desk.kirjakassi.save_interview(card, {
            "genres": rng.sample(genres, 2), "subjects": rng.sample(subjects, 2),
            "liked_authors": [rng.choice(demo.words["last_names"]).lower()],
            "disliked_authors": [rng.choice(demo.words["last_names"]).lower()],
            "media": media, "languages": ["fin"], "avoid": ["kauhukirjallisuus"] if n % 2 else [],
            "wishes": "Mieluiten ohuita kirjoja." if n == 1 else "",
        }, complete=True)
    first = desk.kirjakassi.clients()[0]
    for pick in desk.kirjakassi.pick_list(first.card)[:3]:
        desk.kirjakassi.pack(first.card, pick.candidate.barcode)


def _ascii(address: str) -> str:
    """E-mail addresses as people really make them: 'Sundström' -> 'sundstrom'."""
    return address.lower().translate(str.maketrans("äöåé", "aoae"))


def build_demo(
    conn: sqlite3.Connection,
    *,
    clock: Clock,
    patrons: int = 3000,
    titles: int = 9000,
    items: int = 24000,
    history_days: int = 63,
    loans_per_day: int = 110,
    seed: int = 2026,
) -> dict[str, int]:
    """Fill an empty database; returns what it holds."""
    demo = _Demo(conn, clock, seed)
    demo.branches()
    people = demo.patrons(patrons)
    demo.collection(titles, items)
    if history_days:
        demo.history(people[:patrons], history_days, loans_per_day)
        demo.special_cases(people[:patrons])
        _digituki(demo, history_days)
        _kirjakassi(demo, people[:patrons])
    return demo_store.counts(conn)
