"""A load client that speaks Streamlit's own protocol, for `scripts/bench_load.py`.

What a browser does, without the browser (whose rendering would use the machine's CPU and be
measured instead of the server): a page load is an HTTP GET of the page (the first visit
also fetches every script and style sheet the page names, as a browser without a cache does),
then a websocket to `/_stcore/stream`. On it the client sends a `BackMsg` `rerun_script`
(the page's URL path and query string, no widget state: a new session) and reads
`ForwardMsg`s until `script_finished`; a slider move is another `rerun_script` whose widget
states hold the slider's new value (one step to the right, what the arrow key does), and
lasts until its `script_finished`. A run cut short for another (`FINISHED_EARLY_FOR_RERUN`,
e.g. `st.rerun`) is waited through. Protobufs as streamlit ships them (`streamlit.proto`).

Errors: an `exception` element in the delta stream, a websocket that closes while the
session is on a page (a disconnect), or a wait that runs out.
"""

from __future__ import annotations

import asyncio
import gzip
import re
import time
import urllib.request
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

SLIDER_LABEL = "Monthly budget"
DONE = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)
ASSET = re.compile(r'(?:src|href)="(\./|/)?(static/[^"]+\.(?:js|css))"')


@dataclass
class Page:
    """What one page's session has seen: the slider as last drawn, the errors."""

    slider: object | None = None  # streamlit.proto.Slider_pb2.Slider
    errors: list[str] = field(default_factory=list)


def _get(url: str) -> bytes:
    """The body as sent: compressed where the server compresses for a browser (which asks
    for it, so the server's compression work is part of a page load)."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return response.read()


async def fetch_page(base: str, path: str, query: str, first_visit: bool) -> None:
    """The page's HTML, and on a first visit every script and style sheet it names."""
    html = await asyncio.to_thread(_get, f"{base}/{path}?{query}")
    if first_visit:
        text = gzip.decompress(html) if html[:2] == b"\x1f\x8b" else html
        assets = sorted({m.group(2) for m in ASSET.finditer(text.decode(errors="replace"))})
        await asyncio.gather(*(asyncio.to_thread(_get, f"{base}/{a}") for a in assets))


def rerun(path: str, query: str, slider=None, value: float | None = None) -> bytes:
    """A `rerun_script` BackMsg for the page at `path`; with the slider's new value."""
    msg = BackMsg()
    state = msg.rerun_script
    state.query_string = query
    state.page_name = path
    state.context_info.timezone = "UTC"
    state.context_info.locale = "en-US"
    if slider is not None:
        widget = state.widget_states.widgets.add()
        widget.id = slider.id
        widget.double_array_value.data.append(value)
    return msg.SerializeToString()


async def until_finished(ws, page: Page, timeout: float) -> None:
    """Read ForwardMsgs until a run finishes (not one cut short for the next run)."""
    async with asyncio.timeout(timeout):
        async for raw in ws:
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                which = element.WhichOneof("type")
                if which == "exception":
                    page.errors.append(f"exception: {element.exception.message[:80]}")
                elif which == "slider" and element.slider.label == SLIDER_LABEL:
                    page.slider = element.slider
            elif kind == "script_finished" and msg.script_finished in DONE:
                return
    raise ConnectionClosed(None, None)  # the server closed the stream mid-run


def next_value(slider) -> float:
    """One step right of the slider's value, as the arrow key moves it (capped at max)."""
    current = slider.value[0] if slider.set_value and slider.value else slider.default[0]
    return min(current + slider.step, slider.max)


async def open_and_move(base: str, path: str, query: str, moves: int, first_visit: bool,
                        timeout: float) -> tuple[float, list[float], list[str]]:  # fmt: skip
    """(seconds to the first load's end, seconds per slider rerun, errors) on one page."""
    page = Page()
    reruns: list[float] = []
    start = time.perf_counter()
    ws_url = base.replace("http", "ws", 1) + "/_stcore/stream"
    try:
        await fetch_page(base, path, query, first_visit)
        async with connect(ws_url, subprotocols=["streamlit"], origin=base,
                           max_size=None, open_timeout=timeout) as ws:  # fmt: skip
            await ws.send(rerun(path, query))
            await until_finished(ws, page, timeout)
            loaded = time.perf_counter() - start
            if page.slider is None:
                page.errors.append(f"no '{SLIDER_LABEL}' slider on /{path}")
            for _ in range(moves if page.slider is not None else 0):
                moved = time.perf_counter()
                await ws.send(rerun(path, query, page.slider, next_value(page.slider)))
                await until_finished(ws, page, timeout)
                reruns.append(time.perf_counter() - moved)
    except TimeoutError:
        return float("nan"), reruns, [*page.errors, f"/{path}: a wait ran out ({timeout:g} s)"]
    except (ConnectionClosed, OSError) as exc:
        return float("nan"), reruns, [*page.errors, f"/{path}: disconnected ({exc})"]
    return loaded, reruns, page.errors
