"""A minimal reference ladder: the baseline the benchmark compares ``bw.OrderBook`` with.

The same sequence-checked feed as the widgets (``session.streams.order_book``)
and the same 25 + 25 levels at 25 Hz, done the plainest way that is still
reasonable: an asyncio task on the kernel's running loop sets one Bytes trait
(little-endian float64: the book's exchange ``ts``, then ``rows`` bid
(price, size) pairs best first, then ``rows`` ask pairs, NaN-padded) every
40 ms when the book moved; no frame scheduler, no flow control. The view
builds its rows once and sets ``textContent`` of the existing spans (only
where the text changed) on ``requestAnimationFrame``. Its root carries
``data-testid="bw-widget" data-kind="ref" data-ts=<ts of the book shown>``.
``RefCanvasLadder`` draws the same numbers on a canvas instead, so the benchmark
shows what the drawing technique alone costs. With ``acks=True`` the view also
sends the page -> kernel traffic of the widgets' flow control at its short pace
(one message every 250 ms, as ``js/lib/pace.js`` sets it while a page is behind;
a page that keeps up sends one every 750 ms), so the benchmark can tell that cost
apart from the drawing.
Comm messages and bytes are counted where they leave the kernel, as the
widgets count theirs, so ``comm_stats`` compares like for like.
"""

from __future__ import annotations

import asyncio
import math
import struct
from typing import Any

import anywidget
import traitlets

from bybit_widgets.widgets.base import message_size

ESM = """
export default {
  render({ model, el }) {
    const n = model.get("rows"), cells = [];  // n ask rows (worst first), then n bid rows (best first)
    const root = el.appendChild(document.createElement("div"));
    root.setAttribute("data-testid", "bw-widget");
    root.setAttribute("data-kind", "ref");
    root.style.cssText = "font: 12px monospace; white-space: pre";
    for (let i = 0; i < 2 * n; i++) {
      const row = root.appendChild(document.createElement("div"));
      row.style.color = i < n ? "#c0392b" : "#27ae60";
      cells.push([row.appendChild(document.createElement("span")), row.appendChild(document.createElement("span"))]);
      cells[i][1].style.marginLeft = "2em";
    }
    const put = (span, x, digits) => {
      const t = Number.isNaN(x) ? "" : x.toFixed(digits);
      if (span.textContent !== t) span.textContent = t;
    };
    let pending = 0;
    const draw = () => {
      pending = 0;
      const d = model.get("levels");
      if (!d || d.byteLength < 8 * (1 + 4 * n)) return;
      const v = new DataView(d.buffer ?? d, d.byteOffset ?? 0, d.byteLength), at = (i) => v.getFloat64(8 * i, true);
      for (let i = 0; i < n; i++) {
        const bid = cells[n + i], ask = cells[n - 1 - i];
        put(bid[0], at(1 + 2 * i), 1); put(bid[1], at(2 + 2 * i), 3);
        put(ask[0], at(1 + 2 * n + 2 * i), 1); put(ask[1], at(2 + 2 * n + 2 * i), 3);
      }
      root.setAttribute("data-ts", String(at(0)));
    };
    const schedule = () => { if (!pending) pending = requestAnimationFrame(draw); };
    model.on("change:levels", schedule);
    schedule();
    // with acks: only the page -> kernel traffic of the widgets' flow control (one message per 250 ms)
    const ackTimer = model.get("acks") ? setInterval(() => model.send({ type: "acks", acks: [] }), 250) : 0;
    return () => { model.off("change:levels", schedule); cancelAnimationFrame(pending); clearInterval(ackTimer); };
  },
};
"""


