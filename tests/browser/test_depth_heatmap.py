"""The depth chart and the heatmap in real JupyterLab against the embedded exchange: live, 200 levels a side,
no DOM churn, both themes, and your orders and fills marked.

Read on the roots' data attributes (numbers): ``data-ts`` (exchange time shown), ``data-mid``,
``data-bid-depth``, ``data-ask-depth``, ``data-levels`` on the depth chart; ``data-columns``,
``data-levels`` (rows: 2 x levels), ``data-trades``, ``data-own``, ``data-fills``, ``data-wholes`` on the
heatmap. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import nbformat
import pytest

from .lab import Lab, run_all, screenshot, set_theme, wait_until

pytestmark = pytest.mark.browser

DEPTH = '[data-testid="bw-widget"][data-kind="depth"]'
HEAT = '[data-testid="bw-widget"][data-kind="heatmap"]'

CELLS = [
    "import bybit_widgets as bw\nsession = bw.connect()",
    'depth = bw.DepthChart("BTCUSDT")\ndepth',
    'heat = bw.Heatmap("BTCUSDT", levels=200)\nheat',
]

# the account's private streams live and its REST seed loaded: an order placed before that can be missed
ACCOUNT_READY = """import asyncio
await depth.ready()
account = session.streams.account()
while not (account.seeded and account.feeds and all(f.state == "live" for f in account.feeds)):
    await asyncio.sleep(0.05)  # (polling a condition: the cell ends as soon as it holds)"""

# far below the market, so it rests however the simulated price moves; and a market order that fills
ORDERS = """bid = depth._book.latest.bids[0][0]
resting = session.client.place_order(category="linear", symbol="BTCUSDT", side="Buy", order_type="Limit",
                                     qty="0.01", price=f"{bid * 0.97:.1f}")
filled = session.client.place_order(category="linear", symbol="BTCUSDT", side="Buy", order_type="Market", qty="0.01")"""

# every node under each matching root, and a counter of nodes added or removed under them from now on
NODES = """sel => Array.from(document.querySelectorAll(sel)).map(root => {
    let n = 0;
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_ALL);
    while (walk.nextNode()) n++;
    return n;
})"""
WATCH_CHURN = """sel => { window.__churn = 0;
    document.querySelectorAll(sel).forEach(root => new MutationObserver(records => {
        for (const r of records) window.__churn += r.addedNodes.length + r.removedNodes.length;
    }).observe(root, {childList: true, subtree: true})); }"""

# the canvas's background (a pixel in its corner, where nothing is drawn but the background)
CORNER = """sel => Array.from(document.querySelectorAll(sel)).map(c => {
    const [r, g, b] = c.getContext('2d').getImageData(c.width - 2, 1, 1, 1).data;
    return (r + g + b) / 3;
})"""


def write_notebook(lab: Lab, name: str, cells: list[str]) -> str:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, lab.root / "work" / name)
    return name


def data(page, selector: str) -> list[dict]:
    """The numeric data attributes of every matching root."""
    return page.eval_on_selector_all(
        selector,
        "els => els.map(e => Object.fromEntries(Object.entries(e.dataset).map(([k, v]) => [k, Number(v)])))",
    )


def live_roots(page) -> None:
    for selector in (DEPTH, HEAT):
        page.wait_for_selector(f"{selector}[data-ts]", state="attached")
        wait_until(
            lambda s=selector: page.get_attribute(f'{s} [data-testid="bw-connection-state"]', "data-state") == "live",
            30,
            f"{selector} live",
        )


def test_both_render_live_with_200_levels_a_side_without_dom_churn_in_light_and_dark(page, lab):
    # two views of the heatmap: the second introduces itself later and must be given the whole ring
    run_all(page, lab, write_notebook(lab, "depth-heat.ipynb", [*CELLS, "heat"]))
    live_roots(page)
    wait_until(
        lambda: len(data(page, HEAT)) == 2 and all(d.get("columns", 0) >= 2 for d in data(page, HEAT)), 30, "columns"
    )
    depth0, heat0 = data(page, DEPTH)[0], data(page, HEAT)[0]
    nodes0 = page.evaluate(NODES, f"{DEPTH}, {HEAT}")
    page.evaluate(WATCH_CHURN, f"{DEPTH}, {HEAT}")

    # about 5 s: ten more columns of 500 ms
    wait_until(lambda: data(page, HEAT)[0]["columns"] >= heat0["columns"] + 10, 30, "ten more heatmap columns")
    depth1, heats = data(page, DEPTH)[0], data(page, HEAT)
    assert depth1["ts"] > depth0["ts"] and depth1["mid"] != depth0["mid"], (depth0, depth1)
    assert depth1["levels"] == 400 and depth1["bidDepth"] > 0 and depth1["askDepth"] > 0, depth1
    for heat in heats:
        assert heat["ts"] > heat0["ts"] and heat["levels"] == 400, heat
        assert heat["trades"] > 0 and heat["bubbles"] > 0 and heat["clip"] > 0, heat
    assert abs(heats[0]["columns"] - heats[1]["columns"]) <= 2, f"both views hold the window: {heats}"
    assert page.evaluate(NODES, f"{DEPTH}, {HEAT}") == nodes0, "no node is made or removed per frame"
    assert page.evaluate("window.__churn") == 0

    canvases = f"{DEPTH} canvas, {HEAT} canvas"
    light = page.evaluate(CORNER, canvases)
    screenshot(page, "depth-light", page.locator(DEPTH))
    screenshot(page, "heatmap-light", page.locator(HEAT).first)
    set_theme(page, "JupyterLab Dark")
    wait_until(lambda: all(v < 100 for v in page.evaluate(CORNER, canvases)), 10, "dark canvases")
    assert all(v > 200 for v in light), f"light theme backgrounds: {light}"
    screenshot(page, "depth-dark", page.locator(DEPTH))
    screenshot(page, "heatmap-dark", page.locator(HEAT).first)
    set_theme(page, "JupyterLab Light")


def test_an_order_placed_over_rest_is_marked_on_both_and_its_fill_on_the_heatmap(page, lab):
    run_all(page, lab, write_notebook(lab, "depth-heat-orders.ipynb", [*CELLS, ACCOUNT_READY, ORDERS]))
    live_roots(page)
    wait_until(lambda: data(page, DEPTH)[0].get("own", 0) >= 1, 30, "your order on the depth chart")
    wait_until(lambda: data(page, HEAT)[0].get("own", 0) >= 1, 30, "your order on the heatmap")
    wait_until(lambda: data(page, HEAT)[0].get("fills", 0) >= 1, 30, "your fill on the heatmap")
    screenshot(page, "depth-own-order", page.locator(DEPTH))
    screenshot(page, "heatmap-own-order", page.locator(HEAT))
