"""Feeds: what a consumer holds, and the shared subscription behind them.

One :class:`Subscription` per topic per connection holds the state (a
reducer from :mod:`.state`), the connection state and the counters. Each
call such as ``streams.order_book("BTCUSDT")`` returns a new :class:`Feed`
on the shared subscription: a consumer handle with its own callbacks and
iterators. Closing the last feed of a topic unsubscribes it.

Threading: subscriptions are changed only on the stream loop. Consumers may
read a feed from any thread (a script's main thread while the loop runs on a
background thread): reads of the state take the subscription's lock, which
the loop holds while applying one message, so a reader never sees a book
half-way through an update. Waiting (``await feed.next()``,
``feed.wait_for_update()``) works from any loop or thread.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from ..protocol.topics import Topic
from .errors import FeedClosed, StreamDataError
from .state import APPLIED, DROPPED, IGNORED, BadMessage, NeedsResync, Reducer
from .states import ConnState, FeedStats

if TYPE_CHECKING:
    from .backfill import Backfill
    from .loop import LoopHost

__all__ = ["Feed", "Subscription"]

log = logging.getLogger("bybit_widgets.stream")


_error_stamp = itertools.count(1)  # orders errors recorded on feeds and subscriptions
_LOGGED_ERRORS = 5  # per topic: a storm of bad frames must not flood the notebook's log


class Owner(Protocol):
    """What a subscription needs from its connection."""

    def resync(self, sub: Subscription, reason: str) -> None: ...

    def release(self, sub: Subscription) -> None: ...

    def forget(self, sub: Subscription) -> None: ...


class _Waiter:
    """One party waiting for a change: a future on some loop, or a thread's event."""

    __slots__ = ("loop", "future", "event")

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop | None = None,
        future: asyncio.Future | None = None,
        event: threading.Event | None = None,
    ) -> None:
        self.loop, self.future, self.event = loop, future, event

    def wake(self) -> None:
        if self.event is not None:
            self.event.set()
            return
        loop, future = self.loop, self.future
        assert loop is not None and future is not None
        if asyncio._get_running_loop() is loop:
            if not future.done():
                future.set_result(None)
        else:
            try:
                loop.call_soon_threadsafe(_resolve, future)
            except RuntimeError:  # that loop is closed: nobody waits any more
                pass


def _resolve(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)


