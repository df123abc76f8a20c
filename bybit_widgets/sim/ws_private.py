"""``/v5/private``: auth, then the account's ``order``/``execution``/``position``/``wallet`` streams.

The engine calls :meth:`PrivateHub.on_event` synchronously after each state
change of an account; the hub wraps the items in Bybit's private envelope
(``id``, ``topic``, ``creationTime``, ``data``) once per topic name and queues
them on every authenticated connection of that key subscribed to it.
Categorised topics (``order.linear``) receive only the items of their
category; ``execution.fast`` is the short form of ``execution``. As on Bybit,
subscribing sends no snapshot: the streams carry changes only.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Callable
from typing import Any

from starlette.websockets import WebSocket

from ..protocol.codec import encode
from ..protocol.topics import Topic, TopicError, parse_topic
from .auth import verify_ws_auth
from .connection import Connection
from .faults import FaultBoard
from .reject import Reject
from .wsloop import BadMessage, parse_message, serve_authenticated

__all__ = ["PrivateHub", "private_endpoint", "SERVED_TOPICS"]

SERVED_TOPICS = ("order", "execution", "execution.fast", "position", "wallet", "greeks")  # greeks: options only
_FAST_FIELDS = (
    "category",
    "symbol",
    "execId",
    "execPrice",
    "execQty",
    "orderId",
    "isMaker",
    "orderLinkId",
    "side",
    "execTime",
    "seq",
)


class PrivateHub:
    """Authenticated private connections by API key, with their subscribed topics."""

    def __init__(self, faults: FaultBoard, clock: Callable[[], int]) -> None:
        self.faults = faults
        self.clock = clock
        self.connections: set[Connection] = set()
        self._by_key: dict[str, dict[Connection, dict[str, Topic]]] = {}
        self._ids = itertools.count(1)
        self._id_prefix = secrets.token_hex(6)

    def add(self, conn: Connection) -> None:
        self.connections.add(conn)

    def authenticate(self, conn: Connection, api_key: str) -> dict[str, Topic]:
        topics: dict[str, Topic] = {}
        self._by_key.setdefault(api_key, {})[conn] = topics
        return topics

    def remove(self, conn: Connection) -> None:
        self.connections.discard(conn)
        for key, conns in list(self._by_key.items()):
            if conns.pop(conn, None) is not None and not conns:
                del self._by_key[key]

    def on_event(self, api_key: str, topic: str, items: list[dict]) -> None:
        """The engine's listener: one state change of ``api_key``'s account."""
        conns = self._by_key.get(api_key)
        if not conns or not items or self.faults.silent("private"):
            return
        frames: dict[str, str | None] = {}
        for conn, subscribed in conns.items():
            for name, sub in subscribed.items():
                if sub.kind != topic and not (topic == "execution" and sub.kind == "execution.fast"):
                    continue
                if name not in frames:
                    frames[name] = self._frame(sub, items)
                frame = frames[name]
                if frame is not None:
                    conn.send(frame)

    def _frame(self, sub: Topic, items: list[dict]) -> str | None:
        if sub.category is not None:
            items = [item for item in items if item.get("category") == sub.category]
        if sub.kind == "execution.fast":
            items = [{k: item[k] for k in _FAST_FIELDS if k in item} for item in items]
        if not items:
            return None
        return encode(
            {
                "id": f"{self._id_prefix}-{next(self._ids)}",
                "topic": sub.name,
                "creationTime": self.clock(),
                "data": items,
            }
        ).decode()


class PrivateSession:
    """One private connection: auth state and topic changes, with Bybit's replies (reference 7.1-7.2)."""

    def __init__(self, core: Any, conn: Connection) -> None:
        self.core = core
        self.conn = conn
        self.api_key: str | None = None
        self.topics: dict[str, Topic] | None = None

    def reply(self, op: Any, success: bool, ret_msg: str, req_id: Any) -> None:
        message: dict[str, Any] = {"success": success, "ret_msg": ret_msg, "op": op, "conn_id": self.conn.conn_id}
        if req_id is not None:
            message = {"req_id": req_id, **message}
        self.conn.send_obj(message)

    def handle(self, raw: str | bytes | None) -> None:
        try:
            message = parse_message(raw)
        except BadMessage as exc:
            self.reply("", False, str(exc), None)
            return
        op = message.get("op")
        req_id = message.get("req_id")
        if op == "ping":
            pong: dict[str, Any] = {"op": "pong", "args": [str(self.core.clock.now_ms())], "conn_id": self.conn.conn_id}
            if req_id is not None:
                pong = {"req_id": req_id, **pong}
            self.conn.send_obj(pong)
        elif op == "auth":
            self.auth(message.get("args"), req_id)
        elif op in ("subscribe", "unsubscribe"):
            self.change(op, message.get("args"), req_id)
        else:
            self.reply(op if isinstance(op, str) else "", False, "error:invalid op", req_id)

    def auth(self, args: Any, req_id: Any) -> None:
        if self.api_key is not None:
            self.reply("auth", False, "Repeat auth", req_id)
            return
        core = self.core
        try:
            api_key = verify_ws_auth(args, core.exchange.secret_for, core.clock.now_ms())
        except Reject:
            self.reply("auth", False, "Params Error", req_id)
            return
        self.api_key = api_key
        self.topics = core.private.authenticate(self.conn, api_key)
        self.reply("auth", True, "", req_id)

    def change(self, op: str, args: Any, req_id: Any) -> None:
        topics = self.topics
        if topics is None:
            self.reply(op, False, "Request not authorized", req_id)
            return
        if not isinstance(args, list) or not args or not all(isinstance(a, str) for a in args):
            self.reply(op, False, "error:args must be a non-empty list of topic strings", req_id)
            return
        failures: list[str] = []
        if op == "unsubscribe":
            for name in args:
                if topics.pop(name, None) is None:
                    failures.append(f"error:not subscribed,topic:{name}")
        else:
            parsed: list[Topic] = []
            for name in dict.fromkeys(args):
                try:
                    topic = parse_topic(name)
                except TopicError:
                    topic = None
                if topic is None or topic.kind not in SERVED_TOPICS:
                    failures.append(f"error:handler not found,topic:{name}")
                elif name in topics:
                    failures.append(f"error:already subscribed,topic:{name}")
                else:
                    parsed.append(topic)
            categorised = {t.kind for t in parsed if t.category is not None}
            if categorised & {t.kind for t in parsed if t.category is None}:
                failures.append(
                    "error:categorised topics (order.linear) cannot be mixed with the all-in-one "
                    "form (order) in one request"
                )
                parsed = []
            for topic in parsed:
                topics[topic.name] = topic
        if failures:
            self.reply(op, False, ";".join(failures), req_id)
        else:
            self.reply(op, True, "", req_id)


async def private_endpoint(websocket: WebSocket) -> None:
    core = websocket.app.state.core
    await serve_authenticated(websocket, "private", PrivateSession, core.private.add, core.private.remove)
