"""Notices: the daily run (cron), the outbox's lists, sending again, a channel switched,
a call marked made, a preview of a patron's notice, their channels, a branch's words."""

from __future__ import annotations

import typer

from .common import BRANCH_OPTION, JSON_OPTION, emit, state

notices_app = typer.Typer(help="Notices to patrons (ilmoitukset): e-mail, text message, letter, call list.",
                          no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(notices_app, name="notices")


def _delivery(d) -> dict:
    return {"id": d.id, "kind": d.kind, "channel": d.channel, "card": d.card, "error": d.error,
            "retry_at": d.retry_at}


def _notice(n) -> dict:
    return {"id": n.id, "kind": n.kind, "level": n.level, "channel": n.channel, "status": n.status, "card": n.card,
            "name": n.name, "phone": n.phone if n.channel == "call" else None, "tries": n.tries,
            "last_error": n.last_error, "next_try_at": n.next_try_at, "created_at": n.created_at,
            "sent_at": n.sent_at, "subject": n.subject}


def _resent(st, n, as_json: bool) -> None:
    channel = st.t(f"notices.channel.{n.channel}")
    emit(as_json, {"notice": _notice(n)}, [st.t("notices.resent", id=n.id, channel=channel)])


def _kind(t, kind: str, level: int) -> str:
    return t(f"notices.kind.{kind}", level=level)


@notices_app.command("run")
def run(
    ctx: typer.Context,
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would be made and sent; write and send nothing."),
    branch: str = BRANCH_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Make what is owed (a missed day too) and send what is due: run it from cron."""
    st = state(ctx)
    t = st.t
    result = st.desk(branch).notices.run(settings=st.settings, dry_run=dry_run)
    lines = [t("notices.dry_run")] if result.dry_run else []
    lines.append(t("notices.run", produced=result.produced, sent=len(result.sent), failed=len(result.failed),
                   to_call=result.to_call))
    lines += [t("notices.would_send", id=d.id, kind=d.kind, channel=d.channel, card=d.card or "-")
              for d in result.would_send]
    lines += [t("notices.failed_line", id=d.id, kind=d.kind, channel=d.channel, card=d.card or "-",
                error=t(f"notices.error.{d.error}") if t.has(f"notices.error.{d.error}") else d.error)
              for d in result.failed]
    if result.letters is not None:
        lines.append(t("notices.letters", path=str(result.letters)))
    if result.busy:
        lines.append(t("notices.busy"))
    emit(as_json, {"sent": [_delivery(d) for d in result.sent], "failed": [_delivery(d) for d in result.failed],
                   "produced": result.produced, "cancelled": result.cancelled, "to_call": result.to_call,
                   "letters": str(result.letters) if result.letters else None, "busy": result.busy,
                   "dry_run": result.dry_run, "would_send": [_delivery(d) for d in result.would_send]}, lines)


@notices_app.command("list")
def list_(
    ctx: typer.Context,
    status: str = typer.Option(None, "--status", help="pending, sent, failed or cancelled (default: the work list)."),
    failed: bool = typer.Option(False, "--failed", help="The failed ones (as --status failed)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Notices: by default what failed, the calls to make, what waits and what went today."""
    st = state(ctx)
    t = st.t
    found = st.desk().notices.listing("failed" if failed else status)
    lines = [f"{n.id:>6}  {t(f'notices.state.{n.status}'):<12} {_kind(t, n.kind, n.level):<22} "
             f"{t(f'notices.channel.{n.channel}'):<12} {n.card or '-':<14} {n.last_error or ''}".rstrip()
             for n in found]
    emit(as_json, {"notices": [_notice(n) for n in found]}, lines or [t("notices.none")])


@notices_app.command("resend")
def resend(ctx: typer.Context, notice_id: int = typer.Argument(..., metavar="ID"), as_json: bool = JSON_OPTION) -> None:
    """Send a notice again (the next run sends it, with the same Message-ID)."""
    st = state(ctx)
    n = st.desk().notices.resend(notice_id)
    _resent(st, n, as_json)


@notices_app.command("channel")
def channel(ctx: typer.Context, notice_id: int = typer.Argument(..., metavar="ID"),
            to: str = typer.Argument(..., metavar="CHANNEL", help="email, sms, letter or call"),
            as_json: bool = JSON_OPTION) -> None:
    """Send a notice by another channel (the next run sends it)."""
    st = state(ctx)
    _resent(st, st.desk().notices.switch_channel(notice_id, to), as_json)


@notices_app.command("called")
def called(ctx: typer.Context, notice_id: int = typer.Argument(..., metavar="ID"), as_json: bool = JSON_OPTION) -> None:
    """The patron was told by phone: the notice counts as sent now."""
    st = state(ctx)
    n = st.desk().notices.mark_called(notice_id)
    emit(as_json, {"notice": _notice(n)}, [st.t("notices.called", id=n.id)])


@notices_app.command("preview")
def preview(ctx: typer.Context, kind: str = typer.Argument(..., help="hold_arrived, ill_arrived, due_soon, overdue, "
                                                                     "invoice"),
            card: str = typer.Argument(...), as_json: bool = JSON_OPTION) -> None:
    """The notice of KIND the patron would get now, as it would read."""
    st = state(ctx)
    shown = st.desk().notices.preview(kind, card)
    emit(as_json, {"notice": {"kind": shown.kind, "channel": shown.channel, "subject": shown.subject,
                              "text": shown.text}},
         [shown.subject, "", shown.text])


@notices_app.command("prefer")
def prefer(ctx: typer.Context, card: str,
           kind: str = typer.Argument(None, help="hold_arrived, ill_arrived, due_soon, overdue or invoice"),
           channel: str = typer.Argument(None, help="email, sms, letter, call, none (due_soon only) or default"),
           as_json: bool = JSON_OPTION) -> None:
    """The patron's channel per kind of notice: shown, or one set (KIND CHANNEL)."""
    st = state(ctx)
    t = st.t
    notices = st.desk().notices
    if kind is not None and channel is None:
        raise typer.BadParameter("KIND needs a CHANNEL (or 'default')", param_hint="CHANNEL")
    chosen = notices.set_channel(card, kind, channel) if kind is not None else notices.channels(card)
    emit(as_json, {"card": card, "channels": chosen},
         [f"{t('notices.kinds.' + k):<24} {t('notices.channel.' + (c or 'default'))}" for k, c in chosen.items()])


@notices_app.command("branch")
def branch_words(ctx: typer.Context, code: str = typer.Argument(None, help="The branch (default: the desk's)."),
                 hours: str = typer.Option(None, "--hours", help='Opening hours as notices say them, e.g. '
                                                                 '"ma–to 10–19, pe 10–16, la 10–15".'),
                 contact: str = typer.Option(None, "--contact", help="Address, phone, web: a notice's last line."),
                 as_json: bool = JSON_OPTION) -> None:
    """What a branch's notices say of it: shown, or set (an admin's)."""
    notices = state(ctx).desk().notices
    changing = hours is not None or contact is not None
    words = notices.set_branch(code, hours, contact) if changing else notices.branch(code)
    emit(as_json, {"branch": {"name": words.name, "opening_hours": words.opening_hours, "contact": words.contact}},
         [words.name, words.opening_hours, words.contact])
