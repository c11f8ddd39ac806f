"""The app's speed figures: a budget-slider re-plan, and each page's first render in a browser.

(a) The median time of a budget-slider rerun over 20 AppTest reruns on the example workload
    as the app opens it (published prices), each one slider step above the last, from the
    slider's default (as the arrow key moves it), so every rerun re-plans at a budget not seen
    before; on Overview, Portfolio and Forecast, each page with the data caches emptied
    first (the shared costed problem stays, as on a server that has planned this request).
    Targets: at most 100 ms (Overview), 150 ms (Portfolio, Forecast). Baseline, same run: a
    rerun that re-plans nothing (the same budget again), i.e. what Streamlit and the page
    cost around the plan.
(b) Each page's first full render in Chromium against `streamlit run`: from navigation until
    the network is idle, the page's main element is visible and the script has finished.
    Measured for a visitor whose browser has the app's scripts cached (the usual case), and
    for a first-ever visit (nothing cached; the figure includes loading Streamlit's and
    Plotly's JavaScript). Target: at most 1.5 s for a browser that has loaded the app before.
    Baseline, same run: the Data page (no plan drawn, one table).

Usage: .venv/bin/python scripts/bench_app.py [--reruns N] [--no-browser]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.bench_page import MET, MISSED, Table, at_most, listed, save  # noqa: E402
from tests.conftest import CHROMIUM_ARGS, NO_BROWSER, VIEWPORT, chromium_executable  # noqa: E402
from tests.e2e.server import free_port, start_app, stop_app, wait_healthy  # noqa: E402

RERUN_TARGETS_S = {  # page -> the budget-slider rerun target, seconds
    "app_pages/overview.py": 0.100,
    "app_pages/portfolio.py": 0.150,
    "app_pages/forecast.py": 0.150,
}
RENDER_TARGET_S = 1.5
AS_OF = date(2026, 11, 23)
PAGES = {
    "overview": ("", "stMetric"),
    "portfolio": ("portfolio", "stMetric"),
    "forecast": ("forecast", "stMetric"),
    "vendor_scenarios": ("vendor_scenarios", "stMetric"),
    "actual_spend": ("actual_spend", "stMetric"),
    "data": ("data", "stDataFrame"),
}


def slider_reruns(page: str, reruns: int) -> tuple[list[float], list[float], list[float]]:
    """Seconds per budget-slider rerun, each one step up from the last (a fresh plan every
    time), per rerun at the same budget (the baseline: nothing re-planned), and the CPU
    seconds of each budget-slider rerun (steadier than wall time on a shared machine)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()  # no plan left from the page measured before
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    at.session_state["as_of"] = AS_OF
    at.session_state["with_illustrative"] = True  # the budget binds all along the steps
    at.run()
    if page != "app_pages/overview.py":
        at.switch_page(page).run()
    slider = at.slider(key="budget")
    start_at, step, top = slider.value, slider.step, slider.max
    if start_at + reruns * step > top:
        raise RuntimeError(f"{reruns} steps of {step:,.0f} from {start_at:,.0f} pass {top:,.0f}")
    times, baseline, cpu = [], [], []
    for i in range(1, reruns + 1):
        moved = at.slider(key="budget").set_value(start_at + i * step)
        start, start_cpu = time.perf_counter(), time.process_time()
        moved.run()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        if at.exception or at.error:
            shown = (at.exception or at.error)[0]
            raise RuntimeError(f"{page} at {start_at + i * step:,.0f}: {shown.value}")
        start = time.perf_counter()
        at.run()  # the same budget again: every plan cached
        baseline.append(time.perf_counter() - start)
    return times, baseline, cpu


