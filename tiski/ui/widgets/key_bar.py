"""The bottom line: the keys in use on this screen, in the desk's language.

One line of text, rewritten when the screen's keys change. Textual's `Footer` builds a
widget for every key and builds them all again on every change of screen or of the
keys in use — the largest part of the time an area switch took. The areas' keys (F2…)
share one label, so 80 columns leave room for the screen's own.
"""

from __future__ import annotations

from itertools import groupby

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Static


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

    def show_keys(self) -> None:
        key_style = self.get_component_rich_style("key-bar--key")
        words_style = self.get_component_rich_style("key-bar--description")
        shown = [active.binding for active in self.screen.active_bindings.values()
                 if active.binding.show and active.enabled]
        bar = Text(no_wrap=True, overflow="ellipsis")
        for group, bindings in groupby(shown, lambda binding: binding.group):
            bindings = list(bindings)
            if group is not None and len(bindings) > 1:  # F2…F6: the keys together, one label
                bar.append(" " + "".join(self.app.get_key_display(b) for b in bindings), key_style)
                bar.append(f" {group.description} ", words_style)
                continue
            for binding in bindings:
                bar.append(f" {self.app.get_key_display(binding)}", key_style)
                bar.append(f" {binding.description} ", words_style)
        self.update(bar)
