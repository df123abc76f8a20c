"""Every recorded real Bybit v5 payload, through the project's real code paths.

The cases live in ``tests/data/real_payloads/*.json`` (see its README): one pytest case per
recorded case, with the recorded case id as its id, so adding a payload is adding one case to
the JSON file of its source. Each kind goes where such a payload goes in real use:

- ``rest``: the recorded body is served at the recorded path by an ``httpx.MockTransport``
  (Bybit's time at ``/v5/market/time`` for the clock sync of signed calls) to the real
  ``bw.Client`` and ``bw.AsyncClient``, calling ``method(**kwargs)``; both faces must give the
  recorded values;
- ``ws``: each frame, as bytes, into ``Connection._on_frame`` of a real connection whose real
  subscriptions, reducers and feeds were registered as the stream manager does (subscribe
  requests sent first where the case has ``pending``), with no socket under it;
- ``ws_auth``: the connection's real authentication, each request answered with the next
  recorded reply for its ``op`` through ``_on_frame``;
- ``ws_trade``: the real ``StreamManager.trade_request`` over a socketless trade connection,
  the recorded reply (given the request's ``reqId``) fed back through ``_on_frame``;
- ``topic``: ``protocol.topics.parse_topic``.

``expect`` pairs are Python expressions (over the names each runner provides) and the recorded
value; ``oracle: "book"`` compares every book a consumer can see, after every frame, with a
reference book rebuilt here from the same frames. A case that cannot run through the real code
fails; nothing is skipped.
"""

from __future__ import annotations

import asyncio
import builtins
import json
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl

import httpx
import orjson
import pytest

import bybit_widgets as bw
from bybit_widgets.protocol import errors as E
from bybit_widgets.protocol.orderbook import OrderBook
from bybit_widgets.protocol.signing import Credentials
from bybit_widgets.protocol.topics import Topic, TopicError, parse_topic
from bybit_widgets.rest import RetryPolicy
from bybit_widgets.stream.connection import Connection, StreamOptions
from bybit_widgets.stream.feed import Feed, Subscription
from bybit_widgets.stream.loop import LoopHost
from bybit_widgets.stream.state import reducer_for

DATA = Path(__file__).resolve().parent.parent / "data" / "real_payloads"
KINDS = ("rest", "ws", "ws_auth", "ws_trade", "topic")
# An 18-character key: the 10004 case checks that it is never shown whole (only masked).
API_KEY, API_SECRET = "XXXXXXXXXXXXXXXXXX", "recorded-payloads-secret"
BASE_URL = "https://api.recorded.test"


def load_cases() -> list[dict]:
    cases = []
    for path in sorted(DATA.glob("*.json")):
        for case in json.loads(path.read_text())["cases"]:
            cases.append({**case, "_file": path.name})
    return cases


CASES = load_cases()


def cases_of(kind: str) -> list:
    return [pytest.param(case, id=case["id"]) for case in CASES if case["kind"] == kind]


# -- judging -----------------------------------------------------------------------------------


def same(actual: Any, recorded: Any) -> bool:
    """``actual`` (typed) equals the JSON-recorded value; tuples compare as lists.

    A Decimal equals a recorded number text in value and in its places ("0.10" is not "0.1"),
    so the wire's precision is kept; ``str`` would print "3.36E-7" for "0.000000336".
    """
    if recorded is None:
        return actual is None
    if isinstance(recorded, bool) or isinstance(actual, bool):
        return type(actual) is type(recorded) and actual == recorded
    if isinstance(actual, Decimal):
        wire = Decimal(str(recorded))
        places_kept = not isinstance(recorded, str) or actual.as_tuple().exponent == wire.as_tuple().exponent
        return actual == wire and places_kept
    if isinstance(recorded, list):
        return (
            isinstance(actual, (list, tuple))
            and len(actual) == len(recorded)
            and all(same(a, r) for a, r in zip(actual, recorded))
        )
    if isinstance(recorded, dict):
        return (
            isinstance(actual, dict)
            and actual.keys() == recorded.keys()
            and all(same(actual[k], v) for k, v in recorded.items())
        )
    if isinstance(recorded, (int, float)):
        return isinstance(actual, (int, float)) and actual == recorded
    if isinstance(recorded, str):  # a str enum (ConnState) is its string
        return isinstance(actual, str) and actual == recorded
    return type(actual) is type(recorded) and actual == recorded


