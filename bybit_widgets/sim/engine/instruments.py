"""Tradable symbols: their filters (tick, step, limits) and integer <-> wire conversions.

Inside the engine a price is an integer number of ticks and a quantity an
integer number of lots (``qtyStep``, or ``basePrecision`` on spot): integers
make the book exact and fast. Decimal text exists only at the edge, and the
hot conversions (book levels, trades) are cached per value.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = ["SymbolSpec", "Instrument", "default_symbols", "synthetic_linear_symbols", "decimals_of"]

_CACHE_LIMIT = 50_000  # wire strings kept per instrument and kind before the cache is reset


def decimals_of(step: str) -> int:
    """Number of decimals of a step such as ``"0.010"`` (3): the wire precision of its values."""
    return len(step.split(".", 1)[1]) if "." in step else 0


@dataclass(frozen=True)
class SymbolSpec:
    """What defines one simulated instrument and the character of its market.

    Filters use Bybit's names and values (reference 5.2); the market fields
    (``price``, ``daily_vol``, ``level_notional``, ``trade_notional``) shape the
    generator: start price, daily volatility, USD size of a level at the touch
    and median USD size of a public trade.
    """

    symbol: str
    category: str  # "linear" | "spot"
    base_coin: str
    quote_coin: str
    price: str
    tick_size: str
    qty_step: str  # linear qtyStep; spot basePrecision
    min_qty: str
    max_qty: str
    max_mkt_qty: str
    min_notional: str  # linear minNotionalValue; spot minOrderAmt
    max_leverage: str = "100.00"
    min_price: str | None = None
    max_price: str | None = None
    max_order_amt: str = "8000000"  # spot maxOrderAmt
    quote_precision: str = "0.00000001"  # spot
    mmr: str = "0.005"  # maintenance margin rate of the first risk tier
    daily_vol: float = 0.02
    level_notional: float = 30_000.0
    trade_notional: float = 2_000.0
    funding_interval_min: int = 480

    def __post_init__(self) -> None:
        if self.category not in ("linear", "spot"):
            raise ValueError(f"category must be 'linear' or 'spot', got {self.category!r}")
        for name in ("price", "tick_size", "qty_step", "min_qty", "max_qty", "max_mkt_qty", "min_notional"):
            if Decimal(getattr(self, name)) <= 0:
                raise ValueError(f"{self.symbol}: {name} must be positive")
        if Decimal(self.price) % Decimal(self.tick_size) != 0:
            raise ValueError(f"{self.symbol}: start price {self.price} is not a multiple of tick {self.tick_size}")


def default_symbols() -> list[SymbolSpec]:
    """Linear BTCUSDT, ETHUSDT, SOLUSDT and spot BTCUSDT with Bybit's filters, near late-2025 prices."""
    return [
        SymbolSpec(
            "BTCUSDT",
            "linear",
            "BTC",
            "USDT",
            "88000.00",
            "0.10",
            "0.001",
            "0.001",
            "1190.000",
            "500.000",
            "5",
            "100.00",
            "0.10",
            "1999999.80",
            daily_vol=0.022,
            level_notional=40_000,
            trade_notional=3_000,
        ),
        SymbolSpec(
            "ETHUSDT",
            "linear",
            "ETH",
            "USDT",
            "2900.00",
            "0.01",
            "0.01",
            "0.01",
            "7240.00",
            "3620.00",
            "5",
            "100.00",
            "0.01",
            "199999.98",
            daily_vol=0.03,
            level_notional=25_000,
            trade_notional=2_000,
        ),
        SymbolSpec(
            "SOLUSDT",
            "linear",
            "SOL",
            "USDT",
            "138.000",
            "0.010",
            "0.1",
            "0.1",
            "79770.0",
            "12770.0",
            "5",
            "100.00",
            "0.010",
            "19999.980",
            mmr="0.01",
            daily_vol=0.04,
            level_notional=8_000,
            trade_notional=800,
        ),
        SymbolSpec(
            "BTCUSDT",
            "spot",
            "BTC",
            "USDT",
            "88000.00",
            "0.01",
            "0.000001",
            "0.000011",
            "83",
            "41.5",
            "5",
            daily_vol=0.022,
            level_notional=15_000,
            trade_notional=1_000,
        ),
    ]


def synthetic_linear_symbols(count: int, *, start: int = 1) -> list[SymbolSpec]:
    """``count`` extra linear perps ``SIM01USDT``, ``SIM02USDT``... for load tests (20 books and up).

    Prices spread over four orders of magnitude so that every tick regime
    (a few ticks per cent to thousands) is exercised; each symbol's filters
    follow the pattern Bybit uses for a coin at that price.
    """
    specs = []
    for n in range(start, start + count):
        name = f"SIM{n:02d}USDT"
        magnitude = n % 4
        price, tick, step = [
            ("0.50000", "0.00001", "10"),
            ("12.500", "0.001", "0.1"),
            ("350.00", "0.01", "0.01"),
            ("9000.0", "0.1", "0.001"),
        ][magnitude]
        specs.append(
            SymbolSpec(
                name,
                "linear",
                name[:-4],
                "USDT",
                price,
                tick,
                step,
                step,
                str(Decimal(step) * 1_000_000),
                str(Decimal(step) * 200_000),
                "5",
                "50.00",
                tick,
                str(Decimal(tick) * 199_999_998),
                mmr="0.01",
                daily_vol=0.05,
                level_notional=5_000,
                trade_notional=500,
            )
        )
    return specs


