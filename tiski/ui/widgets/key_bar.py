"""The bottom line: the keys in use on this screen, in the desk's language.

One line of text, rewritten when the screen's keys change. Textual's `Footer` builds a
widget for every key and builds them all again on every change of screen or of the
keys in use — the largest part of the time an area switch took. The areas' keys share
one label, as a range ("f2–f11 Alueet"), so 80 columns leave room for the screen's own.
"""

from __future__ import annotations

from itertools import groupby

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Static


def keys_together(keys: list[str]) -> str:
    """Keys that share a label: a run of function keys as its first and last ("f2–f11"),
    any other keys with a separator between ("f2/f4")."""
    numbers = [int(key[1:]) if key[:1].lower() == "f" and key[1:].isdigit() else None for key in keys]
    if len(keys) > 1 and None not in numbers and numbers == list(range(numbers[0], numbers[0] + len(keys))):
        return f"{keys[0]}–{keys[-1]}"
    return "/".join(keys)


class KeyBar(Static):
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description"}

    def __init__(self, **kwargs):
        super().__init__("", markup=False, **kwargs)
        self._redraw_asked = False

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.show_keys()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen) -> None:
        """Textual signals a change of the keys many times while an area is shown (each
        focus, each refreshed binding): the line is written once, after them."""
        if self.is_attached and screen is self.screen and not self._redraw_asked:
            self._redraw_asked = True
            self.call_later(self._redraw)

    def _redraw(self) -> None:
        self._redraw_asked = False
        if self.is_attached:
            self.show_keys()

    def on_resize(self) -> None:
        self.show_keys()

    def show_keys(self) -> None:
        """The screen's keys, then the desk's (F1, the areas). When they do not all fit
        the width, one space between them instead of two; if still not, the screen's
        last keys make way for "…" (F1 lists every key) — the desk's stay whole."""
        entries: list[tuple[str, str, bool]] = []  # (keys, words, the desk's own)
        shown = [active for active in self.screen.active_bindings.values()
                 if active.binding.show and active.enabled]
        for group, actives in groupby(shown, lambda active: active.binding.group):
            actives = list(actives)
            if group is not None and len(actives) > 1:  # the areas: one label for the keys
                keys = keys_together([self.app.get_key_display(active.binding) for active in actives])
                entries.append((keys, group.description, actives[0].node is self.app))
                continue
            entries += [(self.app.get_key_display(active.binding), active.binding.description,
                         active.node is self.app) for active in actives]
        self.update(self.bar(entries, self.size.width or self.app.size.width))

    def bar(self, entries: list[tuple[str, str, bool]], width: int) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        words_style = self.get_component_rich_style("key-bar--description")

        def line(parts: list[tuple[str, str, bool]], gap: str) -> Text:
            """Each key with a space before it, each label with `gap` less one space after
            it (the spaces inside the styled runs: an export as text keeps them)."""
            text = Text(no_wrap=True, overflow="ellipsis")
            for keys, words, _ in parts:
                text.append(f" {keys}", words_style if keys == "…" else key_style)
                text.append(f" {words}{gap[1:]}" if words else gap[1:], words_style)
            return text.append(" ", words_style) if gap == " " else text

        for gap in ("  ", " "):
            text = line(entries, gap)
            if text.cell_len <= width:
                return text
        desk = [entry for entry in entries if entry[2]]
        screen = [entry for entry in entries if not entry[2]]
        while screen:
            screen.pop()
            text = line([*screen, ("…", "", False), *desk], " ")
            if text.cell_len <= width:
                return text
        return line(desk, " ")
