"""Notices to patrons: which are owed when, what they cost, how they travel, their text.

Seed 004: a hold must be picked up "7 päivän kuluessa saapumisilmoituksen
lähettämisestä" — the week starts when the arrival notice is sent — and a late loan
costs "palautuskehotuksista ja laskutuksesta aiheutuneet kulut". Pure rules: the
facade loads the facts and the templates, the store keeps the outbox, the channels
(tiski/notify) deliver.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Mapping

from .errors import invalid
from .money import format_cents
from .policy import Policy

KINDS = ("hold_arrived", "ill_arrived", "due_soon", "overdue", "invoice")
CHANNELS = ("email", "sms", "letter", "call")
STATUSES = ("pending", "sent", "failed", "cancelled")
OPT_OUT = "none"

# The channels a kind may travel by, in the order tried when the patron has not chosen
# one. "call" is the staff's call list: the last resort, there whatever the register
# knows of the patron (no phone: they are told at their next visit).
ROUTES: Mapping[str, tuple[str, ...]] = {
    "hold_arrived": ("email", "sms", "letter", "call"),
    "ill_arrived": ("email", "sms", "letter", "call"),
    "due_soon": ("email",),  # a courtesy: by e-mail only, and a patron may decline it
    "overdue": ("email", "sms", "letter", "call"),
    "invoice": ("letter", "email", "call"),  # a bill goes on paper unless the patron asks otherwise
}
MAY_DECLINE = frozenset({"due_soon"})


@dataclass(frozen=True)
class Contacts:
    email: str | None
    phone: str | None
    address: str | None


def reaches(channel: str, contacts: Contacts) -> bool:
    """Whether the register knows where to send by this channel."""
    return {"email": contacts.email, "sms": contacts.phone, "letter": contacts.address}.get(channel, "call") is not None


def choose_channel(kind: str, preferred: str | None, contacts: Contacts) -> str | None:
    """The patron's own choice when it reaches them, else the kind's first route that
    does. None: nothing is owed (a declined due-date reminder, or no e-mail for it)."""
    if preferred == OPT_OUT and kind in MAY_DECLINE:
        return None
    routes = ROUTES[kind]
    if preferred in routes and reaches(preferred, contacts):
        return preferred
    return next((channel for channel in routes if reaches(channel, contacts)), None)


def check_preference(kind: str, channel: str | None) -> None:
    """A channel a patron may choose for a kind (None: the default order)."""
    if kind not in KINDS:
        raise invalid("notice_kind", value=kind)
    if channel is None:
        return
    if channel not in ROUTES[kind] and not (channel == OPT_OUT and kind in MAY_DECLINE):
        raise invalid("notice_channel", value=channel, kind=kind)


def check_switch(kind: str, channel: str) -> None:
    """A channel staff may move a notice to."""
    if channel not in ROUTES[kind]:
        raise invalid("notice_channel", value=channel, kind=kind)


# --- keys: one notice per event, never two ---------------------------------------------

def hold_key(hold_id: int, shelved_at: datetime) -> str:
    """A copy put on the hold shelf; one trapped again later is a new arrival."""
    return f"hold_arrived:{hold_id}:{shelved_at:%Y%m%dT%H%M%S}"


def ill_key(ill_id: int) -> str:
    return f"ill_arrived:{ill_id}"


def due_soon_key(patron_id: int, due: date) -> str:
    return f"due_soon:{patron_id}:{due.isoformat()}"


def overdue_key(patron_id: int, due: date, level: int) -> str:
    return f"overdue:{patron_id}:{due.isoformat()}:{level}"


def invoice_key(patron_id: int, due: date, branch: str) -> str:
    """One invoice per owning library (seed 004: "laskutuksesta ja perinnästä vastaa
    aineiston omistava kirjasto")."""
    return f"invoice:{patron_id}:{due.isoformat()}:{branch}"


def message_id(key: str, domain: str) -> str:
    """The e-mail Message-ID, the same for every try of one notice: a message sent again
    after a crash is seen as the same one by mail systems and staff."""
    import hashlib  # hashlib, email.utils, tomllib: imported by the few calls that need them

    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}.notice@{domain}>"


# --- when: the due-date reminder, and the ladder after the due date --------------------

def due_soon_owed(due: date, today: date, policy: Policy) -> bool:
    """From `due_soon_days` before the due date up to the day itself: a run missed
    on the exact day is caught up, and after the due date it is moot."""
    return due - timedelta(days=policy.notice_due_soon_days) <= today <= due


