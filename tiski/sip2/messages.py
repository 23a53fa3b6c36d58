"""The SIP2 2.00 messages Tiski speaks: the fixed-field layout of each request, and the
replies, each with its fixed fields at their exact widths and its variable fields in
the standard's order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .codec import Fields, sip_date

# The fixed fields of each request (SC -> ACS), in order, with their widths.
_DATE = ("transaction_date", 18)
LAYOUTS: dict[str, tuple[tuple[str, int], ...]] = {
    "23": (("language", 3), _DATE),
    "11": (("sc_renewal_policy", 1), ("no_block", 1), _DATE, ("nb_due_date", 18)),
    "09": (("no_block", 1), _DATE, ("return_date", 18)),
    "01": (("card_retained", 1), _DATE),
    "99": (("status_code", 1), ("max_print_width", 3), ("protocol_version", 4)),
    "97": (),
    "93": (("uid_algorithm", 1), ("pwd_algorithm", 1)),
    "63": (("language", 3), _DATE, ("summary", 10)),
    "35": (_DATE,),
    "37": (_DATE, ("fee_type", 2), ("payment_type", 2), ("currency_type", 3)),
    "17": (_DATE,),
    "19": (_DATE,),
    "25": (_DATE,),
    "15": (("hold_mode", 1), _DATE),
    "29": (("third_party_allowed", 1), ("no_block", 1), _DATE, ("nb_due_date", 18)),
    "65": (_DATE,),
}

# The reply to each request.
REPLY_TO = {"23": "24", "11": "12", "09": "10", "01": "24", "99": "98", "93": "94", "63": "64", "35": "36",
            "37": "38", "17": "18", "19": "20", "25": "26", "15": "16", "29": "30", "65": "66"}

# BX, position by position: patron status, checkout, checkin, block patron, SC/ACS
# status, resend, login, patron information, end session, fee paid, item information,
# item status update, patron enable, hold, renew, renew all.
SUPPORTED = "YYYNYYYYYNYNNYYY"
FEE_PAID = 9  # Y only for a machine allowed to take payments
BEFORE_LOGIN = "NNNNYYYNNNNNNNNN"

# SIP2 media types (CK) for Tiski's formats. Discs of every kind are "CD/CDROM" (006);
# a game or anything else is "other".
MEDIA_TYPES = {"book": "001", "magazine": "002", "cd": "006", "cd-audiobook": "006", "dvd": "006",
               "bluray": "006"}

# SIP2 circulation status (18) for an item's status at the desk.
CIRCULATION_STATUS = {"available": "03", "on_loan": "04", "waiting": "08", "in_transit": "10",
                      "claims_returned": "11", "lost": "12", "missing": "13", "repair": "06"}

# SIP2 language codes (23/24/63/64) of the desk's languages.
LANGUAGE_CODES = {"en": "001", "sv": "006", "fi": "007"}

NO_PATRON_STATUS = "YYYY" + " " * 10  # an unknown card: no privileges at all


@dataclass(frozen=True)
class Reply:
    command: str
    fixed: str
    fields: tuple[tuple[str, str], ...] = ()


def screen_language(patron: str | None, requested: str, machine: str) -> str:
    """The language of the screen messages: the one the patron chose at the machine just
    now (a request's language code), else the patron's own from the register, else the
    machine account's."""
    for language, code in LANGUAGE_CODES.items():
        if code == requested:
            return language
    if patron in LANGUAGE_CODES:
        return patron
    return machine


def paginate(entries: Sequence[str], start: str | None, end: str | None) -> list[str]:
    """The entries from BP to BQ (1-based, inclusive), as a machine pages a list; a bound
    missing or unreadable is the list's own start or end."""
    first = _position(start) or 1
    last = _position(end) or len(entries)
    return list(entries[first - 1:last])


def _position(text: str | None) -> int | None:
    text = (text or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 6:
        return None
    return int(text) or None


def euros(cents: int) -> str:
    """A SIP2 amount: euros with a point and two decimals (BV, CC)."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole}.{rest:02d}"


def count(number: int) -> str:
    return f"{min(number, 9999):04d}"


def yes(flag: bool) -> str:
    return "Y" if flag else "N"


def _screen(messages: Sequence[str]) -> tuple[tuple[str, str], ...]:
    return tuple(("AF", message) for message in messages if message)


def _optional(*pairs: tuple[str, str | None]) -> tuple[tuple[str, str], ...]:
    return tuple((identifier, value) for identifier, value in pairs if value is not None)


# --- replies ---------------------------------------------------------------------------------

def login(ok: bool) -> Reply:
    return Reply("94", "1" if ok else "0")


def acs_status(now: datetime, institution: str, *, online: bool, fees: bool, location: str | None,
               messages: Sequence[str] = ()) -> Reply:
    supported = SUPPORTED[:FEE_PAID] + yes(fees) + SUPPORTED[FEE_PAID + 1:] if online else BEFORE_LOGIN
    circulation = yes(online)
    # online, checkin, checkout, renewal policy, status update, offline; the ACS's
    # timeout (tenths of a second: a facade call may wait for a busy register) and retries
    fixed = f"Y{circulation}{circulation}{circulation}NN100003{sip_date(now)}2.00"
    return Reply("98", fixed, (("AO", institution), ("BX", supported))
                 + _optional(("AN", location)) + _screen(messages))


def patron_status(status: str, language: str, now: datetime, institution: str, card: str, name: str, *,
                  valid: bool, pin_valid: bool | None, balance_cents: int | None,
                  messages: Sequence[str], command: str = "24") -> Reply:
    """24 Patron Status (also the answer to 01 Block Patron), 26 Patron Enable."""
    fields = (("AO", institution), ("AA", card), ("AE", name), ("BL", yes(valid))) + _optional(
        ("CQ", None if pin_valid is None else yes(pin_valid)),
        ("BH", None if balance_cents is None else "EUR"),
        ("BV", None if balance_cents is None else euros(balance_cents)),
    )
    return Reply(command, f"{status}{language}{sip_date(now)}", fields + _screen(messages))


@dataclass(frozen=True)
class PatronLists:
    """The counts of a patron's items, and the one list a 63 asked for (its identifier)."""

    holds: int = 0  # waiting on the hold shelf
    overdue: int = 0
    charged: int = 0
    fines: int = 0
    recalls: int = 0
    unavailable_holds: int = 0  # queued or on their way
    listed: str | None = None  # AS, AT, AU, AV, BU or CD
    entries: tuple[str, ...] = ()


def patron_information(status: str, language: str, now: datetime, institution: str, card: str, name: str,
                       lists: PatronLists, *, valid: bool, pin_valid: bool | None, balance_cents: int | None,
                       fee_limit_cents: int | None, loan_limit: int | None, messages: Sequence[str]) -> Reply:
    fixed = (f"{status}{language}{sip_date(now)}" + count(lists.holds) + count(lists.overdue)
             + count(lists.charged) + count(lists.fines) + count(lists.recalls) + count(lists.unavailable_holds))
    fields = (("AO", institution), ("AA", card), ("AE", name)) + _optional(
        ("CB", None if loan_limit is None else count(loan_limit)),
        ("BL", yes(valid)),
        ("CQ", None if pin_valid is None else yes(pin_valid)),
        ("BH", None if balance_cents is None else "EUR"),
        ("BV", None if balance_cents is None else euros(balance_cents)),
        ("CC", None if fee_limit_cents is None else euros(fee_limit_cents)),
    )
    listed = tuple((lists.listed, entry) for entry in lists.entries) if lists.listed else ()
    return Reply("64", fixed, fields + listed + _screen(messages))


def checkout(now: datetime, institution: str, card: str, barcode: str, *, ok: bool, renewal: bool,
             title: str, due: str, media: str | None, messages: Sequence[str], command: str = "12") -> Reply:
    """12 Checkout, 30 Renew: ok, renewal ok, magnetic media, desensitize."""
    magnetic = "U" if media is None or not ok else "N"
    fixed = f"{int(ok)}{yes(renewal)}{magnetic}{yes(ok)}{sip_date(now)}"
    fields = (("AO", institution), ("AA", card), ("AB", barcode), ("AJ", title), ("AH", due)) + _optional(
        ("CK", media)
    )
    return Reply(command, fixed, fields + _screen(messages))


def checkin(now: datetime, institution: str, barcode: str, *, ok: bool, resensitize: bool, alert: str | None,
            home: str, title: str | None, media: str | None, destination: str | None,
            messages: Sequence[str]) -> Reply:
    """10 Checkin. `alert` is the alert type (CV): 01 a hold here, 02 a hold at another
    branch, 04 goes to another branch, 99 other; CT names where it goes."""
    magnetic = "U" if media is None else "N"
    fixed = f"{int(ok)}{yes(resensitize)}{magnetic}{yes(alert is not None)}{sip_date(now)}"
    fields = (("AO", institution), ("AB", barcode), ("AQ", home)) + _optional(
        ("AJ", title), ("CK", media), ("CV", alert), ("CT", destination)
    )
    return Reply("10", fixed, fields + _screen(messages))


def end_session(now: datetime, institution: str, card: str, messages: Sequence[str] = ()) -> Reply:
    return Reply("36", f"Y{sip_date(now)}", (("AO", institution), ("AA", card)) + _screen(messages))


def fee_paid(now: datetime, institution: str, card: str, *, accepted: bool, transaction: str | None,
             messages: Sequence[str]) -> Reply:
    fields = (("AO", institution), ("AA", card)) + _optional(("BK", transaction))
    return Reply("38", f"{yes(accepted)}{sip_date(now)}", fields + _screen(messages))


def item_information(now: datetime, barcode: str, title: str, *, circulation: str, queued: int | None,
                     due: str | None, owner: str | None, media: str | None, home: str | None,
                     location: str | None, messages: Sequence[str] = ()) -> Reply:
    """18 Item Information: circulation status, security marker (00 other: the tags are
    RFID), fee type (01 other: no rental fees)."""
    fields = _optional(("CF", None if not queued else str(queued)), ("AH", due)) + (
        ("AB", barcode), ("AJ", title)) + _optional(("BG", owner), ("CK", media), ("AQ", home), ("AP", location))
    return Reply("18", f"{circulation}0001{sip_date(now)}", fields + _screen(messages))


def item_status_update(now: datetime, barcode: str, messages: Sequence[str]) -> Reply:
    return Reply("20", f"0{sip_date(now)}", (("AB", barcode),) + _screen(messages))


def hold(now: datetime, institution: str, card: str, *, ok: bool, available: bool, position: int | None,
         pickup: str | None, barcode: str | None, title: str | None, messages: Sequence[str]) -> Reply:
    fields = _optional(("BR", None if position is None else str(position)), ("BS", pickup)) + (
        ("AO", institution), ("AA", card)) + _optional(("AB", barcode), ("AJ", title))
    return Reply("16", f"{int(ok)}{yes(available)}{sip_date(now)}", fields + _screen(messages))


def renew_all(now: datetime, institution: str, *, ok: bool, renewed: Sequence[str], unrenewed: Sequence[str],
              messages: Sequence[str]) -> Reply:
    fields = (("AO", institution),) + tuple(("BM", b) for b in renewed) + tuple(("BN", b) for b in unrenewed)
    return Reply("66", f"{int(ok)}{count(len(renewed))}{count(len(unrenewed))}{sip_date(now)}",
                 fields + _screen(messages))


def refusal(command: str, fields: Fields, now: datetime, institution: str, messages: Sequence[str]) -> Reply:
    """The reply of `command`'s kind that says no and claims nothing: for a machine not
    logged in, a message Tiski does not take, a request too short for its fixed fields,
    or a register that could not answer."""
    card = fields.get("AA") or ""
    barcode = fields.get("AB") or ""
    reply = REPLY_TO.get(command, "96")
    if reply in ("24", "26"):
        return patron_status(NO_PATRON_STATUS, "000", now, institution, card, "", valid=False, pin_valid=None,
                             balance_cents=None, messages=messages, command=reply)
    if reply == "64":
        return patron_information(NO_PATRON_STATUS, "000", now, institution, card, "", PatronLists(), valid=False,
                                  pin_valid=None, balance_cents=None, fee_limit_cents=None, loan_limit=None,
                                  messages=messages)
    if reply in ("12", "30"):
        return checkout(now, institution, card, barcode, ok=False, renewal=False, title="", due="", media=None,
                        messages=messages, command=reply)
    if reply == "10":
        return checkin(now, institution, barcode, ok=False, resensitize=False, alert="99", home="", title=None,
                       media=None, destination=None, messages=messages)
    if reply == "98":
        return acs_status(now, institution, online=False, fees=False, location=None, messages=messages)
    if reply == "94":
        return login(False)
    if reply == "36":
        return Reply("36", f"N{sip_date(now)}", (("AO", institution), ("AA", card)) + _screen(messages))
    if reply == "38":
        return fee_paid(now, institution, card, accepted=False, transaction=fields.get("BK"), messages=messages)
    if reply == "18":
        return item_information(now, barcode, "", circulation="01", queued=None, due=None, owner=None, media=None,
                                home=None, location=None, messages=messages)
    if reply == "20":
        return item_status_update(now, barcode, messages)
    if reply == "16":
        return hold(now, institution, card, ok=False, available=False, position=None, pickup=None,
                    barcode=fields.get("AB"), title=fields.get("AJ"), messages=messages)
    if reply == "66":
        return renew_all(now, institution, ok=False, renewed=(), unrenewed=(), messages=messages)
    return Reply("96", "")
