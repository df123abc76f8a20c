"""Client behaviour through httpx transports, for both faces."""

import asyncio
from decimal import Decimal

import httpx
import orjson
import pytest

from bybit_widgets.protocol import errors as E
from bybit_widgets.protocol.records import OrderAck, Ticker
from bybit_widgets.protocol.signing import Credentials, rest_sign_string
from bybit_widgets.rest import AsyncClient, Client, ServerClock

ORDER = dict(
    category="linear", symbol="BTCUSDT", side="Buy", order_type="Limit", qty="0.001", price="10000", time_in_force="GTC"
)


def signed(fake, path):
    return [r for r in fake.requests if r.path == path]


def test_get_signs_exact_query_sent(face, fake):
    face.get_open_orders(category="linear", symbol="BTCUSDT", limit=5)
    (req,) = signed(fake, "/v5/order/realtime")
    assert req.query == "category=linear&symbol=BTCUSDT&limit=5"
    h = req.headers
    text = rest_sign_string(h["x-bapi-timestamp"], fake.api_key, "5000", req.query)
    assert h["x-bapi-sign"] == Credentials(fake.api_key, fake.api_secret).sign(text)
    assert h["x-bapi-recv-window"] == "5000" and req.body == b""


def test_post_signs_exact_body_sent(face, fake):
    ack = face.place_order(**ORDER, order_link_id="t-1")
    assert isinstance(ack, OrderAck) and ack.order_link_id == "t-1"
    (req,) = signed(fake, "/v5/order/create")
    assert req.body == (
        b'{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.001",'
        b'"price":"10000","timeInForce":"GTC","orderLinkId":"t-1"}'
    )
    assert req.headers["content-type"] == "application/json"
    text = rest_sign_string(req.headers["x-bapi-timestamp"], fake.api_key, "5000", req.body.decode())
    assert req.headers["x-bapi-sign"] == Credentials(fake.api_key, fake.api_secret).sign(text)


def test_public_call_is_unsigned_and_typed(face, fake):
    tickers = face.get_tickers(category="linear", symbol="BTCUSDT")
    assert isinstance(tickers[0], Ticker) and tickers[0].last_price == Decimal("1")
    assert "x-bapi-sign" not in fake.requests[-1].headers
    assert fake.count("/v5/market/time") == 0  # public calls need no clock sync


@pytest.mark.parametrize("skew_ms", [30_000, -30_000])
def test_clock_skew_fixed_both_ways(make_face, fake, skew_ms):
    fake.skew_ms = skew_ms
    face = make_face()
    face.get_positions(category="linear", symbol="BTCUSDT")
    assert abs(face.clock.offset_ms - skew_ms) < 250
    assert fake.count("/v5/market/time") == 1
    for _ in range(3):
        face.get_positions(category="linear", symbol="BTCUSDT")
    assert fake.count("/v5/market/time") == 1  # measured once, reused


@pytest.mark.parametrize("skew_ms", [30_000, -30_000])
def test_local_clock_off_both_ways(make_face, fake, skew_ms):
    """The *local* clock is wrong (server is right): the offset corrects it."""
    wrong = ServerClock(local_ms=lambda: __import__("time").time() * 1000 + skew_ms)
    face = make_face(clock=wrong)
    face.place_order(**ORDER)
    assert abs(face.clock.offset_ms + skew_ms) < 250
    assert len(fake.orders) == 1


def test_10002_resyncs_and_retries_once(face, fake):
    face.get_positions(category="linear")
    fake.skew_ms = 30_000  # the server clock jumps after the first sync
    face.get_positions(category="linear")
    assert fake.count("/v5/market/time") == 2
    assert fake.count("/v5/position/list") == 3  # ok, 10002, ok after resync


def test_persistent_10002_raises_with_hint(face, fake):
    fake.inject("/v5/position/list", "10002", "10002")
    with pytest.raises(E.TimestampError) as info:
        face.get_positions(category="linear")
    assert "failed again" in info.value.hint
    assert fake.count("/v5/position/list") == 2


def test_10006_waits_until_reset_then_succeeds(face, fake):
    fake.inject("/v5/order/create", "10006:300")
    face.place_order(**ORDER, order_link_id="rl-1")
    first, second = signed(fake, "/v5/order/create")
    assert second.server_ms >= first.server_ms + 300 - 5
    assert len(fake.orders) == 1


def test_10006_beyond_bound_raises(make_face, fake):
    from bybit_widgets.rest import RetryPolicy

    face = make_face(retry=RetryPolicy(backoff_s=0.001, rate_limit_max_wait_s=0.05))
    fake.inject("/v5/order/create", "10006:5000")
    with pytest.raises(E.RateLimitError):
        face.place_order(**ORDER)
    assert len(fake.orders) == 0


