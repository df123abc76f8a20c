"""One WebSocket to one Bybit endpoint, kept alive for as long as topics need it.

A :class:`Connection` owns the socket of a public category, the private
stream or the trade stream. It connects (and authenticates), subscribes its
topics in batches within Bybit's limits, reads frames and routes them by
topic, sends Bybit's JSON ping, and watches for silence. When anything
breaks it closes the socket, shows the reason on every feed, waits a
jittered exponential backoff and starts over: reconnect, re-auth,
resubscribe, and books come back through a fresh snapshot. A sequence gap
resubscribes only the topic concerned.

Everything here runs on the stream loop; nothing blocks it: frames are
applied synchronously as the socket parses them (:class:`StreamSocket`),
sends go through one writer task so that requests keep their order (an
unsubscribe before its resubscribe).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

import websockets
from websockets.asyncio.client import ClientConnection, connect
from websockets.frames import Frame, Opcode

from ..protocol.codec import DecodeError, decode, encode
from ..protocol.errors import AuthError, ErrorContext, TransportError, error_for
from ..protocol.signing import Credentials
from .backoff import Backoff
from .errors import StreamDataError, SubscriptionRefused

if TYPE_CHECKING:
    from .feed import Subscription

__all__ = ["Connection", "StreamOptions", "ConnectionStats", "StreamSocket"]

log = logging.getLogger("bybit_widgets.stream")

# Bybit's limits on one subscribe request (reference 6.1).
MAX_ARGS_CHARS = 21_000
SPOT_MAX_ARGS = 10
_TOPIC_IN_FRAME = re.compile(rb'"topic"\s*:\s*"([^"]{1,100})"')
_TOPIC_IN_REPLY = re.compile(r"topic:([\w.\-]+)")  # "error:handler not found,topic:orderbook.50.X"


class StreamSocket(ClientConnection):
    """The client socket, with each complete data frame handed to ``deliver`` as soon as it is parsed.

    Decision: a book, trade and ticker stream is a hundred frames a second, and websockets
    queues each one for ``recv()``: a future, a wakeup of the reading task and one more turn of
    the event loop per frame. Handing the frame over from the protocol callback instead costs
    10 % less CPU per frame (the Dashboard's feeds, no widgets, 105 frames/s: 220 -> 195 us of
    CPU per frame all told, 2.3 -> 2.05 % of one core).
    Frames still go through ``recv()`` while ``deliver`` is unset (before the session is set
    up), while messages are queued there, and for fragmented messages, so the order never
    changes; control frames (ping, pong, close) are websockets' as before.
    """

    #: takes each complete text or binary frame's payload; None: frames queue for ``recv()``
    deliver: Callable[[bytes], None] | None = None
    _queued = 0  # complete messages handed to the queue and not yet taken by recv()
    _fragmented = False  # the queue is assembling a fragmented message

    def process_event(self, event: Any) -> None:
        if type(event) is Frame and event.opcode in _DATA:
            if event.fin and self.deliver is not None and not self._queued and not self._fragmented:
                data = event.data
                self.deliver(data if type(data) is bytes else bytes(data))
                return
            self._fragmented = not event.fin
            if event.fin:
                self._queued += 1
        super().process_event(event)

    async def recv(self, decode: bool | None = None) -> Any:
        message = await super().recv(decode)
        self._queued -= 1
        return message


_DATA = (Opcode.TEXT, Opcode.BINARY, Opcode.CONT)


@dataclass(frozen=True)
class StreamOptions:
    """Timing and size knobs. Defaults follow Bybit's guidance; tests shrink them to run fast."""

    ping_interval: float = 20.0  # Bybit: send a JSON ping every 20 s
    pong_timeout: float = 10.0  # no pong within this -> the socket is dead, reconnect
    watchdog: float | None = 30.0  # a live book/ticker silent this long is probed (None: off)
    backoff: Backoff = field(default_factory=Backoff)
    open_timeout: float = 10.0  # TCP + TLS + WebSocket handshake
    auth_timeout: float = 10.0  # wait for the auth reply
    auth_window_ms: int = 10_000  # private auth: expires = server now + this
    subscribe_timeout: float = 10.0  # a subscribe must be answered (a book: with its snapshot) within this
    max_message_bytes: int = 8 * 1024 * 1024  # larger frames are skipped (and counted)
    linger: float = 5.0  # keep an unused connection this long before closing it
    close_timeout: float = 2.0

    def __post_init__(self) -> None:
        for name in ("ping_interval", "pong_timeout", "open_timeout", "auth_timeout", "subscribe_timeout"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0, got {getattr(self, name)!r}")
        if self.watchdog is not None and not self.watchdog > 0:
            raise ValueError(f"watchdog must be > 0 seconds or None, got {self.watchdog!r}")
        if not self.linger >= 0 or not self.max_message_bytes > 0 or not self.auth_window_ms > 0:
            raise ValueError("linger must be >= 0, max_message_bytes and auth_window_ms > 0")

    @property
    def tick(self) -> float:
        """How often the heartbeat looks at the clock: a quarter of the tightest deadline."""
        tightest = min(self.ping_interval, self.pong_timeout, self.watchdog or self.ping_interval)
        return max(0.005, min(1.0, tightest / 4))


@dataclass
class ConnectionStats:
    frames: int = 0
    bad_frames: int = 0  # malformed, oversized, or unusable frames
    unrouted: int = 0  # data for topics nobody subscribes (late data after an unsubscribe, unknown topics)
    error_replies: int = 0  # success:false replies other than subscription refusals
    connects: int = 0
    reconnects: int = 0
    pings: int = 0
    pongs: int = 0
    last_error: str | None = None


class Connection:
    """One WebSocket (public category, private or trade) and the topics on it."""

    _req_ids = itertools.count(1)

    def __init__(
        self,
        *,
        name: str,
        url: str,
        category: str | None,
        options: StreamOptions,
        credentials: Credentials | None = None,
        clock_ms: Callable[[], float] | None = None,
        on_idle: Callable[[Connection], None] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.name = name
        self.url = url
        self.category = category
        self.options = options
        self.credentials = credentials
        self._clock_ms = clock_ms or (lambda: time.time() * 1000.0)
        self.clock_fix_ms = 0.0  # correction measured from the server's pong when auth was refused
        self._on_idle = on_idle
        self._rng = rng or random.Random()
        self.subs: dict[str, Subscription] = {}
        self.reserved = 0  # subscriptions promised by other threads, not yet added on the loop
        self.state = "idle"
        self.reason = ""
        self.stats = ConnectionStats()
        self._task: asyncio.Task | None = None
        self._closing = False
        self._wake = asyncio.Event()  # interrupts a backoff sleep on close
        self._linger: asyncio.TimerHandle | None = None
        self._released: set[str] = set()
        self._warned_topics: set[str] = set()
        # per-session state
        self._ws: ClientConnection | None = None
        self._outbox: asyncio.Queue[str] | None = None
        self._ready = False  # authenticated (if needed) and allowed to subscribe
        self._active: set[str] = set()
        self._pending: dict[str, tuple[str, list[str], float]] = {}  # req_id -> (op, topics, sent at)
        self._want_sub: set[str] = set()
        self._flush_scheduled = False
        self._replies: dict[str, asyncio.Future] = {}  # auth / ping replies awaited by the session setup
        self._pong_deadline: float | None = None
        self._last_ping = 0.0
        self._abort_reason: str | None = None
        self._probing: set[str] = set()
        self._snapshot_deadline: dict[str, float] = {}
        self._session_worked = False  # this session authenticated or got data: reset the backoff after it
        self.auth_error: BaseException | None = None  # the last authentication failure, until one succeeds
        self._authenticated = asyncio.Event()  # set while a session may be used (trade requests wait on it)
        self._trade_replies: dict[str, asyncio.Future] = {}

    @property
    def is_trade(self) -> bool:
        return self.name == "trade"

    @property
    def max_args(self) -> int | None:
        return SPOT_MAX_ARGS if self.category == "spot" else None

    # -- topics (called on the loop) -----------------------------------------

    def add(self, sub: Subscription) -> None:
        self.reserved = max(0, self.reserved - 1)
        if self._closing:
            sub.refuse(StreamDataError("the stream manager is closed"))
            return
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None
        self.subs[sub.name] = sub
        self._released.discard(sub.name)
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name=f"bybit-stream {self.name}")
        elif self._ready:
            self._queue_subscribe(sub.name)
        if self.state in ("reconnecting", "connecting"):
            sub.set_state(self.state, self.reason or "opening the connection")
        else:
            sub.set_state("connecting", "subscribing")

    def release(self, sub: Subscription) -> None:
        """The last consumer of ``sub`` left: unsubscribe, and close the socket when nothing is left."""
        if self.subs.get(sub.name) is not sub:
            return
        del self.subs[sub.name]
        self._want_sub.discard(sub.name)
        self._probing.discard(sub.name)
        self._snapshot_deadline.pop(sub.name, None)
        self._released.add(sub.name)
        if self._ready and sub.name in self._active:
            self._active.discard(sub.name)
            self._send_request("unsubscribe", [sub.name])
        sub.set_state("closed", "unsubscribed: its last feed was closed")
        if not self.subs and not self.reserved and not self._closing:
            self._linger = asyncio.get_running_loop().call_later(self.options.linger, self._close_if_idle)

    def resync(self, sub: Subscription, reason: str) -> None:
        """Resubscribe ``sub`` alone to get a fresh snapshot (after a gap, a crossed or malformed book)."""
        if self.subs.get(sub.name) is not sub:
            return
        if sub.state == "resyncing" and sub.name in self._snapshot_deadline:
            return  # already on it: further bad deltas are expected until the snapshot
        sub.resyncs += 1
        sub.set_state("resyncing", f"{reason}; resubscribing for a fresh snapshot")
        if self._ready:
            self._resubscribe(sub.name)

    def _resubscribe(self, name: str) -> None:
        """Unsubscribe then subscribe ``name``: Bybit answers a new subscription with a fresh snapshot.

        The unsubscribe goes out even if the first subscribe is still unanswered, so the server
        never answers "already subscribed" (which brings no snapshot).
        """
        self._want_sub.discard(name)
        self._active.discard(name)
        self._send_request("unsubscribe", [name])
        self._send_request("subscribe", [name])

    def _close_if_idle(self) -> None:
        self._linger = None
        if not self.subs and not self.reserved and not self._closing and self._on_idle is not None:
            self._on_idle(self)

    # -- lifecycle -----------------------------------------------------------

    async def close(self) -> None:
        """Close the socket and stop reconnecting; idempotent."""
        self._closing = True
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None
        self._wake.set()
        task = self._task
        if task is not None and not task.done():
            ws = self._ws
            if ws is not None:
                try:
                    await asyncio.wait_for(ws.close(), self.options.close_timeout + 1.0)
                except (asyncio.TimeoutError, OSError, websockets.WebSocketException):
                    _abort(ws)
            try:
                await asyncio.wait_for(asyncio.shield(task), self.options.close_timeout + 1.0)
            except asyncio.TimeoutError:
                task.cancel()
                try:
                    await task
                except asyncio.CancelledError:
                    pass
        self._set_state("closed", "closed")

    def _set_state(self, state: str, reason: str) -> None:
        self.state, self.reason = state, reason

    async def _run(self) -> None:
        attempt = 0
        lost = False
        try:
            while not self._closing:
                self._set_state("reconnecting" if lost else "connecting", self.reason or "opening the connection")
                self._session_worked = False
                try:
                    ws = await connect(
                        self.url,
                        open_timeout=self.options.open_timeout,
                        ping_interval=None,  # Bybit wants its JSON ping (sent by the heartbeat)
                        close_timeout=self.options.close_timeout,
                        max_size=max(64 * 1024 * 1024, 4 * self.options.max_message_bytes),
                        compression=None,
                        create_connection=StreamSocket,
                    )
                except (OSError, asyncio.TimeoutError, websockets.WebSocketException) as exc:
                    reason = f"cannot connect to {self.url}: {_describe(exc)}"
                except Exception as exc:  # e.g. a malformed URL: shown on every feed, retried with backoff
                    log.exception("%s: connecting failed", self.name)
                    reason = f"cannot connect to {self.url}: {exc!r}"
                else:
                    self.stats.connects += 1
                    try:
                        reason = await self._session(ws, lost)
                    except Exception as exc:  # a bug must not end the feeds silently: log, show, reconnect
                        log.exception("%s: the session failed", self.name)
                        reason = f"internal error: {exc!r}"
                    lost = True
                if self._closing:
                    break
                if self._session_worked:
                    attempt = 0
                delay = self.options.backoff.delay(attempt, self._rng)
                attempt += 1
                self.stats.last_error = reason
                self._set_state("reconnecting", reason)
                log.info("%s: %s; reconnecting in %.2f s", self.name, reason, delay)
                for sub in tuple(self.subs.values()):
                    sub.set_state("reconnecting", f"{reason}; reconnecting in {delay:.1f} s")
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), delay)
                except asyncio.TimeoutError:
                    pass
        finally:
            self._set_state("closed", "closed")
            for sub in tuple(self.subs.values()):
                sub.set_state("closed", "the stream manager was closed")

    async def _session(self, ws: StreamSocket, after_loss: bool) -> str:
        """Serve one socket until it ends; return why it ended."""
        loop = asyncio.get_running_loop()
        self._ws = ws
        self._outbox = asyncio.Queue()
        self._ready = False
        self._active.clear()
        self._pending.clear()
        self._want_sub.clear()
        self._probing.clear()
        self._snapshot_deadline.clear()
        self._abort_reason = None
        self._pong_deadline = None
        self._last_ping = time.monotonic()
        ws.deliver = self._deliver
        helpers = [
            loop.create_task(self._guarded(ws, "writer", self._writer(ws, self._outbox)),
                             name=f"bybit-stream {self.name} writer"),
            loop.create_task(self._guarded(ws, "heartbeat", self._heartbeat(ws)),
                             name=f"bybit-stream {self.name} heartbeat"),
            loop.create_task(self._guarded(ws, "setup", self._setup(ws, after_loss)),
                             name=f"bybit-stream {self.name} setup"),
        ]  # fmt: skip
        try:
            while True:  # the frames that queued for recv() (see StreamSocket); the rest come to _deliver
                frame = await ws.recv(decode=False)
                self._on_frame(frame)  # type: ignore[arg-type]
        except websockets.ConnectionClosed as exc:
            reason = self._abort_reason or _describe_close(exc)
        except asyncio.CancelledError:
            _abort(ws)
            raise
        finally:
            ws.deliver = None
            for task in helpers:
                task.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)
            for future in self._replies.values():
                future.cancel()
            self._replies.clear()
            lost = TransportError(
                f"the {self.name} connection was lost before the reply",
                hint="The request may or may not have been executed: look the order up by its orderLinkId "
                "before sending it again.",
            )
            for future in self._trade_replies.values():
                if not future.done():
                    future.set_exception(lost)
            self._trade_replies.clear()
            self._ws = None
            self._outbox = None
            self._ready = False
            self._authenticated.clear()
            for sub in tuple(self.subs.values()):
                sub.reducer.on_disconnect()
            if ws.state is not websockets.State.CLOSED:
                _abort(ws)
        return reason

    async def _guarded(self, ws: ClientConnection, what: str, work: Any) -> None:
        """Run a session helper; an unexpected error is logged and ends the session (never silently)."""
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("%s: %s failed", self.name, what)
            self._abort(ws, f"internal error in the {what}: {exc!r}")

    async def _setup(self, ws: ClientConnection, after_loss: bool) -> None:
        try:
            if self.credentials is not None:
                await self._authenticate()
        except AuthError as exc:
            reason = f"authentication failed: {exc.ret_msg}"
            self.auth_error = exc
            self._authenticated.set()  # wake trade requests: they raise auth_error
            for sub in tuple(self.subs.values()):
                sub.auth_error = exc
                sub.set_state(sub.state, reason)
                sub.record_error(exc)
            self._abort(ws, reason)
            return
        except asyncio.TimeoutError:
            self._abort(ws, f"no authentication reply within {self.options.auth_timeout:g} s")
            return
        self._ready = True
        self._session_worked = True
        self.auth_error = None
        self._authenticated.set()
        self._set_state("live", "connected")
        if after_loss:
            self.stats.reconnects += 1
        for sub in tuple(self.subs.values()):
            sub.auth_error = None
            if after_loss:
                sub.reconnects += 1
            if sub.state != "live":
                sub.set_state(sub.state, "connected; subscribing")
        self._want_sub.update(self.subs)
        self._flush()

    async def _authenticate(self) -> None:
        creds = self.credentials
        assert creds is not None
        reply: dict = {}
        for attempt in range(2):
            expires = int(self._clock_ms() + self.clock_fix_ms) + self.options.auth_window_ms
            signature = creds.sign_ws_auth(expires)
            reply = await self._ask("auth", {"op": "auth", "args": [creds.api_key, expires, signature]})
            if reply.get("success") is True or reply.get("retCode") == 0:
                return
            if attempt == 0:
                await self._measure_clock()  # an expired stamp is the usual cause: correct the clock, retry once
        code = reply.get("retCode")
        code = code if isinstance(code, int) and code else None
        message = str(reply.get("ret_msg") or reply.get("retMsg") or "refused")
        if code is not None:
            error = error_for(code, message)
            if isinstance(error, AuthError):
                raise error
        raise AuthError(
            f"{self.name} stream authentication failed: {message}",
            code,
            hint="Check that the API key and secret belong to this environment (testnet, demo, mainnet) and that "
            "the key is enabled. The client already corrected its clock from the server's time and retried.",
        )

    async def _measure_clock(self) -> None:
        """Learn the server's time from a ping: private (and trade) pongs carry it in ms."""
        before = self._clock_ms()
        try:
            reply = await self._ask("pong", {"op": "ping"})
        except asyncio.TimeoutError:
            return
        after = self._clock_ms()
        stamp = (reply.get("args") or reply.get("data") or [None])[0]
        try:
            server_ms = float(stamp)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return
        fix = server_ms - (before + after) / 2.0
        if abs(fix - self.clock_fix_ms) > 500:
            log.warning("%s: the clock used for auth is %.0f ms %s the server's; correcting", self.name,
                        abs(fix), "behind" if fix > 0 else "ahead of")  # fmt: skip
        self.clock_fix_ms = fix

    async def _ask(self, op: str, request: dict) -> dict:
        """Send a request and wait for the reply whose ``op`` is ``op``."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        self._replies[op] = future
        id_key = "reqId" if self.is_trade else "req_id"
        request = {id_key: f"{op}-{next(self._req_ids)}", **request}
        self._send(encode(request).decode())
        try:
            return await asyncio.wait_for(future, self.options.auth_timeout)
        finally:
            if self._replies.get(op) is future:
                del self._replies[op]

    # -- WebSocket trading (/v5/trade) ------------------------------------------

    async def request(self, op: str, params: dict, *, recv_window: int, timeout: float) -> Any:
        """Send one order request (``order.create``...) and return the whole reply.

        The whole envelope, not only ``data``: a batch's per-order outcomes are in
        ``retExtInfo`` (the stream manager reads them). Raises the matching
        :class:`BybitError` for a non-zero ``retCode``. A request without an answer
        is never resent: a :class:`TransportError` says so, because the order may
        exist anyway.
        """
        if self._closing:
            raise TransportError("the stream manager is closed")
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name=f"bybit-stream {self.name}")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self._ready:
            if self.auth_error is not None:
                raise self.auth_error
            try:
                await asyncio.wait_for(self._authenticated.wait(), max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:
                raise TransportError(f"the trade connection is not ready after {timeout:g} s ({self.reason})",
                                     hint="Nothing was sent.") from None  # fmt: skip
        req_id = f"t{next(self._req_ids)}"
        future: asyncio.Future = loop.create_future()
        self._trade_replies[req_id] = future
        now = int(self._clock_ms() + self.clock_fix_ms)
        header = {"X-BAPI-TIMESTAMP": str(now), "X-BAPI-RECV-WINDOW": str(recv_window)}
        self._send(encode({"reqId": req_id, "header": header, "op": op, "args": [params]}).decode())
        try:
            reply = await asyncio.wait_for(future, max(0.0, deadline - loop.time()))
        except asyncio.TimeoutError:
            raise TransportError(
                f"no reply to {op} within {timeout:g} s",
                hint="The request may or may not have been executed: look the order up by its orderLinkId "
                "before sending it again.",
            ) from None
        finally:
            self._trade_replies.pop(req_id, None)
        code = reply.get("retCode")
        if code:
            raise error_for(code, str(reply.get("retMsg", "")), ErrorContext(endpoint=op))
        return reply

    # -- sending ---------------------------------------------------------------

    async def _writer(self, ws: ClientConnection, outbox: asyncio.Queue[str]) -> None:
        while True:
            text = await outbox.get()
            try:
                await ws.send(text)
            except websockets.ConnectionClosed:
                return

    def _send(self, text: str) -> None:
        if self._outbox is not None:
            self._outbox.put_nowait(text)

    def _send_request(self, op: str, topics: list[str]) -> None:
        req_id = f"{op[:5]}-{next(self._req_ids)}"
        now = time.monotonic()
        self._pending[req_id] = (op, topics, now)
        if op == "subscribe":  # books must see their snapshot in time, or the session starts over
            for name in topics:
                sub = self.subs.get(name)
                if sub is not None and sub.reducer.awaiting_snapshot:
                    self._snapshot_deadline[name] = now + self.options.subscribe_timeout
        self._send(encode({"req_id": req_id, "op": op, "args": topics}).decode())

    def _queue_subscribe(self, name: str) -> None:
        self._want_sub.add(name)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)  # one request for everything added this tick

    def _flush(self) -> None:
        self._flush_scheduled = False
        if not self._ready or not self._want_sub:
            return
        topics = sorted(t for t in self._want_sub if t in self.subs)
        self._want_sub.clear()
        for batch in batches(topics, self.max_args):
            self._send_request("subscribe", batch)

    # -- receiving -------------------------------------------------------------

    def _deliver(self, frame: bytes) -> None:
        """A frame straight from the socket's parser: a bug here ends the session, as one in the reader does."""
        if self._abort_reason is not None:
            return  # the session is over: the rest of this read is dropped, like frames left unread
        try:
            self._on_frame(frame)
        except Exception as exc:
            log.exception("%s: the session failed", self.name)
            self._abort(self._ws, f"internal error: {exc!r}")  # type: ignore[arg-type]

    def _on_frame(self, frame: bytes) -> None:
        self.stats.frames += 1
        if len(frame) > self.options.max_message_bytes:
            self._bad_frame(frame, f"oversized frame of {len(frame)} bytes (limit {self.options.max_message_bytes})")
            return
        try:
            message = decode(frame)
        except DecodeError as exc:
            self._bad_frame(frame, str(exc))
            return
        if type(message) is not dict:
            self._bad_frame(frame, f"a frame must be a JSON object, got {type(message).__name__}")
            return
        topic = message.get("topic")
        if topic is not None:
            if type(topic) is not str:  # e.g. a list: it must not reach the registry lookups
                self._bad_frame(frame, f"a frame's topic must be a string, got {type(topic).__name__}")
                return
            sub = self.subs.get(topic)
            if sub is None:
                self._unrouted(topic)
                return
            self._session_worked = True
            try:
                sub.handle(message)
            except Exception as exc:  # a bug must not kill the connection: show it on the feed
                log.exception("%s: handling a message of %s failed", self.name, topic)
                sub.record_error(StreamDataError(f"{topic}: message could not be applied: {exc!r}"), logged=True)
            return
        try:
            self._on_control(message)
        except Exception:
            log.exception("%s: handling a control message failed: %r", self.name, message)
            self.stats.error_replies += 1

    def _bad_frame(self, frame: bytes, why: str) -> None:
        self.stats.bad_frames += 1
        self.stats.last_error = why
        match = _TOPIC_IN_FRAME.search(frame[:400])
        sub = self.subs.get(match.group(1).decode("utf-8", "replace")) if match else None
        error = StreamDataError(f"{self.name}: skipped a frame: {why}")
        if sub is not None:
            sub.record_error(error)
            return
        if self.stats.bad_frames <= 5:
            log.warning("%s", error)
        for other in tuple(self.subs.values()):  # nobody in particular: every feed here should know
            other.record_error(error, logged=True)

    def _unrouted(self, topic: Any) -> None:
        self.stats.unrouted += 1
        if topic in self._released:
            return  # data still in flight after our unsubscribe
        if topic not in self._warned_topics:
            self._warned_topics.add(topic)
            log.warning("%s: data for topic %r that nobody subscribed; ignored", self.name, topic)

    def _on_control(self, message: dict) -> None:
        op = message.get("op")
        if op == "pong" or (op == "ping" and message.get("ret_msg") == "pong"):
            self.stats.pongs += 1
            self._on_pong(message)
            return
        req_id = message.get("reqId")
        if type(req_id) is str and req_id in self._trade_replies:  # a junk id (e.g. a list) is no key
            future = self._trade_replies[req_id]
            if not future.done():
                future.set_result(message)
            return
        if op == "auth":
            future = self._replies.get("auth")
            if future is not None and not future.done():
                future.set_result(message)
            return
        if op in ("subscribe", "unsubscribe") or message.get("type") == "COMMAND_RESP":
            self._on_subscription_reply(message)
            return
        if message.get("success") is False or message.get("retCode") not in (None, 0):
            self.stats.error_replies += 1
            self.stats.last_error = str(message.get("ret_msg") or message.get("retMsg"))
            log.warning("%s: error reply %s", self.name, message)
            return
        self.stats.unrouted += 1

    def _on_pong(self, message: dict) -> None:
        self._pong_deadline = None
        future = self._replies.get("pong")
        if future is not None and not future.done():
            future.set_result(message)
        if self._probing:  # the socket answers, so silent topics are stuck server-side: resubscribe them
            for name in sorted(self._probing):
                sub = self.subs.get(name)
                if sub is not None and sub.state == "stale":
                    sub.set_state("stale", f"{sub.reason.split(';')[0]} while the connection answers; "
                                           "resubscribing")  # fmt: skip
                    sub.reducer.on_disconnect()  # the answer starts with a snapshot, which is no reset
                    self._resubscribe(name)
            self._probing.clear()

    def _on_subscription_reply(self, message: dict) -> None:
        req_id = message.get("req_id")
        entry = self._pending.pop(req_id, None) if req_id and type(req_id) is str else None
        if entry is None:
            op = message.get("op", "subscribe")
            req_id = next((k for k, (o, _, _) in self._pending.items() if o == op), None)
            entry = self._pending.pop(req_id) if req_id is not None else None
        if entry is None:
            return
        op, topics, _ = entry
        data = message.get("data")
        if isinstance(data, dict) and ("failTopics" in data or "successTopics" in data):  # option/spread shape
            fail = data.get("failTopics")
            failed = [t for t in fail if t in topics] if isinstance(fail, list) else []
            ok = [t for t in topics if t not in failed]
            self._subscribed(op, ok)
            if failed:
                self._refused(failed, f"failTopics: {', '.join(failed)}")
            return
        if message.get("success") is True:
            self._subscribed(op, topics)
            return
        ret_msg = str(message.get("ret_msg") or message.get("retMsg") or "refused")
        if op == "unsubscribe":
            log.info("%s: unsubscribe %s refused: %s", self.name, topics, ret_msg)
            return
        named = [t for t in topics if t in _TOPIC_IN_REPLY.findall(ret_msg)]
        if "already subscribed" in ret_msg:
            done = named or topics
            self._subscribed(op, done)
        else:
            done = named or topics
            self._refused(done, ret_msg)
        rest = [t for t in topics if t not in done and t in self.subs]
        if rest:  # the refusal named other topics: ask again for these
            self._send_request("subscribe", rest)

    def _subscribed(self, op: str, topics: list[str]) -> None:
        for name in topics:
            if op == "unsubscribe":
                self._active.discard(name)
                continue
            self._active.add(name)
            sub = self.subs.get(name)
            if sub is not None:
                sub.confirmed()

    def _refused(self, topics: list[str], ret_msg: str) -> None:
        for name in topics:
            sub = self.subs.pop(name, None)
            if sub is None:
                continue
            self._snapshot_deadline.pop(name, None)
            sub.refuse(SubscriptionRefused(f"{name}: {ret_msg}"))
            sub.owner.forget(sub)

    # -- liveness ------------------------------------------------------------

    async def _heartbeat(self, ws: ClientConnection) -> None:
        options = self.options
        tick = options.tick
        kline_watchdog = None if options.watchdog is None else max(options.watchdog, 70.0)
        while True:
            await asyncio.sleep(tick)
            now = time.monotonic()
            if self._pong_deadline is not None and now > self._pong_deadline:
                silent = [now - s.silent_since for s in self.subs.values() if s.state == "stale"]
                if silent:
                    why = f"silent for {max(silent):.0f} s and no pong within {options.pong_timeout:g} s"
                else:
                    why = f"no pong within {options.pong_timeout:g} s"
                self._abort(ws, why)
                return
            if now - self._last_ping >= options.ping_interval:
                self._ping(now)
            if options.watchdog is not None:
                for sub in tuple(self.subs.values()):
                    if sub.state != "live" or not sub.reducer.watch_silence:
                        continue
                    limit = kline_watchdog if sub.topic.kind == "kline" else options.watchdog
                    silent = now - sub.silent_since
                    if silent > limit:  # type: ignore[operator]
                        sub.set_state("stale", f"silent for {silent:.0f} s; checking the connection")
                        self._probing.add(sub.name)
                        if self._pong_deadline is None:
                            self._ping(now)
            # A request without a reply, or a book without its snapshot: the session is not working.
            for op, topics, sent in self._pending.values():
                if now - sent > options.subscribe_timeout:
                    self._abort(ws, f"no reply to {op} {', '.join(topics)} within {options.subscribe_timeout:g} s")
                    return
            for name, deadline in tuple(self._snapshot_deadline.items()):
                sub = self.subs.get(name)
                if sub is None or not sub.reducer.awaiting_snapshot:
                    del self._snapshot_deadline[name]
                elif now > deadline:
                    self._abort(ws, f"no snapshot of {name} within {options.subscribe_timeout:g} s of subscribing")
                    return

    def _ping(self, now: float) -> None:
        self._last_ping = now
        if self._pong_deadline is None:
            self._pong_deadline = now + self.options.pong_timeout
        self.stats.pings += 1
        self._send(encode({"req_id": f"ping-{next(self._req_ids)}", "op": "ping"}).decode())

    def _abort(self, ws: ClientConnection, reason: str) -> None:
        """Give up on this socket now: the reader ends and the run loop reconnects."""
        if self._abort_reason is None:
            self._abort_reason = reason
        _abort(ws)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "url": self.url,
            "state": self.state,
            "reason": self.reason,
            "topics": sorted(self.subs),
            "clock_fix_ms": self.clock_fix_ms,
            **self.stats.__dict__,
        }


def batches(topics: list[str], max_args: int | None, max_chars: int = MAX_ARGS_CHARS) -> list[list[str]]:
    """Split topics into subscribe requests within Bybit's per-request limits."""
    out: list[list[str]] = []
    batch: list[str] = []
    chars = 0
    for topic in topics:
        cost = len(topic) + 3  # quotes and comma in the JSON array
        if batch and ((max_args is not None and len(batch) >= max_args) or chars + cost > max_chars):
            out.append(batch)
            batch, chars = [], 0
        batch.append(topic)
        chars += cost
    if batch:
        out.append(batch)
    return out


def _abort(ws: ClientConnection) -> None:
    transport = getattr(ws, "transport", None)
    if transport is not None:
        transport.abort()


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def _describe_close(exc: websockets.ConnectionClosed) -> str:
    frame = exc.rcvd or exc.sent
    if frame is None:
        return "connection lost (no close frame)"
    detail = f": {frame.reason}" if frame.reason else ""
    return f"connection closed by {'the server' if exc.rcvd else 'us'} (code {frame.code}{detail})"
