"""The stream session without sockets: plain frames and times in, frames to send, events and deadlines out."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from bybit_widgets.protocol.errors import AuthError, InsufficientBalanceError, TransportError
from bybit_widgets.protocol.signing import Credentials
from bybit_widgets.protocol.topics import parse_topic
from bybit_widgets.stream import SubscriptionRefused
from bybit_widgets.stream import session as session_module
from bybit_widgets.stream.feed import Feed, Subscription
from bybit_widgets.stream.options import StreamOptions
from bybit_widgets.stream.session import AuthFailed, Dead, Ready, StreamSession, TradeOutcome
from bybit_widgets.stream.state import reducer_for

T0 = 1000.0  # monotonic seconds at connect
WALL = 1_700_000_000_000.0  # wall clock (ms) at connect
CREDS = Credentials("session-test-key", "session-test-secret")


class Owner:
    """The subscriptions' link to their session, as the connection is: resyncs go to the session."""

    def __init__(self) -> None:
        self.session: StreamSession | None = None
        self.now = T0
        self.forgotten: list[str] = []

    def resync(self, sub: Subscription, reason: str) -> None:
        assert self.session is not None
        self.session.resync(sub, reason, self.now)

    def release(self, sub: Subscription) -> None:
        assert self.session is not None
        self.session.release(sub, self.now)

    def forget(self, sub: Subscription) -> None:
        self.forgotten.append(sub.name)


def make_session(
    *names: str,
    category: str | None = "linear",
    name: str | None = None,
    credentials: Credentials | None = None,
    **options: float,
) -> tuple[StreamSession, dict[str, Subscription]]:
    session = StreamSession(
        name=name or f"public/{category}", category=category, options=StreamOptions(**options), credentials=credentials
    )
    owner = Owner()
    owner.session = session
    subs = {}
    for topic_name in names:
        topic = parse_topic(topic_name, category)
        reducer = reducer_for(topic.kind, symbol=topic.symbol)
        sub = Subscription(topic, category, reducer, owner, None)  # type: ignore[arg-type]
        session.add(sub)
        subs[topic_name] = sub
    return session, subs


def sent(session: StreamSession) -> list[dict]:
    return [json.loads(text) for text in session.data_to_send()]


def feed(session: StreamSession, message: dict, now: float = T0) -> None:
    session.receive(json.dumps(message).encode(), now)


def book_snapshot(name: str, u: int) -> dict:
    return {
        "topic": name,
        "type": "snapshot",
        "ts": 1,
        "data": {"s": name.split(".")[-1], "b": [["100", "1"]], "a": [["101", "1"]], "u": u, "seq": u},
    }


def book_delta(name: str, u: int) -> dict:
    return {
        "topic": name,
        "type": "delta",
        "ts": 2,
        "data": {"s": name.split(".")[-1], "b": [["100", "2"]], "a": [], "u": u, "seq": u},
    }


def connected(session: StreamSession) -> list[dict]:
    """Connect at T0 and return what the session sends first."""
    session.connect(T0, WALL)
    return sent(session)


# -- subscribing -----------------------------------------------------------------------------------


def test_a_public_session_subscribes_every_topic_at_connect_in_batches_of_ten_on_spot():
    names = [f"tickers.SYM{i:02d}USDT" for i in range(12)]
    session, _ = make_session(*names, category="spot")
    frames = connected(session)
    assert [f["op"] for f in frames] == ["subscribe", "subscribe"]
    assert [len(f["args"]) for f in frames] == [10, 2]
    assert sorted(frames[0]["args"] + frames[1]["args"]) == names
    assert isinstance(session.next_events()[0], Ready) and session.ready


def test_topics_added_after_connect_wait_for_one_flush_and_go_in_one_request():
    session, _ = make_session(category="linear")
    connected(session)
    _, more = make_session("tickers.BTCUSDT", "tickers.ETHUSDT")
    for sub in more.values():
        assert session.add(sub) is True  # a flush should follow
    assert sent(session) == []
    session.flush(T0)
    assert [(f["op"], f["args"]) for f in sent(session)] == [("subscribe", ["tickers.BTCUSDT", "tickers.ETHUSDT"])]


def test_a_confirmed_trade_topic_is_live_and_a_confirmed_book_waits_for_its_snapshot():
    session, subs = make_session("publicTrade.BTCUSDT", "orderbook.50.BTCUSDT")
    (request,) = connected(session)
    feed(session, {"success": True, "ret_msg": "", "op": "subscribe", "req_id": request["req_id"]})
    assert subs["publicTrade.BTCUSDT"].state == "live"
    assert subs["orderbook.50.BTCUSDT"].state == "connecting"
    assert subs["orderbook.50.BTCUSDT"].reason == "subscribed; waiting for the first snapshot"
    assert session.link is not None and session.link.active == set(subs) and not session.link.pending


