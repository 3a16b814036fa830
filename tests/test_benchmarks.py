"""The benchmark's 10k smoke run: every figure printed, and the corpus merges to exactly 10,000.

Timings are printed, never asserted: speed is read from benchmarks/RESULTS.md, not from CI.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_benchmark_runs_at_10k_and_prints_every_figure_against_its_target(tmp_path):
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "10000",
                          "--workdir", str(tmp_path), "--baseline", "none"],  # CI's time: the previous code is not measured
                         cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    out = run.stdout
    print(out)  # the figures, in the CI log
    assert re.search(r"records → 10,000 papers", out)  # ~15,000 listings of 10,000 papers merge exactly
    for label in ("load:", "load peak RSS", "one word", "two words", "typo", "field filter", "facet counts",
                  "browser keystroke → repaint", "browser first painted list"):
        assert label in out, label
    assert "paperdeck --help" in out
    assert out.count("target") >= 10  # each figure beside its target
    if shutil.which("fzf"):
        assert "fzf --filter" in out
    assert "failed" not in out
