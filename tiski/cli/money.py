"""Fees and interlibrary loans: charge, pay (with a method), waive, the day's takings;
order, arrive, cancel."""

from __future__ import annotations

from datetime import date

import typer

from ..core.errors import invalid
from .common import BRANCH_OPTION, JSON_OPTION, day, emit, euros, state

fee_app = typer.Typer(help="Fees (maksut).", no_args_is_help=True)
ill_app = typer.Typer(help="Interlibrary loans (kaukolainat).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(fee_app, name="fee")
    app.add_typer(ill_app, name="ill")


@fee_app.command("charge")
def fee_charge(
    ctx: typer.Context,
    card: str,
    amount: str,
    reason: str = typer.Option(..., "--reason"),
    charge_type: str = typer.Option("manual", "--type", help="lost | damaged | reminder | invoice | manual"),
    branch: str = BRANCH_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Charge a fee (amount in euros: 1,50 or 1.50)."""
    st = state(ctx)
    balance = st.desk(branch).fees.charge(card, euros(amount), reason, charge_type)
    emit(as_json, {"balance_cents": balance}, [st.t("cli.balance", balance_cents=balance)])


@fee_app.command("pay")
def fee_pay(ctx: typer.Context, card: str, amount: str,
            method: str = typer.Option("cash", "--method", help="cash | card | other"),
            branch: str = BRANCH_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Take a payment; the oldest charges are settled first. Prints the payment receipt."""
    from ..ui.receipt import payment_receipt

    st = state(ctx)
    desk = st.desk(branch)
    payment = desk.fees.take_payment(card, euros(amount), method)
    emit(as_json, {"balance_cents": payment.balance_cents,
                   "payment": {"amount_cents": payment.amount_cents, "method": payment.method, "at": payment.at,
                               "settled": [{"charge_type": s.charge_type, "reason": s.reason, "barcode": s.barcode,
                                            "title": s.title, "amount_cents": s.amount_cents}
                                           for s in payment.settled]}},
         payment_receipt(st.t, desk.branch_name(), payment).splitlines())


@fee_app.command("report")
def fee_report(ctx: typer.Context,
               day_text: str = typer.Option(..., "--day", help="YYYY-MM-DD"),
               branch: str = typer.Option(None, "--branch", help="One branch's desk (default: every branch)."),
               as_json: bool = JSON_OPTION) -> None:
    """The day's takings by method (payments in, refunds paid back out), for closing the till."""
    st = state(ctx)
    t = st.t
    when = day(day_text, "day")
    if not isinstance(when, date):
        raise invalid("date", field="day")
    takings = st.desk().fees.takings(when, branch)
    lines = [t("till.report_title", day=takings.day, branch=takings.branch or t("till.all_branches"))]
    lines += [f"  {t(f'method.{method}'):<12} {t.money(cents):>12}" for method, cents in takings.by_method.items()]
    lines.append(f"  {t('till.total'):<12} {t.money(takings.total_cents):>12}")
    emit(as_json, {"day": takings.day, "branch": takings.branch, "by_method": dict(takings.by_method),
                   "total_cents": takings.total_cents}, lines)


@fee_app.command("waive")
def fee_waive(
    ctx: typer.Context,
    card: str,
    amount: str,
    reason: str = typer.Option(..., "--reason"),
    branch: str = BRANCH_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Waive fees, with a reason."""
    st = state(ctx)
    balance = st.desk(branch).fees.waive(card, euros(amount), reason)
    emit(as_json, {"balance_cents": balance}, [st.t("cli.balance", balance_cents=balance)])


def ill_json(request) -> dict:
    return {"id": request.id, "card": request.card, "title": request.title, "from": request.from_library,
            "price_cents": request.price_cents, "status": request.status}


@ill_app.command("order")
def ill_order(
    ctx: typer.Context,
    card: str,
    title: str = typer.Option(..., "--title"),
    from_library: str = typer.Option(..., "--from", help="The sending library."),
    price: str = typer.Option(..., "--price", help="The sending library's price in euros."),
    branch: str = BRANCH_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Order an interlibrary loan (charged when it arrives)."""
    st = state(ctx)
    request = st.desk(branch).ill.order(card, title, from_library, euros(price, positive=False))
    emit(as_json, {"ill": ill_json(request)}, [st.t("cli.ill_ordered", id=request.id, title=request.title)])


@ill_app.command("arrived")
def ill_arrived(ctx: typer.Context, request_id: int, branch: str = BRANCH_OPTION,
                as_json: bool = JSON_OPTION) -> None:
    """The ordered item came: the price is charged and the patron notified."""
    st = state(ctx)
    request = st.desk(branch).ill.arrived(request_id)
    emit(as_json, {"ill": ill_json(request)},
         [st.t("cli.ill_arrived", title=request.title, price_cents=request.price_cents)])


@ill_app.command("cancel")
def ill_cancel(ctx: typer.Context, request_id: int, as_json: bool = JSON_OPTION) -> None:
    """Cancel an order (nothing is charged)."""
    st = state(ctx)
    request = st.desk().ill.cancel(request_id)
    emit(as_json, {"ill": ill_json(request)}, [st.t("cli.ill_cancelled", title=request.title)])


@ill_app.command("list")
def ill_list(ctx: typer.Context, all_: bool = typer.Option(False, "--all"), as_json: bool = JSON_OPTION) -> None:
    """Open interlibrary loan orders (or all of them)."""
    st = state(ctx)
    requests = st.desk().ill.orders(None if all_ else "ordered")
    emit(as_json, {"ill": [ill_json(r) for r in requests]},
         [f"{r.id:>5}  {r.card:<14} {r.status:<9} {r.title}  ({r.from_library})" for r in requests]
         or [st.t("cli.none_found")])
