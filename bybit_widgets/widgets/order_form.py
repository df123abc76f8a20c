"""The order ticket's form, checked: from what the user typed to ``place_order`` arguments.

Pure and synchronous (no I/O), so the ticket re-checks on every keystroke
and the rules are tested with plain values. Every problem names its field
and, where there is one, the nearest valid values, so the view can offer
them as one-click fixes. Wording is for a person at a trading desk, not a
log file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ..protocol.positions import position_idx_for, side_of_idx
from ..protocol.rules import InstrumentRules, RuleViolation, trigger_direction

__all__ = [
    "REJECT_REASONS",
    "FormCheck",
    "OrderForm",
    "Problem",
    "check_form",
    "status_of_order",
]

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
    field: (
        str  # qty | price | trigger_price | take_profit | stop_loss | side | order_type | time_in_force | reduce_only
    )
    message: str
    suggestions: tuple[str, ...] = ()
    blank: bool = False  # a required field not filled in yet: incomplete rather than wrong

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "message": self.message,
            "suggestions": list(self.suggestions),
            "blank": self.blank,
        }


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
    hedge: bool = False  # the symbol is in hedge mode: reduce_only then means "close the other side"


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
    """Check ``form`` against the instrument's rules; ``last_price`` prices market orders and triggers.

    One checker per field, in the order a person fills the ticket in; each returns its value
    (``None`` when missing or wrong) and adds its problems, so a wrong price does not also
    produce a confusing qty message, and the params are built only from values that passed.
    """
    out = FormCheck()
    problems = out.problems
    if rules is None:
        problems.append(Problem("qty", f"loading the trading rules of {form.symbol}..."))
        return out
    problems.extend(_choice_problems(form))
    if problems:
        return out
    price = _check_price(form, problems)
    trigger = _check_trigger(form, rules, last_price, problems)
    reference = price if price is not None else (trigger if trigger is not None else last_price)  # what it trades at
    qty = _check_qty(form, rules, price, reference, problems)
    tp = _check_protection(form, rules, reference, "take_profit", problems)
    sl = _check_protection(form, rules, reference, "stop_loss", problems)
    if form.reduce_only and form.category == "spot":
        problems.append(Problem("reduce_only", "reduce-only is for derivatives (spot has no positions)"))
    out.qty_base = qty
    if qty is not None and reference is not None:
        out.notional = qty * reference
    if problems or qty is None:
        return out
    out.params = _params(form, rules, qty, price, trigger, last_price, tp, sl)
    out.summary = _summary(form, rules, out.params)
    return out


def _choice_problems(form: OrderForm) -> list[Problem]:
    """The fields picked from a list: anything else means the form was filled in by code, wrongly."""
    out = []
    if form.side not in SIDES:
        out.append(Problem("side", f"side must be Buy or Sell, got {form.side!r}"))
    if form.order_type not in ORDER_TYPES:
        out.append(Problem("order_type", f"type must be Market or Limit, got {form.order_type!r}"))
    if form.time_in_force not in TIME_IN_FORCE:
        out.append(Problem("time_in_force", f"time in force must be one of {', '.join(TIME_IN_FORCE)}"))
    if form.qty_unit not in QTY_UNITS:
        out.append(Problem("qty", f"qty unit must be base or quote, got {form.qty_unit!r}"))
    return out


def _check_price(form: OrderForm, problems: list[Problem]) -> Decimal | None:
    """The limit price as a number (its tick and bounds are checked with the qty, by the rules)."""
    if form.order_type == "Market":
        if form.time_in_force == "PostOnly":
            problems.append(Problem("time_in_force", "a market order cannot be post-only; pick Limit or another TIF"))
        return None
    price = _number(form.price)
    if price is None:
        problems.append(
            Problem("price", "enter a limit price", blank=True)
            if not form.price.strip()
            else Problem("price", _not_a_number("price", form.price))
        )
    return price


def _check_trigger(
    form: OrderForm, rules: InstrumentRules, last_price: Decimal | None, problems: list[Problem]
) -> Decimal | None:
    """A conditional order's trigger: a number, then the rules' verdict on it against the last price."""
    if not form.conditional:
        return None
    if form.category == "spot":
        problems.append(Problem("trigger_price", "conditional orders from the ticket are for derivatives"))
    trigger = _number(form.trigger_price)
    if trigger is None:
        problems.append(
            Problem("trigger_price", "enter a trigger price", blank=True)
            if not form.trigger_price.strip()
            else Problem("trigger_price", _not_a_number("trigger price", form.trigger_price))
        )
    elif last_price is None:
        problems.append(Problem("trigger_price", "waiting for the last price to set the trigger direction"))
    elif (violation := rules.trigger_violation(trigger, last_price)) is not None:
        problems.append(_problem(rules, violation))
    return trigger


def _check_qty(
    form: OrderForm, rules: InstrumentRules, price: Decimal | None, reference: Decimal | None, problems: list[Problem]
) -> Decimal | None:
    """The qty in the base coin (a quote value is converted at ``reference``), checked with the price by the rules."""
    typed = _number(form.qty)
    qty: Decimal | None = None
    if typed is None:
        problems.append(
            Problem("qty", "enter a quantity", blank=True)
            if not form.qty.strip()
            else Problem("qty", _not_a_number("qty", form.qty))
        )
    elif form.qty_unit == "quote":
        qty = _quote_to_base(typed, rules, reference, problems)
    else:
        qty = typed
    if qty is not None:
        for violation in rules.violations(
            qty=qty, price=price, market=form.order_type == "Market", reference_price=reference
        ):
            problem = _problem(rules, violation)
            if form.qty_unit == "quote" and violation.field in ("qty", "notional"):
                problem = Problem(problem.field, problem.message)  # a qty suggestion would not fit a value typed
            problems.append(problem)
    elif price is not None:
        problems.extend(
            _problem(rules, v) for v in rules.violations(qty=rules.min_qty, price=price) if v.field == "price"
        )
    return qty


def _quote_to_base(
    value: Decimal, rules: InstrumentRules, reference: Decimal | None, problems: list[Problem]
) -> Decimal | None:
    if reference is None or reference <= 0:
        problems.append(Problem("qty", f"waiting for a price to convert {rules.quote_coin} to {rules.base_coin}"))
        return None
    if value <= 0:
        problems.append(Problem("qty", "the order value must be positive"))
        return None
    qty = rules.round_qty(value / reference, "down")
    if qty < rules.min_qty:
        smallest = (rules.min_qty * reference).quantize(Decimal("0.01"))
        problems.append(
            Problem(
                "qty",
                f"{value} {rules.quote_coin} buys less than the minimum "
                f"{rules.format_qty(rules.min_qty)} {rules.base_coin}; enter at least "
                f"{smallest} {rules.quote_coin}",
                (str(smallest),),
            )
        )
        return None
    return qty


def _check_protection(
    form: OrderForm, rules: InstrumentRules, reference: Decimal | None, name: str, problems: list[Problem]
) -> Decimal | None:
    """A take profit or stop loss: derivatives only, not reduce-only, on the tick grid, and on the rules' side
    of the price the order trades at."""
    text = getattr(form, name)
    if not text.strip():
        return None
    label = "take profit" if name == "take_profit" else "stop loss"
    value = _number(text)
    if form.category == "spot":
        problems.append(Problem(name, f"{label} from the ticket is for derivatives"))
    elif form.reduce_only:
        problems.append(Problem(name, f"a reduce-only order cannot carry a {label}"))
    elif value is None or value <= 0:
        problems.append(Problem(name, f"{label} {text!r} is not a positive number"))
    elif (off_grid := rules.tick_violation(name, label, value)) is not None:
        problems.append(_problem(rules, off_grid))
    elif reference is not None:
        tp, sl = (value, None) if name == "take_profit" else (None, value)
        problems.extend(
            _problem(rules, v) for v in rules.protection_violations(form.side, reference, take_profit=tp, stop_loss=sl)
        )
    return value


def _problem(rules: InstrumentRules, violation: RuleViolation) -> Problem:
    """A rule's violation as the form shows it: notional problems sit at the qty; suggestions as typed text."""
    fmt = rules.format_qty if violation.field in ("qty", "notional") else rules.format_price
    return Problem(
        "qty" if violation.field == "notional" else violation.field,
        violation.message,
        tuple(fmt(v) for v in violation.suggestions),
    )


