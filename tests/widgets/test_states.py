"""One vocabulary of connection states, from the feeds to the badge the browser shows."""

from __future__ import annotations

import re
from pathlib import Path

from bybit_widgets.stream import STATES, ConnState
from bybit_widgets.widgets.base import combined_state

JS = Path(__file__).resolve().parents[2] / "js"
VIEW_STATES = {"lagging"}  # the one state a view adds (live, but the browser shows old data: widgets/flow.py)


def js_keys(path: Path, table: str) -> set[str]:
    """The keys of ``const TABLE = { key: ..., ... }`` in a front-end module."""
    body = re.search(rf"(?:export )?const {table} = \{{(.*?)\n\}};", path.read_text(encoding="utf-8"), re.S)
    assert body, f"no {table} table in {path.name}"
    return set(re.findall(r"^\s*([a-z]+):", body.group(1), re.M))


def test_the_badge_labels_in_the_browser_are_exactly_the_feed_states_plus_lagging():
    assert js_keys(JS / "lib" / "dom.js", "STATE_LABELS") == {s.value for s in ConnState} | VIEW_STATES


def test_the_book_banner_speaks_of_feed_states_only():
    assert js_keys(JS / "book.js", "BANNERS") <= {s.value for s in ConnState}


def test_a_state_is_its_string_on_the_wire_and_in_comparisons():
    assert STATES == tuple(ConnState) and ConnState.LIVE == "live" and f"{ConnState.STALE}" == "stale"


def test_a_widget_shows_the_state_of_its_worst_off_feed():
    assert combined_state([("live", "ok"), ("stale", "silent 20 s"), ("connecting", "subscribing")]) == (
        "stale",
        "silent 20 s",
    )
    assert combined_state([]) == (ConnState.CONNECTING, "subscribing")