def test_a_refusal_naming_one_topic_closes_it_with_the_reason_and_asks_again_for_the_others():
    session, subs = make_session("publicTrade.NOTASYMBOL", "publicTrade.BTCUSDT")
    (request,) = connected(session)
    feed(
        session,
        {
            "success": False,
            "ret_msg": "error:handler not found,topic:publicTrade.NOTASYMBOL",
            "op": "subscribe",
            "req_id": request["req_id"],
        },
    )
    refused = subs["publicTrade.NOTASYMBOL"]
    assert refused.state == "closed" and isinstance(refused.error, SubscriptionRefused)
    assert "handler not found" in str(refused.error)
    assert "publicTrade.NOTASYMBOL" not in session.subs and refused.owner.forgotten == ["publicTrade.NOTASYMBOL"]
    assert [(f["op"], f["args"]) for f in sent(session)] == [("subscribe", ["publicTrade.BTCUSDT"])]


def test_an_option_reply_refuses_only_its_fail_topics():
    session, subs = make_session("tickers.BTC-6JAN23-18000-C", "tickers.BTC-6JAN23-19000-C", category="option")
    (request,) = connected(session)
    feed(
        session,
        {
            "success": True,
            "op": "subscribe",
            "req_id": request["req_id"],
            "type": "COMMAND_RESP",
            "data": {"successTopics": ["tickers.BTC-6JAN23-18000-C"], "failTopics": ["tickers.BTC-6JAN23-19000-C"]},
        },
    )
    assert session.link is not None and session.link.active == {"tickers.BTC-6JAN23-18000-C"}
    assert subs["tickers.BTC-6JAN23-18000-C"].reason == "subscribed; waiting for the first snapshot"
    assert subs["tickers.BTC-6JAN23-19000-C"].state == "closed"
    assert "failTopics: tickers.BTC-6JAN23-19000-C" in str(subs["tickers.BTC-6JAN23-19000-C"].error)


def test_releasing_an_active_topic_unsubscribes_it_and_late_data_is_counted_quietly():
    session, subs = make_session("tickers.BTCUSDT")
    (request,) = connected(session)
    feed(session, {"success": True, "op": "subscribe", "req_id": request["req_id"]})
    assert session.release(subs["tickers.BTCUSDT"], T0) is True
    assert [(f["op"], f["args"]) for f in sent(session)] == [("unsubscribe", ["tickers.BTCUSDT"])]
    assert subs["tickers.BTCUSDT"].state == "closed"
    feed(session, {"topic": "tickers.BTCUSDT", "type": "snapshot", "ts": 3, "data": {"symbol": "BTCUSDT"}})
    assert session.stats.unrouted == 1


def test_a_subscribe_without_a_reply_in_time_declares_the_socket_dead():
    session, _ = make_session("tickers.BTCUSDT", subscribe_timeout=5.0)
    connected(session)
    session.next_events()
    session.tick(T0 + 5.0)
    assert session.next_events() == []
    session.tick(T0 + 5.1)
    assert session.next_events() == [Dead("no reply to subscribe tickers.BTCUSDT within 5 s")]


# -- authentication ------------------------------------------------------------------------------


def test_a_private_session_authenticates_before_it_subscribes():
    session, _ = make_session("order", category=None, name="private", credentials=CREDS)
    (auth,) = connected(session)
    key, expires, signature = auth["args"]
    assert auth["op"] == "auth" and key == CREDS.api_key
    assert expires == int(WALL) + 10_000 and signature == CREDS.sign_ws_auth(expires)
    assert not session.ready and session.next_events() == []
    feed(session, {"success": True, "ret_msg": "", "op": "auth", "conn_id": "x"})
    assert session.next_events() == [Ready()]
    assert [(f["op"], f["args"]) for f in sent(session)] == [("subscribe", ["order"])]


def test_a_refused_auth_corrects_the_clock_from_the_pong_and_retries_once():
    session, _ = make_session(category=None, name="private", credentials=CREDS)
    connected(session)
    feed(session, {"success": False, "ret_msg": "Params Error", "op": "auth"}, T0 + 0.1)
    (ping,) = sent(session)
    assert ping["op"] == "ping"
    server_ms = WALL + 100 + 60_000  # the server is a minute ahead
    feed(session, {"op": "pong", "args": [str(int(server_ms))], "req_id": ping["req_id"]}, T0 + 0.1)
    assert session.clock_fix_ms == pytest.approx(60_000, abs=1)
    (retry,) = sent(session)
    assert retry["op"] == "auth" and retry["args"][1] == pytest.approx(WALL + 100 + 60_000 + 10_000, abs=2)
    feed(session, {"retCode": 0, "retMsg": "OK", "op": "auth"}, T0 + 0.2)
    assert session.next_events() == [Ready()] and session.auth_error is None


