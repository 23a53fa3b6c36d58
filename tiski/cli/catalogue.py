"""Collection commands: item add/show, MARC and patron imports."""

from __future__ import annotations

from pathlib import Path

import typer

from ..core.errors import invalid
from .common import BRANCH_OPTION, JSON_OPTION, emit, euros, state

item_app = typer.Typer(help="Items (niteet).", no_args_is_help=True)
import_app = typer.Typer(help="Imports: MARC records, patrons.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(item_app, name="item")
    app.add_typer(import_app, name="import")


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


@item_app.command("add")
def item_add(
    ctx: typer.Context,
    barcode: str = typer.Option(..., "--barcode"),
    title: str = typer.Option(..., "--title"),
    author: str = typer.Option(None, "--author"),
    isbn: str = typer.Option(None, "--isbn"),
    fmt: str = typer.Option("book", "--format",
                            help="book|cd|dvd|bluray|console-game|cd-audiobook|magazine|other"),
    rating: int = typer.Option(None, "--rating", help="Age rating: 7, 12, 16 or 18."),
    children: bool = typer.Option(False, "--children", help="Children's or youth material (no late fees)."),
    price: str = typer.Option(None, "--price", help="Replacement price in euros."),
    branch: str = BRANCH_OPTION,
    not_loanable: bool = typer.Option(False, "--not-loanable"),
    as_json: bool = JSON_OPTION,
) -> None:
    """Add an item (a title with the same ISBN is shared)."""
    from ..desk.catalogue import NewItem

    st = state(ctx)
    view = st.desk(branch).catalogue.add_item(
        NewItem(barcode=barcode, title=title, author=author, isbn=isbn, format=fmt, rating=rating,
                children=children, price_cents=euros(price, positive=False) if price else None,
                branch=branch, loanable=not not_loanable)
    )
    emit(as_json, {"item": item_json(view)}, [st.t("cli.item_added", barcode=view.barcode, title=view.title)])


@item_app.command("show")
def item_show(ctx: typer.Context, barcode: str, as_json: bool = JSON_OPTION) -> None:
    """An item and where it is."""
    st = state(ctx)
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


@import_app.command("marc")
def import_marc(ctx: typer.Context, file: Path, branch: str = BRANCH_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Import MARC 21 records (ISO 2709 or MARCXML) with their 952 holdings."""
    from ..imports.marc import import_marc as run

    st = state(ctx)
    t = st.t
    desk = st.desk(branch)
    desk.require("import")
    report = run(desk, _existing(file))

    def rows(items):
        return [{"index": r.index, "id": r.ident, "reason": r.reason} for r in items]

    lines = [t("cli.marc_done", records=report.records, items=report.items,
               without=len(report.without_items), rejected=len(report.rejected_records))]
    lines += [f"  ! #{r.index} {r.ident}: {r.reason}" for r in report.rejected_records + report.rejected_items]
    lines += [f"  - #{r.index} {r.ident}: {r.reason}" for r in report.warnings]
    if report.without_items:
        lines.append("  " + t("cli.marc_without_items", count=len(report.without_items)))
    emit(as_json, {"import": {"records": report.records, "items": report.items,
                              "without_items": report.without_items,
                              "rejected_records": rows(report.rejected_records),
                              "rejected_items": rows(report.rejected_items),
                              "warnings": rows(report.warnings)}}, lines)


@import_app.command("patrons")
def import_patrons(ctx: typer.Context, file: Path, branch: str = BRANCH_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Import patrons from CSV: all rows or none."""
    import json
    import sys

    from ..imports.patrons_csv import import_patrons as run

    st = state(ctx)
    t = st.t
    desk = st.desk(branch)
    desk.require("import")
    count, errors = run(desk, _existing(file))
    if errors:
        if as_json:
            sys.stdout.write(json.dumps({"ok": False, "error": {
                "code": "INVALID_INPUT", "message": t("cli.csv_rejected", count=len(errors)), "confirmable": False,
                "rows": [{"line": e.line, "code": e.refusal.code, "message": t.refusal(e.refusal)} for e in errors]}},
                ensure_ascii=False) + "\n")
        else:
            sys.stderr.write(f"tiski: {t('cli.csv_rejected', count=len(errors))}\n")
            for e in errors:
                sys.stderr.write(f"  {t('cli.csv_line', line=e.line)}: {e.refusal.code}: {t.refusal(e.refusal)}\n")
        raise typer.Exit(2)
    emit(as_json, {"imported": count}, [t("cli.patrons_imported", count=count)])
