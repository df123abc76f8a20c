"""The views' render paths in a real browser, without JupyterLab: each built module in
``bybit_widgets/static/`` is loaded into a blank Chromium page with a fake anywidget model, given a
first frame and then 100 frames of moving market state, one per animation frame.

What "live means live" asks of every view (see js/lib/live.js and the render budget at the top of
js/lib/dom.js): an update creates no DOM nodes, forces no layout, stamps its root with the exchange
time it shows, acknowledges each painted frame, and shows ``lagging`` while the kernel says so.

The frames' state is made here with the kernel's own packers (``pack_book``, ``pack_trades``), so the
binary layouts the views read are the real ones.
"""

from __future__ import annotations

import base64
import math
import random
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bybit_widgets.widgets.levels import pack_book
from bybit_widgets.widgets.trades import pack_trades

pytestmark = pytest.mark.browser

STATIC = Path(__file__).resolve().parents[2] / "bybit_widgets" / "static"
ORIGIN = "http://bw.test"
FRAMES = 100
LAGGING = range(60, 64)  # frames (0-based, of the 100) whose stamp lists the view as lagging
T0 = 1_767_225_600_000  # exchange time of the first frame, ms
MODEL_ID = "model-1"  # the kernel's id of the widget, which the page's batched acknowledgements name
VIEW = "$view"  # stands for the view's own id (known only from its hello) in a stamp's lagging list

# The page's harness: a fake anywidget model and the steps of a run, driven from Python in three
# evaluate calls (mount, run, finish) so that CDP metrics can be read between them.
HARNESS = r"""
class FakeModel {
  constructor(state) {
    this.state = state;
    this.handlers = new Map();
    this.sent = [];
    this.saved = 0;
  }
  get(name) { return this.state[name]; }
  set(name, value) { this.state[name] = value; this.emit(name); }
  on(event, handler) {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set());
    this.handlers.get(event).add(handler);
  }
  off(event, handler) { this.handlers.get(event)?.delete(handler); }
  emit(name) { for (const h of [...(this.handlers.get(`change:${name}`) || [])]) h(); }
  send(content) { this.sent.push(JSON.parse(JSON.stringify(content))); }
  save_changes() { this.saved += 1; }
  /** What the kernel does: set every trait of a frame, then fire their change events. */
  update(changes) {
    for (const [k, v] of Object.entries(changes)) this.state[k] = v;
    for (const k of Object.keys(changes)) this.emit(k);
  }
}

const decode = (value, view) => {
  if (value === "$view") return view;
  if (Array.isArray(value)) return value.map((v) => decode(v, view));
  if (value && typeof value === "object") {
    if (typeof value.$bytes === "string") {
      const raw = atob(value.$bytes);
      const buffer = new ArrayBuffer(raw.length);
      const bytes = new Uint8Array(buffer);
      for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
      return new DataView(buffer); // what anywidget hands a view for a Bytes trait
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v, view)]));
  }
  return value;
};

const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

const counts = () => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let text = 0;
  while (walker.nextNode()) text += 1;
  return { elements: document.getElementsByTagName("*").length, text };
};

window.bw = {
  async mount(kind, initial, first) {
    const module = await import(`${location.origin}/static/${kind}.js`);
    const model = new FakeModel(decode(initial, null));
    const host = document.createElement("div");
    document.body.append(host);
    const cleanup = module.default.render({ model, el: host });
    const hello = model.sent.find((m) => m.type === "hello");
    const view = hello ? hello.view : null;
    const root = host.querySelector('[data-testid="bw-widget"]');
    const badge = root && root.querySelector('[data-testid="bw-connection-state"]');
    model.update(decode(first, view));
    await nextFrame();
    await nextTask(); // the first frame's acknowledgement
    this.run = { model, host, root, badge, view, cleanup, shown: [] };
    return { view, hasRoot: Boolean(root), hasBadge: Boolean(badge) };
  },

  async frames(frames) {
    const run = this.run;
    run.added = 0;
    run.addedNames = [];
    run.observer = new MutationObserver((records) => {
      for (const r of records) {
        run.added += r.addedNodes.length;
        for (const n of r.addedNodes) {
          const where = r.target.className || r.target.nodeName;
          if (run.addedNames.length < 10) run.addedNames.push(`${n.nodeName} in ${where}`);
        }
      }
    });
    run.observer.observe(run.root, { childList: true, subtree: true });
    run.before = counts();
    for (const frame of frames) {
      run.model.update(decode(frame, run.view));
      await nextFrame(); // the view's frame callback ran first: this one sees what it painted
      const stamp = run.model.get("_frame");
      run.shown.push({
        seq: stamp[0],
        ts: run.root.getAttribute("data-ts"),
        kind: run.root.getAttribute("data-kind"),
        testid: run.root.getAttribute("data-testid"),
        badge: run.badge ? run.badge.getAttribute("data-state") : null,
        lagging: stamp[3].includes(run.view),
      });
    }
  },

  async finish() {
    const run = this.run;
    await nextFrame();
    await nextTask();
    const acks = globalThis[Symbol.for("bybit_widgets.acks")];
    while (acks && acks.timer) await nextFrame(); // the page's last batch of acknowledgements goes out
    for (const r of run.observer.takeRecords()) run.added += r.addedNodes.length;
    run.observer.disconnect();
    const after = counts();
    const result = { before: run.before, after, added: run.added, addedNames: run.addedNames, shown: run.shown,
                     sent: run.model.sent, view: run.view };
    return result;
  },

  cleanup() {
    this.run.cleanup();
    return this.run.model.sent.slice(-1)[0];
  },
};
"""