def test_a_second_auth_refusal_is_final_and_shown_on_every_feed():
    session, subs = make_session("order", category=None, name="private", credentials=CREDS)
    connected(session)
    feed(session, {"success": False, "ret_msg": "Params Error", "op": "auth"})
    sent(session)
    feed(session, {"op": "pong", "args": ["not a time"]})  # no time in it: retried as we are
    assert [f["op"] for f in sent(session)] == ["auth"] and session.clock_fix_ms == 0.0
    feed(session, {"success": False, "ret_msg": "Params Error", "op": "auth"})
    failed, dead = session.next_events()
    assert isinstance(failed, AuthFailed) and isinstance(failed.error, AuthError)
    assert dead.reason.startswith("authentication failed: ") and "Params Error" in dead.reason
    assert session.auth_error is failed.error and subs["order"].auth_error is failed.error
    assert subs["order"].error is failed.error and sent(session) == []


def test_no_auth_reply_in_time_declares_the_socket_dead():
    session, _ = make_session(category=None, name="private", credentials=CREDS, auth_timeout=3.0)
    connected(session)
    assert session.next_deadline() == T0 + 3.0
    session.tick(T0 + 3.1)
    assert session.next_events() == [Dead("no authentication reply within 3 s")]


# -- liveness ------------------------------------------------------------------------------------


def test_the_session_pings_every_interval_and_declares_a_silent_socket_dead():
    session, _ = make_session(ping_interval=20.0, pong_timeout=10.0, watchdog=None)
    connected(session)
    session.next_events()
    assert session.next_deadline() == T0 + 20.0
    session.tick(T0 + 19.9)
    assert sent(session) == []
    session.tick(T0 + 20.0)
    (ping,) = sent(session)
    assert ping["op"] == "ping" and session.next_deadline() == T0 + 30.0
    feed(session, {"success": True, "ret_msg": "pong", "op": "ping", "req_id": ping["req_id"]}, T0 + 20.1)
    assert session.stats.pongs == 1 and session.next_deadline() == T0 + 40.0
    session.tick(T0 + 40.0)
    assert [f["op"] for f in sent(session)] == ["ping"]
    session.tick(T0 + 50.1)  # no pong this time
    assert session.next_events() == [Dead("no pong within 10 s")]
    assert session.next_deadline() is None  # a dead socket has nothing left to check


def test_the_watchdog_probes_a_silent_ticker_and_resubscribes_it_when_the_socket_answers():
    session, subs = make_session("tickers.BTCUSDT", "kline.1.BTCUSDT", "publicTrade.BTCUSDT", watchdog=30.0)
    (request,) = connected(session)
    feed(session, {"success": True, "op": "subscribe", "req_id": request["req_id"]})
    feed(session, {"topic": "tickers.BTCUSDT", "type": "snapshot", "ts": 3, "data": {"symbol": "BTCUSDT"}})
    session.tick(T0 + 31.0)  # silent since T0 on the session's own clock: no hand-set baseline
    ticker = subs["tickers.BTCUSDT"]
    assert ticker.state == "stale" and "silent for 31 s" in ticker.reason
    assert subs["kline.1.BTCUSDT"].state == "live"  # klines have 70 s
    assert subs["publicTrade.BTCUSDT"].state == "live"  # a quiet symbol may not trade for minutes
    (probe,) = sent(session)
    assert probe["op"] == "ping"
    feed(session, {"op": "pong", "success": True}, T0 + 31.5)
    assert [(f["op"], f["args"]) for f in sent(session)] == [
        ("unsubscribe", ["tickers.BTCUSDT"]),
        ("subscribe", ["tickers.BTCUSDT"]),
    ]
    assert "while the connection answers; resubscribing" in ticker.reason


def test_a_stale_topic_and_no_pong_name_the_silence_in_the_reason():
    session, subs = make_session("tickers.BTCUSDT", watchdog=30.0, pong_timeout=10.0)
    (request,) = connected(session)
    feed(session, {"success": True, "op": "subscribe", "req_id": request["req_id"]})
    feed(session, {"topic": "tickers.BTCUSDT", "type": "snapshot", "ts": 3, "data": {"symbol": "BTCUSDT"}})
    session.next_events()
    session.tick(T0 + 31.0)
    session.tick(T0 + 41.5)
    assert session.next_events() == [Dead("silent for 42 s and no pong within 10 s")]


