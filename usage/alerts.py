"""Alerts that reach people: spikes, budget thresholds and tokenmaxxing flags, by severity.

`collect` gathers them; `send` posts them to a Slack-compatible webhook (a JSON body
`{"text": ...}`) when, and only when, a URL is configured: the environment variable
PLANNER_ALERT_WEBHOOK, or `webhook_url` in the JSON config file that PLANNER_ALERT_CONFIG
names (default ~/.config/ai-spend-planner/alerts.json).
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlparse

from foundation.errors import InputError
from foundation.formatting import money, pct
from foundation.inputs import read_regular_file
from foundation.paths import config_dir, user_file
from usage.budgets import BudgetStatus
from usage.spikes import Spike

SEVERITIES = ("info", "warning", "critical")
WEBHOOK_ENV = "PLANNER_ALERT_WEBHOOK"
CONFIG_ENV = "PLANNER_ALERT_CONFIG"
SPIKE_CRITICAL_RATIO = 3.0  # a spend at 3x its expected value or more is critical


@dataclass(frozen=True)
class Alert:
    kind: str  # spike | budget | tokenmaxxing
    severity: str  # info | warning | critical
    subject: str  # the team, model, key or budget it is about
    message: str
    usd: float = 0.0  # dollar impact, for ranking

    def to_dict(self) -> dict:
        return asdict(self)


def rank(severity: str) -> int:
    if severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}, not {severity!r}")
    return SEVERITIES.index(severity)


def spike_alerts(spikes: Iterable[Spike]) -> list[Alert]:
    return [
        Alert(
            "spike",
            "critical" if s.spend_usd >= SPIKE_CRITICAL_RATIO * s.expected_usd else "warning",
            s.label,
            s.sentence(),
            s.excess_usd,
        )
        for s in spikes
    ]


def budget_alerts(statuses: Iterable[BudgetStatus]) -> list[Alert]:
    out = []
    for status in statuses:
        budget = status.budget
        reached = status.threshold
        head = (
            f"{budget.label} {budget.month}: {money(status.spent_usd)} spent "
            f"of {money(budget.budget_usd)}"
        )
        if reached:
            share, severity = reached
            over = max(status.spent_usd - budget.budget_usd, 0.0)
            text = f"{head} ({pct(status.used)}; the {pct(share)} mark is passed)"
            out.append(Alert("budget", severity, budget.label, text, over))
        if status.projected_overrun:
            overrun = status.projected_usd - budget.budget_usd
            runs_out = f", runs out on {status.run_out}" if status.run_out else ""
            text = (
                f"{head}; projected {money(status.projected_usd)} by month end "
                f"(90 %: {money(status.projected_low_usd)}-{money(status.projected_high_usd)})"
                f"{runs_out}"
            )
            out.append(Alert("budget", "warning", budget.label, text, overrun))
    return out


def tokenmaxxing_alerts(flags: dict[tuple[str, str], str], by: str = "team") -> list[Alert]:
    return [
        Alert("tokenmaxxing", "warning", f"{by} {name}", f"{by} {name}, {period}: {reason}")
        for (name, period), reason in flags.items()
    ]


def ordered(alerts: Iterable[Alert]) -> list[Alert]:
    """Most severe first, then by dollars."""
    return sorted(alerts, key=lambda a: (-rank(a.severity), -a.usd, a.kind, a.subject))


def at_or_above(alerts: Sequence[Alert], severity: str) -> list[Alert]:
    floor = rank(severity)
    return [a for a in alerts if rank(a.severity) >= floor]


# -- webhook ------------------------------------------------------------------------------------


def webhook_url(environ: dict[str, str] | None = None) -> str | None:
    """The configured webhook URL, or None: nothing is ever sent without one."""
    environ = dict(os.environ) if environ is None else environ
    url = environ.get(WEBHOOK_ENV, "").strip()
    source = WEBHOOK_ENV
    if not url:
        config = user_file(CONFIG_ENV, config_dir(environ) / "alerts.json", environ)
        if not config.exists():
            return None
        url, source = _url_from_config(config), str(config)
    if not url:
        return None
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise InputError(source, "webhook_url must be an http(s) URL", field="webhook_url")
    return url


def _url_from_config(config: Path) -> str:
    try:
        data = json.loads(read_regular_file(config, max_bytes=100_000))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError(str(config), "is not valid JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("webhook_url", ""), str):
        raise InputError(str(config), "must be an object with a text webhook_url")
    return data.get("webhook_url", "").strip()


def slack_payload(alerts: Sequence[Alert]) -> dict:
    """Slack's incoming-webhook body: one `text`, one line per alert."""
    lines = [f"[{a.severity.upper()}] {a.kind}: {a.message}" for a in alerts]
    return {"text": f"AI spend alerts ({len(alerts)})\n" + "\n".join(lines)}


def send(alerts: Sequence[Alert], url: str, timeout: float = 10.0) -> int:
    """POST the alerts to the webhook; returns the HTTP status. Raises OSError on failure."""
    body = json.dumps(slack_payload(alerts)).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    # webhook_url() lets only http(s) URLs through
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status
