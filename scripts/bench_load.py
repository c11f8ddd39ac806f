"""Twenty people at once: concurrent sessions against one `streamlit run`.

Two clients (`--client`):
- `protocol` (the default): `scripts/load_client.py` speaks Streamlit's websocket protocol
  as the browser does (page HTML and, on the first visit, its scripts; then `rerun_script`
  BackMsgs and the ForwardMsgs up to `script_finished`), so the machine's CPU goes to the
  server, which is what is measured. A rerun is timed from the BackMsg that carries the
  slider's new value to the end of its run: no browser debounce, no drawing.
- `browser`: real Chromium sessions (one browser, a context each, as twenty people's
  browsers are), all driven from one asyncio loop; on this 2-core machine the browsers use
  most of the CPU, so twenty of them measure the browsers. Kept to show that both clients
  agree on one session (`--sessions 1`).

A session opens Overview, Portfolio and Actual spend in turn (each a page load of its own
address, so the first is a visit that has never loaded the app and the others have its
scripts cached), and on each moves the budget slider five times one step right, waiting for
each run to finish. The example as designed is opened (`with_illustrative=1`), where the
budget binds, so every step is a plan at a new budget; the sessions step through the same
budgets, so each plan is solved once for all of them (the server's caches are shared).

Browser client, how it times:
- first load: from navigation until the page's script has finished and its main element is
  drawn (the app root's `data-test-script-state` is `notRunning`).
- slider rerun: from the key press until the run it starts has finished, read in the page
  by a MutationObserver on that attribute (so a slow poll cannot stretch it); this includes
  the slider's own debounce before the browser asks for the run.

Both clients count as errors an exception element on any page, a websocket closed while
the session was on a page (a disconnect), or a wait that ran out (120 s); memory is the
server's peak resident memory (VmHWM in /proc/<pid>/status).

Baseline, same run: one session alone, on a server of its own started the same way. Each
server starts cold (no plan solved, no example store built), as after a deploy.
Targets: first load p95 <= 15 s and slider rerun p95 <= 2 s on each page, no error.

Usage: .venv/bin/python scripts/bench_load.py [--sessions 20] [--moves 5] [--client browser]
       [--page-json F]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.bench_page import Table, at_most  # noqa: E402
from tests.conftest import CHROMIUM_ARGS, NO_BROWSER, VIEWPORT, chromium_executable  # noqa: E402
from tests.e2e.server import free_port, start_app, stop_app, wait_healthy  # noqa: E402

PAGES = {"Overview": "", "Portfolio": "portfolio", "Actual spend": "actual_spend"}
LINK = "with_illustrative=1"  # the example as designed: the budget binds along the slider
FIRST_LOAD_TARGET_S = 15.0
RERUN_TARGET_S = 2.0
WAIT_MS = 120_000
# Counts the runs that have finished and when, in the page's own clock (performance.now()).
WATCH_RUNS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  window.__runs = {done: 0, at: 0};
  let last = app.getAttribute('data-test-script-state');
  new MutationObserver(() => {
    const now = app.getAttribute('data-test-script-state');
    if (now === 'notRunning' && last !== 'notRunning') {
      window.__runs.done += 1; window.__runs.at = performance.now();
    }
    last = now;
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


@dataclass
class Session:
    """What one session saw: seconds per first load and per slider rerun, by page."""

    loads: dict[str, float] = field(default_factory=dict)
    reruns: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


async def settled(page) -> None:
    """The script has finished and the page's main block is drawn."""
    from playwright.async_api import expect

    app = page.get_by_test_id("stApp")
    await page.get_by_test_id("stMainBlockContainer").wait_for(timeout=WAIT_MS)
    await expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=WAIT_MS)
    await expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=WAIT_MS)


async def move_slider(page, slider) -> float:
    """Press ArrowRight on the slider; seconds from the press to the end of its run."""
    before = await page.evaluate("window.__runs.done")
    start = await page.evaluate("performance.now()")
    await slider.press("ArrowRight")
    await page.wait_for_function(f"window.__runs.done > {before}", timeout=WAIT_MS)
    finished = await page.evaluate("window.__runs.at")
    await settled(page)  # a second run (the URL's update) may follow; wait for it too
    return (finished - start) / 1000


