"""`tiski` with two faults planted, for the real-terminal test (run as a script, not
collected): saving a new patron finds the register busy, and typing the PIN 8642 hits
a defect outside every guard — in a text field's own key handling, with the PIN in a
local variable, where Textual would have printed Rich's traceback with its locals."""

from __future__ import annotations

import sys

from tiski.core.errors import Unavailable
from tiski.desk.patrons import Patrons
from tiski.entry import main
from tiski.ui.widgets.text_input import TextInput


def busy(self, new):
    raise Unavailable("busy")


def validate_value(self, value, _original=TextInput.validate_value):
    if value.endswith("8642"):
        pin = value
        raise RuntimeError(f"defect while holding {pin}")
    return _original(self, value)


if __name__ == "__main__":
    Patrons.add = busy
    TextInput.validate_value = validate_value
    sys.argv = ["tiski"]
    main()
