"""``bw.OrderBook``: the depth ladder with size bars, spread, grouping and your own orders marked;
with a ticket, a place to trade: click a row for its price, shift-click to place (armed), drag your
order to amend it, its × to cancel."""

from __future__ import annotations

import time
from typing import Any

import traitlets

from ..protocol.endpoints import new_order_link_id
from ..protocol.environments import mainnet_block
from .base import STATIC, SymbolWidget
from .gestures import Gestures, Notices, parse_price
from .levels import feed_depth_for, group_levels, group_price, pack_book
from .ticket import CONFIRM_SECONDS, OrderTicket, check_ticket

__all__ = ["MAX_ROWS", "OrderBook"]

MAX_ROWS = 200


class OrderBook(SymbolWidget):
    """A live ladder of ``depth`` levels a side (default 25).

    ``grouping`` merges levels into buckets of that many ticks (1 = none);
    ``cumulative`` sizes the bars by cumulative depth instead of level size;
    ``height`` (px) makes the ladder scroll, centred on the spread.
    Levels that changed since the last frame flash; the account's open orders
    are marked at their prices. When the book is resyncing or stale the
    ladder keeps the last good book, dimmed, and says so.

    ``ticket`` (an :class:`~.ticket.OrderTicket`; a Dashboard passes its own) makes the ladder
    trade: a click on a row sets the ticket to Limit at its price; with one-click trading armed
    (the ⚡ toggle, ``bw-book-arm``; off by default; on mainnet only with the session's opt-in and
    a confirm) a shift-click places a Limit order there with the ticket's qty, Buy on a bid row and
    Sell on an ask row, through the ticket's checks and its one-order-per-intent guard; your orders
    are markers (``bw-book-own``) you drag onto another row to amend the price (same orderId), and
    cancel with their ×. Keys while the ladder has focus: B / S pick the ticket's side, Esc disarms.
    Every refusal shows in words on the ladder (``notice``).
    """

    _esm = STATIC / "book.js"
    _css = STATIC / "widgets.css"
    _kind = traitlets.Unicode("book").tag(sync=True)

    depth = traitlets.Int(25).tag(sync=True)
    grouping = traitlets.Int(1).tag(sync=True)
    cumulative = traitlets.Bool(False).tag(sync=True)
    height = traitlets.Int(0).tag(sync=True)  # ladder height in px; 0: as tall as its rows
    tick_size = traitlets.Float(0.0).tag(sync=True)
    levels = traitlets.Bytes(b"").tag(sync=True)  # see levels.pack_book
    own = traitlets.List().tag(sync=True)  # [[price, side, qty, count, [[id, link id, price, qty], ...]], ...]
    trading = traitlets.Bool(False).tag(sync=True)  # a ticket is attached: the ladder's gestures trade
    armed = traitlets.Bool(False).tag(sync=True)  # one-click trading (shift-click places); only arm() sets it
    arm_confirm = traitlets.Dict().tag(sync=True)  # {summary, token} while arming on mainnet awaits its confirm
    notice = traitlets.Dict().tag(sync=True)  # {kind: ok / info / error, text, seq}: a gesture's outcome

    def __init__(
        self,
        symbol: str,
        depth: int = 25,
        *,
        grouping: int = 1,
        cumulative: bool = False,
        height: int = 0,
        category: str = "linear",
        session: Any = None,
        max_hz: float | None = None,
        ticket: OrderTicket | None = None,
    ) -> None:
        _check_rows(depth, "depth")
        _check_rows(grouping, "grouping")
        check_ticket(ticket)
        self._feed_depth = 0
        self._ticket = ticket
        self._arming = False  # only arm() may set `armed` (a view cannot arm itself past the mainnet checks)
        self._arm_token = ""
        self._arm_asked_at = 0.0
        super().__init__(
            symbol,
            category=category,
            session=session,
            max_hz=max_hz,
            depth=depth,
            grouping=grouping,
            cumulative=cumulative,
            height=height,
        )
        self._notify = Notices(self)
        self._gestures = Gestures(self, self._notify)
        self.trading = ticket is not None
        self.observe(self._shape_changed, names=["depth", "grouping"])
        self.observe(self._disarm_for_new_symbol, names=["symbol"])

    @property
    def ticket(self) -> OrderTicket | None:
        """The :class:`~.ticket.OrderTicket` this ladder drives, or ``None``."""
        return self._ticket

    def _open_feeds(self) -> list[Any]:
        self._use_account()
        self._feed_depth = feed_depth_for(self.depth, self.grouping, self.category)
        self._book = self._attach(self.streams.order_book(self.symbol, depth=self._feed_depth, category=self.category))
        return [self._book]

    @traitlets.validate("depth", "grouping")
    def _valid_rows(self, proposal: dict) -> int:
        _check_rows(proposal["value"], proposal["trait"].name)
        return proposal["value"]

    def _shape_changed(self, _change: dict) -> None:
        if feed_depth_for(self.depth, self.grouping, self.category) != self._feed_depth:
            self._rebind()  # a deeper (or shallower) book is needed for these rows
        else:
            self._request_frame()

    def _disarm_for_new_symbol(self, change: dict) -> None:
        """Armed for one market is not armed for another: a shift-click must never trade a symbol nobody armed."""
        if self.armed or self.arm_confirm:
            self._set_armed(False)
            self._notify("info", f"one-click trading is off: the ladder now shows {change['new']}; arm it again")

    def _rules_loaded(self) -> None:
        self.tick_size = float(self.rules.tick_size)

    def _reset_view(self) -> None:
        self.levels, self.own = b"", []

    def _render(self) -> None:
        view = self._book.latest
        if view is None:
            return
        rows = self.depth
        if self.grouping > 1 and self.tick_size > 0:
            step = self.tick_size * self.grouping
            bids = group_levels(view.bids, step, "bid", rows)
            asks = group_levels(view.asks, step, "ask", rows)
        else:
            step = 0.0
            bids, asks = view.bids[:rows], view.asks[:rows]
        self.levels = pack_book(bids, asks, view.u, view.ts)
        self.own = self._own_orders(step)

    def _own_orders(self, step: float) -> list[list[Any]]:
        """The account's open orders of this symbol by displayed row, each row with its orders."""
        buckets: dict[tuple[float, str], list[Any]] = {}
        for order in self._use_account().open_orders(self.symbol):
            if order.price is None or not order.price or order.category not in (None, self.category):
                continue
            side = "bid" if order.side == "Buy" else "ask"
            price = float(order.price)
            if step:
                price = group_price(price, step, side)
            qty = float(order.leaves_qty if order.leaves_qty is not None else order.qty or 0)
            entry = buckets.setdefault((price, side), [price, side, 0.0, 0, []])
            entry[2] += qty
            entry[3] += 1
            entry[4].append([order.order_id or "", order.order_link_id or "", str(order.price), _plain(qty)])
        return sorted(buckets.values(), key=lambda e: -e[0])

    # -- trading from the ladder -----------------------------------------------------------------

    def arm(self, on: bool = True, *, confirm: bool = False) -> bool:
        """Turn one-click trading on or off; returns whether it is on.

        Needs a ticket that can trade. On mainnet it also needs the session's opt-in and
        ``confirm=True`` (the view asks for a confirm click instead).
        """
        if not on:
            self._set_armed(False)
            return False
        why = self._arm_block()
        if why:
            self._notify("error", why)
            return False
        if self.session.env == "mainnet" and not confirm:
            self._notify("error", "arming one-click trading on mainnet needs confirm=True (real money)")
            return False
        self._set_armed(True)
        return True

    def _arm_block(self) -> str:
        ticket = self._ticket
        if ticket is None:
            return "one-click trading needs a ticket: bw.OrderBook(..., ticket=t), or use a Dashboard"
        block = mainnet_block(self.session.env, self.session.allow_mainnet_trading)
        return block or ("" if ticket.can_trade else ticket.trade_block)

    def _set_armed(self, on: bool) -> None:
        self._arming = True
        try:
            self.armed = on
        finally:
            self._arming = False
        self.arm_confirm = {}

    @traitlets.validate("armed")
    def _valid_armed(self, proposal: dict) -> bool:
        if proposal["value"] and not self._arming:
            return False  # a view (or a stray assignment) cannot arm: arm() checks first
        return bool(proposal["value"])

    def _msg_arm(self, content: dict) -> None:
        if not content.get("on"):
            self._set_armed(False)
            return
        why = self._arm_block()
        if why:
            self._notify("error", why)
        elif self.session.env == "mainnet":
            self._arm_token = new_order_link_id()
            self._arm_asked_at = time.monotonic()
            self.arm_confirm = {
                "summary": "Arm one-click trading on MAINNET (real money): a shift-click places an order at once",
                "token": self._arm_token,
            }
        else:
            self._set_armed(True)

    def _msg_arm_confirm(self, content: dict) -> None:
        token, self._arm_token = self._arm_token, ""
        if not token or content.get("token") != token:
            self.arm_confirm = {}
            self._notify("info", "nothing to confirm: arm again")
            return
        if time.monotonic() - self._arm_asked_at > CONFIRM_SECONDS:  # as the ticket's confirm: an old ask is void
            self.arm_confirm = {}
            self._notify("info", f"the confirm expired after {CONFIRM_SECONDS:.0f} s: arm again")
            return
        self.arm(True, confirm=True)

    def _msg_pick(self, content: dict) -> None:
        if self._ticket is None:
            return  # a plain ladder: a click only selects
        self._ticket.take_price(parse_price(content.get("price")))

    def _msg_side(self, content: dict) -> None:
        if self._ticket is not None and content.get("side") in ("Buy", "Sell"):
            self._ticket.side = content["side"]

    def _msg_place(self, content: dict) -> Any:
        if not self.armed:
            self._notify("info", "one-click trading is off: arm it (⚡) first; nothing was placed")
            return None
        price = parse_price(content.get("price"))
        side = {"bid": "Buy", "ask": "Sell"}.get(content.get("side"))  # type: ignore[arg-type]
        if side is None:
            raise ValueError(f"a shift-click needs the row's side (bid or ask), got {content.get('side')!r:.20}")
        where = f"{side} {self._ticket.qty or '?'} at {price}"

        def outcome(status: str, message: str) -> None:
            if status == "rejected":
                self._notify("error", f"{where} rejected: {message}")
            else:
                self._notify("ok", f"{where}: {message or status}")

        task, why = self._ticket.place_at(side, price, outcome)
        if task is None:
            self._notify("info" if "in flight" in why or "on its way" in why else "error", why)
        else:
            self._notify("info", f"{where}: sending…")
        return task

    def _msg_amend(self, content: dict) -> Any:
        return self._gestures.amend_price(content.get("order_id"), content.get("from_price"), content.get("price"))

    def _msg_cancel(self, content: dict) -> Any:
        return self._gestures.cancel(content.get("order_id"))


def _plain(value: float) -> str:
    return f"{value:.12g}"


def _check_rows(value: Any, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ROWS:
        raise ValueError(f"{name} must be an integer from 1 to {MAX_ROWS}, got {value!r}")