def judge(case: dict, ns: dict[str, Any], label: str = "") -> list[str]:
    """The recorded expectations that ``ns`` does not meet (empty: all met)."""
    where = f"{case['_file']} {case['id']}{label}"
    error = ns.get("error")
    if case.get("expect_error") and error is None:
        return [f"{where}: an error was recorded, the code raised none (result: {ns.get('result')!r})"]
    if not case.get("expect_error") and error is not None:
        return [f"{where}: the code raised {type(error).__name__}: {error}"]
    failures = []
    for expression, recorded in case["expect"]:
        try:
            actual = eval(expression, {"__builtins__": builtins, "E": E}, ns)  # the case's own check, in-repo data
        except Exception as exc:
            failures.append(f"{where}: {expression} raised {exc!r}")
            continue
        if not same(actual, recorded):
            failures.append(f"{where}: {expression} is {actual!r}, recorded {recorded!r}")
    return failures


def error_names(error: BaseException | None) -> dict[str, Any]:
    return {"error": error, "message": None if error is None else str(error), "hint": getattr(error, "hint", None)}


# -- REST ----------------------------------------------------------------------------------------


class RecordedBybit:
    """Serves the recorded body at the recorded path; Bybit's clock at /v5/market/time."""

    def __init__(self, case: dict) -> None:
        self.path = case["path"]
        self.body = orjson.dumps(case["response"])
        self.requests: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path == self.path:
            return httpx.Response(200, content=self.body, headers={"Content-Type": "application/json"})
        if path == "/v5/market/time":
            now = time.time_ns()
            body = {
                "retCode": 0,
                "retMsg": "OK",
                "result": {"timeSecond": str(now // 10**9), "timeNano": str(now)},
                "retExtInfo": {},
                "time": now // 10**6,
            }
            return httpx.Response(200, content=orjson.dumps(body))
        return httpx.Response(404, text=f"nothing recorded at {path}")

    def names(self) -> dict[str, Any]:
        """What the client sent: calls to the recorded path, clock syncs, the last body and query."""
        sent = [r for r in self.requests if r.url.path == self.path]
        last = sent[-1] if sent else None
        return {
            "calls": len(sent),
            "clock_calls": sum(r.url.path == "/v5/market/time" for r in self.requests),
            "body": orjson.loads(last.content) if last is not None and last.content else None,
            "query": dict(parse_qsl(last.url.query.decode(), keep_blank_values=True)) if last is not None else None,
        }


def client_options(fake: RecordedBybit) -> dict[str, Any]:
    # No waiting in tests: a 10006 without a reset time would otherwise be waited out for 10 s.
    return dict(
        api_key=API_KEY,
        api_secret=API_SECRET,
        env="testnet",
        base_url=BASE_URL,
        retry=RetryPolicy(backoff_s=0.0, rate_limit_max_wait_s=0.0),
        transport=httpx.MockTransport(fake.handle),
    )


def rest_names(case: dict, result: Any, error: BaseException | None, fake: RecordedBybit) -> dict[str, Any]:
    ns = {"result": result, **error_names(error), **fake.names()}
    if case.get("seed_book") and result is not None:
        book = OrderBook()
        book.apply_snapshot(result.raw)  # the REST snapshot seeds the sans-I/O book as a stream snapshot does
        ns["book"] = book
    return ns


def run_sync_client(case: dict) -> dict[str, Any]:
    fake = RecordedBybit(case)
    result, error = None, None
    with bw.Client(**client_options(fake)) as client:
        try:
            result = getattr(client, case["method"])(**case["kwargs"])
        except E.BybitError as exc:
            error = exc
    return rest_names(case, result, error, fake)


def run_async_client(case: dict) -> dict[str, Any]:
    async def main() -> dict[str, Any]:
        fake = RecordedBybit(case)
        result, error = None, None
        async with bw.AsyncClient(**client_options(fake)) as client:
            try:
                result = await getattr(client, case["method"])(**case["kwargs"])
            except E.BybitError as exc:
                error = exc
        return rest_names(case, result, error, fake)

    return asyncio.run(main())


@pytest.mark.parametrize("case", cases_of("rest"))
def test_a_recorded_rest_response_parses_to_the_recorded_values_through_both_clients(case):
    failures = judge(case, run_sync_client(case), " (bw.Client)")
    failures += judge(case, run_async_client(case), " (bw.AsyncClient)")
    assert not failures, "\n".join(failures)


# -- WebSocket: a real connection without its socket -----------------------------------------------


def done_task() -> asyncio.Future:
    """Stands in for the connection's run task: the session is served by the test, so none may start."""
    future = asyncio.get_running_loop().create_future()
    future.set_result(None)
    return future


def socketless(conn: Connection) -> asyncio.Queue:
    """Make ``conn`` a session that is up (the test plays the socket), with its outbox readable by the test."""
    conn._task = done_task()  # type: ignore[assignment]
    outbox: asyncio.Queue = asyncio.Queue()
    conn._link_up(None, outbox)  # a private or trade session sends its auth request now
    return outbox


class RecordingOwner:
    """The subscriptions' link to their connection (as the manager's), recording resync requests."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.resyncs: list[str] = []
        self.forgotten: list[str] = []

    def resync(self, sub: Subscription, reason: str) -> None:
        self.resyncs.append(reason)
        self.conn.resync(sub, reason)

    def release(self, sub: Subscription) -> None:
        self.conn.release(sub)

    def forget(self, sub: Subscription) -> None:
        self.forgotten.append(sub.name)


def topic_of(spec: dict, category: str | None) -> Topic:
    name = spec["topic"]
    if not spec.get("unchecked"):
        return parse_topic(name, category)
    kind, depth, symbol = name.split(".")  # a retired depth (orderbook.500) parse_topic rightly refuses
    assert kind == "orderbook", f"only order books may be built unchecked, not {name!r}"
    return Topic(name, kind, symbol=symbol, depth=int(depth))


class ReferenceBooks:
    """An independent book per topic from the same frames: dicts of exact price text, no sequence logic
    beyond Bybit's rule that a delta with ``u`` not above the last one is already applied."""

    def __init__(self) -> None:
        self.books: dict[str, tuple[dict[str, str], dict[str, str], int]] = {}

    def apply(self, message: dict) -> None:
        topic = message.get("topic")
        if not isinstance(topic, str) or not topic.startswith("orderbook."):
            return
        data = message["data"]
        if message["type"] == "snapshot":
            self.books[topic] = ({p: q for p, q in data["b"]}, {p: q for p, q in data["a"]}, data["u"])
            return
        if topic not in self.books or data["u"] <= self.books[topic][2]:
            return
        bids, asks, _ = self.books[topic]
        for side, rows in ((bids, data.get("b") or ()), (asks, data.get("a") or ())):
            for price, size in rows:
                if Decimal(size) == 0:
                    side.pop(price, None)
                else:
                    side[price] = size
        self.books[topic] = (bids, asks, data["u"])

    def mismatches(self, feeds: dict[str, Feed]) -> list[str]:
        out = []
        for topic, (bids, asks, u) in self.books.items():
            view = feeds[topic].latest
            want_bids = [(float(p), float(bids[p])) for p in sorted(bids, key=Decimal, reverse=True)]
            want_asks = [(float(p), float(asks[p])) for p in sorted(asks, key=Decimal)]
            if view is None:
                out.append(f"{topic}: no book at u={u}")
            elif (view.u, view.bids, view.asks) != (u, want_bids, want_asks):
                out.append(f"{topic}: the book at u={view.u} differs from the reference at u={u}")
        return out


def frames_of(case: dict) -> list[bytes]:
    if "frames_file" in case:
        lines = (DATA / case["frames_file"]).read_bytes().splitlines()
        return [line.strip() for line in lines if line.strip()]  # each recorded frame, byte for byte
    return [json.dumps(frame).encode() for frame in case["frames"]]


def recorded_view(conn: Connection) -> SimpleNamespace:
    """The connection as the recorded expectations name it, taken after the last frame: ``_pending`` is its
    socket's requests awaiting replies (req_id -> (op, topics, sent at)), kept in the session's ``Link``."""
    return SimpleNamespace(
        stats=conn.stats, subs=conn.subs, clock_fix_ms=conn.clock_fix_ms, _pending=dict(conn.session.link.pending)
    )


async def run_stream_case(case: dict) -> dict[str, Any]:
    category = case.get("category")
    conn = Connection(
        name="private" if category is None else f"public/{category}",
        url="ws://recorded.invalid",
        category=category,
        options=StreamOptions(),
    )
    socketless(conn)
    owner = RecordingOwner(conn)
    subs: dict[str, Subscription] = {}
    feeds: dict[str, Feed] = {}
    for spec in case["topics"]:  # what StreamManager._feed does for each feed
        topic = topic_of(spec, category)
        sub = Subscription(
            topic,
            None if topic.is_private else category,
            reducer_for(topic.kind, symbol=topic.symbol),
            owner,
            LoopHost(),
        )
        feed = Feed(sub)
        sub.add_feed(feed)
        conn.add(sub)
        subs[topic.name], feeds[topic.name] = sub, feed
    for op, topics in case.get("pending", ()):
        conn.session.request(op, topics, time.monotonic())
    reference = ReferenceBooks()
    mismatches: list[str] = []
    for frame in frames_of(case):
        conn._on_frame(frame)
        if case.get("oracle") == "book":
            reference.apply(json.loads(frame))
            mismatches += reference.mismatches(feeds)
    ns: dict[str, Any] = {
        "conn": recorded_view(conn),
        "subs": subs,
        "feeds": feeds,
        "owner": owner,
        "mismatches": mismatches,
        "active": sorted(conn.session.link.active),
        "pending": len(conn.session.link.pending),
        "error": None,
    }
    if len(feeds) == 1:
        (feed,) = feeds.values()
        ns.update(feed=feed, sub=next(iter(subs.values())), latest=feed.latest, stats=feed.stats)
    await conn.close()
    return ns


@pytest.mark.parametrize("case", cases_of("ws"))
def test_recorded_stream_frames_build_the_recorded_feed_state(case):
    failures = judge(case, asyncio.run(run_stream_case(case)))
    assert not failures, "\n".join(failures)


async def answer(
    outbox: asyncio.Queue, sent: list[dict], conn: Connection, reply_to: Callable[[dict], dict | None]
) -> None:
    """Play the server: record each request, feed the recorded reply back as a frame."""
    while True:
        request = json.loads(await outbox.get())
        sent.append(request)
        reply = reply_to(request)
        if reply is not None:
            conn._on_frame(json.dumps(reply).encode())


async def run_auth_case(case: dict) -> dict[str, Any]:
    conn = Connection(
        name="trade" if case.get("connection") == "trade" else "private",
        url="ws://recorded.invalid",
        category=None,
        options=StreamOptions(auth_timeout=2.0),
        credentials=Credentials(API_KEY, API_SECRET),
    )
    outbox = socketless(conn)
    replies = {op: list(answers) for op, answers in case["replies"].items()}
    sent: list[dict] = []
    server = asyncio.get_running_loop().create_task(
        answer(outbox, sent, conn, lambda request: (replies.get(request["op"]) or [None]).pop(0))
    )
    try:
        await conn._authenticated.wait()  # set on success and on a final refusal
    finally:
        server.cancel()
    error = conn.auth_error
    await conn.close()
    return {"conn": conn, "sent": sent, "sent_ops": [m["op"] for m in sent], **error_names(error)}


@pytest.mark.parametrize("case", cases_of("ws_auth"))
def test_a_recorded_auth_reply_is_handled_as_recorded(case):
    failures = judge(case, asyncio.run(asyncio.wait_for(run_auth_case(case), 10)))
    assert not failures, "\n".join(failures)


async def run_trade_case(case: dict) -> dict[str, Any]:
    streams = bw.StreamManager(base_ws_url="ws://recorded.invalid", api_key=API_KEY, api_secret=API_SECRET)
    conn = streams._new_connection("trade", None)  # the manager's own trade connection, served by the test
    outbox = socketless(conn)
    outbox.get_nowait()  # the auth request, answered here: the auth replies have their own cases
    conn._on_frame(b'{"op": "auth", "retCode": 0, "retMsg": "OK"}')
    sent: list[dict] = []

    def reply_to(request: dict) -> dict | None:
        return {**case["reply"], "reqId": request["reqId"]} if request.get("op") == case["op"] else None

    server = asyncio.get_running_loop().create_task(answer(outbox, sent, conn, reply_to))
    result, error = None, None
    try:
        result = await streams.trade_request(case["op"], case["params"], timeout=5)
    except E.BybitError as exc:
        error = exc
    finally:
        server.cancel()
        await streams.close()
    return {"result": result, "sent": sent, **error_names(error)}


@pytest.mark.parametrize("case", cases_of("ws_trade"))
def test_a_recorded_trade_stream_reply_gives_the_recorded_result_or_error(case):
    failures = judge(case, asyncio.run(asyncio.wait_for(run_trade_case(case), 10)))
    assert not failures, "\n".join(failures)


# -- topic names ---------------------------------------------------------------------------------


@pytest.mark.parametrize("case", cases_of("topic"))
def test_a_recorded_topic_name_parses_or_is_refused_as_recorded(case):
    topic, error = None, None
    try:
        topic = parse_topic(case["name"], case.get("category"))
    except TopicError as exc:
        error = exc
    failures = judge(case, {"topic": topic, **error_names(error)})
    assert not failures, "\n".join(failures)


# -- the data itself -------------------------------------------------------------------------------


def test_every_recorded_case_has_a_runner_expectations_and_an_id_of_its_own():
    # unique per kind: a kind is one test function, so its pytest ids are the case ids unchanged
    # (a REST and a stream case may share one, e.g. docs:tickers/option of docs_rest and docs_ws)
    ids = [(case["kind"], case["id"]) for case in CASES]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert {case["kind"] for case in CASES} <= set(KINDS), {case["kind"] for case in CASES} - set(KINDS)
    assert all(case["expect"] for case in CASES), [case["id"] for case in CASES if not case["expect"]]
    frames_files = {case["frames_file"] for case in CASES if "frames_file" in case}
    assert frames_files == {p.name for p in DATA.glob("*.jsonl")}, "every recording is used, none is missing"