class Instrument:
    """A :class:`SymbolSpec` made operational: integer scales, fee rates and cached wire text."""

    __slots__ = (
        "spec",
        "symbol",
        "category",
        "is_linear",
        "tick",
        "step",
        "price_dp",
        "qty_dp",
        "_tick_units",
        "_step_units",
        "_price_div",
        "_qty_div",
        "_price_cache",
        "_qty_cache",
        "min_lots",
        "max_lots",
        "max_mkt_lots",
        "min_notional",
        "max_leverage",
        "mmr",
        "min_ticks",
        "max_ticks",
        "taker_fee",
        "maker_fee",
        "lot_value",
    )

    def __init__(self, spec: SymbolSpec) -> None:
        self.spec = spec
        self.symbol = spec.symbol
        self.category = spec.category
        self.is_linear = spec.category == "linear"
        self.tick = Decimal(spec.tick_size)
        self.step = Decimal(spec.qty_step)
        self.price_dp = decimals_of(spec.tick_size)
        self.qty_dp = decimals_of(spec.qty_step)
        self._price_div = 10**self.price_dp
        self._qty_div = 10**self.qty_dp
        self._tick_units = int(self.tick * self._price_div)
        self._step_units = int(self.step * self._qty_div)
        self._price_cache: dict[int, str] = {}
        self._qty_cache: dict[int, str] = {}
        self.min_lots = self.lots_floor(Decimal(spec.min_qty)) or 1
        self.max_lots = self.lots_floor(Decimal(spec.max_qty))
        self.max_mkt_lots = self.lots_floor(Decimal(spec.max_mkt_qty))
        self.min_notional = Decimal(spec.min_notional)
        self.max_leverage = Decimal(spec.max_leverage)
        self.mmr = Decimal(spec.mmr)
        self.min_ticks = int(Decimal(spec.min_price) / self.tick) if spec.min_price else 1
        self.max_ticks = int(Decimal(spec.max_price) / self.tick) if spec.max_price else 10**15
        # Bybit's base-tier rates (reference: linear taker 0.055%, maker 0.02%; spot 0.1% / 0.1%).
        self.taker_fee = Decimal("0.00055") if self.is_linear else Decimal("0.001")
        self.maker_fee = Decimal("0.0002") if self.is_linear else Decimal("0.001")
        self.lot_value = self.tick * self.step  # quote value of one lot at one tick: exact unit of notional

    # -- integers -> wire text (hot: cached) --------------------------------------------------------
    def price_str(self, ticks: int) -> str:
        text = self._price_cache.get(ticks)
        if text is None:
            if len(self._price_cache) >= _CACHE_LIMIT:
                self._price_cache.clear()
            text = self._price_cache[ticks] = _fixed(ticks * self._tick_units, self.price_dp, self._price_div)
        return text

    def qty_str(self, lots: int) -> str:
        text = self._qty_cache.get(lots)
        if text is None:
            if len(self._qty_cache) >= _CACHE_LIMIT:
                self._qty_cache.clear()
            text = self._qty_cache[lots] = _fixed(lots * self._step_units, self.qty_dp, self._qty_div)
        return text

    # -- exact conversions --------------------------------------------------------------------------
    def price_of(self, ticks: int) -> Decimal:
        return self.tick * ticks

    def qty_of(self, lots: int) -> Decimal:
        return self.step * lots

    def value_of(self, ticks: int, lots: int) -> Decimal:
        """Exact quote value of ``lots`` at ``ticks``."""
        return self.lot_value * (ticks * lots)

    def ticks_exact(self, price: Decimal) -> int | None:
        """Ticks of ``price`` when it is a multiple of the tick size, else ``None``."""
        ticks, rest = divmod(price, self.tick)
        return int(ticks) if rest == 0 else None

    def lots_exact(self, qty: Decimal) -> int | None:
        lots, rest = divmod(qty, self.step)
        return int(lots) if rest == 0 else None

    def lots_floor(self, qty: Decimal) -> int:
        return int(qty // self.step)

    def ticks_round(self, price: float) -> int:
        """Nearest tick to a float price (market generator output)."""
        return max(1, round(price / float(self.tick)))


def _fixed(units: int, dp: int, div: int) -> str:
    if dp == 0:
        return str(units)
    whole, frac = divmod(units, div)
    return f"{whole}.{frac:0{dp}d}"
