"""Collection commands: item add/show, MARC and patron imports."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from ..core.errors import invalid
from ..imports import ImportStopped
from .common import BRANCH, JSON, Group, State, arg, emit, euros, flag, json_text, option, report_usage, whole

cli = Group("tiski")
item = cli.group("item", "Items (niteet).")
imports = cli.group("import", "Imports: MARC records, patrons.")


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
    """An item and where it is."""
    t = st.t
    view = st.desk().catalogue.item_view(barcode)
    lines = [f"{view.barcode}  {view.title}" + (f" / {view.author}" if view.author else ""),
             f"  {t.value('format', view.format)}, {view.home_branch}: {t.value('status', view.status)}"]
    if view.status == "on_loan":
        lines.append("  " + t("cli.item_on_loan", card=view.loan_card or "-", due=view.due))
    if view.transit_to:
        lines.append("  " + t("cli.send_home", branch=view.transit_to))
    emit(as_json, {"item": item_json(view)}, lines)


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
