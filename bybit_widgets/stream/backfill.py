"""History for a live feed: a REST page merged into the feed's state, then the stream carries on.

Decisions:

- The page is fetched once the subscription is live (confirmed by the
  server), not when the feed is made: every message from that point on
  reaches the reducer, so the REST page and the stream *overlap* rather
  than leave a gap between them. The overlap is resolved in the reducer
  (:meth:`~.state.KlineReducer.backfill`: the streamed candle of a start
  wins; :meth:`~.state.TradesReducer.backfill`: one copy per trade id).
- The history belongs to the topic's subscription, shared by its feeds: the
  largest ``backfill`` any feed asked for is what is fetched.
- After a reconnect the page is fetched again: the reducers keep their
  history through a drop, and the new page fills in what the stream missed
  while it was down.
- A failed fetch is logged and shown on the feed (``feed.backfill_error``,
  and ``feed.error``), and not retried until the next reconnect; the live
  stream goes on.

The stream layer does not import the REST client: the stream manager is
handed an object with the two async methods of :class:`HistorySource`
(``bw.AsyncClient`` has them; ``bw.connect`` passes its own).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from ..protocol.errors import ParameterError
from ..protocol.topics import Topic
from .states import ConnState

__all__ = ["MAX_BACKFILL", "Backfill", "HistorySource", "backfill_limit", "fetcher_for"]

log = logging.getLogger("bybit_widgets.stream")

MAX_BACKFILL = 1000  # Bybit's largest page of /v5/market/kline and /v5/market/recent-trade

Fetch = Callable[[int], Awaitable[Sequence[Any]]]


class Subscription(Protocol):
    """What a backfill needs of the subscription it fills (:class:`~.feed.Subscription`)."""

    name: str
    state: str

    def history_failed(self, error: BaseException) -> None: ...

    def merge_history(self, page: Sequence[Any]) -> None: ...


class HistorySource(Protocol):
    """What backfill needs of a REST client (``bw.AsyncClient`` fits)."""

    async def get_kline(
        self, *, symbol: str, interval: str, category: str | None = ..., limit: int | None = ...
    ) -> Sequence[Any]: ...

    async def get_recent_trades(
        self, *, category: str, symbol: str | None = ..., limit: int | None = ...
    ) -> Sequence[Any]: ...


def backfill_limit(value: int, has_source: bool) -> int:
    """Check a feed's ``backfill=``: 0 (none) up to :data:`MAX_BACKFILL`, and only with a REST source."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_BACKFILL:
        raise ParameterError(f"backfill must be an integer from 0 to {MAX_BACKFILL}, got {value!r}", param="backfill")
    if value and not has_source:
        raise ParameterError(
            "backfill needs a REST source: pass rest=bw.AsyncClient(...) to the StreamManager (bw.connect() does)",
            param="backfill",
        )
    return value


def fetcher_for(topic: Topic, category: str, rest: HistorySource) -> Fetch:
    """The REST call that returns a ``kline`` or ``publicTrade`` topic's recent history."""
    if topic.kind == "kline":
        return lambda limit: rest.get_kline(
            category=category, symbol=topic.symbol or "", interval=topic.interval or "1", limit=limit
        )
    if topic.kind == "publicTrade":
        return lambda limit: rest.get_recent_trades(category=category, symbol=topic.symbol, limit=limit)
    raise ParameterError(f"topic {topic.name!r} has no REST history to backfill from", param="backfill")


class Backfill:
    """The history of one subscription: how much is wanted, whether a fetch is due, the running fetch."""

    def __init__(self, fetch: Fetch) -> None:
        self._fetch = fetch
        self.limit = 0  # the largest backfill asked for
        self._fetched = 0  # the limit of the last page merged
        self._due = False
        self._task: asyncio.Task | None = None

    def want(self, sub: Subscription, limit: int) -> None:
        """A feed asks for ``limit`` candles or trades of history (on the loop)."""
        if limit > self.limit:
            self.limit = limit
        if self.limit > self._fetched:
            self._due = True
        self.state_changed(sub, sub.state)

    def state_changed(self, sub: Subscription, state: str) -> None:
        """Fetch when live and due; a reconnect makes a fetch due again; closing cancels one running."""
        if state == ConnState.RECONNECTING:
            self._due = True
        elif state == ConnState.CLOSED and self._task is not None:
            self._task.cancel()
        elif state == ConnState.LIVE and self._due and self._task is None and self.limit:
            self._due = False
            self._task = asyncio.get_running_loop().create_task(
                self._run(sub, self.limit), name=f"bybit-backfill-{sub.name}"
            )

    async def _run(self, sub: Subscription, limit: int) -> None:
        try:
            page = await self._fetch(limit)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - shown on the feed; the live stream goes on
            log.warning("%s: could not load its history over REST: %s", sub.name, exc)
            sub.history_failed(exc)
            return
        finally:
            self._task = None
        self._fetched = max(self._fetched, limit)
        sub.merge_history(page)
        if self._due:  # a feed asked for more while this page was on its way
            self.state_changed(sub, sub.state)

    async def aclose(self) -> None:
        """Cancel a running fetch and wait until it has ended."""
        task = self._task
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