async def one_session(browser, url: str, moves: int, out: Session) -> None:
    """Open each page and move its budget slider `moves` times, recording what it saw."""
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    page.set_default_timeout(WAIT_MS)
    where = {"navigating": True}

    def closed(_ws) -> None:
        if not where["navigating"]:
            out.errors.append("the websocket closed while on a page (a disconnect)")

    page.on("websocket", lambda ws: ws.on("close", closed))
    try:
        for name, path in PAGES.items():
            where["navigating"] = True
            start = time.perf_counter()
            await page.goto(f"{url}/{path}?{LINK}")
            await settled(page)
            out.loads[name] = time.perf_counter() - start
            where["navigating"] = False
            await page.evaluate(WATCH_RUNS)
            slider = page.get_by_role("slider", name="Monthly budget")
            await slider.focus()
            out.reruns[name] = [await move_slider(page, slider) for _ in range(moves)]
            if shown := await page.get_by_test_id("stException").count():
                out.errors.append(f"{name}: {shown} exception element(s)")
            where["navigating"] = True
    except Exception as exc:  # a timeout or a closed page: an error of this session
        out.errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    finally:
        await context.close()


async def sessions_at_once(
    url: str, count: int, moves: int, server_pid: int
) -> tuple[list[Session], float]:
    """Each session's figures, and the CPU seconds the browser used for all of them."""
    from playwright.async_api import Error, async_playwright

    async with async_playwright() as pw:
        launch: dict = {"args": CHROMIUM_ARGS}
        if executable := chromium_executable():
            launch["executable_path"] = executable
        try:
            browser = await pw.chromium.launch(**launch)
        except Error as exc:
            raise SystemExit(f"{NO_BROWSER}\n({str(exc).splitlines()[0]})") from None
        found = [Session() for _ in range(count)]
        await asyncio.gather(*(one_session(browser, url, moves, s) for s in found))
        browser_cpu = tree_cpu_seconds(os.getpid(), server_pid)
        await browser.close()
    return found, browser_cpu


async def protocol_session(url: str, moves: int, out: Session) -> None:
    """One session through `scripts/load_client.py`: each page opened, its slider moved."""
    from scripts.load_client import open_and_move

    for first, (name, path) in enumerate(PAGES.items()):
        loaded, reruns, errors = await open_and_move(url, path, LINK, moves, first == 0,
                                                     WAIT_MS / 1000)  # fmt: skip
        if loaded == loaded:  # not NaN: the page finished loading
            out.loads[name] = loaded
        out.reruns[name] = reruns
        out.errors += [f"{name}: {e}" for e in errors]


async def protocol_sessions(url: str, count: int, moves: int) -> tuple[list[Session], float]:
    """Each session's figures (the client's own CPU is this process's, not a browser's)."""
    found = [Session() for _ in range(count)]
    await asyncio.gather(*(protocol_session(url, moves, s) for s in found))
    return found, 0.0


