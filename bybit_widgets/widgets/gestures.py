"""Orders moved by gestures on a view: a dragged ladder marker or chart line, a marker's ×, a dragged TP/SL.

One object per widget, beside its view: it checks what the gesture asks against the instrument's
rules before anything is sent (a price on the tick grid, a real change, a TP/SL on the right side of
the position's live mark price), lets each kind of gesture (amend, cancel, trading stop) act once at
a time and not again for a second after its outcome (one :class:`~.intent.IntentGuard` per kind: a
cancel right after a drag is a new intent, a second drop 150 ms after the first is not), and
reports every outcome in plain words through ``notify(kind, text)``, so the widget shows it where the
gesture was made. Placing new orders is the ticket's job (:meth:`~.ticket.OrderTicket.place_at`),
so a ladder shift-click and a ticket submit share one guard and one set of checks.

The calls go through the session's async client, with its mainnet guard: a gesture on mainnet
without the opt-in is refused before anything leaves, like every other order path.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from .base import SymbolWidget, plain_error
from .intent import HOLD_SECONDS, IntentGuard
from .marks import stop_side_problem

__all__ = ["Gestures", "Notices", "parse_price"]

Notify = Callable[[str, str], None]  # (kind: "ok" | "info" | "error", text)
STOPS = {"take_profit": "takeProfit", "stop_loss": "stopLoss"}


def parse_price(value: Any) -> Decimal:
    """A price from a view message: a positive finite decimal, or ValueError saying what came."""
    try:
        price = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"not a price: {value!r:.40}") from None
    if not price.is_finite() or price <= 0:
        raise ValueError(f"a price must be positive, got {value!r:.40}")
    return price


class Notices:
    """A widget's ``notice`` trait: each outcome numbered and timed (a reloaded page skips old ones), sent at once."""

    def __init__(self, widget: SymbolWidget) -> None:
        self.widget = widget
        self.seq = 0

    def __call__(self, kind: str, text: str) -> None:
        self.seq += 1
        widget = self.widget
        widget.notice = {"kind": kind, "text": text, "seq": self.seq, "at": int(time.time() * 1000)}
        widget.scheduler.flush_now(widget)


