"""The public stream hub: who is subscribed to what, and the fan-out of each push.

Streams exist only while someone subscribes to them (an unwatched topic costs
nothing); the ``u`` counter of each book topic survives its stream, so a
resubscribe continues the numbering as Bybit's does. On every market tick the
hub asks each due stream for its frames once and appends the same text to
every subscriber's queue.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any, Protocol

from ..protocol.topics import Topic
from .connection import Connection
from .faults import FaultBoard
from .streams import PushContext, TopicStream

__all__ = ["PublicHub", "StreamSource", "TopicRefused"]


class TopicRefused(Exception):
    """A topic this server cannot serve; ``str()`` is the ``ret_msg`` tail (``handler not found,topic:X``)."""


class StreamSource(Protocol):
    """Where public streams come from (the engine's markets, generated or moved by a tape)."""

    def check(self, category: str, name: str) -> Topic:
        """Validate a topic for ``category``; raise :class:`TopicRefused`."""

    def make_stream(self, category: str, topic: Topic, u_start: int) -> TopicStream: ...

    def truth_book(self, category: str, symbol: str, depth: int) -> dict[str, Any]:
        """The book of an unstreamed topic (``u`` None); raise ``ValueError`` for an unknown one."""


class _Subscription:
    __slots__ = ("stream", "conns")

    def __init__(self, stream: TopicStream) -> None:
        self.stream = stream
        self.conns: dict[Connection, None] = {}  # insertion-ordered set


class PublicHub:
    """Subscriptions of all public connections, keyed by ``(category, topic)``."""

    def __init__(self, source: StreamSource, faults: FaultBoard, seed: int, context: Callable[[], PushContext]) -> None:
        self.source = source
        self.faults = faults
        self.seed = seed
        self.context = context
        self.connections: set[Connection] = set()
        self._subs: dict[tuple[str, str], _Subscription] = {}
        self._next_u: dict[tuple[str, str], int] = {}
        self._by_conn: dict[Connection, set[tuple[str, str]]] = {}
        self.frames_sent = 0

    # -- connections -------------------------------------------------------------------------------
    def add(self, conn: Connection) -> None:
        self.connections.add(conn)
        self._by_conn[conn] = set()

    def remove(self, conn: Connection) -> None:
        self.connections.discard(conn)
        for key in self._by_conn.pop(conn, ()):
            self._leave(key, conn)

    def topics_of(self, conn: Connection) -> set[tuple[str, str]]:
        return self._by_conn.get(conn, set())

    # -- subscriptions -----------------------------------------------------------------------------
    def _u_start(self, key: tuple[str, str]) -> int:
        """Where a topic's ``u`` starts: anywhere, but the same for the same seed."""
        u = self._next_u.get(key)
        if u is None:
            u = 100_000 + zlib.crc32(f"{self.seed}/{key[0]}/{key[1]}".encode()) % 9_000_000
        return u

    def subscribe(self, conn: Connection, category: str, topic: Topic) -> None:
        """Add ``conn`` to ``topic`` and queue its initial frames (after the caller's reply)."""
        key = (category, topic.name)
        sub = self._subs.get(key)
        if sub is None:
            sub = self._subs[key] = _Subscription(self.source.make_stream(category, topic, self._u_start(key)))
        sub.conns[conn] = None
        self._by_conn[conn].add(key)

    def join_frames(self, conn: Connection, category: str, name: str) -> None:
        """Send ``conn`` what a new subscriber of ``name`` sees first (a snapshot for books)."""
        sub = self._subs.get((category, name))
        if sub is None:
            return
        for frame in sub.stream.join(self.context()):
            conn.send(frame)

    def unsubscribe(self, conn: Connection, category: str, name: str) -> bool:
        key = (category, name)
        topics = self._by_conn.get(conn)
        if topics is None or key not in topics:
            return False
        topics.discard(key)
        self._leave(key, conn)
        return True

    def _leave(self, key: tuple[str, str], conn: Connection) -> None:
        sub = self._subs.get(key)
        if sub is None:
            return
        sub.conns.pop(conn, None)
        if not sub.conns:
            del self._subs[key]
            stream = sub.stream
            u = getattr(stream, "u", None)
            if u is not None and getattr(stream, "pushed", False):
                self._next_u[key] = u + 1

    # -- pushes ------------------------------------------------------------------------------------
    def on_tick(self, tick: int) -> None:
        """Push every due stream once; the same frame text goes to all of its subscribers."""
        if not self._subs:
            return
        ctx: PushContext | None = None
        silent = self.faults.silent("public")
        take_fault = self.faults.take_topic if self.faults.has_topic_faults else None
        for (category, name), sub in list(self._subs.items()):
            stream = sub.stream
            if tick % stream.period:
                continue
            if ctx is None:
                ctx = self.context()
            fault = take_fault(name, category) if take_fault is not None else None
            frames = stream.produce(ctx, fault)
            if not frames or silent:
                continue
            for frame in frames:
                for conn in sub.conns:
                    conn.send(frame)
            self.frames_sent += len(frames) * len(sub.conns)

    def resnapshot_books(self) -> int:
        """After a replay seek: every book stream sends a fresh snapshot at its next push (``u`` goes on)."""
        books = [sub.stream for sub in self._subs.values() if getattr(sub.stream, "kind", None) == "orderbook"]
        for stream in books:
            stream.pushed = False
        return len(books)

    def stream(self, category: str, name: str) -> Any:
        sub = self._subs.get((category, name))
        return None if sub is None else sub.stream