class Subscription:
    """One topic on one connection: state, counters and the feeds sharing it. Loop-thread only."""

    def __init__(self, topic: Topic, category: str | None, reducer: Reducer, owner: Owner, host: LoopHost) -> None:
        self.topic = topic
        self.name = topic.name
        self.category = category
        self.reducer = reducer
        self.owner = owner
        self.host = host
        self.lock = threading.Lock()
        self.state = ConnState.CONNECTING
        self.reason = "opening the connection"
        self.error: BaseException | None = None
        self.error_stamp = 0
        self.refused = False  # the server refused the topic: the subscription is over
        self.auth_error: BaseException | None = None  # set while the connection cannot authenticate
        self.feeds: list[Feed] = []
        self.messages = self.gaps = self.resyncs = self.reconnects = self.errors = 0
        self.duplicates = self.dropped = 0
        self.last_message_at: float | None = None  # monotonic seconds
        self.exchange_ts: int | None = None  # exchange time (ms) of the newest applied message
        self.silent_since = 0.0  # baseline of the no-data watchdog, on the session's clock (set when confirmed)
        self.backfill: Backfill | None = None  # REST history of this topic, when a feed asked for it
        self.backfills = 0  # REST pages merged into the state so far
        self.backfill_error: BaseException | None = None  # why the last REST page failed (None once one came)
        self._waiters: list[_Waiter] = []
        self._waiters_lock = threading.Lock()
        self.taps: tuple[Callable[[bytes], Any], ...] = ()  # raw-frame listeners (Feed.on_frame)

    # -- data --------------------------------------------------------------

    # -- what the session asks of the state (it never reaches into the reducer) --

    @property
    def awaiting_snapshot(self) -> bool:
        """The state needs a snapshot before it is live (a book after (re)subscribing)."""
        return self.reducer.awaiting_snapshot

    @property
    def watch_silence(self) -> bool:
        """Whether silence on this topic means trouble (the watchdog's business)."""
        return self.reducer.watch_silence

    def keep_at_least(self, maxlen: int) -> None:
        """A new feed wants ``maxlen`` items of history (trades, executions): grow the kept window to it."""
        if hasattr(self.reducer, "resize"):
            with self.lock:
                self.reducer.resize(maxlen)  # type: ignore[attr-defined]

    def disconnected(self) -> None:
        """The socket carrying this topic ended (or it is resubscribed): the next frame starts afresh."""
        self.reducer.on_disconnect()

    # -- data --------------------------------------------------------------

    def handle(self, message: dict, frame: bytes = b"", now: float | None = None) -> None:
        """Apply one data message of this topic (``frame``: its text as received, ``now``: when, on the
        session's clock, the watchdog's baseline), then notify consumers."""
        for tap in self.taps:
            try:
                tap(frame)
            except Exception:  # a listener's bug never costs the feed a message
                log.exception("%s: a frame listener failed", self.name)
        now = time.monotonic() if now is None else now
        self.messages += 1
        self.last_message_at = self.silent_since = now
        try:
            with self.lock:
                outcome = self.reducer.apply(message)
        except NeedsResync as exc:
            if exc.kind == "gap":
                self.gaps += 1
            elif exc.kind == "malformed":
                self.record_error(StreamDataError(exc.reason))
            self.owner.resync(self, exc.reason)
            return
        except BadMessage as exc:
            self.record_error(StreamDataError(f"{self.name}: {exc}"))
            return
        if outcome == APPLIED:
            ts = message.get("ts", message.get("creationTime"))  # (private topics stamp creationTime)
            if isinstance(ts, int):
                self.exchange_ts = ts
            if self.state != ConnState.LIVE and not self.reducer.awaiting_snapshot:
                self.set_state(ConnState.LIVE, "receiving data")
            self.notify_update()
        elif outcome == IGNORED:
            self.duplicates += 1
        elif outcome == DROPPED:
            self.dropped += 1

    def merge_history(self, page: Sequence[Any]) -> None:
        """Merge a REST page of history into the state (see :mod:`.backfill`), then notify consumers.

        Consumers are told even when the page added nothing: ``backfills`` counts the pages, so a
        consumer that draws only once the history is in (a chart) knows it is.
        """
        with self.lock:
            self.reducer.backfill(page)
            self.backfills += 1
        self.backfill_error = None
        self.notify_update()

    def history_failed(self, error: BaseException) -> None:
        """The REST page could not be fetched: show why (already logged), tell consumers."""
        self.backfill_error = error
        self.record_error(error, logged=True)
        self.notify_update()

    def confirmed(self, now: float) -> None:
        """The server confirmed the subscription at ``now`` (session clock); snapshot-less topics are live."""
        self.silent_since = now
        if self.state != ConnState.LIVE and not self.reducer.awaiting_snapshot:
            self.set_state(ConnState.LIVE, "subscribed")
        elif self.state in (ConnState.CONNECTING, ConnState.RECONNECTING):
            self.set_state(self.state, "subscribed; waiting for the first snapshot")

    def record_error(self, error: BaseException, *, logged: bool = False) -> None:
        """Count ``error``, show it as the feed's ``error`` and log it (the first few per topic)."""
        self.errors += 1
        self.error = error
        self.error_stamp = next(_error_stamp)
        if not logged and self.errors <= _LOGGED_ERRORS:
            more = (
                "; further errors of this topic are only counted (feed.stats.errors)"
                if self.errors == _LOGGED_ERRORS
                else ""
            )
            log.warning("%s: %s%s", self.name, error, more)
        self.wake_waiters()

    # -- state -------------------------------------------------------------

    def set_state(self, state: str, reason: str) -> None:
        if state == self.state and reason == self.reason:
            return
        self.state, self.reason = state, reason
        if self.backfill is not None:
            self.backfill.state_changed(self, state)
        for feed in tuple(self.feeds):
            feed._fire_state(state, reason)
        self.wake_waiters()

    def refuse(self, error: BaseException) -> None:
        """The server refused the topic: record why and close every feed on it."""
        self.refused = True
        self.record_error(error)
        self.set_state(ConnState.CLOSED, f"subscription refused: {getattr(error, 'ret_msg', error)}")

    def notify_update(self) -> None:
        for feed in tuple(self.feeds):
            feed._fire_update()
        self.wake_waiters()

    # -- consumers ---------------------------------------------------------

    def add_feed(self, feed: Feed) -> None:
        self.feeds.append(feed)

    def remove_feed(self, feed: Feed) -> None:
        if feed in self.feeds:
            self.feeds.remove(feed)
            if not self.feeds:
                self.owner.release(self)
        self.wake_waiters()

    def add_waiter(self, waiter: _Waiter) -> None:
        with self._waiters_lock:
            self._waiters.append(waiter)

    def discard_waiter(self, waiter: _Waiter) -> None:
        with self._waiters_lock:
            try:
                self._waiters.remove(waiter)
            except ValueError:
                pass

    def wake_waiters(self) -> None:
        if not self._waiters:
            return
        with self._waiters_lock:
            waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            waiter.wake()


