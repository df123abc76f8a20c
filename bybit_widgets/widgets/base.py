"""What every live widget shares: feeds in, frames out, tasks that never fail silently.

A widget is a thin view (design.md): it holds feeds from the session's
stream manager, never a connection. Feed callbacks only mark it dirty; the
:class:`~.scheduler.FrameScheduler` later calls :meth:`LiveWidget._flush_frame`,
which reads the feeds' newest values and sets traits inside one
``hold_sync`` (one comm message per frame). Each frame is stamped (``_frame``:
number, kernel time, exchange time shown, lagging views); the views
acknowledge it once painted, and :mod:`.flow` holds the next frame until
then. Closing the widget closes its feeds, which unsubscribes a topic once
nobody else uses it.

User actions that need the network (place an order, close a position) come
in as custom comm messages; the handler starts a task on the kernel's loop
and returns at once, and the task's outcome lands in a trait. An exception
in a task or a frame is shown on the widget and logged, never swallowed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
import weakref
from collections.abc import Awaitable, Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import anywidget
import orjson
import traitlets

from .. import session as session_module
from ..protocol.errors import BybitError
from ..stream.account import AccountFeed
from ..stream.loop import spawn_on
from ..stream.states import ConnState
from .flow import FlowControl
from .pulse import MAX_GAP, ensure_pulse, in_ipykernel
from .scheduler import DEFAULT_MAX_HZ, FrameScheduler

__all__ = ["STATIC", "LiveWidget", "SymbolWidget", "combined_state", "decimals_of", "message_size", "plain_error"]

log = logging.getLogger("bybit_widgets.widgets")

STATIC = Path(__file__).resolve().parent.parent / "static"

# worst first: the badge shows the state of the feed that is worst off
_STATE_ORDER = (
    ConnState.CLOSED,
    ConnState.RECONNECTING,
    ConnState.RESYNCING,
    ConnState.STALE,
    ConnState.CONNECTING,
    ConnState.LIVE,
)


def combined_state(states: Iterable[tuple[str, str]]) -> tuple[str, str]:
    """The worst ``(state, reason)`` of several feeds; ``("connecting", ...)`` when there are none."""
    worst: tuple[str, str] | None = None
    for state, reason in states:
        if worst is None or _STATE_ORDER.index(state) < _STATE_ORDER.index(worst[0]):
            worst = (state, reason)
    return worst if worst is not None else (ConnState.CONNECTING, "subscribing")


def decimals_of(step: Decimal | None, default: int = 2) -> int:
    """Digits after the point that a tick or qty step shows ("0.10" -> 2, "1" -> 0)."""
    if step is None:
        return default
    exponent = step.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def plain_error(error: BaseException) -> str:
    """An error in plain words for a status line: Bybit's message and what to do, no stack trace."""
    ret_msg = getattr(error, "ret_msg", None)
    if ret_msg is not None:
        code = getattr(error, "ret_code", None)
        hint = getattr(error, "hint", "") or ""
        head = f"{ret_msg} (code {code})" if code is not None else ret_msg
        return f"{head}. {hint}".strip() if hint else head
    if isinstance(error, (asyncio.TimeoutError, TimeoutError)):
        return "no answer in time; the request may still have gone through, check the order list"
    return f"{type(error).__name__}: {error}"


def message_size(msg: dict, buffers: list | None) -> int:
    """Bytes of a comm message's JSON plus its binary buffers (what goes over the wire, give or take headers)."""
    size = sum(memoryview(b).nbytes for b in buffers) if buffers else 0
    try:
        size += len(orjson.dumps(msg))
    except TypeError:  # a value orjson cannot encode: count the buffers only
        pass
    return size


