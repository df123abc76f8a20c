"""``/v5/public/{category}``: subscribe, unsubscribe and ping with Bybit's exact replies.

Linear and spot answer in slightly different shapes (reference 6.1-6.2):
linear always carries ``req_id`` (``""`` when none was sent), spot answers a
subscribe with ``ret_msg`` ``"subscribe"`` and a ping without ``req_id``.
Topics that are valid in a request are subscribed even when others in the same
request fail; the failure reply names each refused topic, so a client can
retry exactly those.
"""

from __future__ import annotations

from typing import Any

from starlette.websockets import WebSocket

from ..protocol.topics import subscribe_args_refusal
from .connection import Connection
from .hub import PublicHub, TopicRefused
from .wsloop import BadMessage, parse_message, pump

__all__ = ["public_endpoint", "PUBLIC_CATEGORIES"]

PUBLIC_CATEGORIES = ("linear", "spot", "inverse")  # inverse: no instruments, every topic is refused


class PublicSession:
    def __init__(self, hub: PublicHub, conn: Connection, category: str) -> None:
        self.hub = hub
        self.conn = conn
        self.category = category
        self.spot = category == "spot"

    def reply(self, op: Any, success: bool, ret_msg: str, req_id: Any) -> None:
        self.conn.send_obj(
            {
                "success": success,
                "ret_msg": ret_msg,
                "conn_id": self.conn.conn_id,
                "req_id": "" if req_id is None else req_id,
                "op": op,
            }
        )

    def handle(self, raw: str | bytes | None) -> None:
        try:
            message = parse_message(raw)
        except BadMessage as exc:
            self.reply("", False, str(exc), None)
            return
        op = message.get("op")
        req_id = message.get("req_id")
        if op == "ping":
            pong: dict[str, Any] = {"success": True, "ret_msg": "pong", "conn_id": self.conn.conn_id}
            if not self.spot or req_id is not None:
                pong["req_id"] = "" if req_id is None else req_id
            pong["op"] = "ping"
            self.conn.send_obj(pong)
        elif op in ("subscribe", "unsubscribe"):
            self.change(op, message.get("args"), req_id)
        else:
            self.reply(op if isinstance(op, str) else "", False, "error:invalid op", req_id)

    def change(self, op: str, args: Any, req_id: Any) -> None:
        if not isinstance(args, list) or not args or not all(isinstance(a, str) for a in args):
            self.reply(op, False, "error:args must be a non-empty list of topic strings", req_id)
            return
        refusal = subscribe_args_refusal(self.category, args)  # the rule clients batch by
        if refusal is not None:
            self.reply(op, False, refusal, req_id)
            return
        hub, conn, category = self.hub, self.conn, self.category
        failures: list[str] = []
        if op == "unsubscribe":
            for name in args:
                if not hub.unsubscribe(conn, category, name):
                    failures.append(f"error:not subscribed,topic:{name}")
            self._reply_change(op, failures, req_id)
            return
        current = hub.topics_of(conn)
        accepted = []
        for name in dict.fromkeys(args):
            if (category, name) in current:
                failures.append(f"error:already subscribed,topic:{name}")
                continue
            try:
                accepted.append(hub.source.check(category, name))
            except TopicRefused as exc:
                failures.append(f"error:{exc}")
        for topic in accepted:
            hub.subscribe(conn, category, topic)
        self._reply_change(op, failures, req_id)
        for topic in accepted:
            hub.join_frames(conn, category, topic.name)

    def _reply_change(self, op: str, failures: list[str], req_id: Any) -> None:
        if failures:
            self.reply(op, False, ";".join(failures), req_id)
        else:
            self.reply(op, True, op if self.spot else "", req_id)


async def public_endpoint(websocket: WebSocket) -> None:
    core = websocket.app.state.core
    category = websocket.path_params["category"]
    if category not in PUBLIC_CATEGORIES:
        await websocket.close(code=1008, reason=f"no public stream for category {category!r}")
        return
    await websocket.accept()
    conn = Connection(websocket, "public", max_queue=core.config.max_queue, idle_s=core.config.idle_timeout_s)
    conn.start()
    core.public.add(conn)
    session = PublicSession(core.public, conn, category)
    try:
        await pump(websocket, conn, session.handle, core.faults)
    finally:
        core.public.remove(conn)
        await conn.stop()
