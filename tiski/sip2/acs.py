"""One machine's conversation with Tiski: the ACS side of SIP2 over the facade.

`Session.handle(frame bytes) -> reply bytes` does everything between the socket and
the facade: checksums and sequence numbers, the machine's login, the patron's PIN
for the patron session, and each message as the desk's own calls
(`desk.loans.checkout(card, barcode)` …) — so the machine lends by the desk's rules,
commits each transaction at once, and is named in the audit trail. It holds no rule
and no SQL; it runs in one worker thread per connection (see `server`).

A patron session: once a PIN is right for a card, the machine's later messages for
that card that send no PIN at all (no AD) stand on it, until 35 End Patron Session,
another card, or the session has been idle too long (`automat.session_idle_minutes`
in the policy, decided by the facade); then the PIN is asked again. An AD sent empty
is refused always, in a session or not; an empty or missing PIN never opens one.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import date, datetime

from ..clock import HELSINKI, Clock
from ..core.automat import TERMINATORS, Machine
from ..core.errors import Refusal, Refused, Unavailable
from ..core.money import parse_positive_euros
from ..desk import Desk
from ..desk.automat import MachinePatron, PinCheck, log_in
from ..i18n import Translator
from . import messages as m
from .codec import BadChecksum, Fields, Malformed, read_frame, split_fields, write_frame

log = logging.getLogger("tiski.sip2")

# Refusals about the item rather than the patron: the item had better go to the desk.
_TO_THE_DESK = frozenset({"ON_LOAN_TO_OTHER", "HELD_FOR_OTHER", "NOT_LOANABLE", "ITEM_UNKNOWN"})

DeskOpener = Callable[[str | None, str | None], Desk]  # (branch, staff) -> a desk of its own


@dataclass(frozen=True)
class _PatronSession:
    card: str
    pin_digest: bytes  # keyed with the connection's own random key; the PIN is not kept
    verify_id: bool
    language: str | None
    last_used: datetime  # the last message for the card it stood for: idle too long, it ends


class Session:
    """One TCP connection of one machine."""

    def __init__(self, open_desk: DeskOpener, clock: Clock, turns: AbstractContextManager[object] | None = None):
        self._open_desk = open_desk
        self._clock = clock
        self._turns = turns or nullcontext()
        self._key = secrets.token_bytes(32)
        self.machine: Machine | None = None
        self.desk: Desk | None = None
        self.last_reply: bytes | None = None
        self._patron: _PatronSession | None = None
        self._requested_language = "000"

    # --- frames ---------------------------------------------------------------------------

    def handle(self, data: bytes) -> bytes:
        """The reply to one frame (its terminator already taken off)."""
        machine = self.machine
        detect = machine.error_detect if machine else False
        try:
            frame = read_frame(data, machine.encoding if machine else "utf-8")
        except BadChecksum:
            return self._write(m.Reply("96", ""), None, True)
        except Malformed:
            return self._write(m.Reply("96", ""), None, detect)
        if frame.command == "97":  # the last reply again, byte for byte
            return self.last_reply or self._write(m.Reply("96", ""), None, detect or frame.checksummed)
        layout = m.LAYOUTS.get(frame.command)
        if layout is None or (detect and not frame.checksummed):
            return self._write(m.Reply("96", ""), None, detect or frame.checksummed)
        try:
            fields = split_fields(frame.body, layout)
        except Malformed:
            answer = self._malformed(frame.command)
        else:
            answer = self._run(frame.command, fields)
        reply = self._write(answer, frame.sequence, detect or frame.checksummed)
        self.last_reply = reply
        return reply

    def _run(self, command: str, fields: Fields) -> m.Reply:
        if self._hashes(command, fields):
            return self._answer(command, fields)
        with self._turns:
            return self._answer(command, fields)

    def _malformed(self, command: str) -> m.Reply:
        """A request of a known kind too short for its fixed fields. Not 96: in SIP2 2.00
        that asks the machine to send the same bytes again, and it would, for ever.
        Its own reply saying no instead (12 ok 0, 64 not a valid patron, 94 ok 0 …),
        with an AF in the patron's or the machine's language; nothing is run. A 93
        that cannot be read logs the connection out, as a failed one does."""
        machine = self.machine
        log.warning("sip2 %s from %s: too short for its fixed fields", command, machine.name if machine else "?")
        t = self._t(self._patron.language if self._patron else None)
        if command == "93":
            self.machine, self.desk, self._patron = None, None, None
        return m.refusal(command, Fields({}), self._now(), machine.branch if machine else "", [t("sip2.malformed")])

    def _hashes(self, command: str, fields: Fields) -> bool:
        """Will this message check a password or PIN against its slow hash? Those run
        outside the server's turns (see `server`): 60 ms of scrypt must not hold up
        every other machine's checkout."""
        if command == "93":
            return True
        pin = fields.get("AD")
        if pin is None or not pin.strip():
            return False
        session = self._session_for(fields.get("AA") or "")
        return not (session is not None and hmac.compare_digest(session.pin_digest, self._digest(pin)))

    def _write(self, reply: m.Reply, sequence: str | None, error_detect: bool) -> bytes:
        machine = self.machine
        return write_frame(
            reply.command, reply.fixed, reply.fields,
            encoding=machine.encoding if machine else "utf-8",
            terminator=TERMINATORS[machine.terminator if machine else "cr"],
            sequence=sequence, error_detect=error_detect,
        )

    def _now(self) -> datetime:
        return self.desk.now() if self.desk is not None else self._clock().astimezone(HELSINKI)

    def _t(self, patron_language: str | None = None) -> Translator:
        machine = self.machine.language if self.machine else "fi"
        return Translator(m.screen_language(patron_language, self._requested_language, machine), audience="patron")

    def _answer(self, command: str, fields: Fields) -> m.Reply:
        now = self._now()
        institution = fields.get("AO") or (self.machine.branch if self.machine else "")
        if command == "93":
            return self._login(fields)
        if self.machine is None or self.desk is None:
            return m.refusal(command, fields, now, institution, [self._t()("sip2.not_logged_in")])
        handler = {
            "99": self._acs_status, "23": self._patron_status, "63": self._patron_information,
            "11": self._checkout, "09": self._checkin, "29": self._renew, "65": self._renew_all,
            "17": self._item_information, "15": self._hold, "37": self._fee_paid, "35": self._end_session,
            "01": self._patron_status, "25": self._patron_status,
        }.get(command)
        t = self._t(self._patron.language if self._patron else None)
        if handler is None:
            return m.refusal(command, fields, now, institution, [t("sip2.not_supported")])
        try:
            return handler(command, fields, now, institution)
        except Refused as refused:
            return m.refusal(command, fields, now, institution, [t.refusal(r) for r in refused.refusals])
        except Unavailable as exc:
            return m.refusal(command, fields, now, institution, [t(f"unavailable.{exc.reason}")])
        except Exception as exc:  # a defect: the machine gets a refusal, the log the kind (never data)
            log.error("sip2 %s from %s failed: %s", command, self.machine.name, type(exc).__name__)
            return m.refusal(command, fields, now, institution, [t("sip2.internal")])

    # --- the machine ----------------------------------------------------------------------

    def _login(self, fields: Fields) -> m.Reply:
        self.machine, self.desk, self._patron = None, None, None
        if fields["uid_algorithm"] != "0" or fields["pwd_algorithm"] != "0":
            return m.login(False)  # only plain text: the line itself is loopback or TLS
        try:
            machine = log_in(self._open_desk(None, None), fields.get("CN") or "", fields.get("CO") or "")
        except (Refused, Unavailable):
            return m.login(False)
        self.desk = self._open_desk(machine.branch, machine.name)
        self.machine = machine
        log.info("sip2 machine %s logged in", machine.name)
        return m.login(True)

    def _acs_status(self, command: str, fields: Fields, now: datetime, institution: str) -> m.Reply:
        machine = self._machine()
        return m.acs_status(now, institution, online=True, fees=machine.fees_at_machine, location=machine.name)

    def _machine(self) -> Machine:
        assert self.machine is not None
        return self.machine

    def _desk(self) -> Desk:
        assert self.desk is not None
        return self.desk

    # --- the patron -----------------------------------------------------------------------

    def _digest(self, pin: str) -> bytes:
        return hmac.new(self._key, pin.encode("utf-8"), hashlib.sha256).digest()

    def _session_for(self, card: str) -> _PatronSession | None:
        """The patron session, when it is `card`'s and has not been idle too long."""
        session = self._patron
        if session is None or session.card != card or self.desk is None:
            return None
        return session if self.desk.automat.pin_session_open(session.last_used) else None

    def _check_pin(self, card: str, pin: str | None) -> PinCheck:
        """The PIN for `card`. A PIN not sent (no AD) is the patron session's while the
        session is this card's and fresh; a PIN sent again must be the session's, else it
        is checked against its hash afresh; an AD sent empty is refused (`check_pin` says
        "missing"), whatever the session. Each message the session stands for keeps it
        fresh; one idle too long is ended."""
        session = self._session_for(card)
        if session is None and self._patron is not None and self._patron.card == card:
            self._patron = None  # idle too long: the PIN is asked again
        if session is not None:
            if pin is None or (pin.strip() != "" and hmac.compare_digest(session.pin_digest, self._digest(pin))):
                self._patron = replace(session, last_used=self._now())
                return PinCheck("right")
            if pin.strip():
                self._patron = None  # another PIN than the session's: checked afresh
        return self._desk().automat.check_pin(card, pin)

    def _open_session(self, card: str, pin: str | None, patron: MachinePatron) -> None:
        if self._patron is None or self._patron.card != card:
            self._patron = _PatronSession(card, self._digest(pin or ""), patron.view.verify_id, patron.language,
                                          self._now())

    def _authorize(self, card: str, pin: str | None, t: Translator) -> list[str]:
        """Why the patron cannot act at the machine now (empty: they can)."""
        try:
            check = self._check_pin(card, pin)
        except Refused as refused:
            return [t.refusal(r) for r in refused.refusals]
        if not check.right:
            return [_pin_words(t, check)]
        if self._patron is None or self._patron.card != card:
            self._open_session(card, pin, self._desk().automat.machine_patron(card))
        return []

    def _patron_status(self, command: str, fields: Fields, now: datetime, institution: str) -> m.Reply:
        """23 Patron Status; also 01 Block Patron and 25 Patron Enable, which Tiski does
        not do (BX says so): they are told the patron's status and that the desk decides."""
        self._requested_language = fields.fixed.get("language", self._requested_language)
        card = fields.get("AA") or ""
        found = self._identify(card, fields.get("AD"))
        if found is None:
            return m.refusal(command, fields, now, institution, [self._t().refusal(Refusal("PATRON_UNKNOWN"))])
        patron, check = found
        t = self._t(patron.language if check is not None and check.right else None)  # nothing of theirs without the PIN
        words = _patron_words(t, patron, check)
        if command != "23":
            words.append(t("sip2.not_supported"))
        right = check is not None and check.right
        return m.patron_status(
            patron.status, m.LANGUAGE_CODES[t.lang], now, institution, card, patron.view.name if right else "",
            valid=True, pin_valid=right, balance_cents=patron.view.balance_cents if right else None,
            messages=words, command="24" if command != "25" else "26",
        )

    def _identify(self, card: str, pin: str | None) -> tuple[MachinePatron, PinCheck | None] | None:
        """The patron and how their PIN went (None for a closed card); None for no patron."""
        try:
            check: PinCheck | None = self._check_pin(card, pin)
        except Refused as refused:
            if refused.code != "CARD_LOST":
                return None
            check = None
        patron = self._desk().automat.machine_patron(card)
        if check is not None and check.right:
            self._open_session(card, pin, patron)
        return patron, check

    def _patron_information(self, command: str, fields: Fields, now: datetime, institution: str) -> m.Reply:
        self._requested_language = fields["language"]
        card = fields.get("AA") or ""
        found = self._identify(card, fields.get("AD"))
        if found is None:
            return m.refusal(command, fields, now, institution, [self._t().refusal(Refusal("PATRON_UNKNOWN"))])
        patron, check = found
        t = self._t(patron.language if check is not None and check.right else None)  # nothing of theirs without the PIN
        right = check is not None and check.right
        lists = _lists(patron, fields["summary"] if right else "", fields.get("BP"), fields.get("BQ"))
        return m.patron_information(
            patron.status, m.LANGUAGE_CODES[t.lang], now, institution, card, patron.view.name if right else "",
            lists, valid=True, pin_valid=right, balance_cents=patron.view.balance_cents if right else None,
            fee_limit_cents=patron.fee_limit_cents, loan_limit=patron.loan_limit,
            messages=_patron_words(t, patron, check),
        )

    def _end_session(self, command: str, fields: Fields, now: datetime, institution: str) -> m.Reply:
        t = self._t(self._patron.language if self._patron else None)
        self._patron, self._requested_language = None, "000"
        return m.end_session(now, institution, fields.get("AA") or "", [t("sip2.thanks")])

    # --- circulation ----------------------------------------------------------------------

    def _checkout(self, command: str, fields: Fields, now: datetime, institution: str) -> m.Reply:
        card, barcode = fields.get("AA") or "", fields.get("AB") or ""
        t = self._t(self._patron.language if self._patron else None)

        def refused(words: list[str]) -> m.Reply:
            return m.checkout(now, institution, card, barcode, ok=False, renewal=False, title=self._title(barcode),
                              due="", media=None, messages=words)

        denied = self._authorize(card, fields.get("AD"), t)
        if denied:
            return refused(denied)
        session = self._patron
        t = self._t(session.language if session else None)
        if session is not None and session.verify_id:
            return refused([t("sip2.visit_desk")])
        try:
            loan = self._desk().loans.checkout(card, barcode)
        except Refused as refusal:
            return refused(_refusal_words(t, refusal.refusals))
        item = self._desk().catalogue.item_view(loan.barcode)
        return m.checkout(now, institution, card, loan.barcode, ok=True, renewal=loan.renewed or loan.unchanged,
                          title=loan.title, due=_due(loan.due), media=m.MEDIA_TYPES.get(item.format, "000"),
                          messages=[t("sip2.due", due=loan.due)])

    def _checkin(self, command: str, fields: Fields, now: datetime, institution: str) -> m.Reply:
        barcode = fields.get("AB") or ""
        t = self._t(self._patron.language if self._patron else None)
        desk = self._desk()
        try:
            result = desk.loans.return_item(barcode)
        except Refused as refusal:
            if refusal.code != "NOT_ON_LOAN":
                return m.checkin(now, institution, barcode, ok=False, resensitize=False, alert="99", home="",
                                 title=None, media=None, destination=None,
                                 messages=_refusal_words(t, refusal.refusals))
            # Nothing to do: it is not on loan and belongs here. It stays, secured.
            item = desk.catalogue.item_view(barcode)
            return m.checkin(now, institution, item.barcode, ok=True, resensitize=True, alert=None,
                             home=item.home_branch, title=item.title, media=m.MEDIA_TYPES.get(item.format, "000"),
                             destination=None, messages=[t.refusal(refusal.first)])
        item = desk.catalogue.item_view(result.barcode)
        words = [t("sip2.late_fee", fee_cents=result.late_fee_cents)] if result.late_fee_cents else []
        alert: str | None = None
        destination: str | None = None
        if result.hold is not None and not result.hold.in_transit:
            alert, destination = "01", result.hold.pickup_branch
            words.append(t("sip2.hold_here", code=result.hold.pickup_code or ""))
        elif result.hold is not None:
            alert, destination = "02", result.hold.pickup_branch
            words.append(t("sip2.hold_elsewhere", branch=destination))
        elif result.route_to is not None:
            alert, destination = "04", result.route_to
            words.append(t("sip2.route", branch=destination))
        return m.checkin(now, institution, result.barcode, ok=True, resensitize=True, alert=alert,
                         home=item.home_branch, title=result.title, media=m.MEDIA_TYPES.get(item.format, "000"),
                         destination=destination, messages=words or [t("sip2.returned")])

    def _renew(self, command: str, fields: Fields, now: datetime, institution: str) -> m.Reply:
        card, barcode = fields.get("AA") or "", fields.get("AB") or ""
        t = self._t(self._patron.language if self._patron else None)

        def refused(words: list[str]) -> m.Reply:
            return m.checkout(now, institution, card, barcode, ok=False, renewal=False, title=self._title(barcode),
                              due="", media=None, messages=words, command="30")

        denied = self._authorize(card, fields.get("AD"), t)
        if denied:
            return refused(denied)
        if not barcode:
            return refused([t("sip2.barcode_needed")])
        try:
            loan = self._desk().loans.renew(card, barcode)
        except Refused as refusal:
            return refused(_refusal_words(t, refusal.refusals))
        item = self._desk().catalogue.item_view(loan.barcode)
        return m.checkout(now, institution, card, loan.barcode, ok=True, renewal=True, title=loan.title,
                          due=_due(loan.due), media=m.MEDIA_TYPES.get(item.format, "000"),
                          messages=[t("sip2.due", due=loan.due)], command="30")

    def _renew_all(self, command: str, fields: Fields, now: datetime, institution: str) -> m.Reply:
        card = fields.get("AA") or ""
        t = self._t(self._patron.language if self._patron else None)
        denied = self._authorize(card, fields.get("AD"), t)
        if denied:
            return m.renew_all(now, institution, ok=False, renewed=(), unrenewed=(), messages=denied)
        results = self._desk().loans.renew_all(card)
        renewed = [r.barcode for r in results if not isinstance(r.result, Refused)]
        refused = [r.result for r in results if isinstance(r.result, Refused)]
        unrenewed = [r.barcode for r in results if isinstance(r.result, Refused)]
        words = [t("sip2.renewed_all", renewed=len(renewed), unrenewed=len(unrenewed))]
        words += sorted({t.refusal(outcome.first) for outcome in refused})
        return m.renew_all(now, institution, ok=True, renewed=renewed, unrenewed=unrenewed, messages=words)

    def _item_information(self, command: str, fields: Fields, now: datetime, institution: str) -> m.Reply:
        barcode = fields.get("AB") or ""
        try:
            item = self._desk().catalogue.item_view(barcode)
        except Refused as refusal:
            t = self._t(self._patron.language if self._patron else None)
            return m.item_information(now, barcode, "", circulation="01", queued=None, due=None, owner=None,
                                      media=None, home=None, location=None, messages=[t.refusal(refusal.first)])
        return m.item_information(
            now, item.barcode, item.title, circulation=m.CIRCULATION_STATUS.get(item.status, "01"),
            queued=item.holds_queued, due=_due(item.due) if item.due else None, owner=item.home_branch,
            media=m.MEDIA_TYPES.get(item.format, "000"), home=item.home_branch,
            location=item.transit_to or item.home_branch,
        )

    def _hold(self, command: str, fields: Fields, now: datetime, institution: str) -> m.Reply:
        card, barcode = fields.get("AA") or "", fields.get("AB")
        t = self._t(self._patron.language if self._patron else None)

        def refused(words: list[str]) -> m.Reply:
            return m.hold(now, institution, card, ok=False, available=False, position=None, pickup=None,
                          barcode=barcode, title=fields.get("AJ"), messages=words)

        denied = self._authorize(card, fields.get("AD"), t)
        if denied:
            return refused(denied)
        mode = fields["hold_mode"]
        if mode not in ("+", "-"):
            return refused([t("sip2.not_supported")])
        if not barcode:
            return refused([t("sip2.barcode_needed")])
        desk = self._desk()
        try:
            if mode == "+":
                placed = desk.holds.place(card, barcode, fields.get("BS") or self._machine().branch)
                words = [t("sip2.hold_placed", position=placed.position or 1)]
                position, pickup, title = placed.position, placed.pickup_branch, placed.title
            else:
                cancelled, _ = desk.holds.cancel(card, barcode)
                words = [t("sip2.hold_cancelled")]
                position, pickup, title = None, cancelled.pickup_branch, cancelled.title
        except Refused as refusal:
            return refused(_refusal_words(t, refusal.refusals))
        available = desk.catalogue.item_view(barcode).status == "available"
        return m.hold(now, institution, card, ok=True, available=available, position=position, pickup=pickup,
                      barcode=barcode, title=title, messages=words)

    def _fee_paid(self, command: str, fields: Fields, now: datetime, institution: str) -> m.Reply:
        card = fields.get("AA") or ""
        t = self._t(self._patron.language if self._patron else None)

        def answer(accepted: bool, words: list[str]) -> m.Reply:
            return m.fee_paid(now, institution, card, accepted=accepted, transaction=fields.get("BK"),
                              messages=words)

        if not self._machine().fees_at_machine:
            return answer(False, [t("sip2.fees_not_here")])
        if fields["currency_type"] != "EUR":
            return answer(False, [t("sip2.currency")])
        denied = self._authorize(card, fields.get("AD"), t)
        if denied:
            return answer(False, denied)
        try:
            cents = parse_positive_euros(fields.get("BV") or "")
            balance = self._desk().fees.pay(card, cents)
        except Refused as refusal:
            return answer(False, _refusal_words(t, refusal.refusals))
        return answer(True, [t("sip2.paid", amount_cents=cents, balance_cents=balance)])

    def _title(self, barcode: str) -> str:
        try:
            return self._desk().catalogue.item_view(barcode).title if barcode else ""
        except Refused:
            return ""


