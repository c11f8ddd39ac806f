"""`make bench` names every target it misses, on the page and when it exits."""

from __future__ import annotations

from scripts.bench_page import Run, Table, at_most, missed_rows, render


def test_the_verdict_names_each_missed_target_and_says_exit_0_when_none():
    planner = Table("Planner (`scripts/bench.py`)")
    planner.add("break-evens, min-cost", "1,200 ms", "", at_most(1.2, 1.0, "1 s"))
    planner.add("break-evens, max-value", "600 ms", "", at_most(0.6, 1.0, "1 s"))
    spikes = Table("Spike detector quality (`scripts/bench_governance.py`)")
    spikes.add("mostly zero", "20 %", missed=True)
    assert missed_rows([planner, spikes]) == [
        "Planner: break-evens, min-cost",
        "Spike detector quality: mostly zero",
    ]
    run = Run("2026-12-03", 2, "3.11", "HiGHS", 0.5, 0.9)
    page = render(run, [planner, spikes])
    assert "2 targets missed" in page and "Planner: break-evens, min-cost" in page
    met = Table("Planner (`scripts/bench.py`)")
    met.add("break-evens, max-value", "600 ms", "", at_most(0.6, 1.0, "1 s"))
    assert missed_rows([met]) == [] and "exited 0" in render(run, [met])
