"""A text area whose screen's keys (save, close...) run in the order they were typed."""

from __future__ import annotations

from textual import events
from textual.widgets import TextArea


class OrderedTextArea(TextArea):
    """Every key is handled here, in the order typed (see SearchBox): a screen key such as Ctrl+S
    or Esc acts on the text typed before it, and a Backspace never lands after the letters that
    follow it. The screen names its own keys' actions in ``AREA_ACTIONS``."""

    async def _on_key(self, event: events.Key) -> None:
        screen_keys = self.screen._bindings.copy()
        screen_keys.apply_keymap(self.app._keymap)  # a [keys] remap of the screen's keys counts here too
        area_actions = getattr(self.screen, "AREA_ACTIONS", frozenset())
        for binding in screen_keys.key_to_bindings.get(event.key, ()):
            if binding.action in area_actions:
                event.stop()
                event.prevent_default()
                await self.screen.run_action(binding.action)
                return
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            event.stop()
            event.prevent_default()
            await self.run_action(binding.action)
            return
        await super()._on_key(event)