class Feed:
    """A live view of one topic, for one consumer.

    - ``latest``: the newest state, or ``None`` before the first data (see the
      stream manager's methods for the type per topic);
    - ``state`` / ``state_reason``: connecting, live, stale, reconnecting,
      resyncing or closed, with the reason in plain words;
    - ``error``: the last error surfaced on this feed (a refused subscription,
      an auth failure, a bad frame, an exception raised by one of this feed's
      callbacks), or ``None``;
    - ``stats``: :class:`FeedStats`;
    - ``on(callback)``: ``callback(feed)`` after every update, on the stream
      loop (in a notebook: the kernel's loop). It receives the feed, not the
      value, so a callback that only marks something dirty costs nothing:
      read ``feed.latest`` when you need it. An exception in a callback is
      logged once, counted in ``stats.callback_errors`` and kept in ``error``;
      the feed goes on;
    - ``async for value in feed``: the newest value each time it changed
      (intermediate values are skipped, never queued);
    - ``await feed.next(timeout)``, ``feed.wait_for_update(timeout)`` (sync,
      for scripts), ``await feed.ready(timeout)``, ``feed.close()``.
    """

    def __init__(self, sub: Subscription, *, maxlen: int | None = None) -> None:
        self._sub = sub
        self._maxlen = maxlen
        self._callbacks: list[Callable[[Feed], Any]] = []
        self._state_callbacks: list[Callable[[str, str], Any]] = []
        self._closed = False
        self._callback_errors = 0
        self._error: BaseException | None = None
        self._error_stamp = 0
        self._failed_callbacks: set[int] = set()

    # -- reading -----------------------------------------------------------

    @property
    def topic(self) -> str:
        return self._sub.name

    @property
    def category(self) -> str | None:
        return self._sub.category

    @property
    def kind(self) -> str:
        return self._sub.topic.kind

    @property
    def symbol(self) -> str | None:
        return self._sub.topic.symbol

    @property
    def latest(self) -> Any:
        sub = self._sub
        with sub.lock:
            value = sub.reducer.latest()
        if self._maxlen is not None and isinstance(value, list) and len(value) > self._maxlen:
            value = value[-self._maxlen :]
        return value

    @property
    def backfills(self) -> int:
        """REST pages of history merged into ``latest`` so far (``backfill=`` feeds; 0 before the first).

        A consumer that draws incrementally redraws everything when this changes: a page can add
        candles or trades older than those it has drawn.
        """
        return self._sub.backfills

    @property
    def backfill_error(self) -> BaseException | None:
        """Why the last REST page of history could not be loaded; ``None`` when it loaded (or none was asked)."""
        return self._sub.backfill_error

    @property
    def exchange_ts(self) -> int | None:
        """The exchange's time (ms) of the newest message applied (its ``ts``), None before any."""
        return self._sub.exchange_ts

    @property
    def version(self) -> int:
        """Increases with every update; compare two readings to know whether anything changed."""
        return self._sub.reducer.version

    @property
    def state(self) -> str:
        return ConnState.CLOSED if self._closed else self._sub.state

    @property
    def state_reason(self) -> str:
        return "closed by its consumer" if self._closed and self._sub.state != ConnState.CLOSED else self._sub.reason

    @property
    def error(self) -> BaseException | None:
        sub = self._sub
        return self._error if self._error_stamp > sub.error_stamp else sub.error

    @property
    def closed(self) -> bool:
        return self._closed or self._sub.state == ConnState.CLOSED

    @property
    def stats(self) -> FeedStats:
        sub = self._sub
        age = None if sub.last_message_at is None else time.monotonic() - sub.last_message_at
        resets = getattr(sub.reducer, "resets", 0)
        return FeedStats(
            messages=sub.messages,
            gaps=sub.gaps,
            resyncs=sub.resyncs,
            reconnects=sub.reconnects,
            errors=sub.errors,
            callback_errors=self._callback_errors,
            duplicates=sub.duplicates,
            dropped=sub.dropped,
            resets=resets,
            last_message_age=age,
        )

    def __repr__(self) -> str:
        return f"Feed({self.topic!r}, category={self.category!r}, state={self.state!r})"

    # -- callbacks -----------------------------------------------------------

    def on(self, callback: Callable[[Feed], Any]) -> Callable[[], None]:
        """Call ``callback(feed)`` after every update; returns a function that removes it."""
        if not callable(callback):
            raise TypeError(f"callback must be callable, got {callback!r}")
        self._callbacks.append(callback)
        return lambda: _remove(self._callbacks, callback)

    def on_frame(self, callback: Callable[[bytes], Any]) -> Callable[[], None]:
        """Call ``callback(frame)`` with each data frame of this topic as received, before it is applied.

        ``frame`` is the frame's text as bytes, byte for byte, which the reduced state is not: the
        recorder (:mod:`bybit_widgets.sim.recording`) keeps it. It runs on the stream loop, for every
        feed of the topic alike; returns a function that removes it.
        """
        if not callable(callback):
            raise TypeError(f"callback must be callable, got {callback!r}")
        sub = self._sub
        with sub.lock:
            sub.taps = (*sub.taps, callback)

        def remove() -> None:
            with sub.lock:
                sub.taps = tuple(tap for tap in sub.taps if tap is not callback)

        return remove

    def on_state(self, callback: Callable[[str, str], Any]) -> Callable[[], None]:
        """Call ``callback(state, reason)`` on every change of state or reason; returns a remover."""
        if not callable(callback):
            raise TypeError(f"callback must be callable, got {callback!r}")
        self._state_callbacks.append(callback)
        return lambda: _remove(self._state_callbacks, callback)

    def _fire_update(self) -> None:
        for callback in tuple(self._callbacks):
            try:
                callback(self)
            except Exception as exc:  # the feed must outlive a consumer's bug
                self._callback_failed(callback, exc)

    def _fire_state(self, state: str, reason: str) -> None:
        for callback in tuple(self._state_callbacks):
            try:
                callback(state, reason)
            except Exception as exc:
                self._callback_failed(callback, exc)

    def _callback_failed(self, callback: Callable[..., Any], exc: Exception) -> None:
        self._callback_errors += 1
        self._error = exc
        self._error_stamp = next(_error_stamp)
        if id(callback) not in self._failed_callbacks:  # log each failing callback once, count the rest
            self._failed_callbacks.add(id(callback))
            log.error(
                "callback %r on %s raised; the feed goes on (see feed.stats.callback_errors)",
                callback,
                self.topic,
                exc_info=exc,
            )

    # -- waiting -------------------------------------------------------------

    async def _wait_until(self, predicate: Callable[[], bool], timeout: float | None, what: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        sub = self._sub
        while not predicate():
            future = loop.create_future()
            waiter = _Waiter(loop=loop, future=future)
            sub.add_waiter(waiter)
            try:
                if predicate():
                    return
                remaining = None if deadline is None else deadline - loop.time()
                if remaining is not None and remaining <= 0:
                    raise TimeoutError(
                        f"{self.topic}: no {what} within {timeout} s (state: {self.state}, {self.state_reason})"
                    )
                try:
                    await asyncio.wait_for(future, remaining)
                except asyncio.TimeoutError:
                    pass  # loop around: the predicate or the deadline decides
            finally:
                sub.discard_waiter(waiter)

    def _wait_until_sync(self, predicate: Callable[[], bool], timeout: float | None, what: str) -> None:
        if self._sub.host.in_loop():
            raise RuntimeError(
                "wait_for_update() would block the event loop that delivers the data (you are on it, e.g. in "
                "a notebook cell): use `await feed.next()` or feed.on(callback) instead"
            )
        deadline = None if timeout is None else time.monotonic() + timeout
        sub = self._sub
        while not predicate():
            waiter = _Waiter(event=threading.Event())
            sub.add_waiter(waiter)
            try:
                if predicate():
                    return
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise TimeoutError(
                        f"{self.topic}: no {what} within {timeout} s (state: {self.state}, {self.state_reason})"
                    )
                waiter.event.wait(remaining)  # type: ignore[union-attr]
            finally:
                sub.discard_waiter(waiter)

    def _raise_if_closed(self) -> None:
        if self._closed:
            raise FeedClosed(f"feed {self.topic} was closed by its consumer")
        if self._sub.state == ConnState.CLOSED:
            error = self._sub.error
            if error is not None:
                raise error
            raise FeedClosed(f"feed {self.topic} is closed: {self._sub.reason}")

    async def next(self, timeout: float | None = None) -> Any:
        """Wait for the next update after this call and return ``latest``."""
        start = self.version
        await self._wait_until(lambda: self.version != start or self.closed, timeout, "update")
        self._raise_if_closed()
        return self.latest

    def wait_for_update(self, timeout: float | None = None) -> Any:
        """Block the calling thread until the next update and return ``latest`` (scripts only)."""
        start = self.version
        self._wait_until_sync(lambda: self.version != start or self.closed, timeout, "update")
        self._raise_if_closed()
        return self.latest

    def _is_ready(self) -> bool:
        if self.closed or self._sub.auth_error is not None:
            return True
        return self.state == ConnState.LIVE and (self.latest is not None or not self._needs_value())

    def _needs_value(self) -> bool:
        return self.kind in ("orderbook", "tickers")

    async def ready(self, timeout: float | None = None) -> Feed:
        """Wait until the feed is live (books and tickers: with a first value); return the feed.

        Raises the server's refusal (:class:`SubscriptionRefused`) or the auth failure
        instead, and :class:`TimeoutError` with the current state after ``timeout``.
        """
        await self._wait_until(self._is_ready, timeout, "live data")
        self._raise_if_not_ready()
        return self

    def wait_ready(self, timeout: float | None = None) -> Feed:
        """Sync form of :meth:`ready`, for scripts."""
        self._wait_until_sync(self._is_ready, timeout, "live data")
        self._raise_if_not_ready()
        return self

    def _raise_if_not_ready(self) -> None:
        self._raise_if_closed()
        if self._sub.auth_error is not None and self.state != ConnState.LIVE:
            raise self._sub.auth_error

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Any]:
        seen = -1
        while True:
            await self._wait_until(
                lambda seen=seen: self.closed or (self.version != seen and self.latest is not None), None, "update"
            )
            if self.closed:
                return
            seen = self.version
            yield self.latest

    # -- leaving -------------------------------------------------------------

    def close(self) -> None:
        """This consumer leaves: callbacks stop, iterators end; the last feed of a topic unsubscribes it."""
        if self._closed:
            return
        self._closed = True
        self._callbacks.clear()
        self._state_callbacks.clear()
        try:
            self._sub.host.call(self._sub.remove_feed, self)
        except RuntimeError:  # the stream loop is gone (its manager was closed): nothing left to unsubscribe
            pass

    def __enter__(self) -> Feed:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _remove(items: list, item: Any) -> None:
    try:
        items.remove(item)
    except ValueError:
        pass
