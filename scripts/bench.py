"""`make bench`: the speed figures the README reports, each against a baseline in the same run.

These machines are noisy, so every figure is a median of repeated runs and the claims are
ratios against a baseline measured in this very run.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pulp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from planner import solver  # noqa: E402
from planner.frontier import budget_frontier  # noqa: E402
from planner.plan import optimize  # noqa: E402
from planner.problem import PlanSettings, build_problem  # noqa: E402
from planner.quality import default_quality  # noqa: E402
from planner.synthetic import synthetic_problem  # noqa: E402
from planner.workload import load_workload  # noqa: E402
from pricing.catalog import Catalog  # noqa: E402

AS_OF = date(2026, 11, 23)


def timed(fn, repeat: int) -> tuple[float, object]:
    """Median wall time of `repeat` calls, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def naive_solve(problem) -> float:
    """The straightforward PuLP model: one variable per pair, every sum built term by term,
    solved as is (no pruning). Returns the objective in the user's sense."""
    s = problem.settings
    lp = pulp.LpProblem("naive", pulp.LpMaximize)
    pairs = [(t, m) for t in range(len(problem.classes)) for m in range(len(problem.options))]
    pairs = [(t, m) for t, m in pairs if problem.eligible[t, m]]
    x = {(t, m): lp.add_variable(f"x_{t}_{m}", 0, 1) for t, m in pairs}
    volume, cost, acc = problem.volume, problem.cost, problem.accuracy
    value, failure = problem.values, problem.failure_costs
    lp += pulp.lpSum(
        volume[t] * (acc[t, m] * value[t] - (1 - acc[t, m]) * failure[t] - cost[t, m]) * x[t, m]
        for t, m in pairs
    )
    for t in range(len(problem.classes)):
        mine = [(tt, m) for tt, m in pairs if tt == t]
        lp += pulp.lpSum(x[p] for p in mine) == 1
        lp += pulp.lpSum(acc[p] * x[p] for p in mine) >= problem.floors[t]
    spend = pulp.lpSum(volume[t] * cost[t, m] * x[t, m] for t, m in pairs)
    if s.budget_usd is not None:
        lp += spend <= s.budget_usd
    for provider, share in s.vendor_caps.items():
        lp += (
            pulp.lpSum(
                volume[t] * cost[t, m] * x[t, m]
                for t, m in pairs
                if problem.providers[m] == provider
            )
            <= share * spend
        )
    lp.solve(solver.make_solver())
    assert lp.status == pulp.LpStatusOptimal
    return float(pulp.value(lp.objective))


def bench_optimizer() -> list[str]:
    settings = PlanSettings(
        budget_usd=300_000.0,
        vendor_caps={"vendor-1": 0.08, "vendor-6": 0.08},
        cap_basis="spend",  # the straightforward model below writes spend-share caps
    )
    problem = synthetic_problem(300, 200, n_providers=10, seed=1, settings=settings)
    optimize(problem)  # warm imports and caches
    fast_s, plan = timed(lambda: optimize(problem), repeat=7)
    naive_s, naive_value = timed(lambda: naive_solve(problem), repeat=2)
    gap = abs(plan.totals.monthly_net_value_usd - naive_value) / max(1.0, abs(naive_value))
    assert gap <= 1e-6, f"objectives differ by {gap:.2e}"
    binding = sorted({b.family for b in plan.binding})
    return [
        "optimizer, 300 task classes x 200 models (60,000 pairs; budget, floors, 2 vendor caps):",
        f"  planner.optimize (build, solve, explain): {fast_s * 1000:8.1f} ms (median of 7)",
        f"  straightforward PuLP model:               {naive_s * 1000:8.1f} ms (median of 2)",
        f"  speed-up {naive_s / fast_s:5.1f}x; same objective (relative gap {gap:.1e}); "
        f"binding: {', '.join(binding)}",
    ]


def bench_frontier() -> list[str]:
    catalog = Catalog.load()
    workload = load_workload(ROOT / "data/workloads/example_enterprise.csv")
    quality = default_quality(catalog.model_ids(), catalog=catalog)
    problem = build_problem(workload, quality, catalog, PlanSettings(as_of=AS_OF))
    single_s, _ = timed(lambda: optimize(problem), repeat=7)
    sweep_s, table = timed(lambda: budget_frontier(problem, points=25), repeat=5)
    return [
        "frontier on the example workload (12 classes):",
        f"  one plan:                 {single_s * 1000:8.1f} ms (median of 7)",
        f"  25-point budget frontier: {sweep_s * 1000:8.1f} ms (median of 5; "
        f"{(table['status'] == 'optimal').sum()} optimal points)",
    ]


def bench_forecast() -> list[str]:
    try:
        from planner.forecast import ForecastSettings, forecast
    except ImportError:
        return ["forecast: planner.forecast not available"]
    catalog = Catalog.load()
    workload = load_workload(ROOT / "data/workloads/example_enterprise.csv")
    quality = default_quality(catalog.model_ids(), catalog=catalog)
    plan = optimize(build_problem(workload, quality, catalog, PlanSettings(as_of=AS_OF)))
    deterministic = ForecastSettings(months=36, paths=1, monthly_budget_usd=3_000.0)
    uncertain = ForecastSettings(
        months=36, paths=10_000, growth_sd=0.01, price_sd=0.1, accuracy_sd=0.02,
        monthly_budget_usd=3_000.0,
    )  # fmt: skip
    forecast(plan, catalog, uncertain)
    one_s, _ = timed(lambda: forecast(plan, catalog, deterministic), repeat=7)
    mc_s, _ = timed(lambda: forecast(plan, catalog, uncertain), repeat=7)
    return [
        "forecast on the example workload, 36 months:",
        f"  1 path (deterministic):  {one_s * 1000:8.1f} ms (median of 7)",
        f"  10,000 Monte Carlo paths: {mc_s * 1000:8.1f} ms (median of 7; "
        f"{mc_s / max(one_s, 1e-9):.1f}x the single path)",
    ]


