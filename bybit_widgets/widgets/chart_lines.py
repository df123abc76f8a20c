"""The levels drawn across the candle chart: your open orders, the position's entry, TP and SL.

With a ticket (trading), the order, TP and SL lines are bokeh ``Span`` s with ``editable=True``:
BokehJS moves such a line under the pointer itself and syncs each new location to the kernel,
many messages a drag that never say where it ended. So each editable line carries a few lines of
``CustomJS`` that listen to the span's own pan signal and, on ``pan:end``, write
``[location, stamp]`` into its ``tags``; the kernel acts on that change alone, once a drag.
A line whose drag is not taken (refused, nothing to move, dropped on its own tick) goes back to
where the order or stop really is (:meth:`ChartLines.restore`); an accepted one stays where it
was dropped until the private stream confirms the new level.

The pool is fixed (``ORDER_LINES`` order lines, one TP, one SL, one entry) and only what changed
is touched, so a quiet account costs the chart nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

__all__ = ["ChartLines", "LineTarget", "ORDER_LINES"]

UP, DOWN = "#26a69a", "#ef5350"
TP_COLOR, SL_COLOR, ENTRY_COLOR = "#26a69a", "#ef5350", "#f0b90b"
ORDER_LINES = 12  # open orders drawn at most (the rest would only clutter the chart)

# Runs in the browser on each location change of an editable span; wires its pan signal once.
DROP_JS = """
if (!cb_obj.__bw_drop) {
  cb_obj.__bw_drop = true;
  cb_obj.pan.connect(([phase]) => {
    if (phase === "pan:end") cb_obj.tags = [cb_obj.location, Date.now()];
  });
}
"""


@dataclass(frozen=True)
class LineTarget:
    """What a line stands for: an open order (its id and the price field it shows) or a stop."""

    kind: str  # "order" | "take_profit" | "stop_loss"
    price: str  # the level as the exchange has it (a decimal string)
    side: str = ""  # an order's side: Buy / Sell
    order_id: str = ""
    field: str = "price"  # an order line shows its "price" or, for a conditional order, its "trigger_price"
    position_idx: int = 0

    @property
    def color(self) -> str:
        if self.kind == "order":
            return UP if self.side == "Buy" else DOWN
        return TP_COLOR if self.kind == "take_profit" else SL_COLOR


Drop = Callable[[LineTarget, float], None]  # (what the line stands for, the price it was dropped at)


class ChartLines:
    """The line pool of one price figure; ``on_drop`` hears each finished drag of an editable line.

    ``editable`` is fixed here, before the figure is first sent to the browser: jupyter_bokeh
    drops model changes made before its view exists, so a later switch would never arrive.
    """

    def __init__(self, figure: Any, editable: bool = False, on_drop: Drop | None = None) -> None:
        from bokeh.models import CustomJS, Span

        def span(**style: Any) -> Any:
            line = Span(dimension="width", location=0, visible=False, editable=editable, **style)
            figure.add_layout(line)
            return line

        self.on_drop = on_drop
        self.orders = [span(line_width=1.5, line_alpha=0.8, hover_line_width=4) for _ in range(ORDER_LINES)]
        self.stops = {
            "take_profit": span(line_width=1.5, line_dash="dotted", line_color=TP_COLOR, hover_line_width=4),
            "stop_loss": span(line_width=1.5, line_dash="dotted", line_color=SL_COLOR, hover_line_width=4),
        }
        self.entry = span(line_width=1.5, line_dash="dashed", line_color=ENTRY_COLOR)
        self.entry.editable = False  # where the position was opened: shown, not moved
        self.targets: dict[Any, LineTarget | None] = {s: None for s in (*self.orders, *self.stops.values())}
        self._entry: float | None = None
        drop_js = CustomJS(code=DROP_JS)
        for line in self.targets:
            line.js_on_change("location", drop_js)
            line.on_change("tags", partial(self._dropped, line))

    def show(self, orders: Sequence[LineTarget], stops: Sequence[LineTarget], entry: float | None) -> None:
        """Put the pool on these orders (the first ``ORDER_LINES``), stops and entry; touch only what changed."""
        for line, target in zip(self.orders, [*orders[:ORDER_LINES], *[None] * ORDER_LINES]):
            self._place(line, target)
        by_kind = {t.kind: t for t in stops}
        for kind, line in self.stops.items():
            self._place(line, by_kind.get(kind))
        if entry != self._entry:
            self._entry = entry
            if entry is not None:
                self.entry.location = entry
            self.entry.visible = entry is not None

    def restore(self) -> None:
        """Every line back at its target's level (after a drag that was not taken)."""
        for line, target in self.targets.items():
            if target is not None and line.location != float(target.price):
                line.location = float(target.price)

    def _place(self, line: Any, target: LineTarget | None) -> None:
        if target == self.targets[line]:
            return
        self.targets[line] = target
        if target is None:
            line.visible = False
            return
        line.location = float(target.price)
        if line.line_color != target.color:
            line.line_color = target.color
        line.visible = True

    def _dropped(self, line: Any, _attr: str, _old: Any, new: Any) -> None:
        target = self.targets[line]
        try:
            price = float(new[0])
        except (TypeError, ValueError, IndexError):
            price = None
        if target is None or price is None or self.on_drop is None:
            self.restore()  # a line with nothing behind it any more, or a drop we cannot read
            return
        self.on_drop(target, price)
