"""Collection commands: the catalogue search, item add/show and the item's life (lost,
claims returned, damaged, status), MARC and patron imports."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from ..core.errors import invalid
from .common import (BRANCH, JSON, Group, State, arg, emit, euros, flag, int_between, json_text, option,
                     report_usage, whole)

cli = Group("tiski")
catalogue = cli.group("catalogue", "The catalogue (luettelo).")
item = cli.group("item", "Items (niteet).")
imports = cli.group("import", "Imports: MARC records, patrons.")


def copy_json(copy) -> dict:
    return {"barcode": copy.barcode, "branch": copy.branch, "status": copy.status, "due": copy.due,
            "location": copy.location, "transit_to": copy.transit_to, "shelf": copy.shelf,
            "call_number": copy.call_number, "format": copy.format, "since": copy.since, "by": copy.changed_by}


def title_json(result) -> dict:
    return {"record_id": result.record_id, "title": result.title, "author": result.author, "isbn": result.isbn,
            "year": result.year, "format": result.format, "holds_queued": result.holds_queued,
            "copies": [copy_json(c) for c in result.copies]}


def copy_state(t, status: str, due, transit_to: str | None) -> str:
    """A copy's status in words: the due date of a loan, where a copy travels."""
    if status == "on_loan" and due is not None:
        return t("catalogue.on_loan_until", due=due)
    if status == "in_transit" and transit_to:
        return t("catalogue.in_transit_to", branch=transit_to)
    return t.value("status", status)


@catalogue.command(
    "search",
    arg("query", "Words of the title or the author, an ISBN or a barcode."),
    option("--branch", "Only copies that belong to this branch.", metavar="CODE"),
    flag("--available", "Only copies on the shelf now."),
    option("--limit", "At most this many titles.", type=int_between(1, 200), default=30),
    JSON,
)
def catalogue_search(st: State, query: str, branch: str | None, available: bool, limit: int, as_json: bool) -> None:
    """Find titles by words of the title or author, an ISBN or a barcode; every copy and its status."""
    t = st.t
    results = st.desk().catalogue.search(query, branch=branch, available=available, limit=limit)
    lines = []
    for r in results:
        head = r.title + (f" / {r.author}" if r.author else "") + (f" ({r.year})" if r.year else "")
        facts = [t.value("format", r.format) if r.format else "", t("catalogue.queued", count=r.holds_queued),
                 f"id {r.record_id}"]
        lines.append(head + "  · " + " · ".join(f for f in facts if f))
        for c in r.copies:
            state = copy_state(t, c.status, c.due, c.transit_to)
            if c.since is not None:
                state += f" {t.value('since', c.since)} ({c.changed_by or '-'})"
            lines.append(f"  {c.barcode:<14} {c.branch:<6} {state}" + (f"  {c.location}" if c.location else ""))
        if not r.copies:
            lines.append("  " + t("catalogue.no_copies"))
    emit(as_json, {"records": [title_json(r) for r in results]}, lines or [t("cli.none_found")])


def item_json(view) -> dict:
    return {
        "barcode": view.barcode,
        "title": view.title,
        "author": view.author,
        "format": view.format,
        "rating": view.rating,
        "children": view.children,
        "home_branch": view.home_branch,
        "status": view.status,
        "loan": {"card": view.loan_card, "due": view.due} if view.status == "on_loan" else None,
        "transit_to": view.transit_to,
        "holds_queued": view.holds_queued,
        "record_id": view.record_id,
        "shelf": view.shelf,
        "call_number": view.call_number,
        "price_cents": view.price_cents,
        "history": [{"at": e.at, "event": e.event, "staff": e.staff, "branch": e.branch, "note": e.note}
                    for e in view.history],
    }


@item.command(
    "add",
    option("--barcode", required=True),
    option("--title", required=True),
    option("--author"),
    option("--isbn"),
    option("--format", "book|cd|dvd|bluray|console-game|cd-audiobook|magazine|other", dest="fmt", default="book"),
    option("--rating", "Age rating: 7, 12, 16 or 18.", type=whole),
    flag("--children", "Children's or youth material (no late fees)."),
    option("--price", "Replacement price in euros.", metavar="EUROS"),
    BRANCH,
    flag("--not-loanable"),
    JSON,
)
def item_add(st: State, barcode: str, title: str, author: str | None, isbn: str | None, fmt: str,
             rating: int | None, children: bool, price: str | None, branch: str | None, not_loanable: bool,
             as_json: bool) -> None:
    """Add an item (a title with the same ISBN is shared)."""
    from ..desk.catalogue import NewItem

    view = st.desk(branch).catalogue.add_item(
        NewItem(barcode=barcode, title=title, author=author, isbn=isbn, format=fmt, rating=rating,
                children=children, price_cents=euros(price, positive=False) if price else None,
                branch=branch, loanable=not not_loanable)
    )
    emit(as_json, {"item": item_json(view)}, [st.t("cli.item_added", barcode=view.barcode, title=view.title)])