PAGE = f"""<!doctype html><html><head><meta charset="utf-8"><title>bw render paths</title>
<link rel="stylesheet" href="{ORIGIN}/static/widgets.css"></head>
<body><script>{HARNESS}</script></body></html>"""


def b(values: Any) -> dict[str, str]:
    """A Bytes trait as the harness takes it (it decodes to a DataView)."""
    data = values if isinstance(values, bytes) else array("d", values).tobytes()
    return {"$bytes": base64.b64encode(data).decode()}


def base_state(**extra: Any) -> dict[str, Any]:
    return {
        "conn_state": "live",
        "conn_reason": "",
        "error": "",
        "env": "sim",
        "_frame": [0, 0, None, []],
        "_id": MODEL_ID,
        "symbol": "BTCUSDT",
        "category": "linear",
        "price_decimals": 1,
        "qty_decimals": 3,
        **extra,
    }


def walk(rng: random.Random, price: float, tick: float, n: int) -> list[float]:
    """n prices of a random walk on the tick grid."""
    out = []
    for _ in range(n):
        price = round(price + rng.choice((-3, -2, -1, 0, 1, 2, 3)) * tick, 8)
        out.append(price)
    return out


def money(x: float, decimals: int = 1) -> str:
    return f"{x:.{decimals}f}"


# -- the state of each view, frame by frame (first frame, then FRAMES more) -----------------------


def ticker_frames(rng: random.Random) -> tuple[dict, list[dict]]:
    prices = walk(rng, 88_000.0, 0.1, FRAMES + 1)
    spark = walk(rng, 88_000.0, 0.5, 180)

    def at(i: int, p: float) -> dict:
        prev = prices[i - 1] if i else p
        return {
            "quote": {
                "last": money(p),
                "last_num": p,
                "change_pct": (p - 87_500.0) / 875.0,
                "high": "88420.0",
                "low": "87100.5",
                "volume": 51_234.5 + i,
                "turnover": 4.5e9 + i * 1e5,
                "mark": money(p + 0.3),
                "index": money(p - 0.2),
                "funding_pct": 0.01 if i % 2 else -0.005,
                "next_funding": T0 + 3_600_000,
                "bid": money(p - 0.1),
                "ask": money(p),
            },
            "direction": 1 if p > prev else -1 if p < prev else 0,
            "spark": b(spark[i:] + prices[: i + 1]),
        }

    initial = base_state(quote={}, direction=0, spark=b(b""))
    frames = [at(i, p) for i, p in enumerate(prices)]
    return initial, frames


