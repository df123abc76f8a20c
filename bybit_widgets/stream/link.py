"""The state of one stream socket, and the events a session reports to the I/O around it.

Decision: everything that belongs to one socket lives in one :class:`Link`, created on connect
and dropped on disconnect, so a reconnect can never inherit a pending request, an active topic or
a ping deadline of the socket before (before this, eleven fields were reset by hand).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from .handshake import Handshake
from .trading import TradeOutcome, TradeRequests

__all__ = ["Link", "Ready", "AuthFailed", "Dead", "Event", "next_id"]

#: request ids (req_id, reqId), unique across connections so that the logs of several sockets read well
next_id = itertools.count(1).__next__


@dataclass(frozen=True)
class Ready:
    """Authenticated (where the stream needs it): subscribing, and trade requests may go."""


@dataclass(frozen=True)
class AuthFailed:
    """Authentication was refused for good (``Dead`` follows); trade requests waiting for it should raise."""

    error: BaseException


@dataclass(frozen=True)
class Dead:
    """The socket is no use any more: close it now; the caller reconnects."""

    reason: str


Event = Ready | AuthFailed | Dead | TradeOutcome


@dataclass
class Link:
    """The state of one socket, from connect to disconnect. Times are monotonic seconds."""

    opened_at: float
    wall_ms: float  # the wall clock at ``opened_at``
    handshake: Handshake | None
    trades: TradeRequests
    last_ping: float
    ready: bool = False  # authenticated (if needed): subscriptions may go
    worked: bool = False  # authenticated or got data: the backoff starts over after this socket
    dead: str | None = None  # why the session gave up on this socket
    pong_deadline: float | None = None
    active: set[str] = field(default_factory=set)  # confirmed by the server
    pending: dict[str, tuple[str, list[str], float]] = field(default_factory=dict)  # req_id -> (op, topics, sent)
    want_sub: set[str] = field(default_factory=set)  # to go in the next subscribe batch
    probing: set[str] = field(default_factory=set)  # stale topics, resubscribed if the socket answers a ping
    snapshot_deadline: dict[str, float] = field(default_factory=dict)  # books subscribed, snapshot due by

    def wall_at(self, now: float) -> float:
        """The wall clock (ms) at ``now``, extrapolated from the connect with the monotonic clock."""
        return self.wall_ms + (now - self.opened_at) * 1000.0
