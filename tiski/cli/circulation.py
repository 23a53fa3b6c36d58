"""Circulation commands: checkout, return, renew, holds."""

from __future__ import annotations

from ..core.errors import Refused, invalid
from .common import BRANCH, JSON, Group, State, arg, day, emit, flag, option, whole

cli = Group("tiski")
hold_group = cli.group("hold", "Holds (varaukset).")
hold_jobs = cli.group("holds", "Daily hold jobs.")


def shelf_json(shelf) -> dict | None:
    if shelf is None:
        return None
    return {"card": shelf.card, "pickup_by": shelf.pickup_by, "pickup_branch": shelf.pickup_branch,
            "pickup_code": shelf.pickup_code, "in_transit": shelf.in_transit}


def routing_lines(t, hold, route_to) -> list[str]:
    lines = []
    if hold is not None and not hold.in_transit:
        lines.append(t("cli.to_hold_shelf", code=hold.pickup_code or "", pickup_by=hold.pickup_by))
    if route_to is not None:
        key = "cli.send_for_hold" if hold is not None else "cli.send_home"
        lines.append(t(key, branch=route_to))
    return lines


@cli.command("checkout", arg("card"), arg("barcode"),
             option("--override", "Override confirmable blockers; the reason is recorded.", metavar="REASON"),
             BRANCH, JSON)
def checkout(st: State, card: str, barcode: str, override: str | None, branch: str | None, as_json: bool) -> None:
    """Lend an item to a patron."""
    t = st.t
    loan = st.desk(branch).loans.checkout(card, barcode, override=override)
    key = "cli.renewed" if loan.renewed else ("cli.already_due" if loan.unchanged else "cli.checked_out")
    emit(
        as_json,
        {"loan": {"barcode": loan.barcode, "card": loan.card, "due": loan.due, "title": loan.title,
                  "renewals": loan.renewals, "renewed": loan.renewed},
         "alerts": [{"code": a.code, "message": t.refusal(a)} for a in loan.alerts],
         "overridden": list(loan.overridden)},
        lambda: [t(key, title=loan.title, due=loan.due)] + [f"  ! {t.refusal(a)}" for a in loan.alerts],
    )


@cli.command("return", arg("barcode"),
             option("--dropbox-date", "The day the drop box was emptied.", metavar="YYYY-MM-DD"), BRANCH, JSON)
def return_(st: State, barcode: str, dropbox_date: str | None, branch: str | None, as_json: bool) -> None:
    """Take an item back (check in)."""
    t = st.t
    result = st.desk(branch).loans.return_item(barcode, dropbox_date=day(dropbox_date, "dropbox_date"))
    lines = [t("cli.returned", title=result.title)]
    if result.late_fee_cents:
        lines.append(t("cli.late_fee", fee_cents=result.late_fee_cents))
    if result.found:
        lines.append(t("catalogue.found", status=result.found))
    if result.refund_cents:
        lines.append(t("catalogue.refunded", refund_cents=result.refund_cents))
    if result.paid_back_cents:
        lines.append(t("catalogue.paid_back", paid_back_cents=result.paid_back_cents,
                       method=t(f"method.{result.paid_back_method}")))
    lines += routing_lines(t, result.hold, result.route_to)
    emit(
        as_json,
        {"return": {"barcode": result.barcode, "title": result.title, "late_fee_cents": result.late_fee_cents,
                    "hold": shelf_json(result.hold), "route_to": result.route_to,
                    "was_on_loan": result.was_on_loan, "found": result.found,
                    "refund_cents": result.refund_cents, "paid_back_cents": result.paid_back_cents,
                    "paid_back_method": result.paid_back_method}},
        lines,
    )


@cli.command("renew", arg("card"), arg("barcode", "The loan to renew (or --all).", optional=True),
             flag("--all", "Renew every loan of the patron; says why any was not.", dest="all_"), BRANCH, JSON)
def renew(st: State, card: str, barcode: str | None, all_: bool, branch: str | None, as_json: bool) -> None:
    """Renew a loan (up to 8 times, if nobody holds the title), or all of them."""
    if all_ == bool(barcode):
        raise invalid("renew_what")
    if all_:
        renew_all(st, card, branch, as_json)
        return
    loan = st.desk(branch).loans.renew(card, barcode)
    emit(as_json, {"loan": {"barcode": loan.barcode, "due": loan.due, "renewals": loan.renewals,
                            "renewed": loan.renewed, "unchanged": loan.unchanged}},
         [st.t("cli.renewed" if loan.renewed else "cli.renew_unchanged", title=loan.title, due=loan.due)])