def test_5xx_retried_for_gets(face, fake):
    fake.inject("/v5/position/list", "503", "503")
    assert face.get_positions(category="linear") == []
    assert fake.count("/v5/position/list") == 3


def test_5xx_not_retried_for_cancel(face, fake):
    fake.inject("/v5/order/cancel", "503")
    with pytest.raises(E.ServerError) as info:
        face.cancel_order(category="linear", symbol="BTCUSDT", order_link_id="x")
    assert info.value.http_status == 503
    assert fake.count("/v5/order/cancel") == 1


def test_network_timeout_retried_for_gets(face, fake):
    fake.inject("/v5/position/list", "timeout")
    face.get_positions(category="linear")
    assert fake.count("/v5/position/list") == 2


RAW_ORDER = {
    "category": "linear",
    "symbol": "BTCUSDT",
    "side": "Buy",
    "orderType": "Limit",
    "qty": "0.001",
    "price": "1",
}


def test_request_retries_a_read_on_5xx_and_a_timeout_as_the_named_methods_do(face, fake):
    fake.inject("/v5/position/list", "503", "timeout")
    assert face.request("GET", "/v5/position/list", {"category": "linear"})["list"] == []
    assert fake.count("/v5/position/list") == 3
    fake.inject("/v5/account/borrow-history", "503")  # a read the catalogue does not know: a GET, so retried
    face.request("GET", "/v5/account/borrow-history")
    assert fake.count("/v5/account/borrow-history") == 2


def test_request_resends_an_order_create_only_with_its_orderlinkid_and_never_twins_it(face, fake):
    fake.inject("/v5/order/create", "timeout")  # lost before the exchange saw it: resent, same orderLinkId
    ack = face.request("POST", "/v5/order/create", RAW_ORDER)
    first, second = signed(fake, "/v5/order/create")
    assert orjson.loads(first.body)["orderLinkId"] == orjson.loads(second.body)["orderLinkId"] == ack["orderLinkId"]
    fake.inject("/v5/order/create", "timeout_after")  # processed, answer lost: looked up, not resent
    again = face.request("POST", "/v5/order/create", {**RAW_ORDER, "orderLinkId": "raw-2"})
    assert again["orderLinkId"] == "raw-2" and fake.count("/v5/order/create") == 3 and len(fake.orders) == 2


@pytest.mark.parametrize("path", ["/v5/order/cancel", "/v5/position/set-auto-add-margin"])
def test_request_never_resends_any_other_post(face, fake, path):
    fake.inject(path, "503")
    with pytest.raises(E.ServerError):
        face.request("POST", path, {"category": "linear", "symbol": "BTCUSDT", "orderId": "x"})
    assert fake.count(path) == 1


def test_create_timeout_after_processing_is_not_resent(face, fake):
    fake.inject("/v5/order/create", "timeout_after")
    ack = face.place_order(**ORDER)
    assert len(fake.orders) == 1
    assert fake.count("/v5/order/create") == 1  # looked up, not resent
    assert ack.order_link_id in fake.orders and ack.order_id == fake.orders[ack.order_link_id]["orderId"]


def test_create_timeout_before_processing_is_resent_once(face, fake):
    fake.inject("/v5/order/create", "timeout")
    ack = face.place_order(**ORDER)
    assert list(fake.orders) == [ack.order_link_id]
    assert fake.count("/v5/order/create") == 2
    first, second = signed(fake, "/v5/order/create")
    assert orjson.loads(first.body)["orderLinkId"] == orjson.loads(second.body)["orderLinkId"]


def test_create_503_then_timeouts_never_duplicates(face, fake):
    fake.inject("/v5/order/create", "503", "timeout_after")
    ack = face.place_order(**ORDER)
    assert len(fake.orders) == 1 and ack.order_link_id in fake.orders


def test_create_all_attempts_fail_says_state_unknown(face, fake):
    fake.inject("/v5/order/create", *["timeout"] * 10)
    with pytest.raises(E.TransportError) as info:
        face.place_order(**ORDER, order_link_id="lost-1")
    assert "lost-1" in info.value.hint and len(fake.orders) == 0


def test_user_duplicate_link_id_raises(face, fake):
    face.place_order(**ORDER, order_link_id="dup")
    with pytest.raises(E.DuplicateOrderError):
        face.place_order(**ORDER, order_link_id="dup")


