"""Kline history: the one-minute candles the live generator would have printed before the start.

Decision: the past is sampled per minute from the live generator's own laws
and parameters (:class:`LiveLaws`, filled in by the market from its
constants), not replayed trade by trade: a day of the real generator is
8.64 M ticks (about 4 minutes of CPU per symbol at its 25-30 us a tick);
these aggregates cost 7-11 ms per symbol for the 1440 minutes, once, when the
history is first needed (measured on the 2-core reference machine). Serving
1000 one-minute klines from them takes 1.3-1.9 ms in-process and 3.7-4.0 ms
(median of 50 requests, three runs) over HTTP, as before this model.

The laws, each taken from ``market.py``:

- Price. The fair price makes ``M = ticks * move_p`` compound moves a minute
  (1500), each Gaussian with GARCH(1,1) variance around ``move_sd**2``. The
  GARCH memory (``1 / (1 - alpha - beta)`` = 50 moves) is far shorter than a
  minute, so a minute's log return is Gaussian with variance
  ``M * move_sd**2 * A``; ``A``, the minute's activity (realised over mean
  variance), is lognormal with the relative variance GARCH gives a sum of
  ``M`` moves. The history walks backwards from the start price, so the last
  historical close is exactly the price the live market starts from; the
  start minute's part before the start is drawn from the same laws (opening
  and closing at the start price), so the first live candle is a whole
  minute's trading, not a partial one.
- High and low. Extremes of a Brownian bridge from open to close, each drawn
  exactly from its marginal (independently of each other: the median range is
  2.5 % wider than a 1500-step walk's), pulled in by the discrete-walk
  correction ``0.5826 * sqrt(variance / M)``. The traded extremes of the live
  market follow its fair price within a tick, so nothing else is added.
- Volume. Two flows. Taker prints: ``ticks * print_p`` a minute (Poisson) of
  ``print_lots * lognormal(0, print_sigma)`` lots, drawn as a normal with the
  compound-Poisson mean and variance. Sweeps: every level the fair price moves
  past is traded through with ``pull_trade_p``, so their lots are
  ``pull_trade_p * crossed * depth``, where ``crossed`` (ticks the fair price
  travels) is ``M * E|move|`` at the minute's price and activity, and
  ``depth`` is the book's lots per tick at the touch.
- Turnover: volume times the candle's mean price ``(open+high+low+close)/4``.

``depth`` is the one number not derived: it is the steady state of makers'
refills, adds and cancels near the touch. In units of ``base_lots`` it is
``(2.6 - 1/s) / s`` on a grid of ``s`` ticks between levels, measured on the
live generator: 1.39-1.80 on one-tick grids (BTC, ETH, SOL linear, a BTC-like
symbol and four synthetic ones; model 1.6) and 2.16, 2.30, 2.61, 2.70 times
``1/s`` for ``s`` = 2, 4, 9, 30 (model 2.1, 2.35, 2.49, 2.57). Coarser grids
hold more, probably because generated cancels aim at prices on the grid from
the touch and mostly miss the levels between.

Measured against the live generator, median volume a minute, history / live:
over 30 live minutes of seed 3 (where the depth law was measured) BTCUSDT
linear 0.92, ETHUSDT 0.98, SOLUSDT 1.06, BTCUSDT spot 0.96; over 12 minutes of
seed 5, BTCUSDT 1.01, ETHUSDT 0.98, SOLUSDT 1.03, spot 0.98, SIM01USDT 1.03,
SIM03USDT 0.96. The one-minute return spread is the live fair price's own
(its realised sd matches ``daily_vol / sqrt(1440)`` within 2.5 %); median
candle ranges agree within the live samples' error (0.87-1.20); the volume's
minute-to-minute spread is 7-10 % against the live 6-12 %.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from .candles import Candle, bucket_start

__all__ = ["LiveLaws", "one_minute_history"]

_MINUTE = 60_000
_DEPTH_LIMIT = 2.6  # lots per grid step at the touch, in base lots, on a coarse grid (measured)
_DEPTH_DEFICIT = 1.0  # a grid of s ticks holds _DEPTH_DEFICIT / s less per step (measured)
_DISCRETE_MAX = 0.5826  # E[max of a Brownian path] minus E[max of its n-step walk], in step sds
_SWEEP_SIZE_CV2 = 1.0  # squared coefficient of variation of a swept level's lots (lognormal 0.55 plus adds)


@dataclass(frozen=True, slots=True)
class LiveLaws:
    """The live generator's parameters that shape a minute of its trades (see the module docstring)."""

    ticks_per_minute: int
    move_p: float
    move_sd: float  # log-price sd of one move at the long-run variance
    garch_alpha: float
    garch_beta: float
    print_p: float
    print_lots: float
    print_sigma: float
    pull_trade_p: float
    base_lots: float
    spacing: int

    @property
    def moves(self) -> float:
        """Fair-price moves a minute."""
        return self.ticks_per_minute * self.move_p

    @property
    def variance_dispersion(self) -> float:
        """``Var(v) / E[v]**2`` of the GARCH variance ``v``."""
        a, phi = self.garch_alpha, self.garch_alpha + self.garch_beta
        return 2 * a * a / (1 - phi * phi - 2 * a * a)

    def activity_sigma(self, fraction: float) -> float:
        """Log sd of a period's realised variance over its mean, for ``fraction`` of a minute."""
        kappa, phi = self.variance_dispersion, self.garch_alpha + self.garch_beta
        # a move's v * z**2 varies by 2 + 3 kappa; v's persistence (autocorrelation phi**k) adds the rest
        relative = (2 + 3 * kappa + 2 * kappa * phi / (1 - phi)) / (self.moves * fraction)
        return math.sqrt(math.log1p(relative))

    @property
    def mean_abs_move(self) -> float:
        """``E|move|`` in log price: a Gaussian's, less GARCH's Jensen gap ``E[sqrt v] < sqrt(E v)``."""
        return math.sqrt(2 / math.pi) * self.move_sd * (1 - self.variance_dispersion / 8)

    @property
    def depth_per_tick(self) -> float:
        """Lots a tick of price holds at the touch when the fair price overtakes it (measured law)."""
        s = self.spacing
        return self.base_lots * (_DEPTH_LIMIT - _DEPTH_DEFICIT / s) / s


