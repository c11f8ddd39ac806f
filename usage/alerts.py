"""Alerts that reach people: spikes, budget thresholds, commitments projected short or over,
and tokenmaxxing flags, by severity.

`collect` gathers them; `send` posts them to a Slack-compatible webhook (a JSON body
`{"text": ...}`) when, and only when, a URL is configured: the environment variable
PLANNER_ALERT_WEBHOOK, or `webhook_url` in the JSON config file that PLANNER_ALERT_CONFIG
names (default ~/.config/ai-spend-planner/alerts.json).

Safe to automate: the webhook's host is resolved and every address it resolves to must be a
public one (loopback, private, link-local, shared, reserved and multicast addresses are refused
unless PLANNER_ALERT_ALLOW_PRIVATE=1 or `alerts --allow-private-webhook` allows them, for a
relay inside the company); no redirect is followed (a POST redirected would arrive as an empty
GET, and a redirect could point at another host or scheme); and the text is escaped for Slack
(`&`, `<`, `>`), so a team named `<!channel>` is shown, never a mention.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
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
from usage.commitments import CommitmentStatus
from usage.spikes import Spike

SEVERITIES = ("info", "warning", "critical")
WEBHOOK_ENV = "PLANNER_ALERT_WEBHOOK"
CONFIG_ENV = "PLANNER_ALERT_CONFIG"
ALLOW_PRIVATE_ENV = "PLANNER_ALERT_ALLOW_PRIVATE"  # "1": a webhook on an internal address
SPIKE_CRITICAL_RATIO = 3.0  # a spend at 3x its expected value or more is critical


@dataclass(frozen=True)
class Alert:
    kind: str  # spike | budget | commitment | tokenmaxxing
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


def commitment_alerts(statuses: Iterable[CommitmentStatus]) -> list[Alert]:
    """A warning for each commitment whose whole 90 % interval ends short of it (money left
    unused) or past it (spend beyond what was committed)."""
    out = []
    for status in statuses:
        if status.verdict:
            usd = status.shortfall_usd or status.overage_usd
            subject = f"commitment {status.commitment.provider}"
            out.append(Alert("commitment", "warning", subject, status.sentence(), usd))
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


def private_allowed(environ: dict[str, str] | None = None) -> bool:
    """Whether PLANNER_ALERT_ALLOW_PRIVATE allows a webhook on a non-public address."""
    environ = dict(os.environ) if environ is None else environ
    return environ.get(ALLOW_PRIVATE_ENV, "").strip().lower() in ("1", "true", "yes")


class DeliveryRefused(ValueError):
    """The alerts were not sent, on purpose: the destination is not one to post to."""


def slack_escape(text: str) -> str:
    """Text as Slack shows it literally: `<!channel>`, `<@U123>` and `<url|label>` are
    Slack's markup, so `&`, `<` and `>` become entities (Slack's documented escaping)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(alerts: Sequence[Alert]) -> dict:
    """Slack's incoming-webhook body: one `text`, one line per alert."""
    lines = [slack_escape(f"[{a.severity.upper()}] {a.kind}: {a.message}") for a in alerts]
    return {"text": f"AI spend alerts ({len(alerts)})\n" + "\n".join(lines)}


def send(alerts: Sequence[Alert], url: str, timeout: float = 10.0,
         allow_private: bool = False) -> int:  # fmt: skip
    """POST the alerts to the webhook; returns the HTTP status. Raises DeliveryRefused for a
    destination refused (a non-public address, a redirect) and OSError when it cannot be
    reached."""
    check_destination(url, allow_private)
    body = json.dumps(slack_payload(alerts)).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    # webhook_url() lets only http(s) URLs through; _NoRedirect follows no redirect
    opener = urllib.request.build_opener(_NoRedirect)
    with opener.open(request, timeout=timeout) as response:
        return response.status


def check_destination(url: str, allow_private: bool = False) -> None:
    """Refuse a URL whose host resolves to any address that is not public (every address is
    checked: one internal answer is enough to refuse), unless `allow_private`."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise DeliveryRefused("the webhook must be an http(s) URL with a host")
    if allow_private:
        return
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(parsed.hostname, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise OSError(f"the host {parsed.hostname} could not be resolved ({exc})") from None
    for *_, address in found:
        ip = ipaddress.ip_address(str(address[0]).split("%")[0])
        kind = address_kind(ip)
        if kind:
            raise DeliveryRefused(
                f"{parsed.hostname} resolves to {ip}, a {kind} address; set "
                f"{ALLOW_PRIVATE_ENV}=1 (or --allow-private-webhook) to post to an internal "
                "relay"
            )


def address_kind(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """What makes an address internal ('loopback', 'private', ...), or '' for a public one."""
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        return address_kind(mapped)
    for kind in ("unspecified", "loopback", "link_local", "multicast", "reserved", "private"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    return "" if ip.is_global else "non-public"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Follow no redirect: say where it pointed (scheme and host only) and stop."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        target = urlparse(newurl)
        where = f"{target.scheme}://{target.hostname}" if target.hostname else "elsewhere"
        fp.close()
        raise DeliveryRefused(
            f"the webhook answered HTTP {code}, a redirect to {where}; redirects are not followed"
        )