@pytest.mark.parametrize(
    "kwargs,param",
    [
        (dict(ORDER, category="perp"), "category"),
        (dict(ORDER, side="long"), "side"),
        (dict(ORDER, qty="-0.1"), "qty"),
        (dict(ORDER, qty="lots"), "qty"),
        (dict(ORDER, order_type="Market"), "price"),
    ],
)
def test_bad_parameters_send_nothing(face, fake, kwargs, param):
    with pytest.raises(E.ParameterError) as info:
        face.place_order(**kwargs)
    assert info.value.param == param
    assert fake.requests == []


def test_wrong_secret_error_masks_key_never_secret(make_face, fake):
    face = make_face(api_secret="the-wrong-secret-value")
    with pytest.raises(E.SignatureError) as info:
        face.get_positions(category="linear")
    text = str(info.value) + repr(info.value) + info.value.hint
    assert "the-wrong-secret-value" not in text and fake.api_key not in text
    assert "tes***ey" in text and "category=linear" in text


def test_unknown_key_hint_names_env(make_face, fake):
    face = make_face(api_key="other-key")
    with pytest.raises(E.InvalidKeyError) as info:
        face.get_positions(category="linear")
    assert "environment" in info.value.hint


def test_no_key_for_signed_call(make_face, fake):
    face = make_face(api_key=None, api_secret=None)
    with pytest.raises(E.AuthError) as info:
        face.get_positions(category="linear")
    assert "needs an API key" in str(info.value) and fake.requests == []


def test_repr_hides_secret(face, fake):
    assert fake.api_secret not in repr(face.client) and fake.api_key not in repr(face.client)


def test_check_credentials_explains_and_warns(face):
    report = face.check_credentials()
    text = str(report)
    assert "can trade" in text and "WITHDRAW" in text and "any IP address" in text
    assert report.can_trade and report.api_key == "tes***ey"


def test_check_credentials_says_an_ip_bound_key_never_expires_and_dates_one_that_does(face, fake):
    """Bybit's v5 docs (user/apikey-info): deadlineDay/expiredAt apply only to keys with no IP bound; an
    IP-bound key is sent with deadlineDay -2 and the placeholder expiredAt 1970-01-01T00:00:00Z."""
    key = {"apiKey": fake.api_key, "readOnly": 1, "permissions": {"Spot": ["SpotTrade"]}, "secret": ""}
    fake.route = lambda *a: {**key, "ips": ["18.181.170.164"], "deadlineDay": -2, "expiredAt": "1970-01-01T00:00:00Z"}
    report = face.check_credentials()
    assert report.expires is None and "1970" not in str(report)
    assert "never expires" in str(report) and "Restricted to IPs: 18.181.170.164." in str(report)
    fake.route = lambda *a: {**key, "ips": ["*"], "deadlineDay": 66, "expiredAt": "2023-12-22T07:20:25Z"}
    report = face.check_credentials()
    assert report.expires == "2023-12-22T07:20:25Z" and "Expires: 2023-12-22T07:20:25Z." in str(report)


def test_close_position_when_flat_returns_without_orders(face, fake):
    assert face.close_position("linear", "BTCUSDT") is None
    assert fake.count("/v5/order/create") == 0


def test_mainnet_guard_blocks_orders_before_any_request():
    seen = []
    transport = httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(500))
    client = Client("k", "s", env="mainnet", transport=transport)
    for call in (
        lambda: client.place_order(**ORDER),
        lambda: client.cancel_all_orders(category="linear", symbol="BTCUSDT"),
        lambda: client.set_leverage(category="linear", symbol="BTCUSDT", buy_leverage=5),
    ):
        with pytest.raises(E.MainnetGuardError) as info:
            call()
        assert "allow_mainnet_trading=True" in info.value.hint
    assert seen == []
    assert client.base_url == "https://api.bybit.com"


def test_sim_env_without_url_is_explained():
    with pytest.raises(ValueError, match="bw.connect"):
        Client(env="sim")


def test_async_face_never_blocks_the_loop(fake):
    fake.inject("/v5/order/create", "10006:300")

    async def main():
        ticks = 0
        stop = asyncio.Event()

        async def heartbeat():
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                await asyncio.sleep(0.01)

        hb = asyncio.create_task(heartbeat())
        async with AsyncClient(fake.api_key, fake.api_secret, base_url="http://x", transport=fake.transport()) as c:
            await asyncio.gather(*(c.place_order(**ORDER) for _ in range(5)))
        stop.set()
        await hb
        return ticks

    ticks = asyncio.run(main())
    assert ticks >= 10  # the loop kept turning while the client waited out the rate limit
    assert len(fake.orders) == 5


def test_get_account_info_reads_the_account_mode(face, fake):
    info = face.get_account_info()
    (req,) = signed(fake, "/v5/account/info")
    assert req.method == "GET" and req.query == "" and "x-bapi-sign" in req.headers
    assert (info.unified_margin_status, info.margin_mode, info.is_master_trader) == (4, "REGULAR_MARGIN", False)
    assert info.updated_time == 1697078946000 and info.is_unified and info["dcpStatus"] == "OFF"