def renew_all(st: State, card: str, branch: str | None, as_json: bool) -> None:
    """Every loan of the patron: what was renewed, and why the rest were not."""
    t = st.t
    results = st.desk(branch).loans.renew_all(card)
    renewed, not_renewed, lines = [], [], []
    for r in results:
        loan = {"barcode": r.barcode, "title": r.title, "due": r.due}
        if isinstance(r.result, Refused):
            message = t.refusal(r.result.first)
            not_renewed.append({**loan, "unchanged": False, "code": r.result.code, "message": message})
            lines.append(f"{t('cli.renew_refused', title=r.title)} {message}")
        elif r.result.unchanged:
            message = t("cli.renew_unchanged", title=r.title, due=r.due)
            not_renewed.append({**loan, "unchanged": True, "code": None, "message": message})
            lines.append(message)
        else:
            renewed.append({**loan, "renewals": r.result.renewals})
            lines.append(t("cli.renewed", title=r.title, due=r.due))
    emit(as_json, {"card": card, "renewed": renewed, "not_renewed": not_renewed},
         [t("cli.renewed_count", renewed=len(renewed), total=len(results))] + ["  " + line for line in lines])


@hold_group.command("place", arg("card"), arg("barcode", "A copy of the title (or --record).", optional=True),
                    option("--record", "The title's id (from `catalogue search`).", type=whole, metavar="ID"),
                    option("--pickup", "Pickup branch (default: this desk's).", metavar="CODE"), BRANCH, JSON)
def hold_place(st: State, card: str, barcode: str | None, record: int | None, pickup: str | None,
               branch: str | None, as_json: bool) -> None:
    """Place a hold on a title: the scanned copy's, or one found in the catalogue (--record)."""
    if (barcode is None) == (record is None):
        raise invalid("hold_what")
    desk = st.desk(branch)
    if record is None:
        hold = desk.holds.place(card, barcode, pickup)
    else:
        hold = desk.holds.place_on_title(card, record, pickup)
    emit(as_json,
         {"hold": {"card": hold.card, "title": hold.title, "position": hold.position, "status": hold.status,
                   "pickup_branch": hold.pickup_branch}},
         [st.t("cli.hold_placed", title=hold.title, position=hold.position)])


@hold_group.command("cancel", arg("card"), arg("barcode"), BRANCH, JSON)
def hold_cancel(st: State, card: str, barcode: str, branch: str | None, as_json: bool) -> None:
    """Cancel the patron's hold on the item's title."""
    hold, routing = st.desk(branch).holds.cancel(card, barcode)
    emit(as_json,
         {"hold": {"card": hold.card, "title": hold.title, "status": "cancelled"},
          "next": shelf_json(routing.hold) if routing else None,
          "route_to": routing.route_to if routing else None},
         [st.t("cli.hold_cancelled", title=hold.title)]
         + (routing_lines(st.t, routing.hold, routing.route_to) if routing else []))


@hold_jobs.command("expire", BRANCH, JSON)
def holds_expire(st: State, branch: str | None, as_json: bool) -> None:
    """Daily: uncollected holds are charged and their copies go to the next in line."""
    t = st.t
    expired = st.desk(branch).holds.expire()
    lines = [t("cli.holds_expired", count=len(expired))]
    for e in expired:
        lines.append(f"  {e.barcode}  {e.title}  {t.money(e.fee_cents)}")
        lines += ["    " + line for line in routing_lines(t, e.routing.hold, e.routing.route_to)]
    emit(
        as_json,
        {"expired": [{"card": e.card, "title": e.title, "barcode": e.barcode, "fee_cents": e.fee_cents,
                      "next": shelf_json(e.routing.hold), "route_to": e.routing.route_to} for e in expired]},
        lines,
    )


@hold_jobs.command("pull-list", BRANCH, JSON)
def holds_pull_list(st: State, branch: str | None, as_json: bool) -> None:
    """Copies on this branch's shelves that can fill a hold: fetch and scan them in."""
    rows = st.desk(branch).holds.pull_list()
    emit(as_json, {"items": [{"barcode": r.barcode, "title": r.title, "author": r.author, "queued": r.queued,
                              "shelf": r.shelf, "call_number": r.call_number} for r in rows]},
         [f"{r.barcode:<14} {r.title}  ({r.queued})"
          + (f"  {' '.join(x for x in (r.shelf, r.call_number) if x)}" if r.shelf or r.call_number else "")
          for r in rows] or [st.t("cli.none_found")])