def _params(
    form: OrderForm,
    rules: InstrumentRules,
    qty: Decimal,
    price: Decimal | None,
    trigger: Decimal | None,
    last_price: Decimal | None,
    tp: Decimal | None,
    sl: Decimal | None,
) -> dict[str, Any]:
    """``place_order`` keyword arguments from checked values, formatted to the instrument's grid."""
    market = form.order_type == "Market"
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
    if market and form.category == "spot":
        params["market_unit"] = "baseCoin"  # spot market buys are by quote value unless told otherwise
    if form.reduce_only:
        params["reduce_only"] = True
    if form.hedge and form.category != "spot":
        params["position_idx"] = position_idx_for(form.side, hedge=True, close=form.reduce_only)
    if trigger is not None and last_price is not None:
        params["trigger_price"] = rules.format_price(trigger)
        params["trigger_direction"] = trigger_direction(trigger, last_price)
    if tp is not None:
        params["take_profit"] = rules.format_price(tp)
    if sl is not None:
        params["stop_loss"] = rules.format_price(sl)
    return params


def _summary(form: OrderForm, rules: InstrumentRules, params: dict[str, Any]) -> str:
    at = f" @ {params['price']}" if "price" in params else " at market"
    when = ""
    if "trigger_price" in params:
        moves = "rises" if params["trigger_direction"] == 1 else "falls"
        when = f" when the price {moves} to {params['trigger_price']}"
    hedge_side = side_of_idx(params.get("position_idx", 0))
    leg = (
        f" ({'close' if form.reduce_only else 'open'} {'long' if hedge_side == 'Buy' else 'short'})"
        if hedge_side
        else ""
    )
    return f"{form.side} {params['qty']} {rules.base_coin or form.symbol}{at}{when}{leg}"


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