def test_get_coin_info_types_every_chain_and_sends_the_coin_upper_case(face, fake):
    (mnt,) = face.get_coin_info(coin="mnt")
    (req,) = signed(fake, "/v5/asset/coin/query-info")
    assert req.query == "coin=MNT"  # Bybit matches coins upper-case only
    assert (mnt.coin, mnt.name, mnt.remain_amount) == ("MNT", "MNT", Decimal("10000000"))
    eth, mantle = mnt.chains
    assert (eth.chain, eth.chain_type, eth.confirmation, eth.withdraw_fee, eth.min_accuracy) == (
        "ETH",
        "Ethereum",
        6,
        Decimal("3"),
        8,
    )
    assert eth.deposit_enabled and eth.withdraw_enabled and eth.contract_address.startswith("0x")
    assert mantle.withdraw_fee is None and not mantle.withdraw_enabled  # "" fee, "0": no withdrawal on that chain
    assert face.get_coin_info(coin="BTC") == [] and len(face.get_coin_info()) == 1


@pytest.mark.parametrize("coin", ["BTC-USD", "", 5, "B" * 21])
def test_get_coin_info_refuses_a_malformed_coin_before_any_request(face, fake, coin):
    with pytest.raises(E.ParameterError) as info:
        face.get_coin_info(coin=coin)
    assert info.value.param == "coin" and fake.requests == []


def test_a_history_longer_than_7_days_is_asked_week_by_week_and_stitched_newest_first(face, fake):
    day = 86_400_000
    end = 1_790_000_000_000
    fake.history = [{"time": end - i * day // 2, "id": f"row-{i}", "type": "TRADE"} for i in range(60)]  # 30 days
    rows = face.get_transaction_log(start_time=end - 30 * day, end_time=end, limit=5)
    assert [r.id for r in rows] == [f"row-{i}" for i in range(60)] and rows.next_page_cursor == ""
    asked = [dict(p.split("=", 1) for p in r.query.split("&")) for r in fake.requests if r.path.endswith("log")]
    windows = list(dict.fromkeys((int(q["startTime"]), int(q["endTime"])) for q in asked))  # pages share one
    assert all(hi - lo <= 7 * day for lo, hi in windows), "no request over Bybit's 7 days"
    assert all(a_lo > b_hi for (a_lo, _), (_, b_hi) in zip(windows, windows[1:])), "windows never overlap"
    assert len(fake.requests) > 5 and windows[0][1] == end and windows[-1][0] == end - 30 * day
    (one,) = face.get_closed_pnl(category="linear", start_time=end - day // 4, end_time=end)  # one request
    assert one.raw["id"] == "row-0"
    with pytest.raises(E.ParameterError, match="a cursor pages one 7-day window"):
        face.get_transaction_log(start_time=end - 30 * day, end_time=end, cursor="5")


def test_a_start_older_than_bybits_window_is_read_up_to_now_by_the_methods_and_all_pages(face, fake):
    day = 86_400_000
    now = fake.server_ms()
    fake.history = [{"time": now - i * day // 4, "id": f"row-{i}", "type": "TRADE"} for i in range(40)]  # 10 days
    since, ids = now - 10 * day, [f"row-{i}" for i in range(40)]
    assert [r.id for r in face.get_transaction_log(start_time=since, limit=50)] == ids  # Bybit alone: 24 h of it
    assert [r.raw["id"] for r in face.get_closed_pnl(category="linear", start_time=since)] == ids  # 7 days of it
    assert [r.id for r in face.all_pages("get_transaction_log", start_time=since, limit=7)] == ids
    assert [r.id for r in face.all_pages("get_transaction_log", start_time=since, end_time=now, limit=7)] == ids
    span = {"/v5/account/transaction-log": day, "/v5/position/closed-pnl": 7 * day}  # what a start alone gets
    asked = [(r.path, dict(p.split("=", 1) for p in r.query.split("&"))) for r in fake.requests if "Time" in r.query]
    assert all("endTime" in q or int(q["startTime"]) + span[path] > now for path, q in asked), "open ends reach now"
    assert all(int(q["endTime"]) - int(q["startTime"]) <= 7 * day for _, q in asked if "endTime" in q)
    fake.requests.clear()
    assert [r.id for r in face.all_pages("get_transaction_log", start_time=now - day // 2)] == ids[:3]
    (one,) = [r for r in fake.requests if "Time" in r.query]
    assert "endTime" not in one.query, "a start Bybit answers whole from is one request, as asked"
