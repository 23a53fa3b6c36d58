"""Fees and interlibrary loans: charge, pay (with a method), waive, the day's takings;
order, arrive, cancel."""

from __future__ import annotations

from ..core.errors import invalid
from .common import BRANCH, JSON, Group, State, arg, day, emit, euros, flag, option, whole

cli = Group("tiski")
fee = cli.group("fee", "Fees (maksut).")
ill = cli.group("ill", "Interlibrary loans (kaukolainat).")


@fee.command("charge", arg("card"), arg("amount"), option("--reason", required=True, metavar="TEXT"),
             option("--type", "lost | damaged | reminder | invoice | manual", dest="charge_type", default="manual"),
             BRANCH, JSON)
def fee_charge(st: State, card: str, amount: str, reason: str, charge_type: str, branch: str | None,
               as_json: bool) -> None:
    """Charge a fee (amount in euros: 1,50 or 1.50)."""
    balance = st.desk(branch).fees.charge(card, euros(amount), reason, charge_type)
    emit(as_json, {"balance_cents": balance}, [st.t("cli.balance", balance_cents=balance)])


@fee.command("pay", arg("card"), arg("amount"), option("--method", "cash | card | other", default="cash"),
             BRANCH, JSON)
def fee_pay(st: State, card: str, amount: str, method: str, branch: str | None, as_json: bool) -> None:
    """Take a payment; the oldest charges are settled first. Prints the payment receipt."""
    from ..ui.receipt import payment_receipt

    desk = st.desk(branch)
    payment = desk.fees.take_payment(card, euros(amount), method)
    emit(as_json, {"balance_cents": payment.balance_cents,
                   "payment": {"amount_cents": payment.amount_cents, "method": payment.method, "at": payment.at,
                               "settled": [{"charge_type": s.charge_type, "reason": s.reason, "barcode": s.barcode,
                                            "title": s.title, "amount_cents": s.amount_cents}
                                           for s in payment.settled]}},
         payment_receipt(st.t, desk.branch_name(), payment).splitlines())


@fee.command("report", option("--day", "The day.", dest="day_text", required=True, metavar="YYYY-MM-DD"),
             option("--branch", "One branch's desk (default: every branch).", metavar="CODE"), JSON)
def fee_report(st: State, day_text: str, branch: str | None, as_json: bool) -> None:
    """The day's takings by method (payments in, refunds paid back out), for closing the till."""
    t = st.t
    when = day(day_text, "day")
    if when is None:
        raise invalid("date", field="day")
    takings = st.desk().fees.takings(when, branch)
    lines = [t("till.report_title", day=takings.day, branch=takings.branch or t("till.all_branches"))]
    lines += [f"  {t(f'method.{method}'):<12} {t.money(cents):>12}" for method, cents in takings.by_method.items()]
    lines.append(f"  {t('till.total'):<12} {t.money(takings.total_cents):>12}")
    emit(as_json, {"day": takings.day, "branch": takings.branch, "by_method": dict(takings.by_method),
                   "total_cents": takings.total_cents}, lines)


@fee.command("waive", arg("card"), arg("amount"), option("--reason", required=True, metavar="TEXT"), BRANCH, JSON)
def fee_waive(st: State, card: str, amount: str, reason: str, branch: str | None, as_json: bool) -> None:
    """Waive fees, with a reason."""
    balance = st.desk(branch).fees.waive(card, euros(amount), reason)
    emit(as_json, {"balance_cents": balance}, [st.t("cli.balance", balance_cents=balance)])


def ill_json(request) -> dict:
    return {"id": request.id, "card": request.card, "title": request.title, "from": request.from_library,
            "price_cents": request.price_cents, "status": request.status}


@ill.command("order", arg("card"), option("--title", required=True),
             option("--from", "The sending library.", dest="from_library", required=True, metavar="LIBRARY"),
             option("--price", "The sending library's price in euros.", required=True, metavar="EUROS"), BRANCH, JSON)
def ill_order(st: State, card: str, title: str, from_library: str, price: str, branch: str | None,
              as_json: bool) -> None:
    """Order an interlibrary loan (charged when it arrives)."""
    request = st.desk(branch).ill.order(card, title, from_library, euros(price, positive=False))
    emit(as_json, {"ill": ill_json(request)}, [st.t("cli.ill_ordered", id=request.id, title=request.title)])


@ill.command("arrived", arg("request-id", type=whole, metavar="ID"), BRANCH, JSON)
def ill_arrived(st: State, request_id: int, branch: str | None, as_json: bool) -> None:
    """The ordered item came: the price is charged and the patron notified."""
    request = st.desk(branch).ill.arrived(request_id)
    emit(as_json, {"ill": ill_json(request)},
         [st.t("cli.ill_arrived", title=request.title, price_cents=request.price_cents)])


@ill.command("cancel", arg("request-id", type=whole, metavar="ID"), JSON)
def ill_cancel(st: State, request_id: int, as_json: bool) -> None:
    """Cancel an order (nothing is charged)."""
    request = st.desk().ill.cancel(request_id)
    emit(as_json, {"ill": ill_json(request)}, [st.t("cli.ill_cancelled", title=request.title)])


@ill.command("list", flag("--all", "All orders, not only the open ones.", dest="all_"), JSON)
def ill_list(st: State, all_: bool, as_json: bool) -> None:
    """Open interlibrary loan orders (or all of them)."""
    requests = st.desk().ill.orders(None if all_ else "ordered")
    emit(as_json, {"ill": [ill_json(r) for r in requests]},
         [f"{r.id:>5}  {r.card:<14} {r.status:<9} {r.title}  ({r.from_library})" for r in requests]
         or [st.t("cli.none_found")])
