"""The order ticket's form, checked: from what the user typed to ``place_order`` arguments.

Pure and synchronous (no I/O), so the ticket re-checks on every keystroke
and the rules are tested with plain values. Every problem names its field
and, where there is one, the nearest valid values, so the view can offer
them as one-click fixes. Wording is for a person at a trading desk, not a
log file.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ..protocol.rules import InstrumentRules

__all__ = [
    "REJECT_REASONS",
    "FormCheck",
    "OrderForm",
    "Problem",
    "check_form",
    "new_order_link_id",
    "status_of_order",
]  # fmt: skip

SIDES = ("Buy", "Sell")
ORDER_TYPES = ("Market", "Limit")
TIME_IN_FORCE = ("GTC", "IOC", "FOK", "PostOnly")
QTY_UNITS = ("base", "quote")

#: Bybit's rejectReason codes in plain words
REJECT_REASONS = {
    "EC_NoError": "",
    "EC_PostOnlyWillTakeLiquidity": "a post-only order would have traded at once, so it was cancelled",
    "EC_CancelForNoFullFill": "fill-or-kill: the whole qty could not fill at once, so nothing did",
    "EC_NoImmediateQtyToFill": "immediate-or-cancel: nothing could fill at once",
    "EC_OrigClOrdIDDoesNotExist": "the order was already gone",
    "EC_PerCancelRequest": "cancelled on request",
    "EC_ReduceOnlyWouldIncrease": "reduce-only: it would have increased the position",
}


@dataclass(frozen=True)
class Problem:
    field: str  # qty | price | trigger_price | take_profit | stop_loss | side | order_type | time_in_force | reduce_only
    message: str
    suggestions: tuple[str, ...] = ()
    blank: bool = False  # a required field not filled in yet: incomplete rather than wrong

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "message": self.message, "suggestions": list(self.suggestions),
                "blank": self.blank}  # fmt: skip


@dataclass(frozen=True)
class OrderForm:
    """What the ticket's fields say, as typed (strings stay strings until checked)."""

    symbol: str
    category: str = "linear"
    side: str = "Buy"
    order_type: str = "Limit"
    qty: str = ""
    qty_unit: str = "base"  # base coin, or quote value (converted at the limit or last price)
    price: str = ""
    time_in_force: str = "GTC"
    reduce_only: bool = False
    conditional: bool = False
    trigger_price: str = ""
    take_profit: str = ""
    stop_loss: str = ""


@dataclass
class FormCheck:
    problems: list[Problem] = field(default_factory=list)
    params: dict[str, Any] | None = None  # place_order keyword arguments, without order_link_id
    summary: str = ""
    qty_base: Decimal | None = None
    notional: Decimal | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and self.params is not None