def test_a_sequence_gap_resubscribes_that_book_alone_once_until_its_snapshot():
    gap_book, other = "orderbook.50.BTCUSDT", "orderbook.50.ETHUSDT"
    session, subs = make_session(gap_book, other)
    (request,) = connected(session)
    feed(session, {"success": True, "op": "subscribe", "req_id": request["req_id"]})
    feed(session, book_snapshot(gap_book, 10))
    feed(session, book_snapshot(other, 10))
    assert subs[gap_book].state == "live"
    feed(session, book_delta(gap_book, 11))
    feed(session, book_delta(gap_book, 13))  # u=12 is missing
    feed(session, book_delta(gap_book, 14))  # out of step until the snapshot: no second resubscription
    feed(session, book_delta(other, 11))
    assert [(f["op"], f["args"]) for f in sent(session)] == [("unsubscribe", [gap_book]), ("subscribe", [gap_book])]
    assert subs[gap_book].state == "resyncing" and subs[gap_book].gaps == 1 and subs[gap_book].resyncs == 1
    assert subs[other].state == "live" and subs[other].resyncs == 0


def test_a_resync_unsubscribes_then_subscribes_for_a_fresh_snapshot_due_in_time():
    name = "orderbook.50.BTCUSDT"
    session, subs = make_session(name, subscribe_timeout=5.0)
    (request,) = connected(session)
    feed(session, {"success": True, "op": "subscribe", "req_id": request["req_id"]})
    feed(session, book_snapshot(name, 10))
    subs[name].disconnected()  # the book now needs a snapshot
    session.resync(subs[name], "sequence gap", T0 + 1.0)
    session.resync(subs[name], "sequence gap", T0 + 1.1)  # already on it
    assert [(f["op"], f["args"]) for f in sent(session)] == [("unsubscribe", [name]), ("subscribe", [name])]
    assert subs[name].state == "resyncing" and subs[name].resyncs == 1
    for f in ({"success": True, "op": "unsubscribe"}, {"success": True, "op": "subscribe"}):
        feed(session, f, T0 + 1.2)
    session.next_events()
    session.tick(T0 + 6.2)
    assert session.next_events() == [Dead(f"no snapshot of {name} within 5 s of subscribing")]


# -- trade stream --------------------------------------------------------------------------------


def trade_session() -> StreamSession:
    session, _ = make_session(category=None, name="trade", credentials=CREDS)
    (auth,) = connected(session)
    assert "reqId" in auth  # the trade stream's id key
    feed(session, {"retCode": 0, "retMsg": "OK", "op": "auth"})
    assert session.next_events() == [Ready()]
    return session


def test_a_trade_request_is_matched_to_its_reply_by_req_id():
    session = trade_session()
    req_id = session.trade_request(
        "order.create", {"symbol": "BTCUSDT"}, recv_window=5000, timeout=5.0, deadline=T0 + 5.0, wall_ms=WALL + 1_000
    )
    (frame,) = sent(session)
    assert frame == {
        "reqId": req_id,
        "header": {"X-BAPI-TIMESTAMP": str(int(WALL + 1_000)), "X-BAPI-RECV-WINDOW": "5000"},
        "op": "order.create",
        "args": [{"symbol": "BTCUSDT"}],
    }
    other = session.trade_request("order.cancel", {}, recv_window=5000, timeout=5.0, deadline=T0 + 5.0, wall_ms=WALL)
    reply = {"reqId": req_id, "retCode": 0, "retMsg": "OK", "op": "order.create", "data": {"orderId": "1"}}
    feed(session, reply)
    feed(session, {"reqId": other, "retCode": 110007, "retMsg": "ab not enough for new order", "op": "order.cancel"})
    done, refused = session.next_events()
    assert done == TradeOutcome(req_id, reply, None)
    assert refused.req_id == other and isinstance(refused.error, InsufficientBalanceError)


def test_a_trade_request_without_a_reply_times_out_and_a_late_reply_is_nobodys():
    session = trade_session()
    req_id = session.trade_request("order.create", {}, recv_window=5000, timeout=5.0, deadline=T0 + 5.0, wall_ms=WALL)
    assert session.next_deadline() == T0 + 5.0
    session.tick(T0 + 4.9)
    assert session.next_events() == []
    session.tick(T0 + 5.0)
    (outcome,) = session.next_events()
    assert outcome.req_id == req_id and isinstance(outcome.error, TransportError)
    assert str(outcome.error).startswith("no reply to order.create within 5 s")
    feed(session, {"reqId": req_id, "retCode": 0, "retMsg": "OK", "op": "order.create"}, T0 + 6.0)
    assert session.next_events() == [] and session.stats.unrouted == 1


