"""What the benchmark scripts share: p50/p95 of a function's wall time, after one warm-up run."""

from __future__ import annotations

import statistics
import time


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(function, runs: int) -> tuple[float, float]:
    """p50 and p95 in ms, after one warm-up run (which also warms the page cache)."""
    function()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), percentile(samples, 0.95)