@dataclass(frozen=True)
class Step:
    """A notice on the ladder after the due date: reminder 1…n, then the invoice."""

    kind: str  # overdue | invoice
    level: int  # 1…n for reminders; n+1 for the invoice

    @property
    def is_invoice(self) -> bool:
        return self.kind == "invoice"


def ladder(policy: Policy) -> list[tuple[Step, int]]:
    """Each step and its days after the due date."""
    steps = [(Step("overdue", n), days) for n, days in enumerate(policy.notice_reminder_days, start=1)]
    return steps + [(Step("invoice", len(steps) + 1), policy.notice_invoice_days)]


def next_step(due: date, today: date, policy: Policy, *, done: int, last_sent: date | None) -> Step | None:
    """The next notice owed for loans due on `due` still out, when `done` steps are
    sent, the last of them on `last_sent`. Level n is owed `days[n]` after the due
    date, and never sooner after the one before was sent than the policy spaces them:
    a run missed for weeks catches up one step at a time, never three letters (and
    three fees) on one day. A step produced but not yet sent: None (it comes first)."""
    steps = ladder(policy)
    if done >= len(steps):
        return None
    step, days = steps[done]
    owed_on = due + timedelta(days=days)
    if done:
        if last_sent is None:
            return None
        owed_on = max(owed_on, last_sent + timedelta(days=days - steps[done - 1][1]))
    return step if today >= owed_on else None


# --- what they cost ------------------------------------------------------------------

def reminder_fee_cents(level: int, category: str, policy: Policy) -> int:
    """The policy's fee for reminder `level`; none for the children's category unless
    the policy says so."""
    if category == "child" and not policy.notice_fees_for_children:
        return 0
    return policy.reminder_fees_cents[level - 1]


def invoice_fee_cents(category: str, policy: Policy) -> int:
    if category == "child" and not policy.notice_fees_for_children:
        return 0
    return policy.invoice_fee_cents


def replacement_cents(price_cents: int | None, fmt: str, policy: Policy) -> int:
    """What an unreturned item is invoiced at: what a lost copy costs (its own price,
    else the policy's for its format, else the general one)."""
    return policy.replacement_price(fmt, price_cents)


def retry_at(tries: int, now: datetime, policy: Policy) -> datetime | None:
    """When a send that failed on try `tries` is tried again; None: it is staff's now."""
    waits = policy.notice_retry_minutes
    return now + timedelta(minutes=waits[tries - 1]) if tries <= len(waits) else None


def mail_address(text: str | None) -> str | None:
    """The one mailbox an e-mail goes to, or None. A header's comma makes two: a
    register's "aino,virtanen@example.fi" (a typo) would send the patron's titles to
    "aino" and to a stranger, so what is not exactly one addr-spec is no address."""
    if not text:
        return None
    from email.utils import getaddresses

    found = getaddresses([text])
    if len(found) != 1:
        return None
    name, address = found[0]
    return address if not name and address == text.strip() and address.count("@") == 1 else None


def sms_number(phone: str | None) -> str | None:
    """A phone number as text-message gateways take it: +358… for a Finnish 0…"""
    if not phone:
        return None
    digits = re.sub(r"[^\d+]", "", phone)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0"):
        digits = "+358" + digits[1:]
    return digits if re.fullmatch(r"\+?\d{5,15}", digits) else None


def address_lines(name: str, address: str | None) -> list[str]:
    """The envelope's window: the name, then the address as it is written on a card
    ("Yrjönkatu 5, 28100 Pori"), one part a line."""
    parts = [part.strip() for part in re.split(r"[,\n]", address or "") if part.strip()]
    return [name, *parts]


# --- the text -----------------------------------------------------------------------

@dataclass(frozen=True)
class Template:
    subject: str  # the e-mail's subject and the letter's heading
    body: str  # the e-mail and the letter
    sms: str = ""  # for the kinds that may go by text message
    item: str = ""  # one line per loan


# What each kind's text may say (besides every kind's library, hours and contact).
PLACEHOLDERS: Mapping[str, frozenset[str]] = {
    "hold_arrived": frozenset({"title", "pickup_code", "pickup_by"}),
    "ill_arrived": frozenset({"title", "from_library", "price"}),
    "due_soon": frozenset({"due", "items", "count"}),
    "overdue": frozenset({"level", "due", "items", "count", "fee"}),
    "invoice": frozenset({"due", "items", "count", "fee", "total", "pay_by"}),
}
ITEM_PLACEHOLDERS = frozenset({"title", "barcode", "due", "price"})
EVERY_KIND = frozenset({"library", "hours", "contact"})