def _due(day: date) -> str:
    """AH, the due date: the loan ends when the branch closes that day; late fees count
    whole calendar days, so the machine is told the end of the day."""
    return f"{day:%Y%m%d}    235959"


def _pin_words(t: Translator, check: PinCheck) -> str:
    key = {"wrong": "sip2.pin_wrong", "no_pin": "sip2.no_pin", "locked": "sip2.pin_locked"}.get(check.result)
    if key is None:
        return t("sip2.pin_missing")
    until = check.locked_until
    return t(key, time=f"{until:%H:%M}") if until is not None else t(key)


def _patron_words(t: Translator, patron: MachinePatron, check: PinCheck | None) -> list[str]:
    """What the machine shows the patron: why the PIN did not do, else their blocks in
    the desk's own words, and a verify-ID patron is sent to the desk."""
    if check is None:
        return [t.refusal(Refusal("CARD_LOST"))]
    if not check.right:
        return [_pin_words(t, check)]
    words = [t.refusal(block) for block in patron.view.blocks]
    if patron.view.verify_id:
        words.append(t("sip2.visit_desk"))
    return words


def _refusal_words(t: Translator, refusals: Sequence[Refusal]) -> list[str]:
    words = [t.refusal(r) for r in refusals]
    if any(r.code in _TO_THE_DESK for r in refusals):
        words.append(t("sip2.take_to_desk"))
    return words


