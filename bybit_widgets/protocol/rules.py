"""Instrument trading rules: tick size, qty step, min/max qty, min notional, trigger and TP/SL sides.

Exchanges reject orders that break these rules with terse codes (110017,
110094, 170134, 10001...). Checking them first, in ``Decimal``, lets the client
and the order ticket say exactly what is wrong *and* what the nearest valid
values are, before anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal, InvalidOperation, getcontext

from .errors import InvalidOrderError
from .records import Instrument

__all__ = ["InstrumentRules", "RuleViolation", "to_decimal_strict", "trigger_direction"]


def to_decimal_strict(value: object, name: str) -> Decimal:
    """Parse a user number (str, int, Decimal, float) or raise naming the field."""
    from .errors import ParameterError

    if isinstance(value, bool) or value is None:
        raise ParameterError(f"{name} must be a number, got {value!r}", param=name)
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ParameterError(f"{name} must be a number, got {value!r}", param=name) from None
    if not number.is_finite():
        raise ParameterError(f"{name} must be a finite number, got {value!r}", param=name)
    return number


@dataclass(frozen=True)
class RuleViolation:
    """One broken rule, for a form to show next to its field."""

    field: str  # "price" | "qty" | "notional" | "trigger_price" | "take_profit" | "stop_loss"
    message: str
    suggestions: tuple[Decimal, ...] = ()


def _fmt(value: Decimal, step: Decimal) -> str:
    """A value with exactly the step's number of decimals ("65000.10", not "65000.1")."""
    exponent = step.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return f"{value:.{places}f}"


def trigger_direction(trigger: Decimal, last_price: Decimal) -> int:
    """Bybit's ``triggerDirection`` for a conditional order: 1 (fires when the price rises to ``trigger``) when
    the trigger is above the last price, 2 (fires when it falls to it) when below. A trigger at the last price
    has no direction: :meth:`InstrumentRules.trigger_violation` refuses it, and this raises ``ValueError``."""
    if trigger == last_price:
        raise ValueError(f"a trigger at the last price {last_price} has no direction")
    return 1 if trigger > last_price else 2


_PROTECTION_LABELS = {"take_profit": "take profit", "stop_loss": "stop loss"}


