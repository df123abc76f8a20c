"""``bw.Candles``: a live candlestick chart (bokeh, via jupyter_bokeh) with volume and order/entry lines.

History comes with the kline feed itself (``backfill=``, merged from REST
by the stream layer); the chart is drawn whole once that history is in (and
again whenever another page of it is merged, e.g. after a reconnect), then
the feed drives it: the forming candle is *patched* in place, a new candle
is *streamed* with rollover, so the browser never receives the whole series again. Every bokeh
change costs three comm messages (jupyter_bokeh sends a patch as header,
metadata and content) and, in the browser, a re-layout and redraw of both
plots: measured in headless Chromium without a GPU, the chart alone kept the
page's main thread 13 % busy at one patch a second (about 120 ms a patch).
So the chart is patched at most every ``CHART_INTERVAL`` seconds (2 s; a
one-minute candle barely moves in between), while the header line with the
forming candle's numbers follows at up to 4 Hz. Horizontal
lines mark the account's open orders on the symbol (green buys, red sells),
the position's entry price (dashed) and its TP / SL (dotted); with a ticket
they are dragged to amend (see :mod:`.chart_lines`).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import ipywidgets
import traitlets

from ..protocol.positions import is_position_stop
from ..protocol.topics import KLINE_INTERVALS
from .base import STATIC, SymbolWidget, plain_error
from .base import message_size as _size
from .chart_lines import DOWN, UP, ChartLines, LineTarget
from .gestures import Gestures, Notices
from .ticket import OrderTicket, check_ticket

__all__ = ["Candles", "CandlesHeader", "candle_rows", "interval_ms"]

MAX_BARS = 300
HISTORY = 200  # candles loaded over REST when the chart opens
CHART_INTERVAL = 2.0  # seconds between two patches of the chart at most (see the module docstring)
_MINUTE = 60_000


def interval_ms(interval: str) -> int:
    """Length of one candle of a v5 interval ("1".."720" minutes, "D", "W"; "M" taken as 31 days)."""
    if interval.isdigit():
        return int(interval) * _MINUTE
    return {"D": 1440, "W": 10080, "M": 44640}[interval] * _MINUTE


def candle_rows(klines: Sequence[Any], width_ms: int) -> dict[str, list]:
    """Column data for klines (ascending): centre time, OHLC, volume, colour and body width."""
    data: dict[str, list] = {k: [] for k in ("t", "open", "high", "low", "close", "volume", "color", "w")}
    for k in klines:
        o, c = float(k.open), float(k.close)
        data["t"].append((k.start or 0) + width_ms / 2)
        data["open"].append(o)
        data["high"].append(float(k.high))
        data["low"].append(float(k.low))
        data["close"].append(c)
        data["volume"].append(float(k.volume or 0))
        data["color"].append(UP if c >= o else DOWN)
        data["w"].append(width_ms * 0.7)
    return data


def _ensure_bokeh_loaded() -> None:
    """Load BokehJS inline once per kernel: the default CDN is unreachable offline."""
    global _BOKEH_LOADED
    if not _BOKEH_LOADED:
        import bokeh.io
        import bokeh.resources

        bokeh.io.output_notebook(resources=bokeh.resources.INLINE, hide_banner=True)
        _BOKEH_LOADED = True


_BOKEH_LOADED = False


def _price_tools(bodies: Any) -> tuple:
    """Hover over a candle shows its OHLCV; a faint crosshair."""
    from bokeh.models import CrosshairTool, HoverTool

    hover = HoverTool(
        renderers=[bodies],
        tooltips=[
            ("time", "@t{%F %H:%M}"),
            ("open", "@open{0,0.00}"),
            ("high", "@high{0,0.00}"),
            ("low", "@low{0,0.00}"),
            ("close", "@close{0,0.00}"),
            ("volume", "@volume{0,0.000}"),
        ],
        formatters={"@t": "datetime"},
        mode="vline",
    )
    return hover, CrosshairTool(line_alpha=0.3)


def _quiet_axes(fig: Any) -> None:
    """Faint grid and axes that sit on light and dark JupyterLab themes alike."""
    fig.min_border_left = 64
    fig.yaxis.minor_tick_line_color = None
    fig.xgrid.grid_line_alpha = 0.15
    fig.ygrid.grid_line_alpha = 0.15
    for axis in (*fig.xaxis, *fig.yaxis):
        axis.axis_line_alpha = 0.3
        axis.major_label_text_color = "#8a8f98"
        axis.major_tick_line_alpha = 0.3


class _Chart:
    """The bokeh side: figures, one column source, the line pool; counts the comm messages it causes."""

    def __init__(self, height: int, trading: bool = False) -> None:
        from bokeh.core.json_encoder import serialize_json
        from bokeh.layouts import column
        from bokeh.models import ColumnDataSource, NumeralTickFormatter
        from bokeh.plotting import figure
        from jupyter_bokeh import BokehModel

        chart = self

        class CountingModel(BokehModel):
            def _send(self, msg: dict, buffers: list | None = None) -> None:
                chart.messages += 1
                chart.bytes += _size(msg, buffers)
                super()._send(msg, buffers)

            def close(self) -> None:
                if self.comm is not None:  # jupyter_bokeh's close fails when called twice (e.g. again by __del__)
                    super().close()

            def get_state(self, key: Any = None, drop_defaults: bool = False) -> dict:
                # A page that connects late (Voila renders after running the notebook; a reloaded
                # tab) asks for the whole state: give it the chart as it is now, not as it was
                # built; the patches sent before that page existed went nowhere.
                state = super().get_state(key, drop_defaults)
                if "render_bundle" in state:
                    state["render_bundle"] = serialize_json(self._model_to_traits(self._model))
                return state

        self.messages = 0
        self.bytes = 0
        self.source = ColumnDataSource(candle_rows([], _MINUTE))
        common = {
            "x_axis_type": "datetime",
            "sizing_mode": "stretch_width",
            "toolbar_location": None,
            "background_fill_alpha": 0,
            "border_fill_alpha": 0,
            "outline_line_alpha": 0,
        }
        price = figure(height=height, tools="xpan,xwheel_zoom,reset", active_scroll="xwheel_zoom", **common)
        price.segment("t", "high", "t", "low", source=self.source, color="color", line_width=1)
        bodies = price.vbar("t", "w", "open", "close", source=self.source, fill_color="color", line_color="color")
        price.add_tools(*_price_tools(bodies))
        price.xaxis.visible = False
        price.yaxis.formatter = NumeralTickFormatter(format="0,0.[00]")
        volume = figure(height=max(60, height // 4), x_range=price.x_range, tools="", **common)
        volume.vbar("t", "w", 0, "volume", source=self.source, fill_color="color", line_color="color", alpha=0.5)
        volume.yaxis.formatter = NumeralTickFormatter(format="0.[0]a")
        volume.yaxis.ticker.desired_num_ticks = 2
        volume.y_range.start = 0
        for fig in (price, volume):
            _quiet_axes(fig)
        self.lines = ChartLines(price, editable=trading)
        self.on_tap: Callable[[Any], None] | None = None  # the header's, for a click on the price pane
        if trading:  # subscribed before the first send, like the lines' editability (see ChartLines)
            from bokeh.events import Tap

            price.on_event(Tap, self._tapped)
        self.price, self.volume = price, volume
        self.model = CountingModel(column(price, volume, sizing_mode="stretch_width"))
        self.start_ms: list[int] = []  # candle start of each row, to match feed klines to rows
        self.width = _MINUTE

    def _tapped(self, event: Any) -> None:
        if self.on_tap is not None:
            self.on_tap(event)

    def replace(self, klines: Sequence[Any], width_ms: int) -> None:
        self.width = width_ms
        klines = list(klines)[-MAX_BARS:]
        self.source.data = candle_rows(klines, width_ms)
        self.start_ms = [k.start or 0 for k in klines]

    def update(self, klines: Sequence[Any]) -> None:
        """Patch the rows that changed, stream the new ones (with rollover)."""
        if not klines:
            return
        if not self.start_ms:
            self.replace(klines, self.width)
            return
        index = {start: i for i, start in enumerate(self.start_ms)}
        patches: dict[str, list] = {}
        fresh = []
        data = self.source.data
        for k in klines:
            row = index.get(k.start or 0)
            if row is None:
                if (k.start or 0) > self.start_ms[-1]:
                    fresh.append(k)
                continue
            new = candle_rows([k], self.width)
            for column in ("open", "high", "low", "close", "volume", "color"):
                if data[column][row] != new[column][0]:
                    patches.setdefault(column, []).append((row, new[column][0]))
        if patches:
            self.source.patch(patches)
        if fresh:
            self.source.stream(candle_rows(fresh, self.width), rollover=MAX_BARS)
            self.start_ms.extend(k.start or 0 for k in fresh)
            del self.start_ms[:-MAX_BARS]


class CandlesHeader(SymbolWidget):
    """The chart's live part: feeds, header line (symbol, interval, last, badge) and chart updates."""

    _esm = STATIC / "candles.js"
    _css = STATIC / "widgets.css"
    _kind = traitlets.Unicode("candles").tag(sync=True)

    interval = traitlets.Unicode("1").tag(sync=True)
    last = traitlets.Dict().tag(sync=True)  # open, high, low, close, volume of the forming candle (strings)
    trading = traitlets.Bool(False).tag(sync=True)  # a ticket is attached: lines drag, a modifier-click picks
    notice = traitlets.Dict().tag(sync=True)  # {kind: ok / info / error, text, seq, at}: a chart gesture's outcome

    default_max_hz = 4.0

    def __init__(
        self,
        symbol: str,
        chart: _Chart,
        *,
        interval: str = "1",
        category: str = "linear",
        session: Any = None,
        max_hz: float | None = None,
        ticket: OrderTicket | None = None,
    ) -> None:
        check_ticket(ticket)
        self.chart = chart
        self.ticket = ticket
        self._drawn_backfills = 0  # the feed's history pages the chart was last drawn whole with
        self._chart_at = float("-inf")  # loop time of the chart's last patch
        self._chart_wake: Any = None  # the timer that patches the chart once its interval is over
        super().__init__(symbol, category=category, session=session, max_hz=max_hz, interval=_interval(interval))
        self.observe(lambda _c: self._rebind(), names=["interval"])
        self._notify = Notices(self)
        self._gestures = Gestures(self, self._notify)
        if ticket is not None:
            self.trading = True
            chart.lines.on_drop = self._line_dropped
            chart.on_tap = self._chart_clicked

    @traitlets.validate("interval")
    def _valid_interval(self, proposal: dict) -> str:
        return _interval(proposal["value"])

    def _open_feeds(self) -> list[Any]:
        self._use_account()
        self._klines = self._attach(
            self.streams.kline(
                self.symbol, interval=self.interval, category=self.category, maxlen=MAX_BARS, backfill=HISTORY
            )
        )
        self._drawn_backfills = 0
        return [self._klines]

    def _reset_view(self) -> None:
        self.last = {}

    def _flush_frame(self) -> int:
        before = self.chart.messages
        return super()._flush_frame() + self.chart.messages - before

    def _render(self) -> None:
        klines = self._klines.latest
        backfills = self._klines.backfills
        if klines and backfills != self._drawn_backfills:  # history came in: draw the chart whole
            self._drawn_backfills = backfills
            self.chart.replace(klines, interval_ms(self.interval))
        elif klines and backfills:
            self._patch_chart(klines)
        if self._klines.backfill_error is not None and not backfills:
            self.error = f"loading the chart history failed: {plain_error(self._klines.backfill_error)}"
        if klines:
            k = klines[-1]
            self.last = {
                "open": str(k.open),
                "high": str(k.high),
                "low": str(k.low),
                "close": str(k.close),
                "volume": str(k.volume),
                "start": k.start,
            }
        self._show_lines()

    def _show_lines(self) -> None:
        """The account's open orders on the symbol, and its position's entry, TP and SL, as chart lines."""
        account = self._account
        orders: list[LineTarget] = []
        stops: list[LineTarget] = []
        entry = None
        if account is not None and account.available:
            for o in account.open_orders(self.symbol):
                if is_position_stop(o.stop_order_type):
                    continue  # the position's TP/SL: its own line below, moved as the position's
                field = "price" if o.price else "trigger_price"
                level = o.price or o.trigger_price
                if level and o.order_id:
                    orders.append(LineTarget("order", str(level), o.side or "Buy", o.order_id, field))
            # the chart has one TP and one SL line: with both sides of a hedged symbol open, they are the
            # newest-updated side's (its Positions row has the other side's)
            held = [p for p in account.positions_of(self.symbol) if not p.is_flat]
            position = max(held, key=lambda p: p.updated_time or 0, default=None)
            if position is not None:
                entry = float(position.avg_price) if position.avg_price else None
                idx = position.position_idx or 0
                for kind, level in (("take_profit", position.take_profit), ("stop_loss", position.stop_loss)):
                    if level:
                        stops.append(LineTarget(kind, str(level), position_idx=idx))
        self.chart.lines.show(orders, stops, entry)

    # -- gestures on the chart (with a ticket) ------------------------------------------------------

    def _snap(self, y: float) -> Decimal | None:
        """The tick nearest to a pointer's price, or None (told) while the rules are loading."""
        if self.rules is None:
            self._notify("error", f"nothing sent: the rules of {self.symbol} are still loading")
            return None
        return self.rules.round_price(repr(y))

    def _line_dropped(self, target: LineTarget, y: float) -> None:
        """An order line dropped at ``y``: amend it there; a TP / SL line: set that trading stop."""
        price = self._snap(y) if y > 0 else None
        if price is None or price == Decimal(target.price):
            self.chart.lines.restore()  # nowhere to go, or back on its own tick: nothing is asked
            return
        if target.kind == "order":
            task = self._gestures.amend_price(target.order_id, target.price, price, field=target.field)
        else:
            task = self._gestures.set_stop(target.kind, price, target.position_idx)
        if task is None:
            self.chart.lines.restore()
            return
        task.add_done_callback(lambda t: None if not t.cancelled() and t.result() else self.chart.lines.restore())

    def _chart_clicked(self, event: Any) -> None:
        """A click with Shift, Ctrl or Alt held puts the price under the pointer into the ticket (Limit)."""
        modifiers = getattr(event, "modifiers", None) or {}
        if self.ticket is None or not any(modifiers.get(k) for k in ("shift", "ctrl", "alt")) or event.y is None:
            return
        price = self._snap(float(event.y)) if event.y > 0 else None
        if price is not None:
            self.ticket.take_price(price)
            self._notify("info", f"ticket set to Limit at {self.ticket.price}")

    def _patch_chart(self, klines: Sequence[Any]) -> None:
        """Patch the chart now if its interval is over, else once it is (with the klines of then)."""
        now = self.loop.time()
        due = self._chart_at + CHART_INTERVAL
        if now >= due:
            self._chart_at = now
            self.chart.update(klines)
        elif self._chart_wake is None:

            def wake() -> None:
                self._chart_wake = None
                self._request_frame()

            self._chart_wake = self.loop.call_at(due, wake)

    def close(self) -> None:
        if self._chart_wake is not None:
            self._chart_wake.cancel()
            self._chart_wake = None
        super().close()