@item.command("show", arg("barcode"), JSON)
def item_show(st: State, barcode: str, as_json: bool) -> None:
    """An item, where it is, and its life (every change: when, who, where)."""
    t = st.t
    view = st.desk().catalogue.item_view(barcode)
    if as_json:  # a script's run words nothing: the message catalogue is not even read
        emit(True, {"item": item_json(view)})
        return
    lines = [f"{view.barcode}  {view.title}" + (f" / {view.author}" if view.author else ""),
             f"  {t.value('format', view.format)}, {view.home_branch}: {t.value('status', view.status)}"]
    location = " ".join(part for part in (view.shelf, view.call_number) if part)
    if location:
        lines.append("  " + location)
    if view.status in ("on_loan", "claims_returned"):
        lines.append("  " + t("cli.item_on_loan", card=view.loan_card or "-", due=view.due))
    if view.transit_to:
        lines.append("  " + t("cli.send_home", branch=view.transit_to))
    lines += ["  " + history_line(t, e) for e in view.history]
    emit(as_json, {"item": item_json(view)}, lines)


def history_line(t, event) -> str:
    """One change in the copy's life: when, what, who, where."""
    line = f"{t.value('at', event.at)} {event.at:%H:%M}  {t(f'catalogue.event_{event.event}')}"
    line += f"  ({event.staff or '-'}, {event.branch or '-'})"
    return line + (f"  {event.note}" if event.note else "")


@item.command("lost", arg("barcode"), BRANCH, JSON)
def item_lost(st: State, barcode: str, branch: str | None, as_json: bool) -> None:
    """The copy is lost: the loan's patron is charged the replacement and the processing fee."""
    t = st.t
    loss = st.desk(branch).items.lost(barcode)
    lines = [t("catalogue.lost_done", title=loss.title)]
    if loss.card is not None:
        lines.append("  " + t("catalogue.lost_charged", card=loss.card, replacement_cents=loss.replacement_cents,
                              processing_cents=loss.processing_cents))
        if loss.late_fee_cents:
            lines.append("  " + t("cli.late_fee", fee_cents=loss.late_fee_cents))
        lines.append("  " + t("cli.balance", balance_cents=loss.balance_cents))
    emit(as_json, {"charged_cents": loss.charged_cents, "balance_cents": loss.balance_cents, "card": loss.card,
                   "replacement_cents": loss.replacement_cents, "processing_cents": loss.processing_cents,
                   "late_fee_cents": loss.late_fee_cents}, lines)


@item.command("claims-returned", arg("barcode"), BRANCH, JSON)
def item_claims_returned(st: State, barcode: str, branch: str | None, as_json: bool) -> None:
    """The patron says it was returned: the loan is flagged, stops accruing and blocks nothing."""
    claim = st.desk(branch).items.claims_returned(barcode)
    emit(as_json, {"claim": {"barcode": claim.barcode, "title": claim.title, "card": claim.card,
                             "since": claim.since}},
         [st.t("catalogue.claim_done", title=claim.title, day=claim.since)])


@item.command("damaged", arg("barcode"), option("--note", "What is wrong with it.", required=True, metavar="TEXT"),
              option("--charge", "Charge the loan's patron this (euros).", metavar="EUROS"), BRANCH, JSON)
def item_damaged(st: State, barcode: str, note: str, charge: str | None, branch: str | None, as_json: bool) -> None:
    """Damaged (at the return): noted, optionally charged, and to repair until released."""
    t = st.t
    damage = st.desk(branch).items.damaged(barcode, note, euros(charge) if charge is not None else None)
    lines = [t("catalogue.damaged_done", title=damage.title)]
    if damage.late_fee_cents:
        lines.append("  " + t("cli.late_fee", fee_cents=damage.late_fee_cents))
    if damage.charged_cents:
        lines.append("  " + t("catalogue.damage_charged", card=damage.card or "-", fee_cents=damage.charged_cents))
    emit(as_json, {"damage": {"barcode": damage.barcode, "title": damage.title, "card": damage.card,
                              "late_fee_cents": damage.late_fee_cents, "charged_cents": damage.charged_cents},
                   "balance_cents": damage.balance_cents, "status": "repair"}, lines)


@item.command("status", arg("barcode"), arg("status", "available | missing | withdrawn | repair"), BRANCH, JSON)
def item_status(st: State, barcode: str, status: str, branch: str | None, as_json: bool) -> None:
    """Missing, withdrawn, to repair, or available again (released, found: checked in here)."""
    from .circulation import routing_lines, shelf_json

    t = st.t
    done = st.desk(branch).items.set_status(barcode, status)
    lines = [t("catalogue.status_done", title=done.title, status=done.status)]
    if done.refund_cents:
        lines.append("  " + t("catalogue.refunded", refund_cents=done.refund_cents))
    if done.paid_back_cents:
        lines.append("  " + t("catalogue.paid_back", paid_back_cents=done.paid_back_cents,
                              method=t(f"method.{done.paid_back_method}")))
    if done.routing is not None:
        lines += ["  " + line for line in routing_lines(t, done.routing.hold, done.routing.route_to)]
    emit(as_json, {"item": {"barcode": done.barcode, "title": done.title, "status": done.status},
                   "hold": shelf_json(done.routing.hold) if done.routing else None,
                   "route_to": done.routing.route_to if done.routing else None,
                   "refund_cents": done.refund_cents, "paid_back_cents": done.paid_back_cents,
                   "paid_back_method": done.paid_back_method}, lines)


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise invalid("file", path=str(path))
    return path