WATCH = {"BTCUSDT": 88_000.0, "ETHUSDT": 3_010.0, "SOLUSDT": 142.0, "XRPUSDT": 2.1, "DOGEUSDT": 0.18}


def watchlist_frames(rng: random.Random) -> tuple[dict, list[dict]]:
    last = dict(WATCH)
    frames = []
    for i in range(FRAMES + 1):
        rows = []
        for symbol, open_ in WATCH.items():
            prev = last[symbol]
            tick = 0.1 if open_ > 100 else 0.0001
            last[symbol] = round(prev + rng.choice((-1, 0, 1)) * tick, 4)
            rows.append(
                {
                    "symbol": symbol,
                    "last": f"{last[symbol]:.4f}".rstrip("0").rstrip("."),
                    "last_num": last[symbol],
                    "change_pct": (last[symbol] - open_) / open_ * 100,
                    "dir": 1 if last[symbol] > prev else -1 if last[symbol] < prev else 0,
                    "state": "live" if i % 37 else "stale",
                }
            )
        frames.append({"rows": rows, "selected": "BTCUSDT" if i < 50 else "ETHUSDT"})
    initial = base_state(symbols=list(WATCH), rows=[], selected="BTCUSDT")
    return initial, frames


def book_frames(rng: random.Random) -> tuple[dict, list[dict]]:
    frames = []
    mid = 88_000.0
    for i in range(FRAMES + 1):
        mid = round(mid + rng.choice((-2, -1, 0, 1, 2)) * 0.1, 1)
        spread = rng.choice((1, 1, 1, 2))
        best_bid = round(mid - 0.1 * (spread // 2), 1)
        best_ask = round(best_bid + 0.1 * spread, 1)
        depth = 25 - (i % 3)  # a level or two missing now and then: rows hide and come back
        bids = [(round(best_bid - 0.1 * k, 1), round(rng.uniform(0.001, 3.0), 3)) for k in range(depth)]
        asks = [(round(best_ask + 0.1 * k, 1), round(rng.uniform(0.001, 3.0), 3)) for k in range(25)]
        # the user's orders hop between rows (as when the book shifts): markers are refilled, never made
        own = (
            [[bids[3][0], "bid", 0.01, 1, [["o-1", "l-1", str(bids[3][0]), "0.01"]]]]
            if i % 10 < 5
            else [[asks[2][0], "ask", 0.02, 1, [["o-2", "", str(asks[2][0]), "0.02"]]]]
        )
        frames.append({"levels": b(pack_book(bids, asks, 1000 + i, T0 + i * 100)), "own": own, "cumulative": i >= 70})
    initial = base_state(levels=b(b""), own=[], depth=25, grouping=1, cumulative=False, height=0, tick_size=0.1)
    return initial, frames


def trades_frames(rng: random.Random) -> tuple[dict, list[dict]]:
    tape: list[SimpleNamespace] = []
    price = 88_000.0
    now = T0 - 60_000
    for _ in range(40):
        now += rng.randint(50, 900)
        price = round(price + rng.choice((-1, 0, 1)) * 0.1, 1)
        tape.append(
            SimpleNamespace(
                time=now, price=price, size=round(rng.uniform(0.001, 1.5), 3), side=rng.choice(("Buy", "Sell"))
            )
        )
    frames = []
    for _ in range(FRAMES + 1):
        for _ in range(rng.randint(1, 3)):
            now += rng.randint(5, 60)
            price = round(price + rng.choice((-1, 0, 1)) * 0.1, 1)
            tape.append(
                SimpleNamespace(
                    time=now, price=price, size=round(rng.uniform(0.001, 1.5), 3), side=rng.choice(("Buy", "Sell"))
                )
            )
        frames.append({"trades": b(pack_trades(tape, 30))})
    initial = base_state(rows=30, trades=b(b""))
    return initial, frames


def positions_frames(rng: random.Random) -> tuple[dict, list[dict]]:
    frames = []
    btc, eth = 88_000.0, 3_010.0
    for i in range(FRAMES + 1):
        btc = round(btc + rng.choice((-3, -1, 0, 1, 3)) * 0.1, 1)
        eth = round(eth + rng.choice((-3, -1, 0, 1, 3)) * 0.01, 2)
        positions = [
            {
                "key": "BTCUSDT",
                "symbol": "BTCUSDT",
                "position_idx": 0,
                "hedged": False,
                "side": "Buy",
                "size": "0.01",
                "entry": "87950.0",
                "mark": money(btc),
                "pnl": round((btc - 87_950.0) * 0.01, 4),
                "liq": "61000.0",
                "leverage": "10",
                "tp": "90000" if i >= 50 else "",
                "sl": "",
                "value": money(btc * 0.01, 2),
            },
            {
                "key": "ETHUSDT",
                "symbol": "ETHUSDT",
                "position_idx": 0,
                "hedged": False,
                "side": "Sell",
                "size": "0.5",
                "entry": "3020.00",
                "mark": f"{eth:.2f}",
                "pnl": round((3_020.0 - eth) * 0.5, 4),
                "liq": "4100.00",
                "leverage": "5",
                "tp": "",
                "sl": "3100",
                "value": f"{eth * 0.5:.2f}",
            },
        ]
        orders = [
            {
                "order_id": "o-1",
                "order_link_id": "bw-1",
                "symbol": "BTCUSDT",
                "category": "linear",
                "side": "Buy",
                "type": "Limit",
                "price": "87000.0",
                "qty": "0.02",
                "filled": f"{min(i, 20) / 1000:.3f}",
                "status": "PartiallyFilled" if i else "New",
                "trigger": "",
                "reduce_only": False,
            },
            {
                "order_id": "o-2",
                "order_link_id": "",
                "symbol": "ETHUSDT",
                "category": "linear",
                "side": "Buy",
                "type": "Take profit",
                "price": "",
                "qty": "0",
                "filled": "0",
                "status": "Untriggered",
                "trigger": "2900.00",
                "reduce_only": True,
            },
        ]
        busy = ["close:BTCUSDT"] if 30 <= i < 40 else ["cancel:o-1"] if 40 <= i < 45 else []
        notice = {"kind": "ok", "text": "closing BTCUSDT"} if 30 <= i < 40 else {}
        frames.append({"positions": positions, "orders": orders, "busy": busy, "notice": notice})
    initial = base_state(positions=[], orders=[], busy=[], notice={}, available=True, unavailable_reason="")
    return initial, frames


RULES = {"tick_size": "0.1", "qty_step": "0.001", "min_qty": "0.001", "base": "BTC", "quote": "USDT"}


def ticket_frames(rng: random.Random) -> tuple[dict, list[dict]]:
    frames = []
    last = 88_000.0
    for i in range(FRAMES + 1):
        last = round(last + rng.choice((-2, -1, 0, 1, 2)) * 0.1, 1)
        typed = f"{last - 5:.2f}" if i % 4 == 1 else f"{last - 5:.1f}"  # off the tick grid every fourth frame
        problems = []
        if i % 4 == 1:
            lo = f"{math.floor((last - 5) * 10) / 10:.1f}"
            suggestions = [lo, f"{float(lo) + 0.1:.1f}"] if i % 8 == 1 else [lo]
            problems.append(
                {
                    "field": "price",
                    "message": f"price {typed} is not a multiple of the tick size 0.1",
                    "suggestions": suggestions,
                    "blank": False,
                }
            )
        if i % 10 == 3:
            problems.append(
                {
                    "field": "qty",
                    "message": "qty 0.0005 is below the minimum 0.001",
                    "suggestions": ["0.001"],
                    "blank": False,
                }
            )
        if i % 20 == 10:
            status = {"status": "sending", "message": "sending the order...", "order_link_id": f"bw-{i}"}
        elif i % 20 == 11:
            status = {
                "status": "accepted",
                "message": "accepted by the exchange",
                "order_link_id": f"bw-{i - 1}",
                "open": True,
            }
        else:
            status = {"status": "idle", "message": ""}
        frames.append(
            {
                "market": {"bid": money(last - 0.1), "ask": money(last), "last": money(last)},
                "price": typed,
                "problems": problems,
                "preview": {
                    "summary": f"Buy 0.01 BTCUSDT at {typed}",
                    "qty_base": "",
                    "notional": f"{(last - 5) * 0.01:.2f}",
                },
                "status": status,
                "position": {"side": "Buy", "size": "0.01", "entry": "87950.0"} if i >= 50 else {},
                "balance": f"{99_812.4 - i:,.2f} USD",
            }
        )
    initial = base_state(
        side="Buy",
        order_type="Limit",
        qty="0.01",
        qty_unit="base",
        price="",
        time_in_force="GTC",
        reduce_only=False,
        conditional=False,
        trigger_price="",
        take_profit="",
        stop_loss="",
        rules_info=RULES,
        problems=[],
        preview={},
        market={},
        status={"status": "idle", "message": ""},
        can_trade=True,
        trade_block="",
        confirm={},
        position={},
        balance="",
    )
    return initial, frames


def candles_frames(rng: random.Random) -> tuple[dict, list[dict]]:
    frames = []
    open_ = close = 88_000.0
    high = low = open_
    for i in range(FRAMES + 1):
        if i and i % 40 == 0:  # a new candle starts
            open_ = high = low = close
        close = round(close + rng.choice((-3, -1, 0, 1, 3)) * 0.1, 1)
        high, low = max(high, close), min(low, close)
        frames.append(
            {
                "last": {
                    "open": money(open_),
                    "high": money(high),
                    "low": money(low),
                    "close": money(close),
                    "volume": f"{12.5 + i * 0.01:.3f}",
                }
            }
        )
    initial = base_state(interval="1", last={})
    return initial, frames


STATES: dict[str, Callable[[random.Random], tuple[dict, list[dict]]]] = {
    "ticker": ticker_frames,
    "watchlist": watchlist_frames,
    "book": book_frames,
    "trades": trades_frames,
    "positions": positions_frames,
    "ticket": ticket_frames,
    "candles": candles_frames,
}
KINDS = list(STATES)


def stamped(frames: list[dict]) -> list[dict]:
    """Each frame with its stamp: [seq, kernel ms, exchange ms shown, [lagging view ids]]."""
    out = []
    for i, frame in enumerate(frames):
        lagging = [VIEW] if i - 1 in LAGGING else ["some-other-view"] if i % 7 == 0 else []
        out.append({**frame, "_frame": [i + 1, T0 + 5 + i * 50, T0 + i * 50, lagging]})
    return out


# -- running a view ------------------------------------------------------------------------------


@dataclass
class Run:
    kind: str
    view: str
    before: dict
    after: dict
    added: int
    added_names: list[str]
    shown: list[dict]
    sent: list[dict]
    layouts: float
    bye: dict | None = None
    frames: list[dict] = field(default_factory=list)


def serve(route: Any) -> None:
    url = route.request.url
    if url.rstrip("/") == ORIGIN:
        route.fulfill(status=200, content_type="text/html", body=PAGE)
        return
    name = url.removeprefix(f"{ORIGIN}/static/")
    path = STATIC / name
    if "/" in name or not path.is_file():
        route.fulfill(status=404, body="not found")
        return
    kind = "text/css" if name.endswith(".css") else "text/javascript"
    route.fulfill(status=200, content_type=kind, body=path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1200, "height": 1600})
    ctx.set_default_timeout(30_000)
    ctx.route(f"{ORIGIN}/**", serve)
    try:
        yield ctx
    finally:
        ctx.close()


def run_view(context: Any, kind: str) -> Run:
    initial, frames = STATES[kind](random.Random(f"render-paths-{kind}"))
    frames = stamped(frames)
    page = context.new_page()
    try:
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{ORIGIN}/")
        mounted = page.evaluate("([k, s, f]) => window.bw.mount(k, s, f)", [kind, initial, frames[0]])
        assert mounted["view"], f"the {kind} view said no hello with its view id"
        assert mounted["hasRoot"], f"the {kind} view has no element with data-testid=bw-widget"
        assert mounted["hasBadge"], f"the {kind} view has no connection badge"
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")

        def layouts() -> float:
            return next(m["value"] for m in cdp.send("Performance.getMetrics")["metrics"] if m["name"] == "LayoutCount")

        before = layouts()
        page.evaluate("(f) => window.bw.frames(f)", frames[1:])
        spent = layouts() - before
        result = page.evaluate("() => window.bw.finish()")
        bye = page.evaluate("() => window.bw.cleanup()")
        assert not errors, f"the {kind} view threw: {errors}"
        return Run(
            kind=kind,
            view=result["view"],
            before=result["before"],
            after=result["after"],
            added=result["added"],
            added_names=result["addedNames"],
            shown=result["shown"],
            sent=result["sent"],
            layouts=spent,
            bye=bye,
            frames=frames,
        )
    finally:
        page.close()


@pytest.fixture(scope="module")
def runs(context: Any) -> Callable[[str], Run]:
    done: dict[str, Run] = {}

    def get(kind: str) -> Run:
        if kind not in done:
            done[kind] = run_view(context, kind)
        return done[kind]

    return get


def assert_no_nodes_created(run: Run) -> None:
    assert run.added == 0, f"the {run.kind} view added {run.added} nodes across {FRAMES} frames: {run.added_names}"
    assert run.after == run.before, f"the {run.kind} view's node counts changed: {run.before} -> {run.after}"


# -- (a) no nodes per frame ----------------------------------------------------------------------


def test_the_ticker_creates_no_nodes_across_100_frames(runs):
    assert_no_nodes_created(runs("ticker"))


def test_the_watchlist_creates_no_nodes_across_100_frames(runs):
    assert_no_nodes_created(runs("watchlist"))


def test_the_order_book_creates_no_nodes_across_100_frames(runs):
    assert_no_nodes_created(runs("book"))


def test_the_trades_tape_creates_no_nodes_across_100_frames(runs):
    assert_no_nodes_created(runs("trades"))


def test_the_positions_table_creates_no_nodes_across_100_frames_while_its_rows_stay_the_same(runs):
    assert_no_nodes_created(runs("positions"))


def test_the_ticket_creates_no_nodes_across_100_frames_of_changing_problems_and_suggestions(runs):
    assert_no_nodes_created(runs("ticket"))


def test_the_candles_header_creates_no_nodes_across_100_frames(runs):
    assert_no_nodes_created(runs("candles"))


# -- (b) hello, then an acknowledgement of each painted frame -------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_view_says_hello_first_then_acknowledges_painted_frames_in_batches(runs, kind):
    run = runs(kind)
    assert run.sent, f"the {kind} view sent nothing"
    assert run.sent[0] == {"type": "hello", "view": run.view}, f"the {kind} view's first message: {run.sent[0]}"
    batches = [m for m in run.sent if m.get("type") == "acks"]
    assert all(m.get("view") == run.view for m in run.sent if m.get("type") != "acks"), (
        "a message without the view's id"
    )
    acks = []
    for batch in batches:
        assert [(a[0], a[1]) for a in batch["acks"]] == [(MODEL_ID, run.view)], batch
        assert 0 <= batch["acks"][0][3] < 1000, f"milliseconds since the paint: {batch}"
        acks.append(batch["acks"][0][2])
    painted = [s["seq"] for s in run.shown]
    assert acks == sorted(set(acks)), f"acknowledgements out of order or repeated: {acks}"
    assert set(acks) <= {1, *painted}, f"acknowledged frames never painted: {sorted(set(acks) - {1, *painted})}"
    assert acks[-1] == painted[-1], "the last painted frame must be acknowledged"
    # one frame per animation frame here (about 16 ms): batches go at most every ACK_GAP_MS (250 ms)
    assert len(batches) <= len(painted) * 16 / 250 + 3, f"{len(batches)} batches for {len(painted)} frames"
    assert run.bye == {"type": "bye", "view": run.view}, f"the {kind} view's cleanup sent {run.bye}"


TWO_KERNELS_JS = """async ([initial, first]) => {
  // three ticker views: A1 and A2 of one notebook's kernel, B1 of another's (each widget manager
  // stands for a notebook and its kernel, as in JupyterLab with two notebooks open)
  const module = await import(`${location.origin}/static/ticker.js`);
  const managers = { A: {}, B: {} };
  const views = [["A1", "A"], ["A2", "A"], ["B1", "B"]].map(([id, kernel]) => {
    const model = new FakeModel({ ...decode(initial, null), _id: id });
    model.widget_manager = managers[kernel];
    const host = document.body.appendChild(document.createElement("div"));
    module.default.render({ model, el: host });
    const view = model.sent.find((m) => m.type === "hello").view;
    model.update(decode({ ...first, _frame: [7, 0, 1, []] }, view));
    return { id, kernel, model };
  });
  await nextFrame();
  const batch = globalThis[Symbol.for("bybit_widgets.acks")];
  while (batch.timer || batch.pending.size) await nextFrame();
  return views.map(({ id, kernel, model }) => ({
    id, kernel, acks: model.sent.filter((m) => m.type === "acks").map((m) => m.acks.map((a) => a[0])),
  }));
}"""


def test_acknowledgements_go_to_each_kernel_only_for_its_own_widgets(context):
    """Two notebooks open in one page, each with its kernel: one batch per kernel, through one of its models."""
    initial, frames = ticker_frames(random.Random("two-kernels"))
    page = context.new_page()
    try:
        page.goto(f"{ORIGIN}/")
        sent = page.evaluate(TWO_KERNELS_JS, [initial, frames[0]])
    finally:
        page.close()
    by_kernel: dict[str, list[list[str]]] = {}
    for view in sent:
        by_kernel.setdefault(view["kernel"], []).extend(view["acks"])
    assert sorted(map(sorted, by_kernel["A"])) == [["A1", "A2"]], sent
    assert by_kernel["B"] == [["B1"]], sent


# -- (c) the root's stamp ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_view_stamps_its_root_with_its_kind_and_the_exchange_time_it_shows(runs, kind):
    run = runs(kind)
    for shown, frame in zip(run.shown, run.frames[1:], strict=True):
        assert shown["testid"] == "bw-widget"
        assert shown["kind"] == kind
        assert shown["ts"] == str(frame["_frame"][2]), f"frame {shown['seq']}: data-ts {shown['ts']}"


# -- (d) lagging ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_view_shows_lagging_while_the_kernel_lists_it_and_live_again_after(runs, kind):
    run = runs(kind)
    states = [(s["lagging"], s["badge"]) for s in run.shown]
    lagging = [badge for listed, badge in states if listed]
    assert len(lagging) == len(LAGGING), "the run lists the view as lagging in a few frames"
    assert set(lagging) == {"lagging"}, f"the badge while lagging: {lagging}"
    assert {badge for listed, badge in states if not listed} == {"live"}, "the badge when not listed (others may be)"
    after = states[LAGGING.stop]  # the first stamp that no longer lists it
    assert after == (False, "live")


# -- forced layouts ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_view_forces_no_layout_beyond_one_per_frame(runs, kind):
    """LayoutCount counts every layout, the frame's own included: one per frame at most, plus slack."""
    run = runs(kind)
    assert run.layouts <= FRAMES + 10, f"the {kind} view ran {run.layouts:.0f} layouts in {FRAMES} frames"


# -- the ticket's reused nodes still behave ------------------------------------------------------


def ticket_page(context: Any) -> Any:
    initial, frames = ticket_frames(random.Random("ticket-behaviour"))
    page = context.new_page()
    page.goto(f"{ORIGIN}/")
    page.evaluate("([k, s, f]) => window.bw.mount(k, s, f)", ["ticket", initial, {"_frame": [1, T0, T0, []]}])
    return page


def test_the_ticket_chips_show_the_current_suggestions_and_a_click_uses_one(context):
    page = ticket_page(context)
    try:
        problem = {
            "field": "price",
            "message": "price 88000.05 is not a multiple of the tick size 0.1",
            "suggestions": ["88000.0", "88000.1"],
            "blank": False,
        }
        page.evaluate(
            """async (p) => {
            window.bw.run.model.update({problems: [p], price: "88000.05", _frame: [2, 0, 2, []]});
            await new Promise((r) => requestAnimationFrame(r));
        }""",
            problem,
        )
        line = page.locator(".bw-field", has=page.locator('[data-testid="bw-ticket-price"]')).locator(".bw-problem")
        chips = line.locator(".bw-chip:visible")
        assert chips.all_inner_texts() == ["88000.0", "88000.1"]
        assert "not a multiple" in line.inner_text()
        # one suggestion now: the second chip hides, the first shows the new value
        problem["suggestions"] = ["87999.9"]
        page.evaluate(
            """async (p) => {
            window.bw.run.model.update({problems: [p], _frame: [3, 0, 3, []]});
            await new Promise((r) => requestAnimationFrame(r));
        }""",
            problem,
        )
        assert chips.all_inner_texts() == ["87999.9"]
        chips.first.click()
        assert page.evaluate("() => window.bw.run.model.get('price')") == "87999.9"
        assert page.locator('[data-testid="bw-ticket-price"]').input_value() == "87999.9"
        # no problem: the line hides
        page.evaluate("""async () => {
            window.bw.run.model.update({problems: [], _frame: [4, 0, 4, []]});
            await new Promise((r) => requestAnimationFrame(r));
        }""")
        assert not line.is_visible()
    finally:
        page.close()


def test_the_ticket_sends_one_submit_for_a_double_click_and_reenables_when_the_kernel_answers(context):
    page = ticket_page(context)
    try:
        page.evaluate("""async () => {
            window.bw.run.model.update({price: "88000.0", market: {bid: "87999.9", ask: "88000.0", last: "88000.0"},
                                        _frame: [2, 0, 2, []]});
            await new Promise((r) => requestAnimationFrame(r));
        }""")
        submit = page.locator('[data-testid="bw-ticket-submit"]')
        assert submit.is_enabled()
        submit.dblclick()
        sent = page.evaluate("() => window.bw.run.model.sent.filter((m) => m.type === 'submit').length")
        assert sent == 1, "a double click sent two submits"
        # a frame of market data while the kernel has not answered: still disabled
        page.evaluate("""async () => {
            window.bw.run.model.update({market: {bid: "88000.0", ask: "88000.1", last: "88000.1"},
                                        _frame: [3, 0, 3, []]});
            await new Promise((r) => requestAnimationFrame(r));
        }""")
        assert submit.is_disabled()
        page.evaluate("""async () => {
            const status = {status: "sending", message: "sending the order...", order_link_id: "bw-1"};
            window.bw.run.model.update({status, _frame: [4, 0, 4, []]});
            await new Promise((r) => requestAnimationFrame(r));
        }""")
        assert submit.is_disabled()
        page.evaluate("""async () => {
            const status = {status: "filled", message: "filled", order_link_id: "bw-1"};
            window.bw.run.model.update({status, _frame: [5, 0, 5, []]});
            await new Promise((r) => requestAnimationFrame(r));
        }""")
        status = page.locator('[data-testid="bw-ticket-status"]')
        assert status.get_attribute("data-status") == "filled"
        assert status.get_attribute("data-order-link-id") == "bw-1"
        assert submit.is_enabled()
    finally:
        page.close()


def test_the_ticket_info_lines_show_only_what_is_known(context):
    page = ticket_page(context)
    try:
        info = page.locator(".bw-ticket-info > div:visible")
        assert info.all_inner_texts() == ["Tick 0.1 · step 0.001 · min 0.001"]
        page.evaluate("""async () => {
            window.bw.run.model.update({market: {bid: "87999.9", ask: "88000.0", last: "88000.0"},
                                        balance: "99,812.40 USD",
                                        position: {side: "Sell", size: "0.5", entry: "88100.0"},
                                        _frame: [2, 0, 2, []]});
            await new Promise((r) => requestAnimationFrame(r));
        }""")
        assert info.all_inner_texts() == [
            "Bid 87,999.9 · Ask 88,000.0",
            "Position: short 0.5 @ 88,100.0",
            "Available: 99,812.40 USD",
            "Tick 0.1 · step 0.001 · min 0.001",
        ]
    finally:
        page.close()
