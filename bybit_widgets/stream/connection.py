"""One WebSocket to one Bybit endpoint, kept alive for as long as topics need it: the I/O around a session.

A :class:`Connection` owns the socket of a public category, the private stream or the trade
stream, and the tasks and timers around it; the protocol (authentication, subscriptions, ping
and watchdog, trade replies) is its :class:`~.session.StreamSession`, which does no I/O. The
connection opens the socket, feeds the session each received frame and the time, sends what
the session says, sleeps until the session's next deadline, and resolves the futures of trade
requests. When the session (or the socket) gives up, it closes the socket, shows the reason on
every feed, waits a jittered exponential backoff and starts over: reconnect, re-auth,
resubscribe, and books come back through a fresh snapshot.

Everything here runs on the stream loop; nothing blocks it: frames are applied synchronously
as the socket parses them (:class:`StreamSocket`), sends go through one writer task so that
requests keep their order (an unsubscribe before its resubscribe).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import websockets
from websockets.asyncio.client import ClientConnection, connect
from websockets.frames import Frame, Opcode

from ..protocol.errors import TransportError
from ..protocol.signing import Credentials
from .errors import StreamDataError
from .options import ConnectionStats, StreamOptions
from .session import AuthFailed, Dead, Event, Ready, StreamSession, TradeOutcome
from .states import ConnState

if TYPE_CHECKING:
    from .feed import Subscription

__all__ = ["Connection", "StreamOptions", "ConnectionStats", "StreamSocket"]

log = logging.getLogger("bybit_widgets.stream")


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


class Connection:
    """One WebSocket (public category, private or trade) and the topics on it."""

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
        self.session = StreamSession(name=name, category=category, options=options, credentials=credentials)
        self._clock_ms = clock_ms or (lambda: time.time() * 1000.0)
        self._on_idle = on_idle
        self._rng = rng or random.Random()
        self.reserved = 0  # subscriptions promised by other threads, not yet added on the loop
        self.state = "idle"
        self.reason = ""
        self._task: asyncio.Task | None = None
        self._closing = False
        self._wake = asyncio.Event()  # interrupts a backoff sleep on close
        self._linger: asyncio.TimerHandle | None = None
        self._flush_scheduled = False
        self._ws: ClientConnection | None = None  # the socket being served
        self._outbox: asyncio.Queue[str] | None = None  # its writer's queue
        self._authenticated = asyncio.Event()  # set while a session may be used (trade requests wait on it)
        self._trades: dict[str, asyncio.Future] = {}  # reqId -> the future of a trade request

    @property
    def subs(self) -> dict[str, Subscription]:
        return self.session.subs

    @property
    def stats(self) -> ConnectionStats:
        return self.session.stats

    @property
    def clock_fix_ms(self) -> float:
        return self.session.clock_fix_ms

    @property
    def auth_error(self) -> BaseException | None:
        return self.session.auth_error

    # -- topics (called on the loop) -----------------------------------------

    def add(self, sub: Subscription) -> None:
        self.reserved = max(0, self.reserved - 1)
        if self._closing:
            sub.refuse(StreamDataError("the stream manager is closed"))
            return
        if self._linger is not None:
            self._linger.cancel()
            self._linger = None
        if self.session.add(sub) and not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)  # one request for everything added this tick
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name=f"bybit-stream {self.name}")
        if self.state in (ConnState.RECONNECTING, ConnState.CONNECTING):
            sub.set_state(self.state, self.reason or "opening the connection")
        else:
            sub.set_state(ConnState.CONNECTING, "subscribing")

    def release(self, sub: Subscription) -> None:
        """The last consumer of ``sub`` left: unsubscribe, and close the socket when nothing is left."""
        if not self.session.release(sub, time.monotonic()):
            return
        self._pump()
        if not self.subs and not self.reserved and not self._closing:
            self._linger = asyncio.get_running_loop().call_later(self.options.linger, self._close_if_idle)

    def resync(self, sub: Subscription, reason: str) -> None:
        """Resubscribe ``sub`` alone to get a fresh snapshot (after a gap, a crossed or malformed book)."""
        self.session.resync(sub, reason, time.monotonic())
        self._pump()

    def _flush(self) -> None:
        self._flush_scheduled = False
        self.session.flush(time.monotonic())
        self._pump()

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
        self._set_state(ConnState.CLOSED, "closed")

    def _set_state(self, state: str, reason: str) -> None:
        self.state, self.reason = state, reason

    async def _run(self) -> None:
        attempt = 0
        lost = False
        try:
            while not self._closing:
                self._set_state(
                    ConnState.RECONNECTING if lost else ConnState.CONNECTING, self.reason or "opening the connection"
                )
                worked = False
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
                    try:
                        reason, worked = await self._serve(ws)
                    except Exception as exc:  # a bug must not end the feeds silently: log, show, reconnect
                        log.exception("%s: the session failed", self.name)
                        reason = f"internal error: {exc!r}"
                    lost = True
                if self._closing:
                    break
                if worked:
                    attempt = 0
                delay = self.options.backoff.delay(attempt, self._rng)
                attempt += 1
                self._set_state(ConnState.RECONNECTING, reason)
                log.info("%s: %s; reconnecting in %.2f s", self.name, reason, delay)
                self.session.lost(reason, delay)
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), delay)
                except asyncio.TimeoutError:
                    pass
        finally:
            self._set_state(ConnState.CLOSED, "closed")
            self.session.closed()

    async def _serve(self, ws: StreamSocket) -> tuple[str, bool]:
        """Serve one socket until it ends; return why it ended and whether it worked."""
        loop = asyncio.get_running_loop()
        self._link_up(ws, asyncio.Queue())
        assert self._outbox is not None
        ws.deliver = self._deliver
        helpers = [
            loop.create_task(
                self._guarded("writer", self._writer(ws, self._outbox)), name=f"bybit-stream {self.name} writer"
            ),
            loop.create_task(self._guarded("heartbeat", self._heartbeat()), name=f"bybit-stream {self.name} heartbeat"),
        ]
        try:
            while True:  # the frames that queued for recv() (see StreamSocket); the rest come to _deliver
                frame = await ws.recv(decode=False)
                self._on_frame(frame)  # type: ignore[arg-type]
        except websockets.ConnectionClosed as exc:
            reason = self.session.dead_reason or _describe_close(exc)
        except asyncio.CancelledError:
            _abort(ws)
            raise
        finally:
            ws.deliver = None
            for task in helpers:
                task.cancel()
            await asyncio.gather(*helpers, return_exceptions=True)
            worked = self._link_down()
            if ws.state is not websockets.State.CLOSED:
                _abort(ws)
        return reason, worked

    def _link_up(self, ws: ClientConnection | None, outbox: asyncio.Queue[str]) -> None:
        """A socket is open (``ws``; None when a test plays the socket): start its session."""
        self._ws, self._outbox = ws, outbox
        self.session.connect(time.monotonic(), self._clock_ms())
        self._pump()

    def _link_down(self) -> bool:
        worked = self.session.disconnect()
        self._pump()  # the trade requests still waiting fail
        self._ws = self._outbox = None
        self._authenticated.clear()
        return worked

    async def _guarded(self, what: str, work: Any) -> None:
        """Run a session helper; an unexpected error is logged and ends the session (never silently)."""
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("%s: %s failed", self.name, what)
            self.session.fail(f"internal error in the {what}: {exc!r}")
            self._pump()

    # -- the session's inputs and outputs -----------------------------------------

    def _deliver(self, frame: bytes) -> None:
        """A frame straight from the socket's parser: a bug here ends the session, as one in the reader does."""
        if self.session.dead_reason is not None:
            return  # the session is over: the rest of this read is dropped, like frames left unread
        try:
            self._on_frame(frame)
        except Exception as exc:
            log.exception("%s: the session failed", self.name)
            self.session.fail(f"internal error: {exc!r}")
            self._pump()

    def _on_frame(self, frame: bytes) -> None:
        session = self.session
        session.receive(frame, time.monotonic())
        if session.output_ready:
            self._pump()

    def _pump(self) -> None:
        """Send what the session has to send, then act on its events."""
        outbox = self._outbox
        for text in self.session.data_to_send():
            if outbox is not None:
                outbox.put_nowait(text)
        for event in self.session.next_events():
            self._on_event(event)

    def _on_event(self, event: Event) -> None:
        if type(event) is TradeOutcome:
            future = self._trades.pop(event.req_id, None)
            if future is not None and not future.done():
                if event.error is not None:
                    future.set_exception(event.error)
                else:
                    future.set_result(event.reply)
        elif type(event) is Ready:
            self._set_state(ConnState.LIVE, "connected")
            self._authenticated.set()
        elif type(event) is AuthFailed:
            self._authenticated.set()  # wake trade requests: they raise auth_error
        elif type(event) is Dead and self._ws is not None:
            _abort(self._ws)  # the reader ends and the run loop reconnects

    async def _writer(self, ws: ClientConnection, outbox: asyncio.Queue[str]) -> None:
        while True:
            text = await outbox.get()
            try:
                await ws.send(text)
            except websockets.ConnectionClosed:
                return

    async def _heartbeat(self) -> None:
        """Sleep until the session's next deadline, then let it check the time.

        Decision: sleep at most ``options.tick``: a deadline the session sets while we sleep (a
        subscribe sent, a book awaiting its snapshot) is noticed within a tick, as before the
        session had deadlines, at the cost of one wakeup per tick (at most 1 s with Bybit's timings).
        """
        tick = self.options.tick
        while True:
            deadline = self.session.next_deadline()
            now = time.monotonic()
            delay = tick if deadline is None else min(tick, max(0.0, deadline - now) + 0.001)
            await asyncio.sleep(delay)
            self.session.tick(time.monotonic())
            self._pump()

    def _on_timer(self, when: float) -> None:
        """A trade request's deadline: the session decides at ``when`` even if the timer fires a hair early."""
        self.session.tick(max(time.monotonic(), when))
        self._pump()

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
        loop = asyncio.get_running_loop()
        if self._task is None:
            self._task = loop.create_task(self._run(), name=f"bybit-stream {self.name}")
        deadline = time.monotonic() + timeout
        while not self.session.ready:
            if self.auth_error is not None:
                raise self.auth_error
            try:
                await asyncio.wait_for(self._authenticated.wait(), max(0.0, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                raise TransportError(
                    f"the trade connection is not ready after {timeout:g} s ({self.reason})", hint="Nothing was sent."
                ) from None
        req_id = self.session.trade_request(
            op, params, recv_window=recv_window, timeout=timeout, deadline=deadline, wall_ms=self._clock_ms()
        )
        future: asyncio.Future = loop.create_future()
        self._trades[req_id] = future
        timer = loop.call_later(max(0.0, deadline - time.monotonic()), self._on_timer, deadline)
        self._pump()
        try:
            return await future
        finally:
            timer.cancel()
            if self._trades.pop(req_id, None) is not None:  # cancelled while waiting
                self.session.forget_trade(req_id)

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
