"""What the account made, sans I/O: totals of transaction-log rows, and an equity curve of bounded size.

:class:`PnLBook` keeps transaction-log rows by ``id`` (a row read twice
counts once) and sums them per symbol: ``realised`` is the TRADE rows'
``cashFlow`` (the PnL of closes, before fees), ``fees`` their ``fee`` (paid
positive, a maker rebate negative), ``funding`` the SETTLEMENT rows'
``funding`` (received positive); ``net = realised - fees + funding`` is then
exactly the sum of the rows' ``change``, the wallet's movement, which is the
identity Bybit documents for the log.

:class:`EquityCurve` samples equity over a whole session in at most
``max_points`` points: when full, every other point goes and the sampling
step doubles, so an hour and a day both draw in the same few kilobytes
(1,024 points of two float64 = 16 KiB a frame at most).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ..protocol.records import Transaction

__all__ = ["PnLTotals", "PnLBook", "EquityCurve"]

ZERO = Decimal(0)


@dataclass(frozen=True)
class PnLTotals:
    realised: Decimal = ZERO
    fees: Decimal = ZERO
    funding: Decimal = ZERO
    trades: int = 0

    @property
    def net(self) -> Decimal:
        return self.realised - self.fees + self.funding

    def plus(self, row: Transaction) -> PnLTotals:
        trade = row.type == "TRADE"
        return PnLTotals(
            self.realised + (row.cash_flow or ZERO if trade else ZERO),
            self.fees + (row.fee or ZERO),
            self.funding + (row.funding or ZERO),
            self.trades + trade,
        )


class PnLBook:
    """Transaction-log rows by id, summed per symbol and in total (see the module docstring)."""

    def __init__(self) -> None:
        self._rows: dict[str, Transaction] = {}
        self.newest_ms = 0

    def add(self, rows: Iterable[Transaction]) -> int:
        """Keep the rows not seen before; how many were new."""
        added = 0
        for row in rows:
            key = row.id or f"{row.type}:{row.trade_id}:{row.time}:{row.symbol}"
            if key in self._rows:
                continue
            self._rows[key] = row
            self.newest_ms = max(self.newest_ms, row.time or 0)
            added += 1
        return added

    def by_symbol(self) -> dict[str, PnLTotals]:
        totals: dict[str, PnLTotals] = {}
        for row in sorted(self._rows.values(), key=lambda r: r.time or 0):
            symbol = row.symbol or row.currency or ""
            totals[symbol] = totals.get(symbol, PnLTotals()).plus(row)
        return dict(sorted(totals.items()))

    def total(self) -> PnLTotals:
        total = PnLTotals()
        for row in self._rows.values():
            total = total.plus(row)
        return total

    def fills(self, newest: int) -> list[tuple[int, str]]:
        """``(time ms, side)`` of the newest ``newest`` TRADE rows, oldest first."""
        trades = sorted((r.time or 0, r.side or "") for r in self._rows.values() if r.type == "TRADE")
        return trades[-newest:] if newest else []

    def opening(self) -> tuple[int, Decimal] | None:
        """``(time ms, wallet before it)`` of the oldest row: where the ledger's story starts."""
        first = min(self._rows.values(), key=lambda r: r.time or 0, default=None)
        if first is None or first.cash_balance is None:
            return None
        return (first.time or 0) - 1, first.cash_balance - (first.change or ZERO)

    def change(self) -> Decimal:
        """The sum of the rows' ``change``: what the wallet moved by (equals ``total().net``)."""
        return sum((row.change or ZERO for row in self._rows.values()), ZERO)

    def __len__(self) -> int:
        return len(self._rows)


class EquityCurve:
    """``(time ms, equity)`` samples at least ``step_ms`` apart, thinned to fit ``max_points``."""

    def __init__(self, max_points: int = 1024, step_ms: int = 1000) -> None:
        if max_points < 4 or max_points % 2:
            raise ValueError(f"max_points must be an even number of at least 4, got {max_points}")
        self.max_points = max_points
        self.step_ms = step_ms
        self.points: list[tuple[int, float]] = []

    def add(self, t_ms: int, equity: float) -> bool:
        """Sample ``equity`` at ``t_ms``; between steps the newest point just moves. True when a point was added."""
        points = self.points
        if points and t_ms - points[-1][0] < self.step_ms:
            points[-1] = (points[-1][0], equity)  # the tip follows the live value within its step
            return False
        points.append((t_ms, equity))
        if len(points) > self.max_points:  # max_points + 1 is odd: [::2] keeps the first and the newest
            self.points = points[::2]
            self.step_ms *= 2
        return True

    def begin(self, t_ms: int, equity: float) -> None:
        """An earlier first point (the wallet before the ledger's first row), kept only if it is earlier."""
        if not self.points or t_ms < self.points[0][0]:
            self.points.insert(0, (t_ms, equity))

    def flat(self) -> list[float]:
        """``[t0, v0, t1, v1, ...]`` for a float64 frame."""
        return [x for point in self.points for x in point]
