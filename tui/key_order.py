"""Keys handled one at a time, in the order they were typed, however busy the app is.

Textual routes a key as soon as the app reads it: a priority binding (Tab, /, Enter in the search
box, Ctrl+P) runs at once, any other key is posted to the focused widget, whose plain bindings
are looked up only once it has bubbled back up to the app. Typed faster than the app reads them,
keys overtook one another: ``jjjjj Tab`` moved the list once and scrolled the detail pane four
times (Tab had moved the focus before the j's came back up), ``/graph Enter j`` moved the list
before the box held "graph".

So the app routes the next key only once the one before it has been handled: behind each key it
posts a ``KeyHandled`` to the same widget, which travels the same queues as the key's bubbling,
in order, and reaches the app last. Keys that come meanwhile wait in a backlog.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Awaitable, Callable

from textual import events
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget

MAX_WAIT = 1.0  # seconds a key may take before the next is routed anyway (a widget gone, a marker lost)
CHECK_EVERY = 0.05


class KeyHandled(Message):
    """Back at the app: the key posted before it (number ``key``) has been handled."""

    def __init__(self, key: int) -> None:
        super().__init__()
        self.key = key


def own_binding(widget: Widget, key: str) -> str | None:
    """The action of ``widget``'s own plain (not priority) binding of ``key``, if it has one: for a
    widget that runs its keys where they arrive, in their order, rather than once they have
    bubbled back up to the app."""
    for binding in widget._bindings.key_to_bindings.get(key, ()):
        if not binding.priority:
            return binding.action
    return None


def as_typed(event: events.Key) -> list[events.Key]:
    """The keys a person typed, where a terminal's bytes say otherwise:
    - Ctrl+J is Enter (as readline reads it): an Enter typed before Textual has the terminal in
      raw mode (the first keys of a session) arrives as a line feed;
    - Alt+letter is Esc, then the letter: Esc and a key typed within the terminal's escape delay
      arrive as one sequence (``/graph Esc j`` typed ``j`` into the box). paperdeck binds no Alt
      key, and a terminal sends Alt+j as Esc j anyway."""
    if event.key == "ctrl+j":
        return [events.Key("enter", "\r")]
    name = event.key.removeprefix("alt+")
    if name != event.key and "+" not in name and event.character and event.character.isprintable():
        return [events.Key("escape", "\x1b"), events.Key(name, event.character)]
    return [event]


class KeySequencer:
    """The app's key router: one key in flight at a time, the rest in the order typed."""

    def __init__(self, route: Callable[[events.Key], Awaitable[None]], focus: Callable[[], Widget],
                 set_timer: Callable[..., Timer]) -> None:
        """``route``: Textual's own routing of a key; ``focus``: where it sends one (the focused
        widget, else the screen); ``set_timer``: the app's."""
        self._route = route
        self._focus = focus
        self._set_timer = set_timer
        self._backlog: deque[events.Key] = deque()
        self._in_flight: tuple[int, Widget, float] | None = None  # key number, its widget, since
        self._numbered = 0
        self._timer: Timer | None = None

    async def key(self, event: events.Key) -> None:
        """A key read from the terminal."""
        for key in as_typed(event):
            if self._in_flight is not None:
                self._backlog.append(key)
            else:
                await self._send(key)

    async def _send(self, event: events.Key) -> None:
        await self._route(event)  # a priority binding has run by now; a plain key is on its way
        if not event.is_forwarded:
            return
        target = self._focus()
        self._numbered += 1
        if not target.post_message(KeyHandled(self._numbered)):
            return  # the widget is closing: nothing to wait for
        self._in_flight = (self._numbered, target, time.monotonic())
        if self._timer is None:
            self._timer = self._set_timer(CHECK_EVERY, self._check, name="key-order")

    async def handled(self, message: KeyHandled) -> None:
        if self._in_flight is not None and message.key == self._in_flight[0]:
            await self._next()

    async def _check(self) -> None:
        """The marker lost with its widget (a dialog closed by the key), or a key slower than
        MAX_WAIT: the keys behind it go on rather than wait for ever."""
        self._timer = None
        if self._in_flight is None:
            return
        _, target, since = self._in_flight
        if not target.is_attached or time.monotonic() - since > MAX_WAIT:
            await self._next()
        else:
            self._timer = self._set_timer(CHECK_EVERY, self._check, name="key-order")

    async def _next(self) -> None:
        self._in_flight = None
        while self._backlog and self._in_flight is None:
            await self._send(self._backlog.popleft())
