"""Trading from the candle chart in real JupyterLab + Chromium (bokeh through jupyter_bokeh).

The lines are found through BokehJS itself (``Bokeh.index``: the span views, the frame's y scale),
so the mouse acts where a person would see them. With the generated market paused the chart holds
still: dragging an open order's line 40 px down amends that same orderId to the tick under the
pointer, shown back as the line's new level and in words above the chart; a shift-click on the
chart puts the price under the pointer into the ticket as a Limit order. The notice line keeps
its height, so nothing moves under the pointer when an outcome is shown. A position's take-profit
line dragged up sets the position's take profit there (and is the only line at that level: Bybit's
TakeProfit order behind it is the position's, not an order line of its own).
"""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from .lab import run_all, sim_key, sim_url, wait_until
from .test_ladder_trading import open_orders
from .test_live_flow import write_notebook

pytestmark = pytest.mark.browser

CELLS = [
    "import ipywidgets\nimport bybit_widgets as bw\nsession = bw.connect()\nsession",
    "session.exchange",
    't = bw.OrderTicket("BTCUSDT", qty="0.001", order_type="Market")\nc = bw.Candles("BTCUSDT", ticket=t)\n'
    "ipywidgets.VBox([c, t])",
    "from decimal import Decimal\n"
    'last = Decimal(session.client.get_tickers(category="linear", symbol="BTCUSDT")[0].last_price)\n'
    'price = str((last * Decimal("0.998")).quantize(Decimal("0.1")))\n'
    'ack = session.client.place_order(category="linear", symbol="BTCUSDT", side="Buy", order_type="Limit",'
    ' qty="0.001", price=price)',
]

# The visible editable lines: level, and where they are on the page; plus the pane's price at a point.
LINES = """() => {
  const walk = (v, out) => {
    out.push(v);
    for (const c of v.child_views ?? []) walk(c, out);
    for (const r of v.renderer_views?.values() ?? []) walk(r, out);
    return out;
  };
  const views = Object.values(window.Bokeh.index).flatMap(v => walk(v, []));
  const lines = views.filter(v => v.model.type === "Span" && v.model.visible && v.model.editable).map(v => {
    const plot = v.plot_view, box = plot.canvas_view.el.getBoundingClientRect(), frame = plot.frame;
    const y = box.top + frame.y_scale.compute(v.model.location);
    return {level: v.model.location, x: box.left + frame.bbox.hcenter, y, top: box.top};
  });
  return lines.every(l => Number.isFinite(l.y)) ? lines : [];  // [] until the chart is laid out
}"""
PRICE_AT = """([top, y]) => {
  const walk = (v, out) => { out.push(v); for (const c of v.child_views ?? []) walk(c, out); return out; };
  const plot = Object.values(window.Bokeh.index).flatMap(v => walk(v, [])).find(v => v.model.type === "Figure");
  return plot.frame.y_scale.invert(y - top);
}"""


def test_an_order_line_drags_to_amend_and_a_shift_click_prices_the_ticket(page, lab):
    run_all(page, lab, write_notebook(lab, "chart_trading.ipynb", CELLS))
    rest = sim_url(page)
    key = sim_key(page)
    assert httpx.post(f"{rest}/sim/market", json={"paused": True}).status_code == 200
    (order,) = open_orders(rest, key)
    (line,) = wait_until(lambda: page.evaluate(LINES), 30, "the order's line on the chart")
    assert Decimal(str(line["level"])) == Decimal(order["price"])

    page.mouse.move(line["x"], line["y"])
    page.mouse.down()
    page.mouse.move(line["x"], line["y"] + 40, steps=8)
    page.mouse.up()
    notice = page.locator('[data-testid="bw-candles-notice"]')
    wait_until(lambda: "order moved to" in (notice.text_content() or ""), 15, "the amend's outcome")
    (moved,) = open_orders(rest, key)
    new = Decimal(moved["price"])
    assert moved["orderId"] == order["orderId"] and new < Decimal(order["price"])
    assert Decimal(notice.text_content().split("order moved to ")[1].split()[0]) == new
    (now,) = wait_until(
        lambda: [x for x in page.evaluate(LINES) if Decimal(str(x["level"])) == new], 15, "the line at its level"
    )
    assert now["top"] == line["top"], "the notice moved the chart under the pointer"

    ticket = page.locator(".bw-ticket").first
    at = (now["x"] - 80, now["y"] - 60)
    pointed = page.evaluate(PRICE_AT, [now["top"], at[1]])
    page.keyboard.down("Shift")
    page.mouse.click(*at)
    page.keyboard.up("Shift")
    box = ticket.locator('[data-testid="bw-ticket-price"]')
    wait_until(lambda: box.input_value(), 15, "the ticket's price")
    assert ticket.locator('[data-testid="bw-ticket-type"]').input_value() == "Limit"
    assert abs(float(box.input_value()) - pointed) <= 0.1, (box.input_value(), pointed)  # the nearest tick
    assert len(open_orders(rest, key)) == 1, "a chart gesture placed an order"
    httpx.post(f"{rest}/sim/market", json={"paused": False})


TPSL_CELLS = [
    *CELLS[:3],
    "from decimal import Decimal\n"
    'session.client.place_order(category="linear", symbol="BTCUSDT", side="Buy", order_type="Market", qty="0.001")\n'
    'last = Decimal(session.client.get_tickers(category="linear", symbol="BTCUSDT")[0].last_price)\n'
    'tp = str((last * Decimal("1.003")).quantize(Decimal("0.1")))\n'
    'session.client.set_trading_stop(category="linear", symbol="BTCUSDT", take_profit=tp)',
]


def test_a_take_profit_line_drags_to_set_the_positions_take_profit(page, lab):
    run_all(page, lab, write_notebook(lab, "chart_tpsl.ipynb", TPSL_CELLS))
    rest = sim_url(page)
    key = sim_key(page)
    assert httpx.post(f"{rest}/sim/market", json={"paused": True}).status_code == 200

    def take_profit() -> Decimal | None:
        rows = httpx.get(f"{rest}/sim/truth/positions", params={"api_key": key}).json()
        tp = next((p.get("takeProfit") for p in rows if p["symbol"] == "BTCUSDT" and p["size"] != "0"), None)
        return Decimal(tp) if tp not in (None, "", "0") else None

    before = wait_until(take_profit, 15, "the position's take profit")
    (line,) = wait_until(  # one line: Bybit's TakeProfit order behind the TP is the TP's, not an order line
        lambda: [x for x in page.evaluate(LINES) if Decimal(str(x["level"])) == before], 30, "the take-profit line"
    )
    page.mouse.move(line["x"], line["y"])
    page.mouse.down()
    page.mouse.move(line["x"], line["y"] - 30, steps=8)  # up: further into profit, still above the mark
    page.mouse.up()
    notice = page.locator('[data-testid="bw-candles-notice"]')
    wait_until(lambda: take_profit() not in (None, before), 15, f"a new take profit (notice: {notice.text_content()})")
    after = take_profit()
    assert after > before, (before, after)
    wait_until(lambda: [x for x in page.evaluate(LINES) if Decimal(str(x["level"])) == after], 15, "the line there")
    assert open_orders(rest, key) == [], "a take-profit drag placed an order"
    httpx.post(f"{rest}/sim/market", json={"paused": False})
