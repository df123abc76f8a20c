"""Without the explicit opt-in, no order reaches mainnet: not from the client, a widget, or the trade stream.

Every HTTP request of the clients goes through a recording transport that
forwards it to the embedded exchange (see :mod:`.recording`), so the test
sees each request as it was addressed (``api.bybit.com``) and an order that
slipped through would also exist on the exchange. The opted-in runs prove
the recording would have caught one: there the order does reach "mainnet".
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

import bybit_widgets as bw
from bybit_widgets.protocol.endpoints import ENDPOINTS
from bybit_widgets.protocol.errors import MainnetGuardError
from bybit_widgets.stream import StreamManager
from tests.integration.stream.fake_ws import FakeBybit
from tests.integration.stream.support import wait_for

from .mainnet import record_guard
from .recording import AsyncRecording, Recorder, SyncRecording, record_client_requests

MAINNET = "api.bybit.com"
ORDER = dict(category="linear", symbol="BTCUSDT", side="Buy", order_type="Market", qty="0.001")
# one valid call of every trading endpoint: the guard, not parameter validation, must be what stops it
TRADING_CALLS = {
    "place_order": ORDER,
    "amend_order": dict(category="linear", symbol="BTCUSDT", order_link_id="x1", price="80000"),
    "cancel_order": dict(category="linear", symbol="BTCUSDT", order_link_id="x1"),
    "cancel_all_orders": dict(category="linear", symbol="BTCUSDT"),
    "set_trading_stop": dict(category="linear", symbol="BTCUSDT", take_profit="99000"),
    "set_leverage": dict(category="linear", symbol="BTCUSDT", buy_leverage="5"),
    "place_batch_order": dict(category="linear", requests=[{k: v for k, v in ORDER.items() if k != "category"}]),
    "amend_batch_order": dict(category="linear", requests=[dict(symbol="BTCUSDT", order_link_id="x1", price="1")]),
    "cancel_batch_order": dict(category="linear", requests=[dict(symbol="BTCUSDT", order_link_id="x1")]),
    "switch_position_mode": dict(category="linear", symbol="BTCUSDT", mode=3),
    "set_margin_mode": dict(set_margin_mode="REGULAR_MARGIN"),
}
# client.request(): a trading path of the catalogue, and a POST the catalogue does not know
RAW_POSTS = [
    ("/v5/order/create", {"category": "linear", "symbol": "BTCUSDT", "side": "Buy", "orderType": "Market", "qty": "1"}),
    ("/v5/position/add-margin", {"category": "linear", "symbol": "BTCUSDT", "margin": "10", "positionIdx": 0}),
]


@pytest.fixture(scope="module")
def sim() -> Iterator[Any]:
    with bw.sim.run(seed=13) as exchange:
        yield exchange


@pytest.fixture
def account(sim: Any) -> tuple[str, str]:
    key, secret = bw.sim.generate_keys()
    sim.add_account(key, secret)
    return key, secret


def _orders(sim: Any, key: str) -> list[dict]:
    return sim.truth_orders(key)


def test_every_trading_endpoint_of_both_client_faces_is_refused_before_any_request(sim, account):
    assert set(TRADING_CALLS) == {e.name for e in ENDPOINTS.values() if e.trading}  # none forgotten
    key, secret = account
    recorder = Recorder(sim.rest_url)
    with bw.Client(key, secret, env="mainnet", transport=SyncRecording(recorder)) as client:
        for name, kwargs in TRADING_CALLS.items():
            with pytest.raises(MainnetGuardError):
                getattr(client, name)(**kwargs)

    async def async_face() -> None:
        async with bw.AsyncClient(key, secret, env="mainnet", transport=AsyncRecording(recorder)) as aclient:
            for name, kwargs in TRADING_CALLS.items():
                with pytest.raises(MainnetGuardError) as info:
                    await getattr(aclient, name)(**kwargs)
                assert "allow_mainnet_trading=True" in info.value.hint and "Nothing was sent" in info.value.hint

    asyncio.run(async_face())
    assert recorder.trading() == [] and _orders(sim, key) == []
    # the recording would have seen an order: with the opt-in, one reaches "mainnet" (forwarded to the sim)
    with bw.Client(key, secret, env="mainnet", allow_mainnet_trading=True, transport=SyncRecording(recorder)) as ok:
        ack = ok.place_order(**ORDER)
    assert [r.path for r in recorder.trading(MAINNET)] == ["/v5/order/create"]
    assert [o["orderLinkId"] for o in _orders(sim, key)] == [ack.order_link_id]
    # closing that position without the opt-in reads it, then stops at the guard
    with bw.Client(key, secret, env="mainnet", transport=SyncRecording(recorder)) as client:
        with pytest.raises(MainnetGuardError):
            client.close_position("linear", "BTCUSDT")
    assert len(recorder.trading()) == 1 and len(_orders(sim, key)) == 1
    attempts = 2 * len(TRADING_CALLS) + 1
    record_guard(
        "bw.Client and bw.AsyncClient: every trading method, close_position",
        attempts,
        attempts,
        0,
        "with allow_mainnet_trading=True one order got through: the recording does see orders",
    )


def test_a_raw_post_through_client_request_is_refused_on_mainnet_before_any_request(sim, account):
    key, secret = account
    recorder = Recorder(sim.rest_url)
    with bw.Client(key, secret, env="mainnet", transport=SyncRecording(recorder)) as client:
        for path, params in RAW_POSTS:
            with pytest.raises(MainnetGuardError, match=r"request\(POST|place_order"):
                client.request("POST", path, params)
        assert client.request("GET", "/v5/market/time")["timeSecond"]  # reads still go
    assert [r.path for r in recorder.requests] == ["/v5/market/time"] and _orders(sim, key) == []
    record_guard("bw.Client.request: POSTs", len(RAW_POSTS), len(RAW_POSTS), 0, "a GET through request() was sent")


def _session(monkeypatch: pytest.MonkeyPatch, sim: Any, key: str, secret: str, **kw: Any) -> tuple[Any, Recorder]:
    """``bw.connect("mainnet")`` with every client request recorded (and forwarded to the sim); the
    streams point at the sim too, since this machine cannot reach Bybit."""
    recorder = record_client_requests(monkeypatch, sim.rest_url)
    session = bw.connect("mainnet", api_key=key, api_secret=secret, **kw)
    assert session.env == "mainnet" and session.client.base_url == f"https://{MAINNET}"
    session.streams.close_sync()
    session.streams = StreamManager(
        base_ws_url=sim.ws_url,
        api_key=key,
        api_secret=secret,
        rest=session.aclient,
        time_source=session.client.clock.now_ms,
    )
    return session, recorder


async def _close(session: Any) -> None:
    """Close what :func:`_session` opened, from inside its event loop."""
    await session.streams.close()
    await session.aclient.aclose()
    session.client.close()


def _click(widget: Any, message: dict) -> Any:
    """A message from the view, through the kernel-side comm handler."""
    return widget._on_custom_msg(widget, message, [])


def test_the_order_ticket_and_positions_on_mainnet_without_the_opt_in_send_nothing(monkeypatch, sim, account):
    key, secret = account
    session, recorder = _session(monkeypatch, sim, key, secret)
    with bw.Client(key, secret, base_url=sim.rest_url) as direct:  # a position to close, opened off "mainnet"
        opened = direct.place_order(**ORDER)

    async def main() -> tuple[dict, list[str]]:
        try:
            ticket = bw.OrderTicket("BTCUSDT", session=session, order_type="Market", qty="0.001")
            positions = bw.Positions(session=session)
            await ticket.ready()
            await wait_for(lambda: positions.positions, timeout=10, what="the open position on the widget")
            assert recorder.to(MAINNET), "the widgets loaded through the recorded clients"
            _click(ticket, {"type": "submit"})
            status = dict(ticket.status)
            _click(ticket, {"type": "confirm", "token": "forged"})
            _click(ticket, {"type": "submit"})
            notices = []
            for task in (positions.close_position("BTCUSDT"), positions.cancel_order("no-such-order", "BTCUSDT")):
                await task  # the failure lands in the widget's notice line
                notices.append(positions.notice["text"])
            ticket.close()
            positions.close()
            return status, notices
        finally:
            await _close(session)

    status, notices = asyncio.run(main())
    assert status["status"] == "rejected" and "allow_mainnet_trading=True" in status["message"]
    assert all("allow_mainnet_trading=True" in n for n in notices), notices
    assert recorder.trading(MAINNET) == []
    assert [o["orderLinkId"] for o in _orders(sim, key)] == [opened.order_link_id]
    record_guard(
        "OrderTicket submit and confirm, Positions close and cancel (kernel side)",
        5,
        5,
        0,
        f"ticket: {status['message']!r}",
    )


def test_the_ladder_on_mainnet_without_the_opt_in_cannot_arm_place_amend_or_cancel(monkeypatch, sim, account):
    key, secret = account
    session, recorder = _session(monkeypatch, sim, key, secret)
    with bw.Client(key, secret, base_url=sim.rest_url) as direct:  # an order resting off "mainnet", to drag
        best = float(direct.get_tickers(category="linear", symbol="BTCUSDT")[0].bid1_price)
        far = f"{round(best * 0.8, 1):.1f}"
        resting = direct.place_order(**{**ORDER, "order_type": "Limit", "price": far})

    async def main() -> list[dict]:
        try:
            ticket = bw.OrderTicket("BTCUSDT", session=session, qty="0.001")
            book = bw.OrderBook("BTCUSDT", session=session, ticket=ticket)
            await ticket.ready()
            await book.ready()
            notices = []
            for message in (
                {"type": "arm", "on": True},
                {"type": "place", "price": far, "side": "bid"},
                {"type": "amend", "order_id": resting.order_id, "from_price": far, "price": f"{float(far) - 10:.1f}"},
                {"type": "cancel", "order_id": resting.order_id},
            ):
                before = book.notice.get("seq", 0)
                _click(book, message)
                await wait_for(lambda b=before: book.notice.get("seq", 0) > b, timeout=10, what=f"notice: {message}")
                notices.append(dict(book.notice))
            armed = book.armed
            book.close()
            ticket.close()
            assert not armed
            return notices
        finally:
            await _close(session)

    notices = asyncio.run(main())
    assert "allow_mainnet_trading=True" in notices[0]["text"]  # arming refused
    assert "arm it" in notices[1]["text"]  # so a shift-click places nothing
    assert all("allow_mainnet_trading=True" in n["text"] for n in notices[2:]), notices  # drag and x refused
    assert recorder.trading(MAINNET) == []
    truth = [(o["orderId"], float(o["price"]), o["orderStatus"]) for o in _orders(sim, key)]
    assert truth == [(resting.order_id, float(far), "New")]
    record_guard(
        "OrderBook arm, shift-click, marker drag and x (kernel side)",
        4,
        4,
        0,
        f"arm: {notices[0]['text']!r}",
    )


def test_chart_line_drags_on_mainnet_without_the_opt_in_amend_nothing_and_set_no_stop(monkeypatch, sim, account):
    key, secret = account
    session, recorder = _session(monkeypatch, sim, key, secret)
    with bw.Client(key, secret, base_url=sim.rest_url) as direct:  # off "mainnet": an order and a TP to drag
        best = float(direct.get_tickers(category="linear", symbol="BTCUSDT")[0].bid1_price)
        far = f"{round(best * 0.8, 1):.1f}"
        resting = direct.place_order(**{**ORDER, "order_type": "Limit", "price": far})
        direct.place_order(**ORDER)
        tp = f"{round(best * 1.2, 1):.1f}"
        direct.set_trading_stop(category="linear", symbol="BTCUSDT", take_profit=tp)

    async def main() -> list[dict]:
        try:
            ticket = bw.OrderTicket("BTCUSDT", session=session, qty="0.001")
            candles = bw.Candles("BTCUSDT", session=session, ticket=ticket)
            await candles.header.ready()
            lines = candles.chart.lines
            await wait_for(lambda: lines.stops["take_profit"].visible, timeout=10, what="the take-profit line")
            await wait_for(
                lambda: any(t and t.order_id == resting.order_id for t in lines.targets.values()),
                timeout=10,
                what="the order's line",
            )
            order_line = next(line for line, t in lines.targets.items() if t and t.order_id == resting.order_id)
            notices = []
            for line, price in ((order_line, float(far) - 10), (lines.stops["take_profit"], float(tp) + 10)):
                before = candles.header.notice.get("seq", 0)
                line.location = price  # what the drag's JS callback does at its end
                line.tags = [price, 1.0]
                await wait_for(lambda b=before: candles.header.notice.get("seq", 0) > b, timeout=10, what="a notice")
                notices.append(dict(candles.header.notice))
            candles.close()
            ticket.close()
            return notices
        finally:
            await _close(session)

    notices = asyncio.run(main())
    assert all("allow_mainnet_trading=True" in n["text"] for n in notices), notices
    assert recorder.trading(MAINNET) == []
    orders = [
        (o["orderId"], float(o["price"]), o["orderStatus"]) for o in _orders(sim, key) if o["orderType"] == "Limit"
    ]
    assert (resting.order_id, float(far), "New") in orders
    (position,) = [p for p in sim.truth_positions(key) if p["symbol"] == "BTCUSDT" and float(p["size"])]
    assert float(position["takeProfit"]) == float(tp), "the take profit moved"
    record_guard("Candles order-line and take-profit drags (kernel side)", 2, 2, 0, f"drag: {notices[0]['text']!r}")


def test_the_order_ticket_on_mainnet_with_the_opt_in_still_needs_the_confirm(monkeypatch, sim, account):
    key, secret = account
    session, recorder = _session(monkeypatch, sim, key, secret, allow_mainnet_trading=True)

    async def main() -> dict:
        try:
            ticket = bw.OrderTicket("BTCUSDT", session=session, order_type="Market", qty="0.001")
            await ticket.ready()
            assert _click(ticket, {"type": "submit"}) is None and ticket.confirm["summary"].endswith("(real money)")
            assert recorder.trading() == [], "a submit on mainnet only asks for the confirm"
            _click(ticket, {"type": "confirm", "token": ticket.confirm["token"]})
            await wait_for(lambda: ticket.status["status"] == "filled", timeout=10, what="the confirmed order filled")
            ticket.close()
            return dict(ticket.status)
        finally:
            await _close(session)

    status = asyncio.run(main())
    sent = recorder.trading(MAINNET)
    assert [r.path for r in sent] == ["/v5/order/create"]
    assert [o["orderLinkId"] for o in _orders(sim, key)] == [status["order_link_id"]]
    record_guard(
        "OrderTicket with allow_mainnet_trading=True",
        2,
        1,
        1,
        "the submit only asks for the confirm; the confirmed order reaches mainnet, once",
    )


def test_the_websocket_trade_stream_on_mainnet_needs_the_opt_in_too():
    async def main() -> list[dict]:
        async with FakeBybit(secret="s3cret") as srv:
            streams = StreamManager("mainnet", base_ws_url=srv.url, api_key="k", api_secret="s3cret", auth_timeout=2.0)
            try:
                with pytest.raises(MainnetGuardError) as info:
                    await streams.trade_request(
                        "order.create",
                        {
                            "category": "linear",
                            "symbol": "BTCUSDT",
                            "side": "Buy",
                            "orderType": "Market",
                            "qty": "0.001",
                        },
                        timeout=2.0,
                    )
                assert "allow_mainnet_trading=True" in info.value.hint
            finally:
                await streams.close()
            return [r for _, r in srv.requests if r.get("op", "").startswith("order.")]

    sent = asyncio.run(main())
    assert sent == []
    record_guard("StreamManager.trade_request (WebSocket trading)", 1, 1, len(sent))


def test_a_mainnet_session_passes_the_opt_in_to_its_trade_stream(monkeypatch):
    recorder = record_client_requests(monkeypatch, "http://127.0.0.1:9")
    guarded = bw.connect("mainnet", api_key="k", api_secret="s")
    opted_in = bw.connect("mainnet", api_key="k", api_secret="s", allow_mainnet_trading=True)
    try:

        async def main() -> None:
            with pytest.raises(MainnetGuardError):
                await guarded.streams.trade_request("order.create", dict(category="linear", symbol="BTCUSDT"))

        asyncio.run(main())
        assert opted_in.streams.allow_mainnet_trading and not guarded.streams.allow_mainnet_trading
    finally:
        for session in (guarded, opted_in):
            session.close()
    assert recorder.requests == []
