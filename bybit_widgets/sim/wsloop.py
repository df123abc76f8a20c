"""The receive loop shared by the public, private and trade WebSocket endpoints."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from starlette.websockets import WebSocket

from ..protocol.codec import DecodeError, decode
from .connection import Connection
from .faults import FaultBoard

__all__ = ["pump", "serve_authenticated", "parse_max_active_time", "parse_message", "BadMessage", "MAX_MESSAGE_CHARS"]

log = logging.getLogger("bybit_widgets.sim")

MAX_MESSAGE_CHARS = 64_000  # a request this long is refused with an error reply (args alone may be 21,000)


def parse_max_active_time(text: str | None, default_s: float) -> float:
    """``?max_active_time=`` as seconds: ``30s``..``600s`` or ``1m``..``10m``; ``ValueError`` otherwise."""
    if text is None:
        return default_s
    unit, number = text[-1:], text[:-1]
    if unit not in ("s", "m") or not number.isdigit():
        raise ValueError(f"max_active_time must look like '30s' or '5m', got {text!r}")
    seconds = int(number) * (60 if unit == "m" else 1)
    if not 30 <= seconds <= 600:
        raise ValueError(f"max_active_time must be between 30s and 600s, got {text!r}")
    return float(seconds)


class BadMessage(Exception):
    """A client message that is not a JSON object; ``str()`` is the reply's message."""


def parse_message(raw: str | bytes | None) -> dict:
    if raw is None:
        raise BadMessage("error:empty message")
    if len(raw) > MAX_MESSAGE_CHARS:
        raise BadMessage(f"error:message too long ({len(raw)} > {MAX_MESSAGE_CHARS} characters)")
    try:
        message = decode(raw)
    except DecodeError:
        raise BadMessage("error:request is not valid JSON") from None
    if not isinstance(message, dict):
        raise BadMessage("error:request must be a JSON object")
    return message


async def pump(
    websocket: WebSocket, conn: Connection, handle: Callable[[str | bytes | None], None], faults: FaultBoard
) -> None:
    """Feed each client message to ``handle`` until the socket ends.

    While a ``silence`` fault holds this connection's kind, messages (pings
    included) are read and ignored: the socket stays open and nothing answers.
    A failing handler is logged with its traceback and the connection goes on.
    """
    receive = websocket.receive
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        conn.touch()
        if faults.silent(conn.kind):
            continue
        raw = message.get("text")
        if raw is None:
            raw = message.get("bytes")
        try:
            handle(raw)
        except Exception:
            log.exception("sim: %s connection %s failed to handle a message", conn.kind, conn.conn_id)
            conn.send_obj({"success": False, "ret_msg": "error:internal error", "conn_id": conn.conn_id})


async def serve_authenticated(
    websocket: WebSocket,
    kind: str,
    make_session: Callable[[Any, Connection], Any],
    register: Callable[[Connection], None],
    unregister: Callable[[Connection], None],
) -> None:
    """Accept a private or trade connection (honouring ``?max_active_time=``) and serve it until it ends."""
    core = websocket.app.state.core
    try:
        idle_s = parse_max_active_time(websocket.query_params.get("max_active_time"), core.config.idle_timeout_s)
    except ValueError as exc:
        await websocket.close(code=1008, reason=str(exc)[:120])
        return
    await websocket.accept()
    conn = Connection(websocket, kind, max_queue=core.config.max_queue, idle_s=idle_s)
    conn.start()
    register(conn)
    session = make_session(core, conn)
    try:
        await pump(websocket, conn, session.handle, core.faults)
    finally:
        unregister(conn)
        await conn.stop()
