"""``bw.Positions``: open positions with live PnL, and open orders; close, cancel, set TP/SL."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import traitlets

from ..protocol.positions import POSITION_IDX, position_key, side_of_idx
from ..protocol.rules import InstrumentRules
from .base import STATIC, LiveWidget, plain_error
from .marks import Marks, stop_side_problem, unrealised_pnl

__all__ = ["Positions", "unrealised_pnl"]


class Positions(LiveWidget):
    """The account's open positions (live mark price and unrealised PnL) and open orders.

    Each position has Close (a reduce-only market order for the whole size)
    and TP/SL; each order has Cancel. Actions run as kernel tasks; their
    outcome shows in the notice line.
    """

    _esm = STATIC / "positions.js"
    _css = STATIC / "widgets.css"
    _kind = traitlets.Unicode("positions").tag(sync=True)

    positions = traitlets.List().tag(sync=True)
    orders = traitlets.List().tag(sync=True)
    busy = traitlets.List(traitlets.Unicode()).tag(sync=True)  # keys of actions in flight ("close:BTCUSDT")
    notice = traitlets.Dict().tag(sync=True)  # {"kind": "ok" | "error", "text": ...}
    available = traitlets.Bool(True).tag(sync=True)
    unavailable_reason = traitlets.Unicode("").tag(sync=True)

    default_max_hz = 8.0

    def __init__(self, *, session: Any = None, max_hz: float | None = None) -> None:
        super().__init__(session=session, max_hz=max_hz)
        self._marks = Marks(self)
        self._busy: set[str] = set()
        self._bind()

    def _open_feeds(self) -> list[Any]:
        account = self._use_account()
        self.available, self.unavailable_reason = account.available, account.reason
        return account.feeds

    def _flush_frame(self) -> int:
        if not self.available:  # no key: nothing will ever stream; say so instead of "connecting"
            before = self.messages_sent
            with self.hold_sync():
                self.conn_state, self.conn_reason = "closed", self.unavailable_reason
            return self.messages_sent - before
        return super()._flush_frame()

    def _render(self) -> None:
        account = self._account
        assert account is not None
        open_positions = account.open_positions()
        self._marks.follow({p.symbol for p in open_positions if p.symbol})
        rows = []
        for p in open_positions:
            mark, pnl = self._marks.mark(p), self._marks.upl(p)
            rows.append(
                {
                    "key": p.key,
                    "symbol": p.symbol,
                    "position_idx": p.position_idx or 0,
                    "hedged": p.hedged,
                    "side": p.side,
                    "size": _s(p.size),
                    "entry": _s(p.avg_price),
                    "mark": _s(mark),
                    "pnl": None if pnl is None else float(pnl),
                    "liq": _s(p.liq_price),
                    "leverage": _s(p.leverage),
                    "tp": _nz(p.take_profit),
                    "sl": _nz(p.stop_loss),
                    "value": _s(p.position_value),
                }
            )
        self.positions = rows
        self.orders = [
            {
                "order_id": o.order_id,
                "order_link_id": o.order_link_id or "",
                "symbol": o.symbol,
                "category": o.category or "linear",
                "side": o.side,
                "type": _order_kind(o),
                "price": _nz(o.price),
                "qty": _s(o.qty),
                "filled": _s(o.cum_exec_qty),
                "status": o.order_status,
                "trigger": _nz(o.trigger_price),
                "reduce_only": bool(o.reduce_only),
            }
            for o in account.open_orders()
        ]
        if account.error is not None:
            self.notice = {"kind": "error", "text": f"could not load the account: {plain_error(account.error)}"}

    def _unbind(self) -> None:
        super()._unbind()
        self._marks.forget()

    # -- actions ---------------------------------------------------------------------------------

    def _start(self, key: str, label: str, coro_fn: Any) -> Any:
        if key in self._busy:
            return None  # that action is already under way: a double click does nothing twice
        self._busy.add(key)
        self.busy = sorted(self._busy)
        self.notice = {"kind": "ok", "text": f"{label}..."}

        async def run() -> None:
            try:
                done = await coro_fn()
            except _Refused as exc:
                self.notice = {"kind": "error", "text": f"{label} refused, nothing sent: {exc}"}
            except Exception as exc:  # noqa: BLE001 - every failure is the user's news, in the notice line
                self.notice = {"kind": "error", "text": f"{label} failed: {plain_error(exc)}"}
            else:
                self.notice = {"kind": "ok", "text": done}
            finally:
                self._busy.discard(key)
                self.busy = sorted(self._busy)
                self._request_frame()

        return self._spawn(run(), label)

    def close_position(self, symbol: str, position_idx: int | None = None) -> Any:
        """Close ``symbol`` at market (reduce-only): both sides of a hedged symbol, or the side
        ``position_idx`` (1 long, 2 short) names; returns the task."""
        return self._msg_close({"symbol": symbol, "position_idx": position_idx})

    def cancel_order(self, order_id: str, symbol: str, category: str = "linear") -> Any:
        return self._msg_cancel({"order_id": order_id, "symbol": symbol, "category": category})

    def set_tpsl(self, symbol: str, take_profit: str = "", stop_loss: str = "", position_idx: int = 0) -> Any:
        """Set (or with "0" remove) the take profit and stop loss of a position (``position_idx``: its
        side in hedge mode); returns the task."""
        content = {"symbol": symbol, "take_profit": take_profit, "stop_loss": stop_loss, "position_idx": position_idx}
        return self._msg_tpsl(content)

    def _msg_close(self, content: dict) -> Any:
        symbol = _required(content, "symbol")
        idx = _position_idx(content, allow_all=True)
        name = _position_name(symbol, idx)

        async def close() -> str:
            await self.session.aclient.close_position("linear", symbol, position_idx=idx)
            return f"closed {name}"

        return self._start(f"close:{position_key(symbol, idx)}", f"closing {name}", close)

    def _msg_cancel(self, content: dict) -> Any:
        order_id, symbol = _required(content, "order_id"), _required(content, "symbol")
        category = content.get("category") or "linear"

        async def cancel() -> str:
            await self.session.aclient.cancel_order(category=category, symbol=symbol, order_id=order_id)
            return f"cancel sent for {symbol} order {order_id[:8]}"

        return self._start(f"cancel:{order_id}", f"cancelling {symbol} order {order_id[:8]}", cancel)

    def _msg_tpsl(self, content: dict) -> Any:
        symbol = _required(content, "symbol")
        idx = _position_idx(content) or 0
        name = _position_name(symbol, idx)
        values = {field: str(content.get(field) or "").strip() for field in ("take_profit", "stop_loss")}
        if not any(values.values()):
            raise ValueError("enter a take profit or a stop loss (0 removes one)")
        for field, text in values.items():
            if text:
                try:
                    number = Decimal(text)
                except InvalidOperation:
                    raise ValueError(f"{field.replace('_', ' ')} {text!r} is not a number") from None
                if number < 0 or not number.is_finite():
                    raise ValueError(f"{field.replace('_', ' ')} must be a positive price, or 0 to remove it")

        async def tpsl() -> str:
            inst = await self._in_thread(self.session.instrument, "linear", symbol)
            rules = InstrumentRules.from_instrument(inst)
            args = {}
            for field, text in values.items():
                if not text:
                    continue
                number = Decimal(text)
                off_grid = rules.tick_violation(field, f"{field.replace('_', ' ')} {text}", number) if number else None
                if off_grid is not None:
                    nearest = " or ".join(rules.format_price(v) for v in off_grid.suggestions)
                    raise _Refused(f"{off_grid.message}: try {nearest}" if nearest else off_grid.message)
                args[field] = rules.format_price(number) if number else "0"
            wrong_side = self._wrong_side(rules, symbol, idx, values)
            if wrong_side:
                raise _Refused(wrong_side)
            await self.session.aclient.set_trading_stop(
                category="linear", symbol=symbol, tpsl_mode="Full", position_idx=idx, **args
            )
            return f"TP/SL set on {name}"

        return self._start(f"tpsl:{position_key(symbol, idx)}", f"setting TP/SL on {name}", tpsl)

    def _wrong_side(self, rules: InstrumentRules, symbol: str, idx: int, values: dict[str, str]) -> str:
        """Why a take profit or stop loss is on the wrong side of the mark the row shows (see
        :func:`.marks.stop_side_problem`); a "0" removes one and is never wrong; no position here: ""."""
        account = self._account
        key = position_key(symbol, idx)
        position = next((p for p in account.open_positions() if p.key == key), None) if account else None
        if position is None:
            return ""
        tp, sl = (Decimal(values[name] or 0) or None for name in ("take_profit", "stop_loss"))
        return stop_side_problem(rules, position, self._marks.mark(position), take_profit=tp, stop_loss=sl)


class _Refused(ValueError):
    """An action the widget's own checks (Bybit's rules, written in ``protocol/``) refused before sending it."""


_STOP_KINDS = {
    "TakeProfit": "Take profit",
    "StopLoss": "Stop loss",
    "PartialTakeProfit": "Take profit (part)",
    "PartialStopLoss": "Stop loss (part)",
    "TrailingStop": "Trailing stop",
    "Stop": "Conditional",
}


def _order_kind(order: Any) -> str:
    """ "Limit" / "Market", or what a conditional order is for ("Take profit" on a position's TP)."""
    return _STOP_KINDS.get(order.stop_order_type or "", order.order_type or "")


def _position_idx(content: dict, *, allow_all: bool = False) -> int | None:
    """The ``position_idx`` a view sent: 0, 1 or 2 (``None``: every side, where allowed)."""
    idx = content.get("position_idx")
    if idx is None and allow_all:
        return None
    if idx is None:
        return 0
    if type(idx) is not int or idx not in POSITION_IDX:
        raise ValueError(f"position_idx must be 0 (one-way), 1 (long) or 2 (short), got {idx!r}")
    return idx


def _position_name(symbol: str, idx: int | None) -> str:
    """ "BTCUSDT", or "BTCUSDT long" / "BTCUSDT short" for one side of a hedged symbol."""
    side = side_of_idx(idx or 0)
    return f"{symbol} {'long' if side == 'Buy' else 'short'}" if side else symbol


def _required(content: dict, name: str) -> str:
    value = content.get(name)
    if not isinstance(value, str) or not value:
        raise ValueError(f"the view sent no {name}")
    return value


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def _nz(value: Decimal | None) -> str:
    """A price, or "" for Bybit's "0" meaning none."""
    return "" if value is None or value == 0 else str(value)
