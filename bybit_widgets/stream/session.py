"""One stream connection's protocol without I/O: frames and the time in; frames, events and a deadline out.

Modelled on h11 and websockets' sans-I/O ``protocol.py``. The caller (``Connection``) owns the
socket, the timers and the tasks, and for each socket:

- calls :meth:`StreamSession.connect` when it opens and :meth:`~StreamSession.disconnect` when it ends;
- feeds each received frame to :meth:`~StreamSession.receive`, and calls :meth:`~StreamSession.tick`
  when :meth:`~StreamSession.next_deadline` comes;
- after each call sends :meth:`~StreamSession.data_to_send` in order and acts on
  :meth:`~StreamSession.next_events` (:class:`Ready`, :class:`AuthFailed`, :class:`Dead`, :class:`TradeOutcome`).

Times are passed in: ``now`` is monotonic seconds, ``wall_ms`` the wall clock in ms (read once per
connect, and for each trade request's stamp). Nothing here reads a clock or touches a socket.

Decision: subscriptions (``feed.Subscription``) are plain state on the same loop, so the session
tells them directly (``handle``, ``confirmed``, ``set_state``) instead of queueing an event per data
frame: a book, trade and ticker stream is a hundred frames a second, and an event object each
would be one allocation and one more dispatch per frame for nothing. Measured: a ticker delta
through ``Connection._deliver`` costs 2.2 us before and after the session was split out (100 000
frames, best of 5; the clock read and the two output checks per frame are within the noise).

What belongs to one socket lives in its :class:`~.link.Link`, created on connect; what outlives
sockets (the subscriptions, the counters, the clock correction, the last auth failure) lives here.
The jobs are in modules of their own: subscribe requests and replies (``subscriptions``,
``replies``), authentication (``handshake``), deadlines (``liveness``), trade requests (``trading``).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from ..protocol.codec import DecodeError, decode, encode
from ..protocol.signing import Credentials
from .errors import StreamDataError
from .handshake import Handshake, Step
from .link import AuthFailed, Dead, Event, Link, Ready, next_id
from .liveness import Liveness
from .options import ConnectionStats, StreamOptions
from .states import ConnState
from .subscriptions import SubscriptionTable
from .trading import TradeOutcome, TradeRequests

if TYPE_CHECKING:
    from .feed import Subscription

__all__ = ["StreamSession", "Link", "Ready", "AuthFailed", "Dead", "TradeOutcome", "Event"]

log = logging.getLogger("bybit_widgets.stream")

_TOPIC_IN_FRAME = re.compile(rb'"topic"\s*:\s*"([^"]{1,100})"')


class StreamSession:
    """The protocol state of one connection (public category, private or trade) and its subscriptions."""

    def __init__(
        self, *, name: str, category: str | None, options: StreamOptions, credentials: Credentials | None = None
    ) -> None:
        self.name = name
        self.options = options
        self.credentials = credentials
        self._out: list[str] = []  # frames to send; shared with the subscription table
        self._table = SubscriptionTable(name, options, category, self._out)
        self.subs: dict[str, Subscription] = self._table.subs  # the same dict, for the connection and tests
        self.stats = ConnectionStats()
        self.clock_fix_ms = 0.0  # correction measured from the server's pong when auth was refused
        self.auth_error: BaseException | None = None  # the last authentication failure, until one succeeds
        self.link: Link | None = None
        self._sockets = 0  # sockets served so far: a later one is a reconnect
        self._warned_topics: set[str] = set()
        self._events: list[Event] = []
        self._liveness = Liveness(options)

    # -- outputs ---------------------------------------------------------------

    @property
    def ready(self) -> bool:
        link = self.link
        return link is not None and link.ready

    @property
    def dead_reason(self) -> str | None:
        link = self.link
        return None if link is None else link.dead

    @property
    def output_ready(self) -> bool:
        return bool(self._out or self._events)

    def data_to_send(self) -> list[str]:
        """The text frames to send, in order (an unsubscribe before its resubscribe)."""
        out = self._out[:]
        self._out.clear()
        return out

    def next_events(self) -> list[Event]:
        events, self._events = self._events, []
        return events

    def next_deadline(self) -> float | None:
        """When :meth:`tick` has something to check (monotonic s); None without a (live) socket."""
        link = self.link
        if link is None or link.dead is not None:
            return None
        times = [self._liveness.next_deadline(link, self.subs)]
        if link.handshake is not None and link.handshake.deadline is not None:
            times.append(link.handshake.deadline)
        trade = link.trades.next_deadline()
        if trade is not None:
            times.append(trade)
        return min(times)

    # -- the socket's life -----------------------------------------------------

    def connect(self, now: float, wall_ms: float) -> None:
        """A socket opened: authenticate (private, trade) or subscribe everything at once (public)."""
        self._out.clear()
        self.stats.connects += 1
        handshake = None
        if self.credentials is not None:
            id_key = "reqId" if self.name == "trade" else "req_id"  # the trade stream's spelling
            handshake = Handshake(
                self.credentials,
                name=self.name,
                window_ms=self.options.auth_window_ms,
                timeout=self.options.auth_timeout,
                id_key=id_key,
                next_id=next_id,
            )
        self.link = Link(
            opened_at=now, wall_ms=wall_ms, handshake=handshake, trades=TradeRequests(next_id), last_ping=now
        )
        if handshake is None:
            self._become_ready(now)
        else:
            self._apply(handshake.start(now, wall_ms, self.clock_fix_ms), now)

    def disconnect(self) -> bool:
        """The socket ended: drop its state, fail its trade requests; return whether it worked."""
        link = self.link
        if link is None:
            return False
        self.link = None
        self._sockets += 1
        self._out.clear()
        self._events.extend(link.trades.abandon(self.name))
        for sub in tuple(self.subs.values()):
            sub.disconnected()
        return link.worked

    def fail(self, reason: str) -> None:
        """Give up on this socket (the first reason stands): a :class:`Dead` event asks the caller to close it."""
        link = self.link
        if link is not None and link.dead is None:
            link.dead = reason
            self._events.append(Dead(reason))

    def lost(self, reason: str, delay: float) -> None:
        """Between sockets: show why on every feed, and when the next attempt comes."""
        self.stats.last_error = reason
        for sub in tuple(self.subs.values()):
            sub.set_state(ConnState.RECONNECTING, f"{reason}; reconnecting in {delay:.1f} s")

    def closed(self) -> None:
        for sub in tuple(self.subs.values()):
            sub.set_state(ConnState.CLOSED, "the stream manager was closed")

    def _become_ready(self, now: float) -> None:
        link = self.link
        assert link is not None
        link.ready = link.worked = True
        self.auth_error = None
        after_loss = self._sockets > 0
        if after_loss:
            self.stats.reconnects += 1
        for sub in tuple(self.subs.values()):
            sub.auth_error = None
            if after_loss:
                sub.reconnects += 1
            if sub.state != ConnState.LIVE:
                sub.set_state(sub.state, "connected; subscribing")
        self._events.append(Ready())
        link.want_sub.update(self.subs)
        self.flush(now)

    def _apply(self, step: Step, now: float) -> None:
        """Act on one step of the authentication handshake."""
        if step.clock_fix_ms is not None:
            self.clock_fix_ms = step.clock_fix_ms
        if step.send is not None:
            self._out.append(step.send)
        if step.done:
            self._become_ready(now)
        elif step.error is not None:
            reason = f"authentication failed: {step.error.ret_msg}"
            self.auth_error = step.error
            self._events.append(AuthFailed(step.error))
            for sub in tuple(self.subs.values()):
                sub.auth_error = step.error
                sub.set_state(sub.state, reason)
                sub.record_error(step.error)
            self.fail(reason)
        elif step.dead is not None:
            self.fail(step.dead)

    # -- subscriptions (see .subscriptions) ------------------------------------------

    def add(self, sub: Subscription) -> bool:
        """Take ``sub`` on; True when a :meth:`flush` should follow (batch everything added in one go)."""
        return self._table.add(sub, self.link)

    def flush(self, now: float) -> None:
        """Subscribe the topics added since the last flush, in batches within Bybit's limits."""
        if self.link is not None:
            self._table.flush(self.link, now)

    def release(self, sub: Subscription, now: float) -> bool:
        """The last consumer of ``sub`` left: unsubscribe it; False if ``sub`` was not ours (any more)."""
        return self._table.release(sub, self.link, now)

    def resync(self, sub: Subscription, reason: str, now: float) -> None:
        """Resubscribe ``sub`` alone to get a fresh snapshot (after a gap, a crossed or malformed book)."""
        self._table.resync(sub, reason, self.link, now)

    def request(self, op: str, topics: list[str], now: float) -> None:
        """Send one subscribe or unsubscribe on the open socket."""
        assert self.link is not None, "requests go on an open socket"
        self._table.request(self.link, op, topics, now)

    # -- trade stream --------------------------------------------------------------

    def trade_request(
        self, op: str, params: dict, *, recv_window: int, timeout: float, deadline: float, wall_ms: float
    ) -> str:
        """Send one order request on a ready socket; its :class:`TradeOutcome` comes by ``deadline``."""
        link = self.link
        assert link is not None and link.ready, "trade requests wait for Ready"
        req_id, text = link.trades.frame(
            op,
            params,
            stamp_ms=int(wall_ms + self.clock_fix_ms),
            recv_window=recv_window,
            timeout=timeout,
            deadline=deadline,
        )
        self._out.append(text)
        return req_id

    def forget_trade(self, req_id: str) -> None:
        if self.link is not None:
            self.link.trades.forget(req_id)

    # -- receiving -------------------------------------------------------------------

    def receive(self, frame: bytes, now: float) -> None:
        """One complete text frame: data goes to its subscription, replies to what awaits them."""
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
            link = self.link
            if link is not None:
                link.worked = True
            try:
                sub.handle(message, frame, now)
            except Exception as exc:  # a bug must not kill the connection: show it on the feed
                log.exception("%s: handling a message of %s failed", self.name, topic)
                sub.record_error(StreamDataError(f"{topic}: message could not be applied: {exc!r}"), logged=True)
            return
        try:
            self._on_control(message, now)
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
        if topic in self._table.released:
            return  # data still in flight after our unsubscribe
        if topic not in self._warned_topics:
            self._warned_topics.add(topic)
            log.warning("%s: data for topic %r that nobody subscribed; ignored", self.name, topic)

    def _on_control(self, message: dict, now: float) -> None:
        op = message.get("op")
        if op == "pong" or (op == "ping" and message.get("ret_msg") == "pong"):
            self.stats.pongs += 1
            self._on_pong(message, now)
            return
        link = self.link
        if link is not None and link.trades:
            outcome = link.trades.match(message)
            if outcome is not None:
                self._events.append(outcome)
                return
        if op == "auth":
            if link is not None and link.handshake is not None:
                self._apply(link.handshake.on_auth_reply(message, now, link.wall_at(now)), now)
            return
        if op in ("subscribe", "unsubscribe") or message.get("type") == "COMMAND_RESP":
            if link is not None:
                self._table.on_reply(link, message, now)
            return
        if message.get("success") is False or message.get("retCode") not in (None, 0):
            self.stats.error_replies += 1
            self.stats.last_error = str(message.get("ret_msg") or message.get("retMsg"))
            log.warning("%s: error reply %s", self.name, message)
            return
        self.stats.unrouted += 1

    def _on_pong(self, message: dict, now: float) -> None:
        link = self.link
        if link is None:
            return
        link.pong_deadline = None
        if link.handshake is not None:
            self._apply(link.handshake.on_pong(message, now, link.wall_at(now), self.clock_fix_ms), now)
        if link.probing:  # the socket answers, so silent topics are stuck server-side: resubscribe them
            for name in sorted(link.probing):
                sub = self.subs.get(name)
                if sub is not None and sub.state == ConnState.STALE:
                    sub.set_state(
                        ConnState.STALE, f"{sub.reason.split(';')[0]} while the connection answers; resubscribing"
                    )
                    sub.disconnected()  # the answer starts with a snapshot, which is no reset
                    self._table.resubscribe(link, name, now)
            link.probing.clear()

    # -- liveness --------------------------------------------------------------------

    def tick(self, now: float) -> None:
        """Check every deadline: auth, trade requests, then ping, pong, watchdog, replies and snapshots."""
        link = self.link
        if link is None or link.dead is not None:
            return
        if link.handshake is not None and link.handshake.deadline is not None:
            self._apply(link.handshake.expire(now, link.wall_at(now), self.clock_fix_ms), now)
        self._events.extend(link.trades.expire(now))
        checkup = self._liveness.check(link, self.subs, now)
        if checkup.ping:
            self._ping(link, now)
        if checkup.dead is not None:
            self.fail(checkup.dead)

    def _ping(self, link: Link, now: float) -> None:
        link.last_ping = now
        if link.pong_deadline is None:
            link.pong_deadline = now + self.options.pong_timeout
        self.stats.pings += 1
        self._out.append(encode({"req_id": f"ping-{next_id()}", "op": "ping"}).decode())
