"""The gateway's pure rules against the reference vectors (section 2.2) and limits (section 3.1)."""

from __future__ import annotations

import pytest

from bybit_widgets.sim.auth import verify_rest, verify_ws_auth
from bybit_widgets.sim.faults import FaultBoard, parse_fault
from bybit_widgets.sim.ratelimit import IpLimiter, UidLimiter
from bybit_widgets.sim.reject import Reject
from bybit_widgets.sim.wsloop import parse_max_active_time

KEY, SECRET, TS = "test-api-key", "test-secret-0123456789", 1700000000000
POST_BODY = (
    '{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.001",'
    '"price":"10000","timeInForce":"GTC"}'
)


def secrets(key: str) -> str | None:
    return SECRET if key == KEY else None


def headers(sign: str, recv: str | None = "5000", ts: int = TS) -> dict:
    h = {"x-bapi-api-key": KEY, "x-bapi-timestamp": str(ts), "x-bapi-sign": sign}
    if recv is not None:
        h["x-bapi-recv-window"] = recv
    return h


def test_reference_vectors_verify():
    get_sign = "c86e989ce98f6e8de05ce105708c8987ee602fd565baf72af9fe85fa38b47a9d"
    assert verify_rest(headers(get_sign), "category=linear&symbol=BTCUSDT", secrets, TS + 10) == KEY
    assert (
        verify_rest(headers("c6119a702f96c0876cedfdbc4c1346771b4a2a7cb62a0a39c4ce64426e525ea6"), "", secrets, TS) == KEY
    )
    post_sign = "8eca430eabbd58033b02af8099e8431f51f983de66d2d237d36aada2382df3fa"
    assert verify_rest(headers(post_sign), POST_BODY, secrets, TS) == KEY
    # recv window omitted: Bybit's default 5000 is what was signed
    assert verify_rest(headers(post_sign, recv=None), POST_BODY, secrets, TS) == KEY
    ws_sign = "90e6738d8667974392e16f208a69b5be1283f614463437656ec882dba318d101"
    assert verify_ws_auth([KEY, 1700000060000, ws_sign], secrets, TS) == KEY


def test_reordered_query_is_a_different_string():
    with pytest.raises(Reject) as err:
        verify_rest(
            headers("c86e989ce98f6e8de05ce105708c8987ee602fd565baf72af9fe85fa38b47a9d"),
            "symbol=BTCUSDT&category=linear",
            secrets,
            TS,
        )
    assert err.value.ret_code == 10004
    assert err.value.ret_msg == "error sign! origin_string[1700000000000tes***ey5000symbol=BTCUSDT&category=linear]"


@pytest.mark.parametrize("server, code", [(TS + 5000, 0), (TS + 5001, 10002), (TS - 999, 0), (TS - 1000, 10002)])
def test_recv_window_edges(server, code):
    sign = "c6119a702f96c0876cedfdbc4c1346771b4a2a7cb62a0a39c4ce64426e525ea6"
    if code == 0:
        assert verify_rest(headers(sign), "", secrets, server) == KEY
    else:
        with pytest.raises(Reject) as err:
            verify_rest(headers(sign), "", secrets, server)
        assert err.value.ret_code == code
        assert err.value.ret_msg.endswith(f"req_timestamp[{TS}],server_timestamp[{server}],recv_window[5000]")


def test_ws_auth_refusals():
    sign = "90e6738d8667974392e16f208a69b5be1283f614463437656ec882dba318d101"
    expires = 1700000060000
    cases = [
        ([KEY, expires, sign], expires, 10001),  # expires must be in the future
        ([KEY, expires], TS, 10001),
        ([KEY, "soon", sign], TS, 10001),
        (["nobody", expires, sign], TS, 10003),
        ([KEY, expires, "0" * 64], TS, 10004),
    ]
    for args, server, code in cases:
        with pytest.raises(Reject) as err:
            verify_ws_auth(args, secrets, server)
        assert err.value.ret_code == code, args


def test_uid_limiter_rolls_over_one_second():
    limiter = UidLimiter()
    states = [limiter.hit("k", "/v5/order/create", "linear", 1000 + i) for i in range(11)]
    assert [s.allowed for s in states] == [True] * 10 + [False]
    assert [s.remaining for s in states[:10]] == list(range(9, -1, -1))
    assert states[-1].reset_ms == 2000  # when the first of the ten leaves the window
    assert limiter.hit("k", "/v5/order/create", "spot", 1010).limit == 20  # spot has its own, larger budget
    assert limiter.hit("k", "/v5/order/create", "linear", 2000).allowed
    assert limiter.hit("other", "/v5/order/create", "linear", 1010).allowed


def test_ip_limiter_counts_refused_requests_too():
    limiter = IpLimiter(limit=3, window_ms=100)
    assert [limiter.hit("ip", t) for t in (0, 1, 2, 3, 50)] == [True, True, True, False, False]
    assert limiter.hit("ip", 60) is False  # the refused ones count: a hammering client stays locked out
    assert limiter.hit("ip", 200) is True


def test_fault_parsing_and_board():
    board = FaultBoard()
    board.add(parse_fault({"kind": "http_error", "path": "/v5/order/create", "status": 502, "count": 2}))
    assert [board.take_http("/v5/order/create").status for _ in range(2)] == [502, 502]
    assert board.take_http("/v5/order/create") is None
    board.add(parse_fault({"kind": "gap", "topic": "orderbook.50.BTCUSDT", "category": "spot"}))
    assert board.take_topic("orderbook.50.BTCUSDT", "linear") is None
    assert board.take_topic("orderbook.50.BTCUSDT", "spot") == "gap"
    for bad in (
        {"kind": "duplicate", "topic": "orderbook.1.BTCUSDT"},
        {"kind": "timeout", "path": "/x"},
        {"kind": "clock_skew", "ms": "5"},
        {"kind": "silence", "target": "moon", "seconds": 1},
        [],
    ):
        with pytest.raises(ValueError):
            parse_fault(bad)


def test_max_active_time():
    assert parse_max_active_time(None, 600.0) == 600.0
    assert parse_max_active_time("30s", 600.0) == 30.0
    assert parse_max_active_time("10m", 600.0) == 600.0
    for bad in ("29s", "11m", "5", "1h", "-1m"):
        with pytest.raises(ValueError):
            parse_max_active_time(bad, 600.0)