@dataclass(frozen=True)
class InstrumentRules:
    symbol: str
    tick_size: Decimal
    qty_step: Decimal
    min_qty: Decimal
    max_qty: Decimal | None = None
    max_market_qty: Decimal | None = None
    min_notional: Decimal | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    quote_coin: str = "USDT"
    base_coin: str = ""

    @classmethod
    def from_instrument(cls, inst: Instrument) -> InstrumentRules:
        if inst.tick_size is None or inst.qty_step is None:
            raise ValueError(f"instrument {inst.symbol} lacks tickSize or qtyStep/basePrecision")
        return cls(
            symbol=inst.symbol or "",
            tick_size=inst.tick_size,
            qty_step=inst.qty_step,
            min_qty=inst.min_qty if inst.min_qty is not None else inst.qty_step,
            max_qty=inst.max_qty,
            max_market_qty=inst.max_market_qty,
            min_notional=inst.min_notional,
            min_price=inst.min_price,
            max_price=inst.max_price,
            quote_coin=inst.quote_coin or "USDT",
            base_coin=inst.base_coin or "",
        )

    # -- rounding ---------------------------------------------------------------------------------
    def round_price(self, price: object, mode: str = "nearest") -> Decimal:
        """Round to the tick: ``nearest`` (half-even), ``down`` or ``up``."""
        return self._round(to_decimal_strict(price, "price"), self.tick_size, mode)

    def round_qty(self, qty: object, mode: str = "down") -> Decimal:
        """Round to the qty step; ``down`` by default so an order never grows."""
        return self._round(to_decimal_strict(qty, "qty"), self.qty_step, mode)

    def format_price(self, price: Decimal) -> str:
        return _fmt(price, self.tick_size)

    def format_qty(self, qty: Decimal) -> str:
        return _fmt(qty, self.qty_step)

    @staticmethod
    def _round(value: Decimal, step: Decimal, mode: str) -> Decimal:
        rounding = {"nearest": ROUND_HALF_EVEN, "down": ROUND_FLOOR, "up": ROUND_CEILING}.get(mode)
        if rounding is None:
            raise ValueError(f"mode must be 'nearest', 'down' or 'up', got {mode!r}")
        return (value / step).to_integral_value(rounding=rounding) * step

    # -- checks -----------------------------------------------------------------------------------
    def violations(
        self, *, qty: object, price: object = None, market: bool = False, reference_price: object = None
    ) -> list[RuleViolation]:
        """Every rule the order breaks (empty when valid).

        ``reference_price`` (e.g. the last price) lets a market order's notional
        be checked too.
        """
        out: list[RuleViolation] = []
        q = to_decimal_strict(qty, "qty")
        p = to_decimal_strict(price, "price") if price is not None else None
        if p is not None:
            out.extend(self._price_violations(p))
        out.extend(self._qty_violations(q, market))
        ref = p if p is not None else (to_decimal_strict(reference_price, "price") if reference_price else None)
        if (
            ref is not None
            and ref > 0
            and q > 0
            and self.min_notional
            and not _countless(q, self.qty_step)
            and not _countless(ref, self.tick_size)
            and q * ref < self.min_notional
        ):
            smallest = self._round(self.min_notional / ref, self.qty_step, "up")
            smallest = max(smallest, self.min_qty)
            out.append(
                RuleViolation(
                    "notional",
                    f"order value {_fmt(q * ref, self.tick_size)} {self.quote_coin} is below the minimum "
                    f"{self.min_notional.normalize()} {self.quote_coin}; the smallest valid qty at "
                    f"{self.format_price(ref)} is {self.format_qty(smallest)}",
                    (smallest,),
                )
            )
        return out

    def check(self, *, qty: object, price: object = None, market: bool = False, reference_price: object = None) -> None:
        """Raise :class:`InvalidOrderError` for the first broken rule."""
        problems = self.violations(qty=qty, price=price, market=market, reference_price=reference_price)
        if problems:
            first = problems[0]
            raise InvalidOrderError(
                f"{self.symbol}: {first.message}",
                hint="; ".join(p.message for p in problems[1:]) or "Adjust the value and try again.",
            )

    def tick_violation(self, field: str, label: str, value: Decimal) -> RuleViolation | None:
        """A trigger, take-profit or stop-loss price off the tick grid (or past counting): why, and the two
        nearest valid prices; None when ``value`` is on the grid. The one tick rule for every price but
        the limit price, which :meth:`violations` checks with its bounds."""
        if _countless(value, self.tick_size):
            return RuleViolation(field, f"{label} {value} is too large")
        if value % self.tick_size == 0:
            return None
        lo = self._round(value, self.tick_size, "down")
        return RuleViolation(
            field, f"{label} is not a multiple of the tick {self.tick_size.normalize()}", (lo, lo + self.tick_size)
        )

    def trigger_violation(self, trigger: Decimal, last_price: Decimal) -> RuleViolation | None:
        """Why a conditional order cannot wait for ``trigger`` with the market at ``last_price``; None when it can.

        The trigger must be positive and must differ from the last price: Bybit fires the order when the price
        crosses the trigger from the side it is on now (:func:`trigger_direction`), and a trigger at the last
        price is on neither side, so it would fire at once. It must also be on the tick grid.
        """
        if trigger <= 0:
            return RuleViolation("trigger_price", f"trigger price must be positive, got {trigger}")
        if trigger == last_price:
            return RuleViolation(
                "trigger_price",
                f"the trigger equals the last price {last_price}: it would fire at once; place a plain order instead",
            )
        return self.tick_violation("trigger_price", "trigger price", trigger)

    def protection_violations(
        self,
        side: str,
        reference: Decimal,
        *,
        take_profit: Decimal | None = None,
        stop_loss: Decimal | None = None,
        reference_name: str = "entry",
    ) -> list[RuleViolation]:
        """A take profit or stop loss on the wrong side of ``reference`` (empty when both are right or absent).

        A long (``side`` "Buy") takes its profit when the price rises and stops its loss when it falls, so its
        take profit must be above the reference and its stop loss below; a short ("Sell") the other way round.
        A price equal to the reference is on neither side and is refused too. For an order the reference is its
        entry; for an open position, the price now (Bybit's ``base_price``). ``reference_name`` names it in the
        message ("entry", "mark price").
        """
        if side not in ("Buy", "Sell"):
            raise ValueError(f"side must be Buy or Sell, got {side!r}")
        out = []
        for field, value in (("take_profit", take_profit), ("stop_loss", stop_loss)):
            if value is None:
                continue
            above = (field == "take_profit") == (side == "Buy")
            wrong_side = value <= reference if above else value >= reference
            if wrong_side:
                out.append(
                    RuleViolation(
                        field,
                        f"a {side.lower()}'s {_PROTECTION_LABELS[field]} must be {'above' if above else 'below'} "
                        f"the {reference_name} {self.format_price(reference)}",
                    )
                )
        return out

    def _price_violations(self, p: Decimal) -> list[RuleViolation]:
        if p <= 0:
            return [RuleViolation("price", f"price must be positive, got {p}")]
        if _countless(p, self.tick_size):  # e.g. "1e30": no tick arithmetic, and no exchange quotes it
            cap = f"above the maximum {self.format_price(self.max_price)}" if self.max_price else "too large"
            return [RuleViolation("price", f"price {p} is {cap}", (self.max_price,) if self.max_price else ())]
        out = []
        if p % self.tick_size != 0:
            lo = self._round(p, self.tick_size, "down")
            hi = lo + self.tick_size
            out.append(
                RuleViolation(
                    "price",
                    f"price {p} is not a multiple of the tick size {self.tick_size.normalize()}; "
                    f"nearest valid prices: {self.format_price(lo)} or {self.format_price(hi)}",
                    (lo, hi),
                )
            )
        if self.min_price is not None and p < self.min_price:
            out.append(
                RuleViolation(
                    "price", f"price {p} is below the minimum {self.format_price(self.min_price)}", (self.min_price,)
                )
            )
        if self.max_price is not None and p > self.max_price:
            out.append(
                RuleViolation(
                    "price", f"price {p} is above the maximum {self.format_price(self.max_price)}", (self.max_price,)
                )
            )
        return out

    def _qty_violations(self, q: Decimal, market: bool) -> list[RuleViolation]:
        if q <= 0:
            return [RuleViolation("qty", f"qty must be positive, got {q}", (self.min_qty,))]
        cap = self.max_market_qty if market and self.max_market_qty else self.max_qty
        if _countless(q, self.qty_step):  # e.g. "1e30": more steps than Decimal counts
            above = f"above the maximum {self.format_qty(cap)}" if cap is not None else "too large"
            return [RuleViolation("qty", f"qty {q} is {above}", (cap,) if cap is not None else ())]
        out = []
        if q % self.qty_step != 0:
            lo = self._round(q, self.qty_step, "down")
            hi = lo + self.qty_step
            options = tuple(v for v in (lo, hi) if v >= self.min_qty) or (self.min_qty,)
            shown = " or ".join(self.format_qty(v) for v in options)
            out.append(
                RuleViolation(
                    "qty",
                    f"qty {q} is not a multiple of the qty step {self.qty_step.normalize()}; nearest valid: {shown}",
                    options,
                )
            )
        if q < self.min_qty:
            out.append(
                RuleViolation("qty", f"qty {q} is below the minimum {self.format_qty(self.min_qty)}", (self.min_qty,))
            )
        if cap is not None and q > cap:
            kind = "market order " if market and self.max_market_qty else ""
            out.append(RuleViolation("qty", f"qty {q} is above the {kind}maximum {self.format_qty(cap)}", (cap,)))
        return out


def _countless(value: Decimal, step: Decimal) -> bool:
    """More whole steps in ``value`` than the Decimal context can count: ``value % step`` would raise."""
    return value.adjusted() - step.adjusted() >= getcontext().prec