def bench_explanations() -> list[str]:
    """Exact break-evens and the re-solved marginals on the example, against one plan."""
    from planner import breakeven
    from planner.marginal import budget_marginal, floor_marginals

    catalog = Catalog.load()
    workload = load_workload(ROOT / "data/workloads/example_enterprise.csv")
    quality = default_quality(catalog.model_ids(), catalog=catalog)
    lines = ["explanations on the example workload (re-solved):"]
    for label, settings in (
        ("budget $2,000, max-value", PlanSettings(as_of=AS_OF, budget_usd=2000.0)),
        ("no budget, min-cost", PlanSettings(as_of=AS_OF, objective="min-cost")),
        ("budget $2,000, one model per class", PlanSettings(
            as_of=AS_OF, budget_usd=2000.0, single_model=True)),
    ):  # fmt: skip
        problem = build_problem(workload, quality, catalog, settings)
        plan_s, plan = timed(lambda problem=problem: optimize(problem), repeat=5)
        repeat = 1 if settings.single_model else 5
        if settings.single_model:  # the product does not compute these: a MIP per cut
            be_s, found = float("nan"), []
        else:
            be_s, found = timed(lambda p=plan: breakeven.break_evens(p.problem, p.shares), repeat)
        objective = (
            plan.totals.monthly_cost_usd
            if settings.objective == "min-cost"
            else plan.totals.monthly_net_value_usd
        )
        mg_s, _ = timed(
            lambda p=plan, z=objective: (
                budget_marginal(p.problem, z),
                floor_marginals(p.problem, z),
            ),
            repeat,
        )
        evens = (
            "break-evens not computed (a MIP per cut; the page and solve say so)"
            if settings.single_model
            else f"all {len(found)} break-evens (models and vendors) {be_s * 1000:.0f} ms"
        )
        lines += [
            f"  {label}: one plan {plan_s * 1000:.1f} ms; {evens}; "
            f"next $1,000 and floors {mg_s * 1000:.0f} ms",
        ]
        if settings.single_model:
            continue
        saved = breakeven.FAST_MAX_COLUMNS
        breakeven.FAST_MAX_COLUMNS = -1  # the baseline: a fresh solve per cut
        try:
            fresh_s, _ = timed(lambda p=plan: breakeven.break_evens(p.problem, p.shares), 1)
        finally:
            breakeven.FAST_MAX_COLUMNS = saved
        lines.append(
            f"    baseline, a fresh solve per cut: {fresh_s * 1000:.0f} ms "
            f"({fresh_s / be_s:.1f}x the held HiGHS program)"
        )
    return lines


def scaled_workload(n_classes: int, folder: Path) -> Path:
    """The example workload's rows repeated (with numbered names) to `n_classes` classes: a
    valid workload of that size with the example's mix of sizes, floors and categories."""
    lines = (ROOT / "data/workloads/example_enterprise.csv").read_text().splitlines()
    rows = [line for line in lines if not line.startswith("#")]
    header, body = rows[0], rows[1:]
    out = [header]
    for n in range(n_classes):
        name, rest = body[n % len(body)].split(",", 1)
        out.append(f"{name} {n // len(body) + 1},{rest}")
    path = folder / f"workload-{n_classes}.csv"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def cli_solve_seconds(workload: Path, repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system, of the child process) of
    `python -m planner solve --json` on a workload, process start to exit. The CPU time is
    what the command costs when the machine is shared; the wall time is what a person waits."""
    command = [sys.executable, "-m", "planner", "solve", "--workload", str(workload),
               "--as-of", AS_OF.isoformat(), "--json"]  # fmt: skip
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        assert done.returncode == 0, f"solve exited {done.returncode} on {workload.name}"
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def bench_workload_size() -> list[str]:
    import tempfile

    from foundation.tables import MAX_ROWS

    with tempfile.TemporaryDirectory() as folder:
        example = ROOT / "data/workloads/example_enterprise.csv"
        base_wall, base_cpu = cli_solve_seconds(example, repeat=3)
        lines = [
            "planner solve from the command line (process start to exit), by workload size;",
            f"  load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores:",
            f"  example (12 classes, the baseline): {base_wall:6.2f} s wall, {base_cpu:5.2f} s CPU "
            "(median of 3)",
        ]
        for n in (1_000, MAX_ROWS):
            wall, cpu = cli_solve_seconds(scaled_workload(n, Path(folder)), repeat=3)
            verdict = "within" if wall <= 5.0 else "OVER"
            lines.append(
                f"  {n:>6,} classes: {wall:6.2f} s wall, {cpu:5.2f} s CPU (median of 3; "
                f"{cpu / base_cpu:4.1f}x the baseline's CPU; wall {verdict} the 5 s target)"
            )
    return lines


def main() -> int:
    python = sys.version.split()[0]
    print(f"make bench, {date.today()}, Python {python}, solver {solver.solver_name()}")
    for section in (
        bench_optimizer,
        bench_frontier,
        bench_forecast,
        bench_explanations,
        bench_workload_size,
    ):
        print()
        print("\n".join(section()))
    for name in ("bench_usage.py", "bench_governance.py"):
        script = ROOT / "scripts" / name
        if script.exists():
            print()
            code = subprocess.call([sys.executable, str(script)])
            if code:
                return code
    app_bench = ROOT / "scripts" / "bench_app.py"
    if app_bench.exists():
        print()
        return subprocess.call([sys.executable, str(app_bench)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