def test_a_lost_socket_fails_every_trade_request_still_waiting():
    session = trade_session()
    req_id = session.trade_request("order.create", {}, recv_window=5000, timeout=5.0, deadline=T0 + 5.0, wall_ms=WALL)
    assert session.disconnect() is True  # it authenticated: the backoff starts over
    (outcome,) = session.next_events()
    assert outcome.req_id == req_id and "connection was lost before the reply" in str(outcome.error)


# -- reconnecting --------------------------------------------------------------------------------


def test_a_reconnect_starts_from_a_fresh_link_and_resubscribes_the_kept_subscriptions():
    session, subs = make_session("tickers.BTCUSDT", "orderbook.50.BTCUSDT")
    (request,) = connected(session)
    feed(session, {"success": True, "op": "subscribe", "req_id": request["req_id"]})
    feed(session, book_snapshot("orderbook.50.BTCUSDT", 10))
    first = session.link
    assert first is not None and first.active == set(subs)
    session.tick(T0 + 20.0)  # a ping is out, its pong deadline set
    assert session.disconnect() is True and session.link is None and not session.ready
    assert subs["orderbook.50.BTCUSDT"].awaiting_snapshot  # the book starts over with a snapshot
    session.lost("connection lost (no close frame)", 0.5)
    assert {s.state for s in subs.values()} == {"reconnecting"}
    session.connect(T0 + 30.0, WALL + 30_000)
    second = session.link
    assert second is not None and second is not first
    assert second.active == set() and second.pong_deadline is None and second.last_ping == T0 + 30.0
    assert [(f["op"], f["args"]) for f in sent(session)] == [("subscribe", sorted(subs))]
    assert set(session.subs) == set(subs) and session.stats.reconnects == 1
    assert all(s.reconnects == 1 for s in subs.values())
    feed(session, {"success": True, "op": "subscribe", "req_id": request["req_id"]})  # the old socket's id
    assert second.active == set(subs)  # matched as the oldest subscribe of this socket


def test_a_socket_that_never_worked_does_not_reset_the_backoff():
    session, _ = make_session(category=None, name="private", credentials=CREDS)
    connected(session)
    assert session.disconnect() is False


def test_malformed_frames_are_counted_and_shown_on_the_feed_they_name():
    session, subs = make_session("tickers.BTCUSDT")
    connected(session)
    session.receive(b'{"topic": "tickers.BTCUSDT", "data": ', T0)
    session.receive(b"[1, 2]", T0)
    assert session.stats.bad_frames == 2 and session.stats.frames == 2
    assert subs["tickers.BTCUSDT"].errors == 2


def test_a_frame_listener_gets_each_data_frame_byte_for_byte_before_it_is_applied_and_can_be_removed():
    session, subs = make_session("tickers.BTCUSDT")
    sub = subs["tickers.BTCUSDT"]
    listener = Feed(sub)
    seen: list[tuple[bytes, int]] = []
    remove = listener.on_frame(lambda frame: seen.append((frame, sub.messages)))
    connected(session)
    frame = b'{"topic":"tickers.BTCUSDT","type":"snapshot","ts":5,"data":{"symbol":"BTCUSDT","lastPrice":"1.5"}}'
    session.receive(frame, T0)
    assert seen == [(frame, 0)]  # as received, and before the message was counted as applied
    assert sub.messages == 1
    remove()
    session.receive(frame.replace(b'"ts":5', b'"ts":6'), T0)
    assert len(seen) == 1 and sub.messages == 2


def test_a_failing_frame_listener_costs_the_feed_nothing():
    session, subs = make_session("tickers.BTCUSDT")
    sub = subs["tickers.BTCUSDT"]
    Feed(sub).on_frame(lambda frame: 1 / 0)
    connected(session)
    feed(session, {"topic": "tickers.BTCUSDT", "type": "snapshot", "ts": 5, "data": {"symbol": "BTCUSDT"}})
    assert sub.messages == 1 and sub.errors == 0


def test_the_session_modules_import_no_clock_no_socket_and_no_event_loop():
    stream = Path(session_module.__file__).parent
    for module in ("session", "link", "subscriptions", "replies", "handshake", "liveness", "trading", "options"):
        tree = ast.parse((stream / f"{module}.py").read_text())
        imported = {
            alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
        }
        imported |= {(node.module or "").split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not imported & {"asyncio", "websockets", "socket", "time"}, (module, imported)
