"""``bw.PnL``: what the session made, realised and not, by symbol and in total, and its equity curve.

Realised PnL, fees and funding come from the ledger (the transaction log,
read when the private stream says the wallet moved: see
:mod:`bybit_widgets.stream.ledger`), so they are what Bybit books. The
unrealised PnL is live: each open position at its symbol's ticker mark.
Equity (wallet balance + unrealised PnL) is sampled once a second at most
into a curve that thins itself to 1,024 points however long the session,
and starts at the wallet before the ledger's first row, so fills booked
before the panel's first sample still sit on it; the ledger's fills (its
TRADE rows) are marked on it. Curve and fills travel as
float64 frames (newest whole state wins); rows as small lists.
"""

from __future__ import annotations

import datetime
import time
from array import array
from decimal import Decimal
from typing import Any

import traitlets

from ..stream.pnl import EquityCurve, PnLTotals
from .base import STATIC, LiveWidget, plain_error
from .marks import Marks

__all__ = ["PnL"]

ZERO = Decimal(0)
MAX_FILLS = 500  # fill marks on the curve: the newest


class PnL(LiveWidget):
    """Realised PnL, fees and funding by symbol and in total (from the ledger), unrealised PnL live,
    and an equity curve over the session with fills marked.

    ``since``: where the ledger starts, in ms, as a ``datetime``, or ``None``
    for the session's start (``bw.connect()``).
    """

    _esm = STATIC / "pnl.js"
    _css = STATIC / "widgets.css"
    _kind = traitlets.Unicode("pnl").tag(sync=True)

    rows = traitlets.List().tag(sync=True)  # per symbol: realised, fees, funding, unrealised, net, trades
    total = traitlets.Dict().tag(sync=True)
    curve = traitlets.Bytes(b"").tag(sync=True)  # float64 [t ms, equity, ...], oldest first
    fills = traitlets.Bytes(b"").tag(sync=True)  # float64 [t ms, +1 buy / -1 sell, ...], oldest first
    since_ms = traitlets.Int(0).tag(sync=True)
    notice = traitlets.Unicode("").tag(sync=True)
    available = traitlets.Bool(True).tag(sync=True)
    unavailable_reason = traitlets.Unicode("").tag(sync=True)

    default_max_hz = 4.0  # a ledger and a curve: four frames a second is live to the eye

    def __init__(
        self, *, since: int | datetime.datetime | None = None, session: Any = None, max_hz: float | None = None
    ):
        super().__init__(session=session, max_hz=max_hz)
        self.since_ms = _since_ms(since, self.session.started_ms)
        self._marks = Marks(self)
        self._curve = EquityCurve()
        self._ledger: Any = None
        self._release_ledger: Any = None
        self._bind()

    def _open_feeds(self) -> list[Any]:
        account = self._use_account()
        self.available, self.unavailable_reason = account.available, account.reason
        if self._ledger is None:
            self._ledger = self.streams.ledger(self.since_ms)
            self._release_ledger = self._ledger.acquire(self._request_frame)
        return account.feeds

    def _unbind(self) -> None:
        super()._unbind()
        self._marks.forget()

    def close(self) -> None:
        if self._release_ledger is not None:
            self._release_ledger()
            self._release_ledger = None
        super().close()

    @property
    def ledger(self) -> Any:
        """The :class:`~bybit_widgets.stream.ledger.LedgerFeed` behind the panel (its ``book`` has the rows)."""
        return self._ledger

    def _render(self) -> None:
        account, ledger = self._account, self._ledger
        if account is None or ledger is None or not account.available:
            return
        held = account.open_positions()
        self._marks.follow({p.symbol for p in held if p.symbol})
        unrealised: dict[str, Decimal] = {}
        for p in held:
            pnl = self._marks.upl(p)
            if pnl is not None and p.symbol:
                unrealised[p.symbol] = unrealised.get(p.symbol, ZERO) + pnl
        booked = ledger.book.by_symbol()
        self.rows = [
            _row(symbol, booked.get(symbol, PnLTotals()), unrealised.get(symbol, ZERO))
            for symbol in sorted(set(booked) | set(unrealised))
        ]
        upl = sum(unrealised.values(), ZERO)
        self.total = _row("", ledger.book.total(), upl)
        wallet = account.wallet()
        if wallet is not None and wallet.total_wallet_balance is not None:
            self._curve.add(int(time.time() * 1000), float(wallet.total_wallet_balance + upl))
            opening = ledger.book.opening()  # fills before the first sample still sit on the curve
            if opening is not None:
                self._curve.begin(opening[0], float(opening[1]))
            self.curve = array("d", self._curve.flat()).tobytes()
        marks = [x for t, side in ledger.book.fills(MAX_FILLS) for x in (float(t), 1.0 if side == "Buy" else -1.0)]
        self.fills = array("d", marks).tobytes()
        error = ledger.error or account.error
        self.notice = f"could not read the ledger: {plain_error(error)}" if error is not None else ""


def _row(symbol: str, booked: PnLTotals, unrealised: Decimal) -> dict[str, Any]:
    """One line of the panel: exact strings to show, and floats for the view's colours and tests."""
    net = booked.net + unrealised
    return {
        "symbol": symbol,
        "realised": str(booked.realised),
        "fees": str(booked.fees),
        "funding": str(booked.funding),
        "unrealised": f"{unrealised:.2f}",
        "net": f"{net:.2f}",
        "trades": booked.trades,
        "net_num": float(net),
    }


def _since_ms(since: Any, default: int) -> int:
    if since is None:
        return default
    if isinstance(since, datetime.datetime):
        if since.tzinfo is None:
            raise ValueError("since must be timezone-aware (e.g. datetime.now(timezone.utc)), or ms since the epoch")
        return int(since.timestamp() * 1000)
    if isinstance(since, bool) or not isinstance(since, int) or since < 0:
        raise ValueError(f"since must be ms since the epoch, a timezone-aware datetime or None, got {since!r}")
    return since