@contextmanager
def _progress_bar(as_json: bool, label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr at a terminal; nothing for scripts (--json, a pipe)."""
    if as_json or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    with Progress("{task.description}", BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _listed(t, entries: list, total: int, line: Callable) -> list[str]:
    """The listed entries, and how many more there were (a report keeps the first 1,000)."""
    lines = [line(e) for e in entries]
    if total > len(entries):
        lines.append("  " + t("batch.more", count=total - len(entries)))
    return lines


@imports.command("marc", arg("file", type=Path), BRANCH, JSON)
def import_marc(st: State, file: Path, branch: str | None, as_json: bool) -> int | None:
    """Import MARC 21 records (ISO 2709 or MARCXML) with their 952 holdings; an import
    that stopped half-way carries on when the same file is imported again."""
    from ..imports import ImportStopped  # only an import loads the importers
    from ..imports.marc import import_marc as run

    t = st.t
    desk = st.desk(branch)
    desk.require("import")
    try:
        with _progress_bar(as_json, t("batch.progress")) as progress:
            report = run(desk, _existing(file), progress=progress)
    except ImportStopped as stopped:
        message = t("batch.stopped", index=stopped.report.written_up_to, why=t(f"batch.why_{stopped.reason}"))
        code = report_usage(message, as_json)
        return 130 if stopped.reason == "interrupted" else code

    def rows(items):
        return [{"index": r.index, "id": r.ident, "reason": r.reason} for r in items]

    totals = report.totals
    lines = [t("cli.marc_done", records=report.records, items=report.items,
               without=totals["without_items"], rejected=totals["rejected_records"])]
    if report.resumed_after:
        lines.append("  " + t("batch.marc_resumed", index=report.resumed_after))
    rejected = report.rejected_records + report.rejected_items
    lines += _listed(t, rejected, totals["rejected_records"] + totals["rejected_items"],
                     lambda r: f"  ! #{r.index} {r.ident}: {r.reason}")
    lines += _listed(t, report.warnings, totals["warnings"], lambda r: f"  - #{r.index} {r.ident}: {r.reason}")
    if totals["without_items"]:
        lines.append("  " + t("cli.marc_without_items", count=totals["without_items"]))
    emit(as_json, {"import": {"records": report.records, "items": report.items,
                              "without_items": report.without_items,
                              "rejected_records": rows(report.rejected_records),
                              "rejected_items": rows(report.rejected_items),
                              "warnings": rows(report.warnings),
                              "totals": totals, "resumed_after": report.resumed_after}}, lines)
    return None


@imports.command("patrons", arg("file", type=Path), BRANCH, JSON)
def import_patrons(st: State, file: Path, branch: str | None, as_json: bool) -> int | None:
    """Import patrons from CSV: all rows or none; an import that stopped half-way
    carries on when the same file is imported again."""
    from ..imports import ImportStopped
    from ..imports.patrons_csv import import_patrons as run

    t = st.t
    desk = st.desk(branch)
    desk.require("import")
    try:
        with _progress_bar(as_json, t("batch.progress")) as progress:
            result = run(desk, _existing(file), progress=progress)
    except ImportStopped as stopped:
        result = stopped.report
        message = t("batch.patrons_stopped", line=result.written_up_to, why=t(f"batch.why_{stopped.reason}"))
        if not result.errors:
            code = report_usage(message, as_json)
            return 130 if stopped.reason == "interrupted" else code
        sys.stderr.write(f"tiski: {message}\n" if not as_json else "")
    if result.errors:
        if as_json:
            sys.stdout.write(json_text({"ok": False, "error": {
                "code": "INVALID_INPUT", "message": t("cli.csv_rejected", count=result.error_count),
                "confirmable": False, "rows": [{"line": e.line, "code": e.refusal.code, "message": t.refusal(e.refusal)}
                                               for e in result.errors]}}) + "\n")
        else:
            sys.stderr.write(f"tiski: {t('cli.csv_rejected', count=result.error_count)}\n")
            for e in result.errors:
                sys.stderr.write(f"  {t('cli.csv_line', line=e.line)}: {e.refusal.code}: {t.refusal(e.refusal)}\n")
            if result.error_count > len(result.errors):
                sys.stderr.write("  " + t("batch.more", count=result.error_count - len(result.errors)) + "\n")
        return 2
    lines = [t("cli.patrons_imported", count=result.imported)]
    if result.resumed_after:
        lines.append("  " + t("batch.patrons_resumed", line=result.resumed_after))
    emit(as_json, {"imported": result.imported, "resumed_after": result.resumed_after}, lines)
    return None