class TemplateError(ValueError):
    def __init__(self, where: str, problem: str):
        super().__init__(f"{where}: {problem}")
        self.where = where


def _names(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def parse_templates(text: str) -> dict[str, Template]:
    """One language's templates (a TOML table per kind); TemplateError names the first
    unknown kind, missing text or placeholder Tiski does not fill in."""
    import tomllib

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TemplateError("(file)", f"not valid TOML: {error}") from None
    templates = {}
    for kind in KINDS:
        table = raw.get(kind)
        if not isinstance(table, dict):
            raise TemplateError(kind, "missing")
        needed = ("subject", "body", "sms") if "sms" in ROUTES[kind] else ("subject", "body")
        for part in needed:
            if not isinstance(table.get(part), str) or not table[part].strip():
                raise TemplateError(f"{kind}.{part}", "missing")
        if "\n" in table["subject"].strip() or "\r" in table["subject"]:
            raise TemplateError(f"{kind}.subject", "one line only (it is the e-mail's Subject header)")
        allowed = PLACEHOLDERS[kind] | EVERY_KIND
        for part, value in table.items():
            if part not in ("subject", "body", "sms", "item") or not isinstance(value, str):
                raise TemplateError(f"{kind}.{part}", "unknown")
            try:
                unknown = _names(value) - (ITEM_PLACEHOLDERS if part == "item" else allowed)
            except ValueError as error:
                raise TemplateError(f"{kind}.{part}", str(error)) from None
            if unknown:
                raise TemplateError(f"{kind}.{part}", f"unknown placeholder {{{sorted(unknown)[0]}}}")
        templates[kind] = Template(**{part: value.strip("\n") for part, value in table.items()})
    unknown_kinds = set(raw) - set(KINDS)
    if unknown_kinds:
        raise TemplateError(sorted(unknown_kinds)[0], "unknown kind")
    return templates


@dataclass(frozen=True)
class ItemLine:
    title: str
    barcode: str
    due: date
    price_cents: int | None = None


@dataclass(frozen=True)
class NoticeFacts:
    """What a notice says. Never the patron's name, card or address: the letter's
    window gets those from the register when it is printed, not from the outbox."""

    kind: str
    library: str
    hours: str = ""
    contact: str = ""
    title: str = ""
    pickup_code: str = ""
    pickup_by: date | None = None
    from_library: str = ""
    price_cents: int = 0
    level: int = 0
    due: date | None = None
    items: tuple[ItemLine, ...] = field(default_factory=tuple)
    fee_cents: int = 0
    pay_by: date | None = None

    @property
    def total_cents(self) -> int:
        return self.fee_cents + sum(item.price_cents or 0 for item in self.items)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str  # the e-mail's and letter's body, or the text message


def _day(value: date | None) -> str:
    return f"{value.day}.{value.month}.{value.year}" if value else ""


def _fill(text: str, values: Mapping[str, str]) -> str:
    """A line whose placeholders are all empty is left out ("Kehotusmaksu: {fee}" when
    there is no fee, "Aukioloajat: {hours}" when the branch has none set)."""
    lines = []
    for line in text.split("\n"):
        names = _names(line)
        if names and not any(values[name] for name in names):
            continue
        lines.append(line.format(**values))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def render(template: Template, facts: NoticeFacts, channel: str, lang: str) -> Rendered:
    """The notice in the patron's language. Placeholders get plain strings only, so a
    template can reach nothing but the facts."""
    def money(cents: int) -> str:
        return format_cents(cents, "." if lang == "en" else ",") if cents else ""

    values = {
        "library": facts.library, "hours": facts.hours, "contact": facts.contact, "title": facts.title,
        "pickup_code": facts.pickup_code, "pickup_by": _day(facts.pickup_by), "from_library": facts.from_library,
        "price": money(facts.price_cents), "level": str(facts.level or ""), "due": _day(facts.due),
        "count": str(len(facts.items) or ""), "fee": money(facts.fee_cents), "total": money(facts.total_cents),
        "pay_by": _day(facts.pay_by),
    }
    values["items"] = "\n".join(
        template.item.format(title=item.title, barcode=item.barcode, due=_day(item.due),
                             price=money(item.price_cents or 0))
        for item in facts.items)
    # The subject is a mail header: a title that brought a line break (an old record, a
    # catalogue feed) is one line in it, never a header of its own. A text message is one
    # line too: its template's lines (a line with nothing to say left out) joined by a space.
    subject = " ".join(_fill(template.subject, values).split())
    if channel == "sms":
        return Rendered(subject, " ".join(_fill(template.sms, values).split()))
    return Rendered(subject, _fill(template.body, values))
