"""The account's ledger as a feed: realised PnL, fees and funding since a moment, read when it changes.

The transaction log (``/v5/account/transaction-log``) is the ledger: it is
what Bybit books, fees and funding included, so the totals equal what the
account statement says. The private stream says *when* to read it: every
fill and every funding settlement pushes a wallet update, and each push
asks for one read. Reads are never on a timer and at least ``min_gap_s``
(0.25 s) apart however fast the fills come, far inside Bybit's per-UID
limits; a burst of fills costs a read per gap, plus one follow-up
``settle_s`` (3 s) later for rows Bybit books a moment after its push.
Measured (``benchmarks/bench_ledger.py``): see ``benchmarks/results/ledger.md``. Each read asks only for rows
from a minute before the newest one seen (paged by cursor, deduplicated by
id), so a long session does not re-read its whole history.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from ..protocol.errors import ParameterError
from ..protocol.records import Transaction
from .account import AccountFeed
from .loop import spawn_on
from .pnl import PnLBook

__all__ = ["LedgerFeed", "LedgerSource"]

log = logging.getLogger("bybit_widgets.stream")

OVERLAP_MS = 60_000


class LedgerSource(Protocol):
    async def all_pages(self, method: str, **kwargs: Any) -> Sequence[Transaction]: ...


class LedgerFeed:
    """Transaction-log totals of the API key since ``since_ms`` (``streams.ledger(since_ms)``), kept current."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        account: AccountFeed,
        rest: LedgerSource | None,
        *,
        since_ms: int,
        min_gap_s: float = 0.25,
        settle_s: float = 3.0,
    ) -> None:
        self._loop = loop
        self._account = account
        self._rest = rest
        self.since_ms = since_ms
        self.min_gap_s = min_gap_s
        self.settle_s = settle_s
        self.book = PnLBook()
        self.error: BaseException | None = None
        self.reads = 0
        self._listeners: list[Callable[[], None]] = []
        self._release_account: Callable[[], None] | None = None
        self._wallet: Any = None
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Future | concurrent.futures.Future | None = None
        self._last = -min_gap_s
        self._dirty = False
        self._settled = True

    def acquire(self, on_change: Callable[[], None]) -> Callable[[], None]:
        """Follow the ledger (the first user starts reading); returns the release function."""
        self._listeners.append(on_change)
        if self._release_account is None:
            self._release_account = self._account.acquire(self._account_changed)
            if self._rest is None:
                self.error = ParameterError(
                    "the ledger needs a REST client with an API key (bw.connect(..., api_key=..., api_secret=...))",
                    param="rest",
                )
            else:
                self._loop.call_soon_threadsafe(self._want)

        def release() -> None:
            if on_change in self._listeners:
                self._listeners.remove(on_change)
                if not self._listeners:
                    self._stop()

        return release

    @property
    def account(self) -> AccountFeed:
        return self._account

    async def read(self) -> PnLBook:
        """Read the ledger now, on the streams' loop (a cell's ``await``), and return the updated book."""
        if self._rest is None:
            assert self.error is not None
            raise self.error
        rows = await self._read()
        self._last = self._loop.time()
        self._book(rows)
        self._notify()
        return self.book

    # -- when to read ------------------------------------------------------------------------------

    def _account_changed(self) -> None:
        wallet = self._account.wallet()
        if wallet is not self._wallet:  # a fill or a funding payment moved the wallet
            self._wallet = wallet
            if self._rest is not None:
                self._want()
        self._notify()  # positions and executions moved too: the views want them now

    def _want(self) -> None:
        self._dirty = True
        self._settled = False
        self._schedule(max(0.0, self._last + self.min_gap_s - self._loop.time()))

    def _schedule(self, delay: float) -> None:
        """A read in ``delay`` s, unless one is under way or already due sooner (a wallet push does not wait
        for the follow-up of the last burst)."""
        if self._task is not None or self._release_account is None:
            return
        due = self._loop.time() + delay
        if self._timer is not None:
            if self._timer.when() <= due:
                return
            self._timer.cancel()
        self._timer = self._loop.call_later(delay, self._start)

    def _start(self) -> None:
        self._timer = None
        self._dirty = False
        self._last = self._loop.time()
        self._task = spawn_on(self._loop, self._read())
        self._task.add_done_callback(self._done)

    async def _read(self) -> Sequence[Transaction]:
        assert self._rest is not None
        start = max(self.since_ms, self.book.newest_ms - OVERLAP_MS)
        return await self._rest.all_pages("get_transaction_log", start_time=start)

    def _done(self, task: asyncio.Future | concurrent.futures.Future) -> None:
        self._task = None
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            self.reads += 1
            self.error = error
            log.warning("could not read the transaction log: %s", error)
        else:
            self.error = None
            self._book(task.result())
        self._notify()
        if self._dirty:
            self._schedule(max(0.0, self._last + self.min_gap_s - self._loop.time()))
        elif not self._settled:
            self._settled = True
            self._schedule(self.settle_s)

    def _book(self, rows: Sequence[Transaction]) -> None:
        """One read's rows into the book (those since ``since_ms``; a row seen before counts once)."""
        self.reads += 1
        self.book.add(row for row in rows if (row.time or 0) >= self.since_ms)

    def _notify(self) -> None:
        for listener in tuple(self._listeners):
            try:
                listener()
            except Exception:  # noqa: BLE001 - one bad listener must not stop the others
                log.exception("ledger listener %r failed", listener)

    def _stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if self._release_account is not None:
            self._release_account()
            self._release_account = None