class Gestures:
    """Amend, cancel and trading-stop calls of one widget's gestures; one at a time, each outcome told."""

    def __init__(self, widget: SymbolWidget, notify: Notify, hold: float = HOLD_SECONDS) -> None:
        self.widget = widget
        self.notify = notify
        self.guards = {kind: IntentGuard(hold) for kind in ("amend", "cancel", "stop")}
        self._ticker: Any = None  # the symbol's ticker feed, for the mark price a trading stop is checked against
        if getattr(widget, "ticket", None) is not None:
            self._mark_feed()  # a trading view: the mark is live by the first TP/SL drag

    def amend_price(self, order_id: str, from_price: Any, to_price: Any, field: str = "price") -> Any:
        """Move an open order to ``to_price`` (same orderId); ``None`` when nothing was sent (and why is told).

        ``field`` is the price that moves: ``"price"`` (a limit order) or ``"trigger_price"`` (a
        conditional order's trigger, the level its chart line shows). The task's result says whether
        the exchange accepted the amend.
        """
        if field not in ("price", "trigger_price"):
            raise ValueError(f"field must be 'price' or 'trigger_price', got {field!r:.20}")
        if not isinstance(order_id, str) or not order_id:
            raise ValueError(f"an amend needs the order's id, got {order_id!r:.40}")
        new = parse_price(to_price)
        if from_price is not None and parse_price(from_price) == new:
            return None  # dropped where it started: no change asked
        price = self._on_grid(new, "the new trigger price" if field == "trigger_price" else "the new price")
        if price is None:
            return None
        params = {"order_id": order_id, field: price}
        return self._act("amend", "amend", "amend_order", params, f"order moved to {price}")

    def cancel(self, order_id: str) -> Any:
        """Cancel an open order by id; ``None`` when nothing was sent."""
        if not isinstance(order_id, str) or not order_id:
            raise ValueError(f"a cancel needs the order's id, got {order_id!r:.40}")
        return self._act("cancel", "cancel", "cancel_order", {"order_id": order_id}, "order cancelled")

    def set_stop(self, which: str, price: Any, position_idx: int = 0) -> Any:
        """Set the position's take-profit or stop-loss (``which``) to ``price``; ``None`` when nothing was sent.

        Refused before sending when off the tick grid, or on the wrong side of the position's live mark price
        (a long's take-profit above it and stop-loss below, a short's the other way round).
        """
        if which not in STOPS:
            raise ValueError(f"which must be one of {sorted(STOPS)}, got {which!r:.20}")
        value = self._on_grid(parse_price(price), which.replace("_", "-"))
        if value is None:
            return None
        wrong_side = self._wrong_side(which, Decimal(value), position_idx)
        if wrong_side:
            self.notify("error", f"nothing sent: {wrong_side}")
            return None
        label = which.replace("_", "-")
        return self._act(
            "stop",
            f"set the {label}",
            "set_trading_stop",
            {which: value, "position_idx": position_idx},
            f"{label} set to {value}",
        )

    # -- the one path every gesture takes ----------------------------------------------------------

    def _on_grid(self, price: Decimal, label: str) -> str | None:
        rules = self.widget.rules
        if rules is None:
            self.notify("error", f"nothing sent: the rules of {self.widget.symbol} are still loading")
            return None
        bad = rules.tick_violation("price", label, price)
        if bad is not None:
            self.notify("error", f"nothing sent: {bad.message}")
            return None
        return rules.format_price(price)

    def _wrong_side(self, which: str, value: Decimal, position_idx: int) -> str:
        """Why ``value`` as the position's ``which`` is on the wrong side of its mark price (see
        :func:`.marks.stop_side_problem`); "" when right or when there is no open position on ``position_idx``.

        The reference is the symbol's live mark from its ticker feed only: the mark a position's row carries
        comes from the private stream when the position changes (see :mod:`.marks`), and a stale one would
        refuse a stop that is right.
        """
        widget = self.widget
        account = widget._account
        held = account.positions_of(widget.symbol) if account is not None else []
        position = next((p for p in held if not p.is_flat and (p.position_idx or 0) == position_idx), None)
        if position is None:
            return ""
        feed = self._mark_feed()
        mark = getattr(feed.latest, "mark_price", None) if feed is not None else None
        stop = {which: value}
        return stop_side_problem(widget.rules, position, mark, **stop)

    def _mark_feed(self) -> Any:
        """The ticker feed of the widget's symbol, kept with its feeds (closed with them, and opened again after
        a rebind, e.g. to another symbol); ``None`` once the widget or its streams are closed."""
        widget = self.widget
        if self._ticker is None or self._ticker not in widget._feeds:
            if widget.closed:
                return None
            try:
                self._ticker = widget._attach(widget.streams.ticker(widget.symbol, category=widget.category))
            except RuntimeError:  # the session's streams are closed: no mark here
                return None
        return self._ticker

    def _act(self, kind: str, what: str, method: str, params: dict[str, Any], done: str) -> Any:
        guard = self.guards[kind]
        if not guard.begin(time.monotonic()):
            self.notify("info", f"nothing sent: the last {what} is in flight or was answered just now")
            return None
        widget = self.widget

        async def act() -> bool:
            try:
                await getattr(widget.session.aclient, method)(category=widget.category, symbol=widget.symbol, **params)
            except Exception as exc:  # noqa: BLE001 - any refusal is shown where the gesture was made
                self.notify("error", f"{what} refused: {plain_error(exc)}")
                return False
            else:
                self.notify("ok", done)
                return True
            finally:
                guard.finish(time.monotonic())

        return widget._spawn(act(), what)
