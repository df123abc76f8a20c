"""The subscriptions of one connection, and the subscribe and unsubscribe requests that keep them, without I/O.

Bybit answers a new subscription of a book with a fresh snapshot, so a book that lost its place
(a sequence gap, a crossed or malformed book, a probe that found it stuck) is resubscribed alone:
unsubscribe, then subscribe. A subscribed book must see its snapshot within ``subscribe_timeout``
(``Link.snapshot_deadline``; checked by ``liveness``). A refused topic is over: its feeds close
with the server's reason.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ..protocol.codec import encode
from ..protocol.topics import subscribe_batches
from .errors import SubscriptionRefused
from .link import Link, next_id
from .options import StreamOptions
from .replies import read_reply
from .states import ConnState

if TYPE_CHECKING:
    from .feed import Subscription

__all__ = ["SubscriptionTable"]

log = logging.getLogger("bybit_widgets.stream")


class SubscriptionTable:
    """Topic name -> subscription, and the requests for them on the current socket (``link``)."""

    def __init__(self, name: str, options: StreamOptions, category: str | None, out: list[str]) -> None:
        self.name = name
        self.subs: dict[str, Subscription] = {}
        self.released: set[str] = set()  # unsubscribed by us: their late data is expected, not warned about
        self._options = options
        self._category = category
        self._out = out  # the session's frames to send

    def add(self, sub: Subscription, link: Link | None) -> bool:
        """Take ``sub`` on; True when a :meth:`flush` should follow (batch everything added in one go)."""
        self.subs[sub.name] = sub
        self.released.discard(sub.name)
        if link is not None and link.ready:
            link.want_sub.add(sub.name)
            return True
        return False

    def flush(self, link: Link, now: float) -> None:
        """Subscribe the topics added since the last flush, in batches within Bybit's limits."""
        if not link.ready or not link.want_sub:
            return
        topics = sorted(t for t in link.want_sub if t in self.subs)
        link.want_sub.clear()
        for batch in subscribe_batches(self._category, topics):
            self.request(link, "subscribe", batch, now)

    def release(self, sub: Subscription, link: Link | None, now: float) -> bool:
        """The last consumer of ``sub`` left: unsubscribe it; False if ``sub`` was not ours (any more)."""
        if self.subs.get(sub.name) is not sub:
            return False
        del self.subs[sub.name]
        self.released.add(sub.name)
        if link is not None:
            link.want_sub.discard(sub.name)
            link.probing.discard(sub.name)
            link.snapshot_deadline.pop(sub.name, None)
            if link.ready and sub.name in link.active:
                link.active.discard(sub.name)
                self.request(link, "unsubscribe", [sub.name], now)
        sub.set_state(ConnState.CLOSED, "unsubscribed: its last feed was closed")
        return True

    def resync(self, sub: Subscription, reason: str, link: Link | None, now: float) -> None:
        """Resubscribe ``sub`` alone to get a fresh snapshot; once, until that snapshot comes."""
        if self.subs.get(sub.name) is not sub:
            return
        if sub.state == ConnState.RESYNCING and link is not None and sub.name in link.snapshot_deadline:
            return  # already on it: further bad deltas are expected until the snapshot
        sub.resyncs += 1
        sub.set_state(ConnState.RESYNCING, f"{reason}; resubscribing for a fresh snapshot")
        if link is not None and link.ready:
            self.resubscribe(link, sub.name, now)

    def resubscribe(self, link: Link, name: str, now: float) -> None:
        """Unsubscribe then subscribe ``name``: Bybit answers a new subscription with a fresh snapshot.

        The unsubscribe goes out even if the first subscribe is still unanswered, so the server
        never answers "already subscribed" (which brings no snapshot).
        """
        link.want_sub.discard(name)
        link.active.discard(name)
        self.request(link, "unsubscribe", [name], now)
        self.request(link, "subscribe", [name], now)

    def request(self, link: Link, op: str, topics: list[str], now: float) -> None:
        """Send one subscribe or unsubscribe; a book subscribed must then see its snapshot in time."""
        req_id = f"{op[:5]}-{next_id()}"
        link.pending[req_id] = (op, topics, now)
        if op == "subscribe":
            for name in topics:
                sub = self.subs.get(name)
                if sub is not None and sub.awaiting_snapshot:
                    link.snapshot_deadline[name] = now + self._options.subscribe_timeout
        self._out.append(encode({"req_id": req_id, "op": op, "args": topics}).decode())

    def on_reply(self, link: Link, message: dict, now: float) -> None:
        """A (un)subscribe reply: matched by ``req_id``, else to the oldest request of its ``op``."""
        req_id = message.get("req_id")
        entry = link.pending.pop(req_id, None) if req_id and type(req_id) is str else None
        if entry is None:
            op = message.get("op", "subscribe")
            req_id = next((k for k, (o, _, _) in link.pending.items() if o == op), None)
            entry = link.pending.pop(req_id) if req_id is not None else None
        if entry is None:
            return
        op, topics, _ = entry
        verdict = read_reply(message, op, topics)
        for name in verdict.confirmed:
            if op == "unsubscribe":
                link.active.discard(name)
                continue
            link.active.add(name)
            sub = self.subs.get(name)
            if sub is not None:
                sub.confirmed(now)
        for name in verdict.refused:
            sub = self.subs.pop(name, None)
            if sub is not None:
                link.snapshot_deadline.pop(name, None)
                sub.refuse(SubscriptionRefused(f"{name}: {verdict.reason}"))
                sub.owner.forget(sub)
        if op == "unsubscribe" and verdict.reason and not verdict.refused:
            log.info("%s: unsubscribe %s refused: %s", self.name, topics, verdict.reason)
        again = [t for t in verdict.again if t in self.subs]
        if again:  # the refusal named other topics: ask again for these
            self.request(link, "subscribe", again, now)
