"""Write the ILLUSTRATIVE usage history under data/usage_example/ (deterministic).

    .venv/bin/python scripts/make_usage_example.py

Six months (2026-06-01 to 2026-11-30) of a made-up company's AI usage in three export
formats: OpenAI Usage API pages (daily buckets by project, key and model), Anthropic usage
report pages (daily buckets by workspace, key, model, service tier and context window) and
the generic CSV of an internal gateway (Google and Mistral models, and one in-house model the
catalog cannot price). Volumes are invented (a weekday/weekend shape, growth of about 4 % a
month, noise); the files carry no prices: the store costs them from the committed price
sheets. The same seed always writes the same files.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "usage_example"
SEED = 11
START, END = date(2026, 6, 1), date(2026, 11, 30)
LABEL = (
    "ILLUSTRATIVE usage, NOT measured: invented by scripts/make_usage_example.py "
    "(seed 11) to show the usage pages; replace it with your own exports."
)

# (project, api key, model as exported, daily requests, input, cached share, output per request)
OPENAI = [
    ("proj_support", "key_support_bot", "gpt-5-mini-2025-08-07", 9000, 1800, 0.45, 350),
    ("proj_support", "key_support_bot", "gpt-4.1-2025-04-14", 2500, 3500, 0.30, 600),
    ("proj_search", "key_search_api", "gpt-5-mini-2025-08-07", 6000, 4000, 0.60, 250),
    ("proj_sales", "key_sales_tool", "gpt-5-2025-08-07", 700, 2500, 0.10, 900),
    ("proj_sandbox", "key_alice_dev", "gpt-4o-2024-08-06", 150, 1200, 0.0, 400),
]
# (workspace, api key, model, tier, context window, daily requests, input, cached, write, output)
ANTHROPIC = [
    ("wrkspc_eng", "apikey_ci_review", "claude-sonnet-4-5-20250929", "standard", "0-200k",
     1500, 9000, 0.55, 0.05, 1200),
    ("wrkspc_eng", "apikey_ci_review", "claude-sonnet-4-5-20250929", "standard", "200k-1M",
     40, 260000, 0.50, 0.05, 3000),
    ("wrkspc_eng", "apikey_nightly_tests", "claude-sonnet-4-5-20250929", "batch", "0-200k",
     800, 7000, 0.0, 0.0, 2500),
    ("wrkspc_legal", "apikey_contracts", "claude-opus-4-1-20250805", "standard", "0-200k",
     120, 30000, 0.40, 0.10, 1500),
    ("wrkspc_support", "apikey_drafts", "claude-haiku-4-5-20251001", "standard", "0-200k",
     4000, 2200, 0.50, 0.05, 450),
]  # fmt: skip
# (team, api key, model, task class, daily requests, input, output)
GATEWAY = [
    ("search", "gw_search", "gemini-2.5-flash", "Internal knowledge Q&A", 5000, 3000, 300),
    ("engineering", "gw_ide", "codestral-2508", "Code review", 3000, 1500, 200),
    ("finance", "gw_finance", "acme-finance-llm-v2", "Financial report analysis", 200, 6000, 800),
]
RULES = [
    ("project", "proj_support", "customer-support", ""),
    ("project", "proj_search", "search", "Internal knowledge Q&A"),
    ("project", "proj_sales", "sales", "Sales email personalisation"),
    ("workspace", "wrkspc_eng", "engineering", "Code review"),
    ("workspace", "wrkspc_legal", "legal", "Contract review"),
    ("api_key", "apikey_drafts", "customer-support", "Support reply drafting"),
    ("api_key", "key_*", "unassigned-openai-keys", ""),
]


def days() -> Iterator[date]:
    day = START
    while day <= END:
        yield day
        day += timedelta(days=1)


def volume(rng: random.Random, day: date, base: float) -> int:
    """Requests on a day: weekends at 30 %, growth of 4 % a month, 15 % noise."""
    months = (day - START).days / 30.4
    weekday = 1.0 if day.weekday() < 5 else 0.3
    return max(0, round(base * weekday * 1.04**months * rng.lognormvariate(0, 0.15)))


def unix(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def openai_pages(rng: random.Random) -> dict:
    buckets = []
    for day in days():
        results = []
        for project, key, model, requests, prompt, cached_share, output in OPENAI:
            n = volume(rng, day, requests)
            tokens_in = n * prompt
            results.append({
                "object": "organization.usage.completions.result",
                "input_tokens": tokens_in, "input_cached_tokens": round(tokens_in * cached_share),
                "output_tokens": n * output, "input_audio_tokens": 0, "output_audio_tokens": 0,
                "num_model_requests": n, "project_id": project, "user_id": None,
                "api_key_id": key, "model": model, "batch": False, "service_tier": None,
            })  # fmt: skip
        buckets.append({
            "object": "bucket", "start_time": unix(day),
            "end_time": unix(day + timedelta(days=1)), "results": results,
        })  # fmt: skip
    pages = [
        {"object": "page", "data": buckets[i : i + 31], "has_more": i + 31 < len(buckets),
         "next_page": f"page_{i // 31 + 2}" if i + 31 < len(buckets) else None}
        for i in range(0, len(buckets), 31)
    ]  # fmt: skip
    return {"illustrative": LABEL, "pages": pages}


def anthropic_pages(rng: random.Random) -> dict:
    buckets = []
    for day in days():
        results = []
        for row in ANTHROPIC:
            workspace, key, model, tier, window, requests, prompt, cached, write, output = row
            n = volume(rng, day, requests)
            total_in = n * prompt
            results.append({
                "uncached_input_tokens": round(total_in * (1 - cached - write)),
                "cache_creation": {"ephemeral_5m_input_tokens": round(total_in * write),
                                   "ephemeral_1h_input_tokens": 0},
                "cache_read_input_tokens": round(total_in * cached),
                "output_tokens": n * output,
                "server_tool_use": {"web_search_requests": 0},
                "api_key_id": key, "workspace_id": workspace, "model": model,
                "service_tier": tier, "context_window": window,
            })  # fmt: skip
        buckets.append({
            "starting_at": f"{day.isoformat()}T00:00:00Z",
            "ending_at": f"{(day + timedelta(days=1)).isoformat()}T00:00:00Z",
            "results": results,
        })  # fmt: skip
    return {"illustrative": LABEL, "pages": [{"data": buckets, "has_more": False,
                                              "next_page": None}]}  # fmt: skip


def gateway_rows(rng: random.Random) -> list[list]:
    rows = []
    for day in days():
        for team, key, model, task_class, requests, prompt, output in GATEWAY:
            n = volume(rng, day, requests)
            rows.append([f"{day.isoformat()}T00:00:00Z", model, key, team, task_class, n,
                         n * prompt, 0, 0, n * output])  # fmt: skip
    return rows


def main() -> None:
    rng = random.Random(SEED)
    OUT.mkdir(parents=True, exist_ok=True)
    for name, document in (
        ("illustrative_openai_usage.json", openai_pages(rng)),
        ("illustrative_anthropic_usage.json", anthropic_pages(rng)),
    ):
        (OUT / name).write_text(json.dumps(document, separators=(",", ":")) + "\n")
    with open(OUT / "illustrative_gateway.csv", "w", newline="") as handle:
        handle.write(f"# {LABEL}\n")
        writer = csv.writer(handle)
        writer.writerow(["timestamp", "model", "api_key", "team", "task_class", "requests",
                         "input_tokens", "cached_input_tokens", "cache_write_tokens",
                         "output_tokens"])  # fmt: skip
        writer.writerows(gateway_rows(rng))
    with open(OUT / "attribution_rules.csv", "w", newline="") as handle:
        handle.write(f"# {LABEL}\n")
        writer = csv.writer(handle)
        writer.writerow(["field", "pattern", "team", "task_class"])
        writer.writerows(RULES)
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {OUT} ({total / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
