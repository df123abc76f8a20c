"""Fuzzing the embedded exchange's WebSocket surface: random ops and args get error replies, the socket stays usable.

Over real sockets (the exchange serving on 127.0.0.1): public, private and
trade endpoints, with and without a valid auth first, receive random
messages -- real ops with junk args, junk ops, non-JSON text, binary frames,
oversized requests. Every message must get exactly one reply, a JSON object
in Bybit's shape for that endpoint (never the server's "internal error"),
the socket must stay open, and a ping afterwards must still be answered.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.sync.client import connect

from bybit_widgets.protocol.signing import Credentials

from .corpus import PRIVATE_TOPICS, PUBLIC_TOPICS, junk_values
from .tally import tally

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
NOW = "<now>"  # replaced by the exchange's time when sent: lets a random order request carry a valid header

topics = st.sampled_from(
    PUBLIC_TOPICS
    + PRIVATE_TOPICS
    + (
        "orderbook.1.BTCUSDT",
        "orderbook.500.ETHUSDT",
        "tickers.NOPE",
        "kline.7.BTCUSDT",
        "order.linear",
        "execution.fast",
        "greeks",
        "orderBookL2_25.BTCUSDT",
        "candle.1.BTCUSDT",
        "publicTrade.",
        "...",
    )
) | st.text(max_size=30)
ops = st.sampled_from(
    [
        "subscribe",
        "unsubscribe",
        "ping",
        "auth",
        "order.create",
        "order.amend",
        "order.cancel",
        "order.create-batch",
        "order.cancel-batch",
        "pong",
        "",
        "SUBSCRIBE",
    ]
)
order_args = st.fixed_dictionaries(
    {},
    optional={
        "category": st.sampled_from(["linear", "spot", "option"]) | junk_values,
        "symbol": st.sampled_from(["BTCUSDT", "ETHUSDT"]) | junk_values,
        "side": st.sampled_from(["Buy", "Sell"]) | junk_values,
        "orderType": st.sampled_from(["Market", "Limit"]) | junk_values,
        "qty": st.sampled_from(["0.001", "0", "-1", "1e9"]) | junk_values,
        "price": st.sampled_from(["1000", "88000.0"]) | junk_values,
        "orderId": st.text(max_size=12) | junk_values,
        "request": st.lists(junk_values, max_size=3),
    },
)
messages = st.fixed_dictionaries(
    {"op": ops | junk_values},
    optional={
        "args": st.lists(topics | junk_values, max_size=5) | st.lists(order_args, min_size=1, max_size=2) | junk_values,
        "req_id": st.text(max_size=10) | junk_values,
        "reqId": st.text(min_size=1, max_size=40) | junk_values,
        "header": st.fixed_dictionaries(
            {},
            optional={
                "X-BAPI-TIMESTAMP": st.just(NOW) | junk_values,
                "X-BAPI-RECV-WINDOW": st.sampled_from(["5000", "x"]) | junk_values,
            },
        ),
    },
)
frames = (
    messages.map(lambda m: ("json", m))
    | junk_values.map(lambda j: ("json", j))
    | st.binary(max_size=60).map(lambda b: ("bytes", b))
    | st.text(max_size=60).map(lambda t: ("text", t))
    | st.just(("text", '{"op":"ping","args":["' + "x" * 70_000 + '"]}'))
)


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage())


@pytest.fixture
def sim_errors() -> Iterator[_Errors]:
    handler = _Errors()
    log = logging.getLogger("bybit_widgets.sim")
    log.addHandler(handler)
    yield handler
    log.removeHandler(handler)


def _encode(kind: str, value: Any) -> str | bytes:
    if kind == "bytes":
        return value
    if kind == "text":
        return value
    text = orjson.dumps(value).decode()
    return text.replace(f'"{NOW}"', f'"{int(time.time() * 1000)}"')


def _reply(ws: Any, deadline: float) -> dict:
    """The next frame that is not topic data (the reply to what was just sent)."""
    while True:
        raw = ws.recv(timeout=max(0.01, deadline - time.monotonic()))
        message = orjson.loads(raw)
        assert isinstance(message, dict), message
        if "topic" not in message:
            return message


def _is_error(reply: dict) -> bool:
    return reply.get("success") is False or reply.get("retCode") not in (None, 0)


@settings(max_examples=300, **SETTINGS)
@given(
    endpoint=st.sampled_from(["public/linear", "public/spot", "private", "trade"]),
    authenticate=st.booleans(),
    sent=st.lists(frames, min_size=1, max_size=6),
)
def test_random_messages_get_one_reply_each_and_the_socket_stays_usable(sim, sim_errors, endpoint, authenticate, sent):
    count = tally("simulator WebSocket", "random ops and args, junk text and bytes, 4 endpoints")
    sim_errors.records.clear()  # the fixture lives across examples
    deadline = time.monotonic() + 10
    with connect(f"{sim.ws_url}/v5/{endpoint}", max_size=2**22) as ws:
        if authenticate and endpoint in ("private", "trade"):
            expires = int(time.time() * 1000) + 10_000
            ws.send(
                orjson.dumps(
                    {
                        "op": "auth",
                        "args": [sim.api_key, expires, Credentials(sim.api_key, sim.api_secret).sign_ws_auth(expires)],
                    }
                ).decode()
            )
            assert not _is_error(_reply(ws, deadline))
        for kind, value in sent:
            ws.send(_encode(kind, value))
            reply = _reply(ws, deadline)  # exactly one reply per message, in order
            assert "internal error" not in str(reply.get("ret_msg", "")) + str(reply.get("retMsg", "")), reply
            count("rejected" if _is_error(reply) else "accepted")
        ws.send('{"op":"ping"}')
        pong = _reply(ws, deadline)
        assert pong.get("op") == "pong" or pong.get("ret_msg") == "pong", pong
    assert sim_errors.records == [], sim_errors.records