def _lists(patron: MachinePatron, summary: str, start: str | None, end: str | None) -> m.PatronLists:
    """The counts of a 64, and the list its summary asks for (the first Y: hold items,
    overdue, charged, fines, recalls, unavailable holds), paged by BP and BQ."""
    view = patron.view
    waiting = [h.barcode or h.title for h in view.holds if h.status == "waiting"]
    unavailable = [h.barcode or h.title for h in view.holds if h.status != "waiting"]
    overdue = [loan.barcode for loan in view.loans if loan.overdue]
    charged = [loan.barcode for loan in view.loans]
    fines = [f"{m.euros(fee.open_cents)} {fee.title or fee.charge_type or ''}".strip()
             for fee in view.fees if fee.entry == "charge" and fee.open_cents]
    lists: dict[int, tuple[str, list[str]]] = {
        0: ("AS", waiting), 1: ("AT", overdue), 2: ("AU", charged), 3: ("AV", fines), 4: ("BU", []),
        5: ("CD", unavailable),
    }
    wanted = summary.find("Y")
    listed, entries = lists.get(wanted, (None, []))
    return m.PatronLists(
        holds=len(waiting), overdue=len(overdue), charged=len(charged), fines=len(fines), recalls=0,
        unavailable_holds=len(unavailable), listed=listed,
        entries=tuple(m.paginate(entries, start, end)) if listed else (),
    )