def _interval(value: Any) -> str:
    text = str(value).strip().upper() if not str(value).strip().isdigit() else str(int(str(value).strip()))
    if text not in KLINE_INTERVALS:
        raise ValueError(f"interval must be one of {', '.join(KLINE_INTERVALS)}, got {value!r}")
    return text


class Candles(ipywidgets.VBox):
    """``bw.Candles("BTCUSDT", interval="1")``: candlesticks with volume, live.

    ``symbol`` and ``interval`` can be changed at any time; ``close()`` stops
    the feeds. ``height`` is the price pane's height in pixels.

    ``ticket`` (an :class:`~.ticket.OrderTicket`; a Dashboard passes its own) makes the chart
    trade: drag an open order's line to amend its price (same orderId), drag the position's TP or
    SL line to set that trading stop, and click with Shift, Ctrl or Alt held to put the price under
    the pointer into the ticket. Each drop is rounded to the tick, checked, sent once (one intent
    per gesture, as on the ladder), and its outcome shown in words above the chart; a drop that
    is refused or changes nothing puts the line back.
    """

    def __init__(
        self,
        symbol: str,
        interval: str = "1",
        *,
        category: str = "linear",
        height: int = 300,
        session: Any = None,
        max_hz: float | None = None,
        ticket: OrderTicket | None = None,
    ) -> None:
        check_ticket(ticket)  # before any widget exists: a refused argument leaves nothing half-built
        _ensure_bokeh_loaded()
        self.chart = _Chart(height, trading=ticket is not None)
        self.header = CandlesHeader(
            symbol, self.chart, interval=interval, category=category, session=session, max_hz=max_hz, ticket=ticket
        )
        super().__init__([self.header, self.chart.model])
        self.add_class("bw-candles-box")

    symbol = property(lambda self: self.header.symbol, lambda self, v: setattr(self.header, "symbol", v))
    interval = property(lambda self: self.header.interval, lambda self, v: setattr(self.header, "interval", v))
    category = property(lambda self: self.header.category)
    conn_state = property(lambda self: self.header.conn_state)

    @property
    def comm_stats(self) -> dict[str, int]:
        """Comm messages and bytes sent to the browser (header and chart together)."""
        return {
            "messages": self.header.messages_sent + self.chart.messages,
            "bytes": self.header.bytes_sent + self.chart.bytes,
        }

    def _display_(self) -> Any:
        """What marimo shows in place of the chart (only marimo calls ``_display_``): where it runs, in words.

        marimo renders anywidgets, and the chart is jupyter_bokeh's ipywidget, which it does not
        run: shown as is, the cell says only "Jupyter widgets are not supported in marimo" while the
        feeds run on unseen. This says what runs where and what to use here, and closes the feeds.
        """
        import marimo as mo  # (called by marimo only: it is there)

        feed = html.escape(f"session.streams.kline({self.symbol!r}, {self.interval!r}, backfill=200)")
        self.close()
        return mo.Html(
            '<div data-testid="bw-needs-jupyter" class="bw-note" role="note">'
            "bw.Candles needs a Jupyter front end (JupyterLab, Notebook 7 or Voila): its chart is a "
            f"jupyter_bokeh widget, which marimo does not run. The candles work here as a feed: <code>{feed}</code>."
            "</div>"
        )

    def close(self) -> None:
        """Stop the feeds and remove the chart from the page."""
        if getattr(self, "header", None) is not None:
            self.header.close()
            self.chart.model.close()
        super().close()