def one_minute_history(
    laws: LiveLaws, rng: random.Random, start_ms: int, start_ticks: int, count: int
) -> tuple[list[Candle], Candle]:
    """``count`` closed minutes before the one of ``start_ms``, and that minute's part before ``start_ms``.

    The closed minutes walk back from ``start_ticks`` (each opens at the
    previous one's close, the last closes at ``start_ticks``) and are drawn
    first, so their values depend on the seed alone, not on the start time.
    The part is the forming candle the live market continues: it opens and
    closes at ``start_ticks`` and carries the part's volume and extremes.
    """
    minute = bucket_start("1", start_ms)
    close = float(start_ticks)
    period = _Period(laws, 1.0)
    closed: list[Candle] = []
    for k in range(1, count + 1):
        candle, close = _candle(period, rng, minute - k * _MINUTE, close, moving=True)
        candle.closed_at = candle.end
        closed.append(candle)
    closed.reverse()
    fraction = (start_ms - minute) / _MINUTE
    if fraction > 0:
        forming = _candle(_Period(laws, fraction), rng, minute, float(start_ticks), moving=False)[0]
    else:
        forming = Candle(minute, minute + _MINUTE, start_ticks, start_ticks, start_ticks, start_ticks)
    return closed, forming


class _Period:
    """The laws' constants for ``fraction`` of a minute, computed once per history."""

    __slots__ = (
        "activity_sigma",
        "variance",
        "inward",
        "travel",
        "sweep_lots",
        "swept_levels",
        "print_mean",
        "print_sd",
    )

    def __init__(self, laws: LiveLaws, fraction: float) -> None:
        moves = laws.moves * fraction
        self.activity_sigma = laws.activity_sigma(fraction)
        self.variance = laws.move_sd * laws.move_sd * moves  # log-return variance at activity 1
        self.inward = _DISCRETE_MAX * laws.move_sd  # log price, at activity 1
        self.travel = moves * laws.mean_abs_move  # log-price path length at activity 1
        self.sweep_lots = laws.pull_trade_p * laws.depth_per_tick  # per tick travelled
        self.swept_levels = laws.pull_trade_p / laws.spacing  # per tick travelled
        prints = laws.ticks_per_minute * fraction * laws.print_p
        self.print_mean = prints * laws.print_lots * math.exp(laws.print_sigma**2 / 2)
        self.print_sd = math.sqrt(prints) * laws.print_lots * math.exp(laws.print_sigma**2)


def _candle(period: _Period, rng: random.Random, start: int, close: float, *, moving: bool) -> tuple[Candle, float]:
    """The candle starting at ``start`` whose period ends at ``close`` ticks, and its open (unrounded).

    ``moving`` false: the period opens where it closes (only its extremes and volume are drawn).
    """
    gauss = rng.gauss
    sigma_a = period.activity_sigma
    activity = math.exp(gauss(-sigma_a * sigma_a / 2, sigma_a))
    variance = period.variance * activity
    ret = gauss(0.0, math.sqrt(variance)) if moving else 0.0
    open_ = close * math.exp(-ret)
    inward = period.inward * math.sqrt(activity)
    square = ret * ret
    up = max((ret + math.sqrt(square - 2 * variance * math.log(1 - rng.random()))) / 2 - inward, max(0.0, ret))
    down = min((ret - math.sqrt(square - 2 * variance * math.log(1 - rng.random()))) / 2 + inward, min(0.0, ret))
    low = max(1, round(open_ * math.exp(down)))
    o, c = round(open_), round(close)
    h = max(o, c, round(open_ * math.exp(up)))
    low = min(low, o, c)
    travelled = period.travel * math.sqrt(activity) * (open_ + close) / 2  # ticks the fair price moved
    levels = max(1.0, period.swept_levels * travelled)
    sweeps = period.sweep_lots * travelled * (1 + math.sqrt((1 + _SWEEP_SIZE_CV2) / levels) * gauss(0.0, 1.0))
    printed = period.print_mean + period.print_sd * gauss(0.0, 1.0)
    lots = max(1, round(max(0.0, sweeps) + max(0.0, printed)))
    return Candle(start, start + _MINUTE, o, h, low, c, lots, lots * round((o + h + low + c) / 4)), open_
