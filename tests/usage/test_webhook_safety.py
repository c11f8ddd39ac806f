"""The alert webhook is safe to automate: against local listeners (http.server in a thread),
no redirect is followed (to ftp://, or to another host), loopback is refused unless allowed,
every resolved address is checked, Slack markup in names is escaped, and `usage alerts`
says a refused or failed delivery in one line with exit 5."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tests.usage.governance_fixtures import costed_con, numbered
from tests.usage.test_governance import spike_rows
from usage import alerts as alerting
from usage.cli import main

ALERT = alerting.Alert("budget", "critical", "team <!channel>", "team <!channel> & <@U42> spent")


class Listener(BaseHTTPRequestHandler):
    """Records every request; answers each with the server's `answer` (status, headers)."""

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.server.seen.append((self.command, self.path, self.rfile.read(length)))
        status, headers = self.server.answer
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST

    def log_message(self, *args):
        pass


@contextmanager
def listener(host: str = "127.0.0.1", status: int = 200, **headers: str) -> Iterator[HTTPServer]:
    server = HTTPServer((host, 0), Listener)
    server.seen, server.answer = [], (status, headers)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


@contextmanager
def raw_listener() -> Iterator[tuple[int, list]]:
    """A bare TCP port (an ftp:// target): records whether anything connected."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.settimeout(0.2)
    seen: list = []
    try:
        yield sock.getsockname()[1], seen
        try:
            conn, _ = sock.accept()
            seen.append(conn.recv(100))
            conn.close()
        except TimeoutError:
            pass
    finally:
        sock.close()


def url_of(server: HTTPServer, path: str = "/hook") -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}{path}"


def test_a_redirect_to_ftp_is_not_followed():
    with raw_listener() as (ftp_port, connected):
        target = f"ftp://127.0.0.1:{ftp_port}/x"
        with (
            listener(status=302, Location=target) as hook,
            pytest.raises(alerting.DeliveryRefused, match=r"HTTP 302, a redirect to ftp://"),
        ):
            alerting.send([ALERT], url_of(hook), allow_private=True)
        assert len(hook.seen) == 1  # the post itself, nothing after it
    assert connected == []  # nothing ever reached the ftp port


def test_a_redirect_to_another_host_is_not_followed():
    with listener(host="127.0.0.2") as other:
        with (
            listener(status=307, Location=url_of(other)) as hook,
            pytest.raises(alerting.DeliveryRefused, match="redirects are not followed"),
        ):
            alerting.send([ALERT], url_of(hook), allow_private=True)
        assert len(hook.seen) == 1 and other.seen == []


def test_loopback_refused_by_default_and_allowed_by_the_setting():
    with listener() as hook:
        with pytest.raises(alerting.DeliveryRefused, match=r"127\.0\.0\.1, a loopback address"):
            alerting.send([ALERT], url_of(hook))
        assert hook.seen == []  # refused before any connection
        assert alerting.send([ALERT], url_of(hook), allow_private=True) == 200
        assert len(hook.seen) == 1
    assert alerting.private_allowed({alerting.ALLOW_PRIVATE_ENV: "1"})
    assert not alerting.private_allowed({})


@pytest.mark.parametrize(
    ("addresses", "kind"),
    [
        (["93.184.215.14", "10.0.0.7"], "private"),  # one internal answer is enough
        (["169.254.169.254"], "link-local"),  # the cloud metadata service
        (["::1"], "loopback"),
        (["::ffff:192.168.1.1"], "private"),
        (["0.0.0.0"], "unspecified"),
        (["100.64.0.1"], "non-public"),
    ],
)
def test_every_resolved_address_is_checked(monkeypatch, addresses, kind):
    def resolver(found):
        return lambda host, port, *a, **k: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in found
        ]

    url = "https://hooks.example/services/T0/B0/secret"
    monkeypatch.setattr(socket, "getaddrinfo", resolver(addresses))
    with pytest.raises(alerting.DeliveryRefused, match=f"a {kind} address"):
        alerting.check_destination(url)
    alerting.check_destination(url, allow_private=True)  # the setting lets it through
    monkeypatch.setattr(socket, "getaddrinfo", resolver(["93.184.215.14"]))
    alerting.check_destination(url)  # a public address: fine


def test_slack_markup_in_names_is_escaped_on_the_wire():
    with listener() as hook:
        alerting.send([ALERT], url_of(hook), allow_private=True)
    text = json.loads(hook.seen[0][2])["text"]
    assert "team &lt;!channel&gt; &amp; &lt;@U42&gt; spent" in text
    assert "<!channel>" not in text and "<@U42>" not in text


def run_alerts(capsys, monkeypatch, url: str, *extra: str) -> tuple[int, str, str]:
    monkeypatch.setenv(alerting.WEBHOOK_ENV, url)
    monkeypatch.delenv(alerting.ALLOW_PRIVATE_ENV, raising=False)
    con = costed_con(numbered(spike_rows()[0]))
    try:
        code = main(["alerts", "--since", "2026-10-01", *extra], con=con)
    finally:
        con.close()
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_alerts_command_refuses_loopback_in_one_line_exit_5(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv(alerting.CONFIG_ENV, str(tmp_path / "none.json"))
    with listener() as hook:
        code, out, err = run_alerts(capsys, monkeypatch, url_of(hook, "/secret-token"))
        assert hook.seen == []
        assert code == 5 and "team Support spent" in out
        assert err.count("\n") == 1 and "Traceback" not in err and "secret-token" not in err
        assert "a loopback address" in err and alerting.ALLOW_PRIVATE_ENV in err
        code, _, err = run_alerts(capsys, monkeypatch, url_of(hook), "--allow-private-webhook")
        assert code == 1 and err == "" and len(hook.seen) == 1


def test_alerts_command_redirect_is_exit_5_not_exit_1(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv(alerting.CONFIG_ENV, str(tmp_path / "none.json"))
    with listener(status=302, Location="ftp://127.0.0.1:21/") as hook:
        code, _, err = run_alerts(capsys, monkeypatch, url_of(hook), "--allow-private-webhook")
    assert code == 5 and err.count("\n") == 1
    assert "HTTP 302, a redirect to ftp://127.0.0.1; redirects are not followed" in err
