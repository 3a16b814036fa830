"""Echo latency: from a key reaching the app to its character in the search box, in paperdeck's
browser and in a bare Textual Input, typed at 20 ms a key while a background thread keeps the
CPU busy.

    python benchmarks/echo_latency.py DB [--text "contrastive graph"] [--runs 3]

Prints one JSON object: p50 and p95 in milliseconds for each, and their ratio. The key is posted
as the terminal driver posts it; "echoed" is the moment the box holds it (Textual paints it on
its next frame, at most 1/60 s later, added to every figure).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import threading
import time

from textual.app import App, ComposeResult
from textual.widgets import Input

from paperdeck.store.settings import Settings
from paperdeck.tui.app import PaperdeckApp
from paperdeck.tui.widgets.search_box import SearchBox

FRAME_MS = 1000 / 60


class BareInput(App[None]):
    def compose(self) -> ComposeResult:
        yield Input(id="box")


def busy(stop: threading.Event) -> None:
    """Pure-Python work that competes for the interpreter, as a loaded machine's worker would."""
    total = 0
    while not stop.is_set():
        for number in range(10_000):
            total += number * number


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def type_and_time(app: App, box: Input, text: str) -> list[float]:
    from textual import events

    latencies = []
    for index, char in enumerate(text):
        expected = text[: index + 1]
        key = "space" if char == " " else char
        pressed = time.perf_counter()
        app.post_message(events.Key(key, char))
        while box.value != expected:
            await asyncio.sleep(0.0002)
        latencies.append((time.perf_counter() - pressed) * 1000 + FRAME_MS)
        await asyncio.sleep(max(0.0, 0.020 - (time.perf_counter() - pressed)))  # 20 ms a key
    return latencies


async def measure(app: App, focus_box, text: str) -> list[float]:
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        box = await focus_box(app, pilot)
        return await type_and_time(app, box, text)


async def paperdeck_box(app, pilot) -> Input:
    await pilot.press("slash")
    return app.query_one(SearchBox)


async def bare_box(app, pilot) -> Input:
    box = app.query_one(Input)
    box.focus()
    await pilot.pause()
    return box


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db")
    parser.add_argument("--text", default="contrastive graph retrieval")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    stop = threading.Event()
    burner = threading.Thread(target=busy, args=(stop,), daemon=True)
    burner.start()
    try:
        ours, bare = [], []
        for _ in range(args.runs):
            ours += asyncio.run(measure(PaperdeckApp(args.db, settings=Settings()), paperdeck_box, args.text))
            bare += asyncio.run(measure(BareInput(), bare_box, args.text))
    finally:
        stop.set()
    figures = {
        "paperdeck_p50_ms": round(statistics.median(ours), 1), "paperdeck_p95_ms": round(percentile(ours, 0.95), 1),
        "bare_input_p50_ms": round(statistics.median(bare), 1), "bare_input_p95_ms": round(percentile(bare, 0.95), 1),
        "keys": len(ours),
    }
    figures["p95_ratio"] = round(figures["paperdeck_p95_ms"] / figures["bare_input_p95_ms"], 2)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
