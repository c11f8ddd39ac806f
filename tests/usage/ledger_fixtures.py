"""Small exports in the vendors' documented shapes, written by the restatement, precedence
and reconcile tests (OpenAI Usage and Costs API pages as in tests/fixtures/usage, the
generic CSV as documented in usage/formats/generic.py). The figures are chosen so that one
usage costs $3.50 at gpt-4o's list price (1M input tokens at $2.50, 100k output at $10)."""

from __future__ import annotations

import json
from pathlib import Path

from usage import queries

DAY = 1_790_812_800  # 2026-10-01 00:00 UTC
HOUR = 3_600
MODEL = "gpt-4o-2024-08-06"
GENERIC_HEADER = (
    "timestamp,model,provider,input_tokens,cached_input_tokens,cache_write_tokens,"
    "output_tokens,requests,batch,long_context,team,project,user,api_key,workspace,"
    "task_class,tags,billed_cost_usd"
)


def _page(buckets: list[dict]) -> dict:
    return {"object": "page", "data": buckets, "has_more": False, "next_page": None}


def costs_file(path: Path, lines: dict[tuple[int, str], float]) -> Path:
    """An OpenAI Costs API page: (bucket start, line item) -> amount in USD, 1d buckets."""
    starts = sorted({start for start, _ in lines})
    buckets = [
        {"object": "bucket", "start_time": s, "end_time": s + 86_400, "results": [
            {"object": "organization.costs.result", "amount": {"value": usd, "currency": "usd"},
             "line_item": item, "project_id": "proj_a", "api_key_id": None}
            for (start, item), usd in lines.items() if start == s
        ]}
        for s in starts
    ]  # fmt: skip
    path.write_text(json.dumps(_page(buckets)))
    return path


def usage_file(path: Path, buckets: dict[int, tuple[float, float, float]],
               width: int = 86_400) -> Path:  # fmt: skip
    """An OpenAI Usage API page: bucket start -> (input tokens, output tokens, requests) of
    gpt-4o for project proj_a, buckets `width` seconds wide."""
    data = [
        {"object": "bucket", "start_time": s, "end_time": s + width, "results": [
            {"object": "organization.usage.completions.result", "input_tokens": i,
             "input_cached_tokens": 0, "output_tokens": o, "num_model_requests": n,
             "project_id": "proj_a", "user_id": None, "api_key_id": "key_a", "model": MODEL,
             "batch": False, "service_tier": None}
        ]}
        for s, (i, o, n) in sorted(buckets.items())
    ]  # fmt: skip
    path.write_text(json.dumps(_page(data)))
    return path


def gateway_file(path: Path, rows: list[tuple[str, float, float, float | None]]) -> Path:
    """A generic CSV of gateway logs: (timestamp, input tokens, output tokens, billed USD)
    of one gpt-4o request each."""
    lines = [GENERIC_HEADER] + [
        f"{ts},{MODEL},openai,{i:.0f},0,0,{o:.0f},1,false,false,search,proj_a,,key_a,,,,"
        + ("" if usd is None else f"{usd}")
        for ts, i, o, usd in rows
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def spend(con) -> float:
    """What was spent, from the rows (costed_usage) and from the period sums the reports
    read; the two must agree."""
    rows = con.execute("SELECT COALESCE(sum(cost_usd), 0) FROM costed_usage").fetchall()[0][0]
    sql = f"SELECT cost_usd FROM ({queries.summary_sql(['provider'])})"
    sums = sum(r[0] or 0 for r in con.execute(sql).fetchall())
    assert round(rows, 9) == round(sums, 9)
    return round(rows, 9)


def tokens(con) -> float:
    return con.execute("SELECT COALESCE(sum(total_tokens), 0) FROM costed_usage").fetchall()[0][0]