# A quadrillion: beyond any price, qty or order value; tick and step arithmetic past it overflows Decimal.
_MAX_EXPONENT = 15


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(str(text).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None


def _number(text: str) -> Decimal | None:
    value = _decimal(text)
    return value if value is not None and value.is_finite() and value.adjusted() < _MAX_EXPONENT else None


def _not_a_number(label: str, text: str) -> str:
    """Why ``text`` gave no number: too large to mean anything ("1e30"), or not a number at all."""
    value = _decimal(text)
    reason = "is too large" if value is not None and value.is_finite() else "is not a number"
    return f"{label} {text!r} {reason}"


def check_form(form: OrderForm, rules: InstrumentRules | None, *, last_price: Decimal | None = None) -> FormCheck:
    """Check ``form`` against the instrument's rules; ``last_price`` prices market orders and triggers."""
    out = FormCheck()
    problems = out.problems
    if rules is None:
        problems.append(Problem("qty", f"loading the trading rules of {form.symbol}..."))
        return out
    if form.side not in SIDES:
        problems.append(Problem("side", f"side must be Buy or Sell, got {form.side!r}"))
    if form.order_type not in ORDER_TYPES:
        problems.append(Problem("order_type", f"type must be Market or Limit, got {form.order_type!r}"))
    if form.time_in_force not in TIME_IN_FORCE:
        problems.append(Problem("time_in_force", f"time in force must be one of {', '.join(TIME_IN_FORCE)}"))
    if form.qty_unit not in QTY_UNITS:
        problems.append(Problem("qty", f"qty unit must be base or quote, got {form.qty_unit!r}"))
    if problems:
        return out
    market = form.order_type == "Market"
    derivative = form.category != "spot"

    price: Decimal | None = None
    if not market:
        price = _number(form.price)
        if price is None:
            problems.append(Problem("price", "enter a limit price", blank=True) if not form.price.strip()
                            else Problem("price", _not_a_number("price", form.price)))  # fmt: skip
    if market and form.time_in_force == "PostOnly":
        problems.append(Problem("time_in_force", "a market order cannot be post-only; pick Limit or another TIF"))

    trigger: Decimal | None = None
    if form.conditional:
        if not derivative:
            problems.append(Problem("trigger_price", "conditional orders from the ticket are for derivatives"))
        trigger = _number(form.trigger_price)
        if trigger is None:
            problems.append(Problem("trigger_price", "enter a trigger price", blank=True)
                            if not form.trigger_price.strip()
                            else Problem("trigger_price", _not_a_number("trigger price", form.trigger_price)))  # fmt: skip
        elif last_price is None:
            problems.append(Problem("trigger_price", "waiting for the last price to set the trigger direction"))
        elif trigger == last_price:
            problems.append(Problem("trigger_price", f"the trigger equals the last price {last_price}: "
                                    "it would fire at once; place a plain order instead"))  # fmt: skip
        elif trigger > 0 and trigger % rules.tick_size != 0:
            lo = rules.round_price(trigger, "down")
            problems.append(Problem("trigger_price", f"trigger price is not a multiple of the tick "
                                    f"{rules.tick_size.normalize()}", (rules.format_price(lo),
                                                                       rules.format_price(lo + rules.tick_size))))  # fmt: skip

    # the price the order will roughly trade at: limit price, else trigger, else last
    reference = price if price is not None else (trigger if trigger is not None else last_price)

    qty_typed = _number(form.qty)
    qty: Decimal | None = None
    if qty_typed is None:
        problems.append(Problem("qty", "enter a quantity", blank=True) if not form.qty.strip()
                        else Problem("qty", _not_a_number("qty", form.qty)))  # fmt: skip
    elif form.qty_unit == "quote":
        if reference is None or reference <= 0:
            problems.append(Problem("qty", f"waiting for a price to convert {rules.quote_coin} to {rules.base_coin}"))
        elif qty_typed <= 0:
            problems.append(Problem("qty", "the order value must be positive"))
        else:
            qty = rules.round_qty(qty_typed / reference, "down")
            if qty < rules.min_qty:
                smallest = rules.min_qty * reference
                problems.append(Problem("qty", f"{qty_typed} {rules.quote_coin} buys less than the minimum "
                                        f"{rules.format_qty(rules.min_qty)} {rules.base_coin}; enter at least "
                                        f"{smallest.quantize(Decimal('0.01'))} {rules.quote_coin}",
                                        (str(smallest.quantize(Decimal("0.01"))),)))  # fmt: skip
                qty = None
    else:
        qty = qty_typed

    if qty is not None:
        for violation in rules.violations(qty=qty, price=price, market=market, reference_price=reference):
            suggestions = tuple(
                rules.format_price(v) if violation.field == "price" else rules.format_qty(v)
                for v in violation.suggestions
            )
            if form.qty_unit == "quote" and violation.field in ("qty", "notional"):
                suggestions = ()  # the user typed a value, not a qty: a qty suggestion would not fit the field
            problems.append(Problem("qty" if violation.field == "notional" else violation.field, violation.message,
                                    suggestions))  # fmt: skip
    elif price is not None:
        for violation in rules.violations(qty=rules.min_qty, price=price):
            if violation.field == "price":
                problems.append(Problem("price", violation.message,
                                        tuple(rules.format_price(v) for v in violation.suggestions)))  # fmt: skip

    tp, sl = _number(form.take_profit) if form.take_profit.strip() else None, (
        _number(form.stop_loss) if form.stop_loss.strip() else None)  # fmt: skip
    for name, text, value in (("take_profit", form.take_profit, tp), ("stop_loss", form.stop_loss, sl)):
        label = "take profit" if name == "take_profit" else "stop loss"
        if not text.strip():
            continue
        if not derivative:
            problems.append(Problem(name, f"{label} from the ticket is for derivatives"))
        elif form.reduce_only:
            problems.append(Problem(name, f"a reduce-only order cannot carry a {label}"))
        elif value is None or value <= 0:
            problems.append(Problem(name, f"{label} {text!r} is not a positive number"))
        elif value % rules.tick_size != 0:
            lo = rules.round_price(value, "down")
            problems.append(Problem(name, f"{label} is not a multiple of the tick {rules.tick_size.normalize()}",
                                    (rules.format_price(lo), rules.format_price(lo + rules.tick_size))))  # fmt: skip
        elif reference is not None:
            above = (name == "take_profit") == (form.side == "Buy")
            if above and value <= reference:
                problems.append(Problem(name, f"a {form.side.lower()}'s {label} must be above the entry "
                                        f"{rules.format_price(reference)}"))  # fmt: skip
            elif not above and value >= reference:
                problems.append(Problem(name, f"a {form.side.lower()}'s {label} must be below the entry "
                                        f"{rules.format_price(reference)}"))  # fmt: skip
    if form.reduce_only and not derivative:
        problems.append(Problem("reduce_only", "reduce-only is for derivatives (spot has no positions)"))

    out.qty_base = qty
    if qty is not None and reference is not None:
        out.notional = qty * reference
    if problems or qty is None:
        return out

    params: dict[str, Any] = {
        "category": form.category,
        "symbol": form.symbol,
        "side": form.side,
        "order_type": form.order_type,
        "qty": rules.format_qty(qty),
        "time_in_force": "IOC" if market else form.time_in_force,
    }
    if price is not None:
        params["price"] = rules.format_price(price)
    if market and not derivative:
        params["market_unit"] = "baseCoin"  # spot market buys are by quote value unless told otherwise
    if form.reduce_only:
        params["reduce_only"] = True
    if trigger is not None and last_price is not None:
        params["trigger_price"] = rules.format_price(trigger)
        params["trigger_direction"] = 1 if trigger > last_price else 2
    if tp is not None:
        params["take_profit"] = rules.format_price(tp)
    if sl is not None:
        params["stop_loss"] = rules.format_price(sl)
    out.params = params
    at = f" @ {params['price']}" if price is not None else " at market"
    when = f" when the price {'rises' if params.get('trigger_direction') == 1 else 'falls'} to " \
           f"{params['trigger_price']}" if "trigger_price" in params else ""  # fmt: skip
    out.summary = f"{form.side} {params['qty']} {rules.base_coin or form.symbol}{at}{when}"
    return out


def new_order_link_id() -> str:
    """A client order id (Bybit: at most 36 characters of ``[A-Za-z0-9_-]``), unique per submit."""
    return "bw-" + uuid.uuid4().hex[:24]


def status_of_order(order: Any) -> tuple[str, str]:
    """The ticket's ``(status, message)`` for an order record from the stream or REST."""
    filled = order.cum_exec_qty or Decimal(0)
    qty = order.qty or Decimal(0)
    avg = f" @ {order.avg_price}" if order.avg_price and filled else ""
    state = order.order_status or ""
    if state in ("New", "Untriggered", "Created", "Triggered", "Active"):
        waiting = "waiting for the trigger" if state == "Untriggered" else "open, resting on the book"
        return "accepted", f"{waiting} ({filled}/{qty} filled)"
    if state == "PartiallyFilled":
        return "accepted", f"partially filled {filled}/{qty}{avg}"
    if state == "Filled":
        return "filled", f"{filled}{avg}"
    reason = REJECT_REASONS.get(order.reject_reason or "", order.reject_reason or "")
    if state == "Rejected":
        return "rejected", reason or "by the exchange"
    if state in ("Cancelled", "PartiallyFilledCanceled", "Deactivated"):
        parts = [f"after filling {filled}{avg}" if filled else "", reason]
        return "cancelled", "; ".join(p for p in parts if p) or "nothing filled"
    return "accepted", f"{state or 'unknown state'} ({filled}/{qty} filled)"