def page_renders(url: str) -> dict[str, tuple[float, float]]:
    """Seconds to a full render of each page: (browser cache warm, nothing cached)."""
    from playwright.sync_api import Error, expect, sync_playwright

    results: dict[str, tuple[float, float]] = {}
    with sync_playwright() as pw:
        launch = {"args": CHROMIUM_ARGS}
        if executable := chromium_executable():
            launch["executable_path"] = executable
        try:
            browser = pw.chromium.launch(**launch)
        except Error as exc:
            raise SystemExit(f"{NO_BROWSER}\n({str(exc).splitlines()[0]})") from None

        def render(page, path: str, test_id: str) -> float:
            start = time.perf_counter()
            page.goto(f"{url}/{path}", wait_until="networkidle")
            page.get_by_test_id(test_id).first.wait_for(timeout=60_000)
            expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=60_000)
            return time.perf_counter() - start

        warm_up = browser.new_context(viewport=VIEWPORT).new_page()
        for path, test_id in PAGES.values():  # server-side caches and the browser's cache
            render(warm_up, path, test_id)
        cached = {name: render(warm_up, *spec) for name, spec in PAGES.items()}
        for name, spec in PAGES.items():
            context = browser.new_context(viewport=VIEWPORT)  # nothing cached
            results[name] = (cached[name], render(context.new_page(), *spec))
            context.close()
        browser.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reruns", type=int, default=20)
    parser.add_argument("--no-browser", action="store_true", help="skip the browser figures")
    parser.add_argument("--page-json", type=Path, help="hand the figures to scripts/bench.py")
    args = parser.parse_args()
    table = Table("The app (`scripts/bench_app.py`)")
    os.chdir(ROOT)

    os.environ.setdefault("PLANNER_SCENARIO_DB", str(Path(tempfile.mkdtemp()) / "bench.db"))
    print(f"Budget-slider rerun, median of {args.reruns} AppTest reruns:")
    missed = False
    for page, target in RERUN_TARGETS_S.items():
        times, baseline, cpu = slider_reruns(page, args.reruns)
        median = statistics.median(times)
        missed |= median > target
        table.add(
            RERUN_WHAT[page].format(reruns=args.reruns),
            f"{median * 1000:,.0f} ms ({min(times) * 1000:,.0f}-{max(times) * 1000:,.0f} ms; "
            f"CPU {statistics.median(cpu) * 1000:,.0f} ms)",
            ("a rerun that re-plans nothing: " if "overview" in page else "")
            + f"{statistics.median(baseline) * 1000:,.0f} ms",
            at_most(median, target, f"{target * 1000:.0f} ms"),
        )
        print(
            f"  {page:<22} median {median * 1000:6.0f} ms   "
            f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}; CPU median "
            f"{statistics.median(cpu) * 1000:.0f} ms); baseline, nothing "
            f"re-planned: median {statistics.median(baseline) * 1000:.0f} ms"
        )
    if args.no_browser:
        if args.page_json:
            save([table], args.page_json)
        return 1 if missed else 0

    port = free_port()
    with tempfile.TemporaryFile() as log:
        server = start_app(port, log)
        try:
            wait_healthy(f"http://localhost:{port}", server, log)
            renders = page_renders(f"http://localhost:{port}")
        finally:
            stop_app(server)
    print(f"First full render in Chromium (target <= {RENDER_TARGET_S:g} s; navigation to network")
    print("idle, main element visible, script finished):")
    print(f"  {'page':<18} {'scripts cached':>15} {'first visit ever':>17}")
    cold_over = 0
    for name, (cached, cold) in renders.items():
        missed |= cached > RENDER_TARGET_S
        cold_over += cold > RENDER_TARGET_S
        print(f"  {name:<18} {cached:>13.2f} s {cold:>15.2f} s")
    print(
        (
            "reruns and cached renders over target"
            if missed
            else "reruns and cached renders within target"
        )
        + f"; first visit ever over {RENDER_TARGET_S:g} s on {cold_over} of {len(renders)} pages "
        "(the browser's first download of Streamlit's and Plotly's scripts)"
    )
    render_rows(table, renders)
    if args.page_json:
        save([table], args.page_json)
    return 1 if missed else 0


RERUN_WHAT = {
    "app_pages/overview.py": "budget-slider rerun, Overview (median of {reruns} AppTest reruns, "
    "each one step up, at a budget not planned before)",
    "app_pages/portfolio.py": "the same, Portfolio (re-solves the next $1,000 on every move; "
    "its exact break-evens only when asked, at the budget shown)",
    "app_pages/forecast.py": "the same, Forecast (simulates the forecast's paths again)",
}
TITLES = {"overview": "Overview", "portfolio": "Portfolio", "forecast": "Forecast",
          "vendor_scenarios": "Vendor scenarios", "actual_spend": "Actual spend",
          "data": "Data"}  # fmt: skip


def render_rows(table: Table, renders: dict[str, tuple[float, float]]) -> None:
    """The first-render figures as two rows: the pages that draw a plan, beside the Data page."""
    planned = [name for name in renders if name != "data"]
    cached = [renders[n][0] for n in planned]
    over = [TITLES[n] for n in planned if renders[n][0] > RENDER_TARGET_S]
    under = [TITLES[n] for n in planned if renders[n][0] <= RENDER_TARGET_S]
    verdict = "; ".join(
        part
        for part in (
            f"{MISSED} on {listed(over)}" if over else "",
            f"{MET} on {listed(under)}" if under else "",
        )
        if part
    )
    names = ", ".join(TITLES[n] for n in planned)
    table.add(
        f"first full render in Chromium, scripts cached: {names}",
        ", ".join(f"{s:.2f} s" for s in cached),
        f"the Data page (no plan drawn): {renders['data'][0]:.2f} s",
        f"<= {RENDER_TARGET_S:g} s: {verdict}",
        missed=bool(over),
    )
    table.add(
        "first full render in a browser that has never loaded the app, same pages",
        ", ".join(f"{renders[n][1]:.2f} s" for n in planned),
        f"Data: {renders['data'][1]:.2f} s",
        "none; a first visit downloads and compiles Streamlit's and Plotly's JavaScript",
    )


if __name__ == "__main__":
    sys.exit(main())
