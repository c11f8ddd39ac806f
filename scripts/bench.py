"""`make bench`: the speed figures the README reports, each against a baseline in the same run.

These machines are noisy, so every figure is a median of repeated runs and the claims are
ratios against a baseline measured in this very run.
"""

from __future__ import annotations

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
    settings = PlanSettings(budget_usd=300_000.0, vendor_caps={"vendor-1": 0.08, "vendor-6": 0.08})
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
    quality = default_quality(catalog.model_ids())
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
    quality = default_quality(catalog.model_ids())
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


def main() -> int:
    python = sys.version.split()[0]
    print(f"make bench, {date.today()}, Python {python}, solver {solver.solver_name()}")
    for section in (bench_optimizer, bench_frontier, bench_forecast):
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
