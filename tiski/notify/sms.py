"""Text messages through the library's own gateway command (`TISKI_SMS_COMMAND`): any
operator's gateway fits behind a small script. The command gets the number on the
first line of its standard input and the text after it; nothing of the patron's goes
on its command line (other users of the machine could read it there).

Exit status 0: sent. 65 (EX_DATAERR, sysexits.h): the gateway refuses the number or
the text — trying again will not help. Anything else: tried again later."""

from __future__ import annotations

import re
import subprocess

from . import DeliveryFailed, TextMessage

TIMEOUT_SECONDS = 30
# A gateway may echo the number in any form (+358 40…, 040-…): any run of seven or more
# digits is taken out of what staff and cron's mail see.
PHONE_LIKE = re.compile(r"\+?\d(?:[\d ()\-]{5,}\d)")
EX_DATAERR = 65


def send_text(command: tuple[str, ...], message: TextMessage) -> None:
    if not command:
        raise DeliveryFailed("text messages are not set up (TISKI_SMS_COMMAND)")
    try:
        done = subprocess.run(command, input=f"{message.number}\n{message.text}\n", capture_output=True,
                              text=True, encoding="utf-8", errors="replace", timeout=TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise DeliveryFailed(f"the SMS command did not finish in {TIMEOUT_SECONDS} s") from None
    except OSError as error:
        raise DeliveryFailed(f"the SMS command cannot be run ({error.strerror or type(error).__name__})") from None
    if done.returncode != 0:
        said = next((line.strip() for line in done.stderr.splitlines() if line.strip()), "")
        said = PHONE_LIKE.sub("<number>", said)[:200]
        raise DeliveryFailed(f"SMS command exit {done.returncode}" + (f": {said}" if said else ""),
                             permanent=done.returncode == EX_DATAERR)