def cpu_seconds(pid: int) -> float:
    """User and system CPU the process has used so far (Linux /proc), seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(root: int, leave_out: int) -> float:
    """CPU used so far by every live descendant of `root` (but not `leave_out`'s tree), with
    what their own finished children used (a closed context's renderer): the browser."""
    parents, used = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        parents[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = sum(int(f) for f in fields[11:15])
    total = 0
    for pid in used:
        up = pid
        while up not in (0, 1, root, leave_out) and up in parents:
            up = parents[up]
        if up == root and pid != root:
            total += used[pid]
    return total / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (Linux /proc), MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Run:
    sessions: list[Session]
    peak_rss_mb: float
    seconds: float
    load: tuple[float, float]  # 1-minute load average before and after
    server_cpu_s: float  # CPU the server used while the sessions ran
    browser_cpu_s: float  # CPU the browser (every context) used meanwhile


def run_against_a_server(count: int, moves: int, client: str = "protocol") -> Run:
    """A fresh `streamlit run` (its own stores), `count` sessions at once, then its memory."""
    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    os.environ["PLANNER_SCENARIO_DB"] = str(folder / "scenarios.db")
    os.environ["PLANNER_USAGE_DB"] = str(folder / "usage.duckdb")
    os.environ.pop("PLANNER_DATABASE_URL", None)
    port = free_port()
    with tempfile.TemporaryFile() as log:
        server = start_app(port, log)
        try:
            wait_healthy(f"http://localhost:{port}", server, log)
            before = os.getloadavg()[0]
            server_cpu = cpu_seconds(server.pid)
            start = time.perf_counter()
            url = f"http://localhost:{port}"
            found, browser_cpu = asyncio.run(
                sessions_at_once(url, count, moves, server.pid)
                if client == "browser"
                else protocol_sessions(url, count, moves)
            )
            seconds = time.perf_counter() - start
            server_cpu = cpu_seconds(server.pid) - server_cpu
            peak = peak_rss_mb(server.pid)
        finally:
            stop_app(server)
    return Run(found, peak, seconds, (before, os.getloadavg()[0]), server_cpu, browser_cpu)


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank: the value 95 % of the values are at or under)."""
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)] if ordered else float("nan")


def figures(run: Run) -> dict[str, tuple[list[float], list[float]]]:
    """Per page: every session's first load, every slider rerun."""
    out = {}
    for name in PAGES:
        loads = [s.loads[name] for s in run.sessions if name in s.loads]
        reruns = [t for s in run.sessions for t in s.reruns.get(name, [])]
        out[name] = (loads, reruns)
    return out


def spread(values: list[float]) -> str:
    if not values:
        return "none measured"
    return f"median {statistics.median(values):.2f} s, p95 {p95(values):.2f} s"


def add_rows(table: Table, crowd: Run, alone: Run, count: int, moves: int) -> bool:
    """The table's rows; True when a target was missed."""
    many, one = figures(crowd), figures(alone)
    missed = False
    for name in PAGES:
        loads, reruns = many[name]
        one_loads, one_reruns = one[name]
        complete = len(loads) == count and len(reruns) == count * moves
        load_target = at_most(p95(loads) if complete else float("inf"), FIRST_LOAD_TARGET_S,
                              f"{FIRST_LOAD_TARGET_S:g} s (p95)")  # fmt: skip
        rerun_target = at_most(p95(reruns) if complete else float("inf"), RERUN_TARGET_S,
                               f"{RERUN_TARGET_S:g} s (p95)")  # fmt: skip
        missed |= load_target.missed or rerun_target.missed
        first = (
            "a browser that has never loaded the app" if name == "Overview" else "scripts cached"
        )
        table.add(f"{name}: first load, {count} sessions at once ({first})",
                  f"{spread(loads)} ({len(loads)} of {count})",
                  f"one session alone: {spread(one_loads)}", load_target)  # fmt: skip
        table.add(f"{name}: budget-slider rerun, {count} sessions at once ({moves} moves each)",
                  f"{spread(reruns)} ({len(reruns)} of {count * moves})",
                  f"one session alone: {spread(one_reruns)}", rerun_target)  # fmt: skip
    errors = [e for s in crowd.sessions for e in s.errors]
    missed |= bool(errors)
    table.add(
        f"errors over the {count} sessions (exception elements, disconnects, waits run out)",
        f"{len(errors)}" + (f": {'; '.join(sorted(set(errors))[:3])}" if errors else ""),
        f"one session alone: {sum(len(s.errors) for s in alone.sessions)}",
        "none: " + ("**missed**" if errors else "met"),
        missed=bool(errors),
    )
    table.add(
        "the server's peak resident memory",
        f"{crowd.peak_rss_mb:,.0f} MB",
        f"one session alone: {alone.peak_rss_mb:,.0f} MB",
        "stated",
    )
    return missed


CLIENT_PROSE = {
    "protocol": "{n} sessions of a client that speaks Streamlit's websocket protocol "
    "(`scripts/load_client.py`: no browser, so the machine's CPU goes to the server) against "
    "one `streamlit run` on this machine. A rerun is timed from the message carrying the "
    "slider's new value to the end of its run.",
    "browser": "{n} real Chromium sessions (one browser, a context each) against one "
    "`streamlit run` on this machine, which also runs the browser. A rerun is timed from the "
    "key press to the end of its run, so it includes the slider's debounce in the browser.",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--moves", type=int, default=5)
    parser.add_argument(
        "--client", choices=("protocol", "browser"), default="protocol",
        help="Streamlit's websocket protocol, or real Chromium sessions",
    )  # fmt: skip
    parser.add_argument("--page-json", type=Path, help="hand the figures to scripts/bench.py")
    args = parser.parse_args()
    os.chdir(ROOT)
    print(f"Load test: one session alone, then {args.sessions} at once (each on a fresh server)")
    alone = run_against_a_server(1, args.moves, args.client)
    crowd = run_against_a_server(args.sessions, args.moves, args.client)
    for label, run in (("one alone", alone), (f"{args.sessions} at once", crowd)):
        print(
            f"  {label}: {run.seconds:.1f} s in all, server peak {run.peak_rss_mb:,.0f} MB, "
            f"load average {run.load[0]:.1f} -> {run.load[1]:.1f}; CPU: server "
            f"{run.server_cpu_s:.1f} s, browser {run.browser_cpu_s:.1f} s",
            flush=True,
        )
        for name, (loads, reruns) in figures(run).items():
            print(f"    {name:<13} first load {spread(loads)}; slider rerun {spread(reruns)}")
        for error in sorted({e for s in run.sessions for e in s.errors}):
            print(f"    error: {error}")
    loads = (*alone.load, *crowd.load)
    table = Table(
        f"Twenty people at once (`scripts/bench_load.py --client {args.client}`): load average "
        f"{min(loads):.1f}-{max(loads):.1f}",
        CLIENT_PROSE[args.client].format(n=args.sessions)
        + " Each opens Overview, Portfolio and Actual spend with the example as designed and "
        f"moves the budget slider {args.moves} times on each, waiting for each run.",
    )
    missed = add_rows(table, crowd, alone, args.sessions, args.moves)
    if args.page_json:
        from scripts.bench_page import save

        save([table], args.page_json)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
