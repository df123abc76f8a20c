"""Real frames recorded from the embedded exchange, and hypothesis strategies that mutate them.

Mutations start from what the exchange really sends, because random bytes
alone almost never get past the JSON decoder: a mutated frame keeps most of
its shape (topic, type, data) and breaks one thing at a time -- a missing
field, a value of the wrong type, an odd update id, a truncated or bit-flipped
byte string -- which is what reaches the deep code paths.
"""

from __future__ import annotations

import json
import time
from typing import Any

import orjson
from hypothesis import strategies as st
from websockets.sync.client import connect

import bybit_widgets as bw
from bybit_widgets.protocol.signing import Credentials

__all__ = [
    "Corpus",
    "record_corpus",
    "junk_values",
    "mutated_json",
    "mutated_frames",
    "PUBLIC_TOPICS",
    "PRIVATE_TOPICS",
]

SYMBOL = "BTCUSDT"
PUBLIC_TOPICS = (f"orderbook.50.{SYMBOL}", f"tickers.{SYMBOL}", f"publicTrade.{SYMBOL}", f"kline.1.{SYMBOL}")
PRIVATE_TOPICS = ("order", "execution", "position", "wallet")


class Corpus:
    """Frames by topic (``bytes`` as received) plus control replies (subscribe, pong, auth)."""

    def __init__(self) -> None:
        self.by_topic: dict[str, list[bytes]] = {}
        self.control: list[bytes] = []

    def __repr__(self) -> str:  # hypothesis prints the arguments of a failing example: keep it short
        return f"Corpus({ {t: len(f) for t, f in self.by_topic.items()} }, control={len(self.control)})"

    def of(self, *topics: str) -> list[bytes]:
        return [f for t in topics for f in self.by_topic[t]]

    @property
    def data(self) -> list[bytes]:
        return [f for frames in self.by_topic.values() for f in frames]

    def snapshot(self, topic: str) -> bytes:
        return next(f for f in self.by_topic[topic] if b'"type":"snapshot"' in f)


def _collect(ws: Any, corpus: Corpus, wanted: dict[str, int], deadline: float) -> None:
    while any(len(corpus.by_topic.get(t, ())) < n for t, n in wanted.items()):
        if time.monotonic() > deadline:
            missing = {t: len(corpus.by_topic.get(t, ())) for t in wanted}
            raise AssertionError(f"the exchange did not send enough frames: {missing}")
        raw = ws.recv(timeout=max(0.01, deadline - time.monotonic()))
        frame = raw.encode() if isinstance(raw, str) else raw
        topic = json.loads(frame).get("topic")
        if topic is None:
            corpus.control.append(frame)
        elif len(corpus.by_topic.setdefault(topic, [])) < 40:
            corpus.by_topic[topic].append(frame)


def record_corpus(sim: Any, timeout: float = 20.0) -> Corpus:
    """Subscribe to the public topics and the private streams, trade once, keep what arrives."""
    corpus = Corpus()
    deadline = time.monotonic() + timeout
    with connect(f"{sim.ws_url}/v5/public/linear") as ws:
        ws.send(json.dumps({"op": "subscribe", "req_id": "fuzz-1", "args": list(PUBLIC_TOPICS)}))
        ws.send(json.dumps({"op": "ping", "req_id": "fuzz-2"}))
        _collect(
            ws,
            corpus,
            {PUBLIC_TOPICS[0]: 20, PUBLIC_TOPICS[1]: 10, PUBLIC_TOPICS[2]: 10, PUBLIC_TOPICS[3]: 2},
            deadline,
        )
    creds = Credentials(sim.api_key, sim.api_secret)
    with (
        connect(f"{sim.ws_url}/v5/private") as ws,
        bw.Client(sim.api_key, sim.api_secret, base_url=sim.rest_url) as client,
    ):
        expires = client.get_server_time().ms + 10_000
        ws.send(
            json.dumps({"op": "auth", "req_id": "fuzz-3", "args": [sim.api_key, expires, creds.sign_ws_auth(expires)]})
        )
        ws.send(json.dumps({"op": "subscribe", "req_id": "fuzz-4", "args": list(PRIVATE_TOPICS)}))
        ws.send(json.dumps({"op": "ping", "req_id": "fuzz-5"}))
        for side in ("Buy", "Sell"):
            client.place_order(category="linear", symbol=SYMBOL, side=side, order_type="Market", qty="0.001")
        _collect(ws, corpus, {t: 2 for t in PRIVATE_TOPICS}, deadline)
    return corpus


# -- strategies ------------------------------------------------------------------------------------------------

_INT64 = st.integers(-(2**63), 2**64 - 1)
junk_values = st.recursive(
    st.none()
    | st.booleans()
    | _INT64
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(
        [
            "",
            "0",
            "-1",
            "1e400",
            "NaN",
            "inf",
            "0.0",
            "1" * 30,
            "snapshot",
            "delta",
            "BTCUSDT",
            "Buy",
            "Filled",
            "\u0000",
            "\ud7ff",
        ]
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


def _paths(obj: Any, prefix: tuple = ()) -> list[tuple]:
    """Every position in a JSON tree, as a path of keys and indexes (the root is ``()``)."""
    out = [prefix]
    if isinstance(obj, dict):
        for key, value in obj.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(obj, list):
        for i, value in enumerate(obj[:6]):  # book sides are long: their first levels are enough
            out += _paths(value, (*prefix, i))
    return out


def _get(obj: Any, path: tuple) -> Any:
    for step in path:
        obj = obj[step]
    return obj


@st.composite
def mutated_json(draw: st.DrawFn, obj: Any) -> Any:
    """``obj`` (a decoded frame) with one to three structural changes at random places."""
    obj = json.loads(json.dumps(obj))  # a private deep copy
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(obj)
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(("replace", "delete", "insert", "duplicate", "retype")))
        if not path:  # the root itself
            if action in ("replace", "retype"):
                obj = draw(junk_values)
            continue
        parent, key = _get(obj, path[:-1]), path[-1]
        if action == "replace":
            parent[key] = draw(junk_values)
        elif action == "delete":
            del parent[key]
        elif action == "insert" and isinstance(parent, dict):
            parent[draw(st.text(max_size=6))] = draw(junk_values)
        elif action == "insert":
            parent.insert(key, draw(junk_values))
        elif action == "duplicate" and isinstance(parent, list):
            parent.insert(key, parent[key])
        else:  # retype: the same value, spelled as another JSON type
            value = parent[key]
            parent[key] = (
                str(value)
                if not isinstance(value, str)
                else draw(st.sampled_from([value.encode().hex(), len(value), [value], {"v": value}]))
            )
    return obj


@st.composite
def _byte_mutation(draw: st.DrawFn, frame: bytes) -> bytes:
    data = bytearray(frame)
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(("flip", "truncate", "insert", "delete")))
        if action == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif action == "truncate":
            del data[at:]
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        else:
            del data[at : at + draw(st.integers(1, 16))]
    return bytes(data)


@st.composite
def mutated_frames(draw: st.DrawFn, frames: list[bytes]) -> bytes:
    """A frame from ``frames`` changed in structure, in bytes, both, or pure noise."""
    base = draw(st.sampled_from(frames))
    how = draw(st.sampled_from(("json", "json", "json", "bytes", "both", "noise")))
    if how == "noise":
        return draw(st.binary(max_size=200) | st.text(max_size=100).map(str.encode))
    data = base
    if how in ("json", "both"):
        data = orjson.dumps(draw(mutated_json(orjson.loads(base))))
    if how in ("bytes", "both"):
        data = draw(_byte_mutation(data))
    return data
