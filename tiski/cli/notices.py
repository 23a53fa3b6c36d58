"""Notices: the daily run (cron), the outbox's lists, sending again, a channel switched,
a call marked made, a preview of a patron's notice, their channels, a branch's words."""

from __future__ import annotations

from .common import BRANCH, JSON, Group, State, arg, emit, flag, option, whole

cli = Group("tiski")
notices = cli.group("notices", "Notices to patrons (ilmoitukset): e-mail, text message, letter, the call list.")

KINDS_HELP = "hold_arrived, ill_arrived, due_soon, overdue or invoice"


def _delivery(d) -> dict:
    return {"id": d.id, "kind": d.kind, "channel": d.channel, "card": d.card, "error": d.error,
            "retry_at": d.retry_at}


def _notice(n) -> dict:
    return {"id": n.id, "kind": n.kind, "level": n.level, "channel": n.channel, "status": n.status, "card": n.card,
            "name": n.name, "phone": n.phone if n.channel == "call" else None, "tries": n.tries,
            "last_error": n.last_error, "next_try_at": n.next_try_at, "created_at": n.created_at,
            "sent_at": n.sent_at, "subject": n.subject}


def _error(t, code: str | None) -> str:
    """A failure's reason: Tiski's own codes in words, a server's answer as it is."""
    return t(f"notices.error.{code}") if code and t.has(f"notices.error.{code}") else code or ""


@notices.command("run", flag("--dry-run", "Say what would be made and sent; write and send nothing."), BRANCH, JSON)
def notices_run(st: State, dry_run: bool, branch: str | None, as_json: bool) -> None:
    """Make what is owed (a missed day too) and send what is due: run it from cron."""
    t = st.t
    result = st.desk(branch).notices.run(settings=st.settings, dry_run=dry_run)
    lines = [t("notices.dry_run")] if result.dry_run else []
    lines.append(t("notices.run", produced=result.produced, sent=len(result.sent), failed=len(result.failed),
                   to_call=result.to_call))
    lines += [t("notices.would_send", id=d.id, kind=d.kind, channel=d.channel, card=d.card or "-")
              for d in result.would_send]
    lines += [t("notices.failed_line", id=d.id, kind=d.kind, channel=d.channel, card=d.card or "-",
                error=_error(t, d.error)) for d in result.failed]
    if result.letters is not None:
        lines.append(t("notices.letters", path=str(result.letters)))
    if result.busy:
        lines.append(t("notices.busy"))
    emit(as_json, {"sent": [_delivery(d) for d in result.sent], "failed": [_delivery(d) for d in result.failed],
                   "produced": result.produced, "cancelled": result.cancelled, "to_call": result.to_call,
                   "letters": str(result.letters) if result.letters else None, "busy": result.busy,
                   "dry_run": result.dry_run, "would_send": [_delivery(d) for d in result.would_send]}, lines)


@notices.command("list", option("--status", "pending, sent, failed or cancelled (default: the work list)."),
                 flag("--failed", "The failed ones (as --status failed)."), JSON)
def notices_list(st: State, status: str | None, failed: bool, as_json: bool) -> None:
    """Notices: by default what failed, the calls to make, what waits and what went today."""
    t = st.t
    found = st.desk().notices.listing("failed" if failed else status)
    lines = [f"{n.id:>6}  {t(f'notices.state.{n.status}'):<12} {t(f'notices.kind.{n.kind}', level=n.level):<24} "
             f"{t(f'notices.channel.{n.channel}'):<13} {n.card or '-':<14} {_error(t, n.last_error)}".rstrip()
             for n in found]
    emit(as_json, {"notices": [_notice(n) for n in found]}, lines or [t("notices.none")])


def _resent(st: State, n, as_json: bool) -> None:
    channel = st.t(f"notices.channel.{n.channel}")
    emit(as_json, {"notice": _notice(n)}, [st.t("notices.resent", id=n.id, channel=channel)])


@notices.command("resend", arg("notice-id", type=whole, metavar="ID"), JSON)
def notices_resend(st: State, notice_id: int, as_json: bool) -> None:
    """Send a notice again (the next run sends it, with the same Message-ID)."""
    _resent(st, st.desk().notices.resend(notice_id), as_json)


@notices.command("channel", arg("notice-id", type=whole, metavar="ID"), arg("channel", "email, sms, letter or call"),
                 JSON)
def notices_channel(st: State, notice_id: int, channel: str, as_json: bool) -> None:
    """Send a notice by another channel (the next run sends it)."""
    _resent(st, st.desk().notices.switch_channel(notice_id, channel), as_json)


@notices.command("called", arg("notice-id", type=whole, metavar="ID"), JSON)
def notices_called(st: State, notice_id: int, as_json: bool) -> None:
    """The patron was told by phone: the notice counts as sent now (a hold's week starts)."""
    n = st.desk().notices.mark_called(notice_id)
    emit(as_json, {"notice": _notice(n)}, [st.t("notices.called", id=n.id)])


@notices.command("preview", arg("kind", KINDS_HELP), arg("card"), JSON)
def notices_preview(st: State, kind: str, card: str, as_json: bool) -> None:
    """The notice of KIND the patron would get now, as it would read."""
    shown = st.desk().notices.preview(kind, card)
    emit(as_json, {"notice": {"kind": shown.kind, "channel": shown.channel, "subject": shown.subject,
                              "text": shown.text}}, [shown.subject, "", shown.text])


@notices.command("prefer", arg("card"), arg("kind", KINDS_HELP, optional=True),
                 arg("channel", "email, sms, letter, call, none (due_soon only) or default", optional=True), JSON)
def notices_prefer(st: State, card: str, kind: str | None, channel: str | None, as_json: bool) -> None:
    """The patron's channel per kind of notice: shown, or one set (KIND CHANNEL)."""
    from .table import UsageError

    t = st.t
    desk = st.desk()
    if kind is not None and channel is None:
        raise UsageError("tiski notices prefer", "KIND needs a CHANNEL (or 'default')")
    chosen = desk.notices.set_channel(card, kind, channel) if kind is not None else desk.notices.channels(card)
    emit(as_json, {"card": card, "channels": chosen},
         [f"{t('notices.kinds.' + k):<28} {t('notices.channel.' + (c or 'default'))}" for k, c in chosen.items()])


@notices.command("branch", arg("code", "The branch (default: the desk's).", optional=True),
                 option("--hours", 'Opening hours as notices say them, e.g. "ma–to 10–19, pe 10–16, la 10–15".'),
                 option("--contact", "Address, phone, web: a notice's last line."), JSON)
def notices_branch(st: State, code: str | None, hours: str | None, contact: str | None, as_json: bool) -> None:
    """What a branch's notices say of it: shown, or set (an admin's)."""
    desk = st.desk()
    changing = hours is not None or contact is not None
    words = desk.notices.set_branch(code, hours, contact) if changing else desk.notices.branch(code)
    emit(as_json, {"branch": {"name": words.name, "opening_hours": words.opening_hours, "contact": words.contact}},
         [words.name, words.opening_hours, words.contact])