# The same ladder drawn on one canvas (the whole picture each frame, fillText per cell): what the
# drawing technique alone costs, beside the DOM rows above (bw.OrderBook draws on a canvas too).
CANVAS_ESM = """
export default {
  render({ model, el }) {
    const n = model.get("rows");
    const root = el.appendChild(document.createElement("div"));
    root.setAttribute("data-testid", "bw-widget");
    root.setAttribute("data-kind", "ref");
    const canvas = root.appendChild(document.createElement("canvas"));
    const dpr = window.devicePixelRatio || 1, H = 15, W = 220;
    canvas.width = W * dpr; canvas.height = 2 * n * H * dpr;
    canvas.style.width = W + "px"; canvas.style.height = 2 * n * H + "px";
    const ctx = canvas.getContext("2d");
    ctx.scale(dpr, dpr);
    ctx.font = "12px monospace"; ctx.textBaseline = "middle";
    let pending = 0;
    const draw = () => {
      pending = 0;
      const d = model.get("levels");
      if (!d || d.byteLength < 8 * (1 + 4 * n)) return;
      const v = new DataView(d.buffer ?? d, d.byteOffset ?? 0, d.byteLength), at = (i) => v.getFloat64(8 * i, true);
      ctx.clearRect(0, 0, W, 2 * n * H);
      const text = (x, y, digits, left) => { if (!Number.isNaN(x)) ctx.fillText(x.toFixed(digits), left, y); };
      for (let i = 0; i < n; i++) {
        ctx.fillStyle = "#27ae60";
        const yb = (n + i + 0.5) * H, ya = (n - 1 - i + 0.5) * H;
        text(at(1 + 2 * i), yb, 1, 0); text(at(2 + 2 * i), yb, 3, 100);
        ctx.fillStyle = "#c0392b";
        text(at(1 + 2 * n + 2 * i), ya, 1, 0); text(at(2 + 2 * n + 2 * i), ya, 3, 100);
      }
      root.setAttribute("data-ts", String(at(0)));
    };
    const schedule = () => { if (!pending) pending = requestAnimationFrame(draw); };
    model.on("change:levels", schedule);
    schedule();
    return () => { model.off("change:levels", schedule); cancelAnimationFrame(pending); };
  },
};
"""


def pack(bids: list[tuple[float, float]], asks: list[tuple[float, float]], ts: float, rows: int) -> bytes:
    """``ts``, then ``rows`` (price, size) pairs of each side, best first, NaN where a side is short."""

    def side(levels: list[tuple[float, float]]) -> list[float]:
        flat = [x for level in levels[:rows] for x in level]
        return flat + [math.nan] * (2 * rows - len(flat))

    return struct.pack(f"<{1 + 4 * rows}d", ts, *side(bids), *side(asks))


class RefLadder(anywidget.AnyWidget):
    """``rows`` levels a side of ``feed`` (an order-book feed), pushed every ``interval`` s."""

    _esm = ESM
    rows = traitlets.Int(25).tag(sync=True)
    acks = traitlets.Bool(False).tag(sync=True)  # send what the widgets' flow control sends (live.js), nothing else
    levels = traitlets.Bytes(b"").tag(sync=True)

    def __init__(self, feed: Any, rows: int = 25, interval: float = 0.040, acks: bool = False) -> None:
        self.messages_sent = 0  # before the base constructor: it already sends the initial state
        self.bytes_sent = 0
        super().__init__(rows=rows, acks=acks)
        self.feed = feed
        self.interval = interval
        self._task = asyncio.get_running_loop().create_task(self._push())  # kept: the loop holds tasks weakly

    async def _push(self) -> None:
        loop = asyncio.get_running_loop()
        due, shown = loop.time(), None
        while True:
            due = max(due + self.interval, loop.time())  # a fixed rate; a late tick is not made up with a burst
            await asyncio.sleep(due - loop.time())
            book = self.feed.latest
            if book is not None and book.u != shown:
                shown = book.u
                self.levels = pack(book.bids, book.asks, float(book.ts or 0), self.rows)

    @property
    def conn_state(self) -> str:
        return self.feed.state

    def _send(self, msg: dict, buffers: list | None = None) -> None:
        self.messages_sent += 1
        self.bytes_sent += message_size(msg, buffers)
        super()._send(msg, buffers)

    @property
    def comm_stats(self) -> dict[str, int]:
        return {"messages": self.messages_sent, "bytes": self.bytes_sent}

    def close(self) -> None:
        self._task.cancel()
        self.feed.close()
        super().close()


class RefCanvasLadder(RefLadder):
    """The reference ladder drawn on a canvas instead of DOM rows (same feed, rate and numbers)."""

    _esm = CANVAS_ESM
