"""Text fields that never hold a control character.

A keyboard cannot type one, but a paste or a value read from elsewhere can; Textual
would pass an escape sequence straight to the terminal. Dropped here, at the field,
so the screen stays the desk's and the rules see only text.
"""

from __future__ import annotations

from textual.widgets import Input

from ...core.text import without_control


class TextInput(Input):
    def validate_value(self, value: str) -> str:
        return without_control(value)
