"""``bw.OrderTicket``: place, amend and cancel orders, checked live against the instrument's rules.

Safety first, because a click here moves money:

- the comm handler never waits on the network: it checks the form, starts a
  task on the kernel's loop and returns; the task's answer lands in
  ``status``;
- one order per intent (:mod:`.intent`): while a submit is in flight and for
  a second after its outcome every further submit is refused in the kernel
  (the view also disables its button and says why, but the kernel is what
  counts), so a double click cannot place two orders, however fast the fill;
- on mainnet the session must have opted in (``allow_mainnet_trading=True``)
  and every order needs a second, confirming click;
- each submit carries a fresh ``orderLinkId``; the client never resends a
  create blindly, so a timeout cannot double an order either;
- no key, secret or signature is ever in a trait.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import traitlets

from ..protocol.endpoints import new_order_link_id
from ..protocol.environments import mainnet_block
from .base import STATIC, SymbolWidget, plain_error
from .intent import HOLD_SECONDS, IntentGuard
from .order_form import FormCheck, OrderForm, check_form, status_of_order

__all__ = ["OrderTicket", "check_ticket"]

CONFIRM_SECONDS = 30.0
_FORM_TRAITS = [
    "side",
    "order_type",
    "qty",
    "qty_unit",
    "price",
    "time_in_force",
    "reduce_only",
    "conditional",
    "trigger_price",
    "take_profit",
    "stop_loss",
]


class OrderTicket(SymbolWidget):
    """An order ticket for one symbol.

    Fields are traits, so code can fill them too (``ticket.qty = "0.01"``) and
    :meth:`submit` presses the button. ``status`` follows the last order from
    ``sending`` to ``accepted`` or ``rejected`` (reason in plain words), then
    through the private stream to ``filled`` or ``cancelled``.
    """

    _esm = STATIC / "ticket.js"
    _css = STATIC / "widgets.css"
    _kind = traitlets.Unicode("ticket").tag(sync=True)

    # the form (the view writes these)
    side = traitlets.Unicode("Buy").tag(sync=True)
    order_type = traitlets.Unicode("Limit").tag(sync=True)
    qty = traitlets.Unicode("").tag(sync=True)
    qty_unit = traitlets.Unicode("base").tag(sync=True)
    price = traitlets.Unicode("").tag(sync=True)
    time_in_force = traitlets.Unicode("GTC").tag(sync=True)
    reduce_only = traitlets.Bool(False).tag(sync=True)
    conditional = traitlets.Bool(False).tag(sync=True)
    trigger_price = traitlets.Unicode("").tag(sync=True)
    take_profit = traitlets.Unicode("").tag(sync=True)
    stop_loss = traitlets.Unicode("").tag(sync=True)

    # what the kernel tells the view
    rules_info = traitlets.Dict().tag(sync=True)  # tick_size, qty_step, min_qty, base, quote (strings)
    problems = traitlets.List().tag(sync=True)  # [{field, message, suggestions}]
    preview = traitlets.Dict().tag(sync=True)  # summary, qty_base, notional
    market = traitlets.Dict().tag(sync=True)  # bid, ask, last (strings)
    status = traitlets.Dict().tag(sync=True)  # status, message, order_link_id, order_id
    can_trade = traitlets.Bool(False).tag(sync=True)
    trade_block = traitlets.Unicode("").tag(sync=True)  # why trading is off, in plain words
    confirm = traitlets.Dict().tag(sync=True)  # {summary, token} while a mainnet order awaits its confirm
    position = traitlets.Dict().tag(sync=True)  # side, size, entry of this symbol's position
    balance = traitlets.Unicode("").tag(sync=True)  # available balance, e.g. "99,812.40 USD"
    holding = traitlets.Bool(False).tag(sync=True)  # an order in flight or just answered: submits place nothing

    default_max_hz = 10.0

    def __init__(
        self,
        symbol: str,
        *,
        category: str = "linear",
        session: Any = None,
        max_hz: float | None = None,
        hold: float = HOLD_SECONDS,
        **form: Any,
    ) -> None:
        unknown = set(form) - set(_FORM_TRAITS)
        if unknown:
            raise TypeError(f"unknown ticket field(s): {', '.join(sorted(unknown))}; fields: {', '.join(_FORM_TRAITS)}")
        self._guard = IntentGuard(hold)
        self._release: Any = None  # the timer that ends the hold
        self._tracked: str | None = None  # orderLinkId of the last order placed
        self._tracked_id: str | None = None
        self._pending: dict[str, Any] | None = None  # a mainnet order awaiting its confirm
        self._pending_at = 0.0
        self._resetting = False
        super().__init__(
            symbol, category=category, session=session, max_hz=max_hz, status={"status": "idle", "message": ""}, **form
        )
        self.can_trade, self.trade_block = self._trading_allowed()
        self.observe(self._form_changed, names=_FORM_TRAITS)

    # -- feeds -----------------------------------------------------------------------------------

    def _open_feeds(self) -> list[Any]:
        account = self._use_account([self.symbol] if self.category == "linear" else [])  # its position mode
        self._ticker = self._attach(self.streams.ticker(self.symbol, category=self.category))
        return [self._ticker, *account.feeds]

    def _reset_view(self) -> None:
        """A new symbol: its prices differ, so the price fields start empty; the qty is kept."""
        self.market, self.position = {}, {}
        self._tracked = self._tracked_id = None
        self._pending = None
        self.confirm = {}
        self.status = {"status": "idle", "message": ""}
        self._resetting = True  # no frame from the old symbol's feeds while the fields clear
        try:
            self.price = self.trigger_price = self.take_profit = self.stop_loss = ""
        finally:
            self._resetting = False

    def _rules_loaded(self) -> None:
        rules = self.rules
        self.rules_info = {
            "tick_size": str(rules.tick_size),
            "qty_step": str(rules.qty_step),
            "min_qty": str(rules.min_qty),
            "base": rules.base_coin,
            "quote": rules.quote_coin,
        }

    def _trading_allowed(self) -> tuple[bool, str]:
        session = self.session
        if not getattr(session, "has_credentials", False):
            return False, "no API key: bw.connect(..., api_key=..., api_secret=...) to trade"
        block = mainnet_block(session.env, session.allow_mainnet_trading)
        return not block, block

    # -- the form --------------------------------------------------------------------------------

    def form(self) -> OrderForm:
        return OrderForm(
            symbol=self.symbol,
            category=self.category,
            side=self.side,
            order_type=self.order_type,
            qty=self.qty,
            qty_unit=self.qty_unit,
            price=self.price,
            time_in_force=self.time_in_force,
            reduce_only=self.reduce_only,
            conditional=self.conditional,
            trigger_price=self.trigger_price,
            take_profit=self.take_profit,
            stop_loss=self.stop_loss,
            hedge=self._hedged(),
        )

    def _hedged(self) -> bool:
        account = self._account
        return self.category == "linear" and account is not None and account.is_hedged(self.symbol)

    def _last_price(self) -> Decimal | None:
        ticker = self._ticker.latest
        return ticker.last_price if ticker is not None else None

    def check(self) -> FormCheck:
        """Check the form now (what the view shows as you type)."""
        return check_form(self.form(), self.rules, last_price=self._last_price())

    def _form_changed(self, _change: dict) -> None:
        if self._resetting:
            return
        if self._pending is not None:  # the order to confirm is not what the form says any more
            self._pending = None
            self.confirm = {}
        if self.status.get("status") in ("filled", "cancelled", "rejected", "invalid"):
            self._tracked = self._tracked_id = None  # that order is done: the form starts a new one
            self.status = {"status": "idle", "message": ""}
        self.scheduler.flush_now(self)  # answer typing at once, not a frame later

    # -- frames ----------------------------------------------------------------------------------

    def _render(self) -> None:
        ticker = self._ticker.latest
        if ticker is not None:
            self.market = {"bid": _s(ticker.bid1_price), "ask": _s(ticker.ask1_price), "last": _s(ticker.last_price)}
        checked = self.check()
        self.problems = [p.to_json() for p in checked.problems]
        self.preview = {
            "summary": checked.summary,
            "qty_base": "" if checked.qty_base is None else str(checked.qty_base),
            "notional": "" if checked.notional is None else f"{checked.notional:.2f}",
        }
        account = self._account
        if account is not None and account.available:
            self.position = _position_view(account.positions_of(self.symbol), hedge=self._hedged())
            wallet = account.wallet()
            if wallet is not None and wallet.total_available_balance is not None:
                self.balance = f"{wallet.total_available_balance:,.2f} USD"
        self._render_status(checked)
        if self._pending is not None and time.monotonic() - self._pending_at > CONFIRM_SECONDS:
            self._pending = None
            self.confirm = {}

    def _render_status(self, checked: FormCheck) -> None:
        current = self.status.get("status", "idle")
        if self._tracked is not None and not self._guard.in_flight and self._account is not None:
            order = self._account.order_by_link_id(self._tracked)
            if order is not None:
                state, message = status_of_order(order)
                self._tracked_id = order.order_id
                self.status = {
                    **self.status,
                    "status": state,
                    "message": message,
                    "order_id": order.order_id or "",
                    "open": order.is_open,
                }
                return
        if current in ("idle", "invalid"):
            wrong = [p for p in checked.problems if not p.blank]
            if wrong:
                new, message = "invalid", wrong[0].message
            elif checked.problems:  # only blanks: incomplete, not wrong; say what is missing, calmly
                new, message = "idle", " and ".join(p.message for p in checked.problems)
            else:
                new, message = "idle", ""
            if (new, message) != (current, self.status.get("message")):
                self.status = {"status": new, "message": message}

    # -- actions ---------------------------------------------------------------------------------

    def submit(self) -> Any:
        """Press the submit button: returns the placing task, or ``None`` if nothing was sent (see ``status``)."""
        return self._msg_submit({})

    @property
    def double_submits_blocked(self) -> int:
        """Submits and confirms that placed nothing because an order was in flight or just answered."""
        return self._guard.refused

    def _msg_submit(self, _content: dict) -> Any:
        if not self._guard.allows(time.monotonic()):
            return None
        if not self.can_trade:
            self.status = {"status": "rejected", "message": self.trade_block}
            return None
        checked = self.check()
        if not checked.ok:
            first = checked.problems[0].message if checked.problems else "the form is incomplete"
            self.status = {"status": "invalid", "message": first}
            return None
        if self.session.env == "mainnet":
            token = new_order_link_id()
            self._pending = {**checked.params, "_token": token}  # type: ignore[dict-item]
            self._pending_at = time.monotonic()
            self.confirm = {"summary": f"{checked.summary} on MAINNET (real money)", "token": token}
            return None
        return self._place(dict(checked.params))  # type: ignore[arg-type]

    # -- driven from other views (the ladder, the chart) ------------------------------------------

    def take_price(self, price: Any) -> None:
        """Set the form to a Limit order at ``price`` (a ladder row or chart click); on the tick grid when known."""
        try:
            value = Decimal(str(price))
        except (InvalidOperation, ValueError):
            raise ValueError(f"not a price: {price!r:.40}") from None
        if not value.is_finite() or value <= 0:
            raise ValueError(f"a price must be positive, got {price!r:.40}")
        with self.hold_trait_notifications():
            self.order_type = "Limit"
            self.price = self.rules.format_price(value) if self.rules is not None else str(value.normalize())

    def place_at(self, side: str, price: Any, on_outcome: Callable[[str, str], None] | None = None) -> tuple[Any, str]:
        """A Limit order at ``price`` with the form's qty (a one-click gesture): ``(task, "")`` or ``(None, why)``.

        The same checks as :meth:`submit` (rules, balance preview, trading guard) and the same
        one-order-per-intent guard, so a ticket submit and a shift-click cannot both go; no mainnet
        confirm here, because arming one-click trading on mainnet asked for it. ``on_outcome(status,
        message)`` hears the exchange's answer ("accepted" or "rejected").
        """
        if side not in ("Buy", "Sell"):
            raise ValueError(f"side must be 'Buy' or 'Sell', got {side!r:.20}")
        if self._guard.holding(time.monotonic()):
            self._guard.refused += 1
            return None, "nothing placed: the last order is in flight or was answered less than a second ago"
        if not self.can_trade:
            return None, self.trade_block
        with self.hold_trait_notifications():
            self.side = side
            self.take_price(price)
        checked = self.check()
        if not checked.ok:
            first = checked.problems[0].message if checked.problems else "the ticket is incomplete"
            self.status = {"status": "invalid", "message": first}
            return None, f"nothing placed: {first}"
        task = self._place(dict(checked.params), on_outcome)  # type: ignore[arg-type]
        return task, "" if task is not None else "nothing placed: an order is already on its way"

    def _msg_confirm(self, content: dict) -> Any:
        pending = self._pending
        if pending is None or content.get("token") != pending.get("_token"):
            self.confirm = {}
            self.status = {"status": "idle", "message": "nothing to confirm (the form changed or it timed out)"}
            return None
        if time.monotonic() - self._pending_at > CONFIRM_SECONDS:
            self._pending = None
            self.confirm = {}
            self.status = {"status": "idle", "message": "the confirmation timed out; submit again"}
            return None
        self._pending = None
        self.confirm = {}
        params = {k: v for k, v in pending.items() if k != "_token"}
        return self._place(params)

    def _msg_dismiss(self, _content: dict) -> None:
        self._pending = None
        self.confirm = {}

    def _place(self, params: dict[str, Any], on_outcome: Callable[[str, str], None] | None = None) -> Any:
        if not self._guard.begin(time.monotonic()):  # a confirm and a submit racing: still only one order
            return None
        self._hold(True)
        link_id = new_order_link_id()
        self._tracked, self._tracked_id = link_id, None
        self.status = {"status": "sending", "message": "sending the order...", "order_link_id": link_id}
        self.scheduler.flush_now(self)

        async def place() -> None:
            try:
                ack = await self.session.aclient.place_order(order_link_id=link_id, **params)
            except Exception as exc:  # noqa: BLE001 - any failure is a rejection the user must see
                self._tracked = None
                self.status = {"status": "rejected", "message": plain_error(exc), "order_link_id": link_id}
            else:
                self._tracked_id = ack.order_id
                self.status = {
                    "status": "accepted",
                    "message": "accepted by the exchange",
                    "order_link_id": link_id,
                    "order_id": ack.order_id or "",
                    "open": True,
                }
            finally:
                self._guard.finish(time.monotonic())
                self._release_later()
                self.scheduler.flush_now(self)
                if on_outcome is not None:
                    on_outcome(self.status.get("status", ""), self.status.get("message", ""))

        return self._spawn(place(), "placing the order")

    def _hold(self, on: bool) -> None:
        if self.holding != on:
            self.holding = on

    def _release_later(self) -> None:
        """End the hold once its second is over (a timer on the loop; the guard itself has no clock)."""
        release_at = self._guard.release_at()
        if release_at is None:
            return

        def release() -> None:
            self._release = None
            if self.closed:
                return
            if self._guard.holding(time.monotonic()):
                self._release_later()  # a later outcome moved the end of the hold
                return
            self._hold(False)
            self.scheduler.flush_now(self)

        if self._release is not None:
            self._release.cancel()
        self._release = self.loop.call_later(max(0.0, release_at - time.monotonic()), release)

    def _msg_amend(self, _content: dict) -> Any:
        """Move the tracked open order to the form's price and qty."""
        if not self._tracked_order_open():
            self.error = "no open order to amend: place one first"
            return None
        changes: dict[str, Any] = {}
        checked = self.check()
        rules = self.rules
        if self.price.strip() and self.order_type == "Limit":
            bad = [p for p in checked.problems if p.field == "price"]
            if bad:
                self.error = f"cannot amend: {bad[0].message}"
                return None
            changes["price"] = checked.params["price"] if checked.params else rules.format_price(Decimal(self.price))
        if checked.qty_base is not None:
            changes["qty"] = rules.format_qty(checked.qty_base)
        return self._order_action("amend_order", "amend", changes)

    def _msg_cancel(self, _content: dict) -> Any:
        if not self._tracked_order_open():
            self.error = "no open order to cancel"
            return None
        return self._order_action("cancel_order", "cancel", {})

    def amend(self) -> Any:
        """Amend the last order to the form's price and qty (its task, or ``None``)."""
        return self._msg_amend({})

    def cancel(self) -> Any:
        """Cancel the last order if it is still open (its task, or ``None``)."""
        return self._msg_cancel({})

    def _tracked_order_open(self) -> bool:
        if self._tracked is None or self._guard.in_flight:
            return False
        order = self._account.order_by_link_id(self._tracked) if self._account is not None else None
        return order.is_open if order is not None else bool(self.status.get("open"))

    def _order_action(self, method: str, what: str, changes: dict[str, Any]) -> Any:
        ids = {"order_id": self._tracked_id} if self._tracked_id else {"order_link_id": self._tracked}
        self.error = ""

        async def act() -> None:
            try:
                await getattr(self.session.aclient, method)(
                    category=self.category, symbol=self.symbol, **ids, **changes
                )
            except Exception as exc:  # noqa: BLE001 - shown on the ticket, whatever it is
                self.error = f"{what} refused: {plain_error(exc)}"
            self.scheduler.flush_now(self)

        return self._spawn(act(), what)


def check_ticket(ticket: Any) -> OrderTicket | None:
    """``ticket`` itself if it is an OrderTicket or None (a widget that only shows); else a TypeError."""
    if ticket is not None and not isinstance(ticket, OrderTicket):
        raise TypeError(f"ticket must be a bw.OrderTicket, got {type(ticket).__name__}")
    return ticket


def _s(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def _position_view(rows: list[Any], *, hedge: bool) -> dict[str, Any]:
    """The ticket's position line: the one-way row, or in hedge mode each open side (``legs``)."""
    legs = [{"side": p.side, "size": str(p.size), "entry": _s(p.avg_price)} for p in rows if not p.is_flat]
    if hedge:
        return {"hedge": True, "legs": legs}
    return legs[0] if legs else {}