class LiveWidget(anywidget.AnyWidget):
    """Base of the anywidget views: session, feeds, frames, tasks and comm accounting.

    Subclasses implement :meth:`_open_feeds` (return the feeds whose state the
    badge shows) and :meth:`_render` (set traits from the feeds' newest values).
    ``max_hz`` caps this widget's frames per second (default 25).
    """

    _kind = traitlets.Unicode("").tag(sync=True)
    conn_state = traitlets.Unicode(ConnState.CONNECTING).tag(sync=True)
    conn_reason = traitlets.Unicode("subscribing").tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)  # the last problem, in plain words ("" when fine)
    env = traitlets.Unicode("").tag(sync=True)  # sim / testnet / demo / mainnet / custom
    # [seq, kernel ms, exchange ms shown or None, [lagging view ids]]: see flow.py
    _frame = traitlets.List([0, 0, None, []]).tag(sync=True)
    _id = traitlets.Unicode("").tag(sync=True)  # the model id, for the page's batched acknowledgements
    # the longest gap (ms) between two proofs of life (frames or beats) while the kernel lives; 0: no
    # beats in this host, so the views do not time out on silence (pulse.py)
    _pulse = traitlets.Int(0).tag(sync=True)

    #: the live widgets of this kernel by model id (a page's acknowledgements come in one message)
    _by_id: ClassVar[weakref.WeakValueDictionary[str, LiveWidget]] = weakref.WeakValueDictionary()

    #: frames per second at most, unless the caller asks for another rate
    default_max_hz: float = DEFAULT_MAX_HZ
    #: until __init__ ran: a constructor that refused its arguments leaves nothing to close
    _closed = True

    def __init__(self, *, session: Any = None, max_hz: float | None = None, **traits: Any) -> None:
        # plain attributes first: the base constructor already sends state (and close() may run early)
        self.messages_sent = 0
        self.bytes_sent = 0
        self.beats_sent = 0  # written by the pulse thread only
        self._proof_at = time.monotonic()  # the last frame or beat sent (the pulse reads it from its thread)
        self._feeds: list[Any] = []
        self._state_feeds: list[Any] = []
        self._unsubscribers: list[Callable[[], None]] = []
        self._tasks: set[asyncio.Future | concurrent.futures.Future] = set()
        self._scheduler: FrameScheduler | None = None
        self._account: AccountFeed | None = None
        self._release_account: Callable[[], None] | None = None
        self._closed = False
        self.flow = FlowControl()
        self._flow_news = False  # a view's lagging changed: the next flush carries it even if nothing else did
        self.session = session if session is not None else session_module.current()
        self.max_hz = max_hz if max_hz is not None else self.default_max_hz
        if not isinstance(self.max_hz, (int, float)) or not self.max_hz > 0:
            raise ValueError(f"max_hz must be a positive number, got {max_hz!r}")
        self.frame_interval = 1.0 / self.max_hz
        beating = in_ipykernel()
        super().__init__(**traits, _pulse=round(MAX_GAP * 1000) if beating else 0)
        self.env = str(getattr(self.session, "env", "") or "")
        self._id = self.model_id
        LiveWidget._by_id[self.model_id] = self
        self.on_msg(self._on_custom_msg)
        if beating:
            ensure_pulse(LiveWidget._by_id.values)

    # -- feeds -----------------------------------------------------------------------------------

    @property
    def streams(self) -> Any:
        return self.session.streams

    def _open_feeds(self) -> list[Any]:  # pragma: no cover - every subclass overrides
        """Open this widget's feeds; return those whose state the connection badge shows."""
        raise NotImplementedError

    def _bind(self) -> None:
        """Open the feeds, listen to them and schedule the first frame."""
        state_feeds = self._open_feeds()
        self._state_feeds = list(state_feeds)
        for feed in self._feeds:
            self._unsubscribers.append(feed.on(self._feed_updated))
            self._unsubscribers.append(feed.on_state(self._feed_state_changed))
        self._request_frame()

    def _attach(self, feed: Any) -> Any:
        """Keep ``feed`` (closed with the widget) and return it."""
        self._feeds.append(feed)
        return feed

    def _listen(self, feed: Any) -> Any:
        """Frame on ``feed``'s updates and states too (for feeds opened after :meth:`_bind`)."""
        self._attach(feed)
        self._unsubscribers.append(feed.on(self._feed_updated))
        self._unsubscribers.append(feed.on_state(self._feed_state_changed))
        return feed

    def _use_account(self, symbols: Iterable[str] = ()) -> AccountFeed:
        """The session's shared account feed (``streams.account()``), followed until this widget closes.

        ``symbols``: linear symbols the widget trades, whose position mode it must know.
        """
        if self._account is None:
            self._account = self.streams.account()
            self._release_account = self._account.acquire(lambda: self._feed_state_changed("", ""), symbols)
        return self._account

    def _unbind(self) -> None:
        for unsubscribe in self._unsubscribers:
            unsubscribe()
        self._unsubscribers.clear()
        for feed in self._feeds:
            feed.close()
        self._feeds.clear()
        self._state_feeds.clear()

    def _rebind(self) -> None:
        if self._closed:
            return
        self._unbind()
        self._reset_view()
        self._bind()

    def _reset_view(self) -> None:
        """Clear what belonged to the previous symbol (subclasses extend)."""

    def _feed_updated(self, _feed: Any) -> None:
        self._request_frame()

    def _feed_state_changed(self, _state: str, _reason: str) -> None:
        if self._closed:
            return
        shown = (self.conn_state, self.conn_reason)
        if combined_state((f.state, f.state_reason) for f in self._state_feeds) != shown:
            # a connection change is news: show it now, not a frame later (a quick reconnect
            # would otherwise never be seen, and the badge must be honest)
            self.scheduler.flush_now(self)
        else:
            self._request_frame()

    # -- frames ----------------------------------------------------------------------------------

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The loop the streams (and so this widget's frames and tasks) run on."""
        return self.streams.loop  # bound on first read: the kernel's running loop in a notebook

    @property
    def scheduler(self) -> FrameScheduler:
        if self._scheduler is None:
            self._scheduler = FrameScheduler.for_loop(self.loop)
        return self._scheduler

    def _request_frame(self) -> None:
        if not self._closed:
            self.scheduler.request(self)

    def _flush_frame(self) -> int:
        """One frame: every changed trait in one message. Returns the comm messages sent."""
        if self._closed:
            return 0
        before = self.messages_sent
        with self.hold_sync():
            state, reason = combined_state((f.state, f.state_reason) for f in self._state_feeds)
            self.conn_state, self.conn_reason = state, reason
            self._render()
            if self._states_to_send or self._flow_news:  # (ipywidgets' set of traits this message carries)
                self._flow_news = False
                stamp = self.flow.sent(self.loop.time())
                self._frame = [stamp.seq, stamp.sent_ms, self._shown_ts(), self.flow.lagging_views()]
                self._proof_at = time.monotonic()
        return self.messages_sent - before

    def _shown_ts(self) -> int | None:
        """The exchange time (ms) of what the frame shows: the newest message among its feeds."""
        feeds = (*self._feeds, *self._state_feeds)  # (the account's private feeds are only in the latter)
        return max((t for f in feeds if (t := f.exchange_ts) is not None), default=None)

    @property
    def lagging(self) -> bool:
        """True while a view of this widget shows a state more than a second older than the kernel's newest."""
        return self.flow.lagging

    def _render(self) -> None:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def _frame_failed(self, error: BaseException) -> None:
        self.error = f"display error: {plain_error(error)}"

    def _send(self, msg: dict, buffers: list | None = None) -> None:
        """Every comm message of this widget passes here: count messages and bytes."""
        self.messages_sent += 1
        self.bytes_sent += message_size(msg, buffers)
        super()._send(msg, buffers)

    @property
    def comm_stats(self) -> dict[str, int]:
        """Comm messages and bytes this widget sent to the browser since it was created (and beats, apart)."""
        return {"messages": self.messages_sent, "bytes": self.bytes_sent, "beats": self.beats_sent}

    def _beat(self) -> None:
        """Tell the views that the kernel is there (called by the pulse thread: see pulse.py)."""
        if self._closed or self.comm is None:
            return
        self._proof_at = time.monotonic()
        self.beats_sent += 1
        # past the counting _send: the frames' message count (the scheduler's budget) is the loop's own
        anywidget.AnyWidget._send(self, {"method": "custom", "content": {"type": "beat"}})

    # -- flow control: the views introduce themselves and acknowledge painted frames ---------------

    def _msg_hello(self, content: dict) -> None:
        self.flow.hello(_view_id(content.get("view")), self.loop.time())
        self._flow_news = True  # the new view gets the newest state at once, even if nothing changed
        self._request_frame()

    def _msg_acks(self, content: dict) -> None:
        """The page's views painted these frames: ``acks`` = [[model id, view id, seq, ms since paint], ...].

        ``gap``, when given, is the most milliseconds the page now waits before its next batch.
        """
        acks = content.get("acks")
        if not isinstance(acks, list) or not all(isinstance(a, list) and len(a) == 4 for a in acks):
            raise ValueError(
                f"acknowledgements must be a list of [model id, view id, seq, ms since paint], got {acks!r:.60}"
            )
        gap_ms = content.get("gap")
        if gap_ms is not None and (isinstance(gap_ms, bool) or not isinstance(gap_ms, (int, float)) or gap_ms < 0):
            raise ValueError(f"the gap between acknowledgements must be milliseconds, got {gap_ms!r:.40}")
        gap = None if gap_ms is None else gap_ms / 1000
        for model_id, view, seq, ago_ms in acks:
            widget = LiveWidget._by_id.get(model_id) if isinstance(model_id, str) else None
            if widget is not None:  # (one closed meanwhile has nothing left to pace)
                widget._ack(_view_id(view), seq, ago_ms, gap)

    def _ack(self, view: str, seq: Any, ago_ms: Any, gap: float | None = None) -> None:
        if isinstance(seq, bool) or not isinstance(seq, int):
            raise ValueError(f"an acknowledgement needs an integer seq, got {seq!r:.40}")
        if isinstance(ago_ms, bool) or not isinstance(ago_ms, (int, float)):
            raise ValueError(f"an acknowledgement needs the milliseconds since its paint, got {ago_ms!r:.40}")
        if self._closed:
            return
        lagging = self.flow.lagging_views()
        if self.flow.ack(view, seq, self.loop.time(), ago_ms / 1000, gap):
            self.scheduler.released(self)
        if self.flow.lagging_views() != lagging:
            self._flow_news = True  # the views must learn it even if the state stays as it is
            self._request_frame()

    def _msg_bye(self, content: dict) -> None:
        self.flow.bye(_view_id(content.get("view")))

    # -- actions ---------------------------------------------------------------------------------

    def _on_custom_msg(self, _widget: Any, content: Any, buffers: list) -> None:
        """A message from the view. Runs in the comm handler: it must return without waiting."""
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            self.error = f"ignored a malformed message from the view: {content!r:.80}"
            return
        handler = getattr(self, f"_msg_{content['type']}", None)
        if handler is None:
            self.error = f"ignored an unknown message from the view: {content['type']!r:.40}"
            return
        try:
            handler(content)
        except Exception as exc:  # noqa: BLE001 - bad input from the view: say so, keep the widget alive
            log.warning("%s message %r failed: %s", type(self).__name__, content.get("type"), exc)
            self.error = plain_error(exc)

    def _spawn(
        self, coro: Awaitable[Any], what: str, on_error: Callable[[BaseException], None] | None = None
    ) -> asyncio.Future | concurrent.futures.Future:
        """Run ``coro`` on the streams' loop; a failure goes to ``on_error`` (default: the error trait)."""
        task = spawn_on(self.loop, coro)  # type: ignore[arg-type]
        self._tasks.add(task)

        def done(t: Any) -> None:
            self._tasks.discard(t)
            if t.cancelled():
                return
            error = t.exception()
            if error is None:
                return
            log.warning("%s: %s failed: %s", type(self).__name__, what, error)
            if on_error is not None:
                on_error(error)
            else:
                self.error = f"{what} failed: {plain_error(error)}"

        task.add_done_callback(done)
        return task

    async def _in_thread(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a blocking call (the session's cached sync lookups) off the loop."""
        return await asyncio.get_running_loop().run_in_executor(None, fn, *args)

    # -- closing ---------------------------------------------------------------------------------

    def close(self) -> None:
        """Remove the widget: its feeds close (a topic nobody else uses is unsubscribed)."""
        if self._closed:
            return
        self._closed = True
        loop = self.streams.loop
        if loop is None or not loop.is_closed():  # (a closed loop runs nothing: nothing to unsubscribe)
            self._unbind()
            for task in tuple(self._tasks):
                task.cancel()
            if self._release_account is not None:
                self._release_account()
        if self._scheduler is not None:
            self._scheduler.discard(self)
        super().close()

    @property
    def closed(self) -> bool:
        return self._closed

    def __repr__(self) -> str:
        return f"{type(self).__name__}(state={self.conn_state!r})"


class SymbolWidget(LiveWidget):
    """A widget that shows one symbol; setting ``symbol`` (or ``category``) repoints its feeds."""

    symbol = traitlets.Unicode("").tag(sync=True)
    category = traitlets.Unicode("linear").tag(sync=True)
    price_decimals = traitlets.Int(2).tag(sync=True)
    qty_decimals = traitlets.Int(3).tag(sync=True)

    def __init__(
        self, symbol: str, *, category: str = "linear", session: Any = None, max_hz: float | None = None, **traits: Any
    ) -> None:
        super().__init__(session=session, max_hz=max_hz, symbol=_symbol(symbol), category=category, **traits)
        self.rules: Any = None  # InstrumentRules once loaded
        self._rules_for: tuple[str, str] | None = None
        self._rules_task: asyncio.Future | concurrent.futures.Future | None = None
        self._bind()
        self._load_rules()
        self.observe(self._on_symbol, names=["symbol", "category"])

    def _on_symbol(self, change: dict) -> None:
        if change["name"] == "symbol":
            normalised = _symbol(change["new"])
            if normalised != change["new"]:
                self.symbol = normalised  # re-enters with the clean name
                return
        self.rules = None
        self.error = ""  # problems of the previous symbol are not this one's
        self._rebind()
        self._load_rules()

    def _load_rules(self) -> None:
        """Fetch the instrument's rules off the loop; formats and validation follow them once known."""
        key = (self.category, self.symbol)
        self._rules_for = key

        async def load() -> None:
            from ..protocol.rules import InstrumentRules

            try:
                inst = await self._in_thread(self.session.instrument, *key)
            except ValueError as exc:  # unpacking an empty instrument list: the symbol is not listed
                if isinstance(exc, BybitError):
                    raise
                raise LookupError(f"{key[1]} is not listed in {key[0]}") from None
            if self._rules_for != key:
                return  # the symbol changed meanwhile
            rules = InstrumentRules.from_instrument(inst)
            self.rules = rules
            self.price_decimals = decimals_of(rules.tick_size)
            self.qty_decimals = decimals_of(rules.qty_step)
            self._rules_loaded()
            self._request_frame()

        def failed(error: BaseException) -> None:
            if self._rules_for == key:
                self.error = f"cannot load the rules of {key[1]}: {plain_error(error)}"

        self._rules_task = self._spawn(load(), f"loading the rules of {key[1]}", on_error=failed)

    def _rules_loaded(self) -> None:
        """Hook: the instrument's rules just arrived."""

    async def ready(self, timeout: float = 15.0) -> SymbolWidget:
        """Wait until the feeds are live and the instrument's rules are loaded; returns the widget.

        Raises the loading error (e.g. an unknown symbol) or :class:`TimeoutError`.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        for feed in list(self._state_feeds):
            await feed.ready(timeout=max(0.0, deadline - loop.time()))
        loading = self._rules_task
        if self.rules is None and loading is not None:
            waiter = loading if isinstance(loading, asyncio.Future) else asyncio.wrap_future(loading)
            await asyncio.wait_for(asyncio.shield(waiter), max(0.0, deadline - loop.time()))
        if self.rules is None:
            raise LookupError(self.error or f"the rules of {self.symbol} did not load")
        return self


def _view_id(view: Any) -> str:
    if not isinstance(view, str) or not 0 < len(view) <= 64:
        raise ValueError(f"a view message needs a view id (a short string), got {view!r:.40}")
    return view


def _symbol(value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"symbol must be a non-empty string such as 'BTCUSDT', got {value!r}")
    return value.strip().upper()
