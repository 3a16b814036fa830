"""Getting text onto the clipboard wherever the terminal runs.

Routes, in order: the system clipboard through pyperclip (needs a desktop session and, on Linux,
xclip, xsel or wl-copy); else the terminal's own clipboard through an OSC 52 escape, which works
over SSH and, with ``set -g set-clipboard on``, inside tmux. ``PAPERDECK_CLIPBOARD=system|osc52``
(or the ``clipboard`` setting) forces one.
"""

from __future__ import annotations

import base64
import os
import sys
from collections.abc import Callable

ROUTES = ("auto", "system", "osc52")


class ClipboardError(Exception):
    """No route could take the text; the message says why, in words for the user."""


def system_clipboard_possible() -> bool:
    """pyperclip can only work with a display on Linux; elsewhere let it try."""
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def copy_with_pyperclip(text: str) -> None:
    import pyperclip

    try:
        # Detect afresh: pyperclip caches its first choice, even a failed one, for the process.
        copy_function, _ = pyperclip.determine_clipboard()
        copy_function(text)
    except pyperclip.PyperclipException as error:
        raise ClipboardError(f"no system clipboard ({str(error).splitlines()[0]})") from None


def osc52(text: str) -> str:
    """The escape that asks the terminal to set its clipboard."""
    return f"\x1b]52;c;{base64.b64encode(text.encode('utf-8')).decode('ascii')}\x07"


def inside_tmux() -> bool:
    return bool(os.environ.get("TMUX"))


def tmux_clipboard_option() -> str | None:
    """This tmux's ``set-clipboard`` (on, external or off), asked at each copy: it can change."""
    import subprocess

    try:
        done = subprocess.run(["tmux", "show-options", "-gv", "set-clipboard"], capture_output=True,
                              text=True, timeout=2)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def load_tmux_buffer(text: str, forward: bool) -> bool:
    """Put ``text`` in tmux's paste buffer (prefix ] pastes it); ``forward``: and have tmux set the
    terminal's clipboard (``load-buffer -w``, tmux 3.2+). True when tmux took it."""
    import subprocess

    for flags in ((["-w"] if forward else []), []):
        try:
            if subprocess.run(["tmux", "load-buffer", *flags, "-"], input=text.encode("utf-8"),
                              capture_output=True, timeout=2).returncode == 0:
                return True
        except (OSError, subprocess.SubprocessError):
            return False
        if not forward:
            break
    return False


def copy(text: str, route: str, write_osc52: Callable[[str], None]) -> str:
    """Copy ``text`` by ``route``; returns how it went, for the notification.

    Inside tmux an application's OSC 52 reaches the terminal only with ``set-clipboard on``; with
    tmux's default (``external``) or ``off`` it is dropped, so the text goes into tmux's paste buffer
    as well, and with ``external`` tmux passes it on to the terminal itself."""
    if route not in ROUTES:
        raise ClipboardError(f"unknown clipboard route {route!r} (auto, system or osc52)")
    if route in ("auto", "system"):
        if route == "system" or system_clipboard_possible():
            try:
                copy_with_pyperclip(text)
                return "system clipboard"
            except ClipboardError:
                if route == "system":
                    raise
    write_osc52(text)
    if not inside_tmux():
        return "terminal clipboard (OSC 52)"
    option = tmux_clipboard_option()
    if option == "on":
        return "terminal clipboard (OSC 52)"
    if load_tmux_buffer(text, forward=option == "external"):
        if option == "external":
            return "tmux's paste buffer, and through tmux the terminal clipboard"
        return "tmux's paste buffer (prefix ]); for the terminal clipboard too: tmux `set -g set-clipboard on`"
    return "terminal clipboard (OSC 52; inside tmux this needs `set -g set-clipboard on`)"


def write_osc52_to_tty(text: str) -> None:
    """For the command line: the escape goes to the terminal, not into piped output."""
    try:
        with open("/dev/tty", "w", encoding="utf-8") as tty:
            tty.write(osc52(text))
            tty.flush()
    except OSError:
        raise ClipboardError("no terminal to send the OSC 52 escape to, and no system clipboard") from None


def paste() -> str:
    """The system clipboard's text. OSC 52 cannot be read back in most terminals: where pyperclip
    finds no clipboard, the message says to paste into the browser instead (bracketed paste)."""
    if not system_clipboard_possible():
        raise ClipboardError("no system clipboard here (no desktop session); paste into the browser "
                             "instead, or pipe the text in: paperdeck load - < FILE")
    import pyperclip

    try:
        _, paste_function = pyperclip.determine_clipboard()
        return paste_function()
    except pyperclip.PyperclipException as error:
        raise ClipboardError(f"no system clipboard could be read ({error}); paste into the browser "
                             "instead, or pipe the text in: paperdeck load - < FILE") from None
