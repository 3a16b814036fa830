"""Time the browser on a library, through Textual's Pilot, in a process of its own.

    python benchmarks/tui_timing.py DB [--type "contrastive retrieval"]

Prints one JSON object: seconds from process start to the first painted list, the resident memory
of the open browser, and per keystroke the milliseconds from the key event until the list holds the
new matches (plus one 60 Hz frame for Textual to draw them) and until the facets arrived.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()  # before any import: "process start" as near as Python can see

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402

from paperdeck.tui.app import PaperdeckApp  # noqa: E402
from paperdeck.store.settings import Settings  # noqa: E402
from paperdeck.tui.messages import FacetsReady, SearchResultReady  # noqa: E402


class Timings:
    """When each search generation's list, and its facets, reached the app: it listens to the
    workers' messages (``run_test(message_hook=...)``), the app itself is the real one."""

    def __init__(self) -> None:
        self.painted: dict[int, float] = {}
        self.faceted: dict[int, float] = {}

    def __call__(self, message) -> None:
        if isinstance(message, SearchResultReady):
            self.painted.setdefault(message.generation, time.perf_counter())
        elif isinstance(message, FacetsReady):
            self.faceted.setdefault(message.generation, time.perf_counter())


async def wait_for(mapping: dict, key: int, timeout: float = 30.0) -> float:
    deadline = time.perf_counter() + timeout
    while key not in mapping:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"generation {key} never arrived")
        await asyncio.sleep(0.0005)
    return mapping[key]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(db: str, text: str) -> dict:
    app = PaperdeckApp(db, settings=Settings())  # never the settings of whoever runs it
    timings = Timings()
    async with app.run_test(size=(160, 45), message_hook=timings) as pilot:
        first = await wait_for(timings.painted, 1)
        first_paint = first - STARTED + 1 / 60  # the list is drawn on the next frame
        await wait_for(timings.faceted, 1)
        await pilot.press("slash")
        repaint, facets = [], []
        for char in text:
            before = app.main_screen.generation
            pressed = time.perf_counter()
            # Not awaited: Pilot's press returns only once the app is idle, facets and all.
            typing = asyncio.create_task(pilot.press("space" if char == " " else char))
            while app.main_screen.generation == before:
                await asyncio.sleep(0.0005)
            generation = app.main_screen.generation
            painted = await wait_for(timings.painted, generation)
            # Textual draws the changed list on its next frame, at most 1/60 s later.
            repaint.append((painted - pressed) * 1000 + 1000 / 60)
            facets.append((await wait_for(timings.faceted, generation) - pressed) * 1000)
            await typing
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return {
            "first_paint_s": round(first_paint, 3),
            "rss_mb": round(rss, 1),
            "keystroke_p50_ms": round(statistics.median(repaint), 1),
            "keystroke_p95_ms": round(percentile(repaint, 0.95), 1),
            "facets_p50_ms": round(statistics.median(facets), 1),
            "facets_p95_ms": round(percentile(facets, 0.95), 1),
            "keystrokes": len(text), "papers": app.library.paper_count(),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db")
    parser.add_argument("--type", default="contrastive retrieval graph")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.db, args.type))))


if __name__ == "__main__":
    main()
