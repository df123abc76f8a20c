"""When a stream socket is no use any more, as pure functions of its state and the time.

Bybit wants a JSON ping every 20 s; a socket that does not answer one within ``pong_timeout``
is dead. A live topic that watches for silence (books, tickers; not trades, private topics or
liquidations, which may be quiet for minutes) and is silent past the watchdog is marked
stale, and the socket is probed with a ping: if it answers, the topic is stuck server-side and
is resubscribed (see ``StreamSession._on_pong``); if not, the socket is dead. Klines get at
least 70 s (they push at most once a second and may pause). A subscribe without a reply, or a
book without its snapshot, within ``subscribe_timeout`` means the socket is not working.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .options import StreamOptions
from .states import ConnState

if TYPE_CHECKING:
    from .feed import Subscription
    from .link import Link

__all__ = ["Checkup", "Liveness"]


@dataclass(frozen=True)
class Checkup:
    """The outcome of one look at the clock: send a ping, and/or give up on the socket for ``dead``."""

    ping: bool = False
    dead: str | None = None


class Liveness:
    """The ping, pong, watchdog, reply and snapshot deadlines of a connection; times are monotonic s."""

    def __init__(self, options: StreamOptions) -> None:
        self.options = options
        self._kline_watchdog = None if options.watchdog is None else max(options.watchdog, 70.0)

    def _limit(self, sub: Subscription) -> float:
        limit = self._kline_watchdog if sub.topic.kind == "kline" else self.options.watchdog
        assert limit is not None  # only asked while the watchdog is on
        return limit

    def next_deadline(self, link: Link, subs: dict[str, Subscription]) -> float:
        """The earliest time :meth:`check` may find something; the watchdog part is a lower bound
        (data moves a topic's deadline later, never earlier)."""
        times = [link.last_ping + self.options.ping_interval, *link.snapshot_deadline.values()]
        if link.pong_deadline is not None:
            times.append(link.pong_deadline)
        if link.pending:
            times.append(min(sent for _, _, sent in link.pending.values()) + self.options.subscribe_timeout)
        if self.options.watchdog is not None:
            for sub in subs.values():
                if sub.state == ConnState.LIVE and sub.watch_silence:
                    times.append(sub.silent_since + self._limit(sub))
        return min(times)

    def check(self, link: Link, subs: dict[str, Subscription], now: float) -> Checkup:
        """Look at every deadline at ``now``; marks silent topics stale (and ``link.probing``)."""
        options = self.options
        if link.pong_deadline is not None and now > link.pong_deadline:
            silent = [now - s.silent_since for s in subs.values() if s.state == ConnState.STALE]
            if silent:
                return Checkup(dead=f"silent for {max(silent):.0f} s and no pong within {options.pong_timeout:g} s")
            return Checkup(dead=f"no pong within {options.pong_timeout:g} s")
        ping = now - link.last_ping >= options.ping_interval
        if options.watchdog is not None and self._watch(link, subs, now) and link.pong_deadline is None:
            ping = True
        for op, topics, sent in link.pending.values():
            if now - sent > options.subscribe_timeout:
                return Checkup(ping, f"no reply to {op} {', '.join(topics)} within {options.subscribe_timeout:g} s")
        for name, deadline in tuple(link.snapshot_deadline.items()):
            sub = subs.get(name)
            if sub is None or not sub.awaiting_snapshot:
                del link.snapshot_deadline[name]
            elif now > deadline:
                return Checkup(ping, f"no snapshot of {name} within {options.subscribe_timeout:g} s of subscribing")
        return Checkup(ping)

    def _watch(self, link: Link, subs: dict[str, Subscription], now: float) -> bool:
        """Mark live topics silent past their limit stale; True if any was."""
        found = False
        for sub in tuple(subs.values()):
            if sub.state != ConnState.LIVE or not sub.watch_silence:
                continue
            silent = now - sub.silent_since
            if silent > self._limit(sub):
                sub.set_state(ConnState.STALE, f"silent for {silent:.0f} s; checking the connection")
                link.probing.add(sub.name)
                found = True
        return found
