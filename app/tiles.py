"""A tile (one `st.metric`) as plain data: the pure view modules say what a page's tiles
show, and `app.render.tiles` draws them. Labels, values and notes are markdown as they
stand: text from an input is escaped by whoever builds the tile."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tile:
    """One figure with its label; the defaults are `st.metric`'s own."""

    label: str
    value: str
    help: str | None = None
    delta: str | None = None
    delta_color: str = "normal"  # "inverse" where a rise is bad (spend), "off": no colour
    delta_arrow: str = "auto"
    note: str | None = None  # a caption under the tile
