"""Text messages through the library's gateway command (TISKI_SMS_COMMAND), tested with a
real script the test writes: the number and the text on its standard input, nothing
of the patron's on its command line."""

from __future__ import annotations

import sys
import textwrap

import pytest

from tiski.notify import DeliveryFailed, TextMessage
from tiski.notify.sms import send_text

MESSAGE = TextMessage("+358401234567", "Porin pääkirjasto: varauksesi Äänikirja on noudettavissa hyllypaikasta 001.")


def gateway(tmp_path, exit_status: int = 0, said: str = "") -> tuple[tuple[str, ...], object]:
    """A gateway script: keeps its stdin and its arguments, says `said` on stderr, exits."""
    script = tmp_path / "send-sms"
    script.write_text(textwrap.dedent(f"""\
        import sys
        from pathlib import Path
        Path({str(tmp_path / 'stdin')!r}).write_bytes(sys.stdin.buffer.read())
        Path({str(tmp_path / 'argv')!r}).write_text(repr(sys.argv[1:]))
        sys.stderr.write({said!r})
        sys.exit({exit_status})
        """), encoding="utf-8")
    return (sys.executable, str(script), "--route", "kirjasto"), tmp_path


def test_the_number_and_the_text_go_on_stdin_in_utf_8(tmp_path):
    """Mutation caught: the number on the command line (other users see it in `ps`), the
    text in another encoding than UTF-8."""
    command, folder = gateway(tmp_path)
    send_text(command, MESSAGE)
    number, text = (folder / "stdin").read_bytes().decode("utf-8").split("\n", 1)
    assert number == "+358401234567" and text == MESSAGE.text + "\n"
    assert (folder / "argv").read_text() == "['--route', 'kirjasto']"


def test_a_number_the_gateway_refuses_is_permanent_and_its_words_lose_the_number(tmp_path):
    command, _ = gateway(tmp_path, 65, "invalid recipient +358401234567\nmore\n")
    with pytest.raises(DeliveryFailed) as refused:
        send_text(command, MESSAGE)
    assert refused.value.permanent
    assert refused.value.reason == "SMS command exit 65: invalid recipient <number>"


@pytest.mark.parametrize("echo", ["040 123 4567", "0401234567", "+358 40 123 4567", "358401234567"])
def test_the_number_in_any_form_is_taken_out_of_the_reason(tmp_path, echo):
    """Privacy: the reason goes to the staff's list and cron's mail. Mutation caught: only
    the number as Tiski wrote it taken out."""
    command, _ = gateway(tmp_path, 65, f"no such subscriber: {echo} (code 404)")
    with pytest.raises(DeliveryFailed) as refused:
        send_text(command, MESSAGE)
    assert refused.value.reason == "SMS command exit 65: no such subscriber: <number> (code 404)"


def test_any_other_failure_is_tried_again(tmp_path):
    command, _ = gateway(tmp_path, 75, "operator API timed out")
    with pytest.raises(DeliveryFailed) as down:
        send_text(command, MESSAGE)
    assert not down.value.permanent and down.value.reason == "SMS command exit 75: operator API timed out"


def test_a_command_that_is_not_there_or_not_set(tmp_path):
    with pytest.raises(DeliveryFailed, match="cannot be run"):
        send_text((str(tmp_path / "missing"),), MESSAGE)
    with pytest.raises(DeliveryFailed, match="not set up"):
        send_text((), MESSAGE)
