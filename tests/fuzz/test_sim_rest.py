"""Fuzzing the embedded exchange's REST surface: never an HTTP 500, always a Bybit-shaped answer.

Requests go straight into the ASGI app (``httpx.ASGITransport``: thousands of
requests in seconds). Many carry a *valid* signature over a random payload,
so they pass the gateway and reach the engine's parameter handling, which is
where a crash would hide; the others have no, wrong or garbage auth, junk
paths, junk methods, bodies on GETs or bodies that are not JSON.

A Bybit-shaped answer is the v5 envelope ``{"retCode": int, "retMsg": str,
"result": {...}, "retExtInfo": {...}, "time": int}``, or one of the gateway's
plain HTTP refusals (401, 403, 404) that Bybit itself answers without an
envelope. An engine failure would show as retCode 10016 (the server's own
safety net) and a traceback in its log: both count as crashes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bybit_widgets.protocol.endpoints import ENDPOINTS
from bybit_widgets.protocol.signing import Credentials, rest_sign_string
from bybit_widgets.sim import SimConfig, create_app
from bybit_widgets.sim.clock import SimClock
from bybit_widgets.sim.engine.exchange import Exchange
from bybit_widgets.sim.rest_routes import ROUTES

from .corpus import junk_values
from .tally import tally

KEY, SECRET = "fuzzkey0000000000001", "fuzzsecret00000000000000000000000001"
GATEWAY_STATUSES = {200, 400, 401, 403, 404}
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
PATHS = sorted(ROUTES)
WIRE_NAMES = sorted({p.wire for e in ENDPOINTS.values() for p in e.params})
REALISTIC = st.sampled_from(
    [
        "linear",
        "spot",
        "inverse",
        "option",
        "BTCUSDT",
        "ETHUSDT",
        "SOLUSDT",
        "Buy",
        "Sell",
        "Limit",
        "Market",
        "GTC",
        "IOC",
        "FOK",
        "PostOnly",
        "0.001",
        "0.01",
        "1",
        "90000",
        "50000.5",
        "0",
        "-1",
        "UNIFIED",
        "USDT",
        "1",
        "60",
        "D",
        "true",
        "false",
        "200",
    ]
)


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage())


class AsgiExchange:
    """The app with its lifespan (market loop) entered, on a loop of its own driven per request."""

    def __init__(self) -> None:
        clock = SimClock()
        exchange = Exchange(5, clock=clock.now_ms)
        exchange.ensure_account(KEY, SECRET)
        # rate limits off: the fuzzer must reach the engine, not 10006 after the first 10 requests
        self.app = create_app(exchange, config=SimConfig(seed=5, rate_limits=False), clock=clock)
        self.loop = asyncio.new_event_loop()
        self._lifespan = self.app.router.lifespan_context(self.app)
        self.loop.run_until_complete(self._lifespan.__aenter__())
        transport = httpx.ASGITransport(app=self.app, client=("127.0.0.1", 40000))
        self.http = httpx.AsyncClient(transport=transport, base_url="http://sim.test")
        self.creds = Credentials(KEY, SECRET)

    def send(self, method: str, url: str, headers: dict[str, str], body: bytes | None) -> httpx.Response:
        return self.loop.run_until_complete(self.http.request(method, url, headers=headers, content=body))

    def close(self) -> None:
        self.loop.run_until_complete(self.http.aclose())
        self.loop.run_until_complete(self._lifespan.__aexit__(None, None, None))
        self.loop.close()


@pytest.fixture(scope="module")
def asgi() -> Iterator[AsgiExchange]:
    exchange = AsgiExchange()
    yield exchange
    exchange.close()


@pytest.fixture
def sim_errors() -> Iterator[_Errors]:
    handler = _Errors()
    log = logging.getLogger("bybit_widgets.sim")
    log.addHandler(handler)
    yield handler
    log.removeHandler(handler)


scalar = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=12) | REALISTIC


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, str, dict[str, str], bytes | None]:
    """One request: method, path + query, headers, body."""
    path = draw(
        st.sampled_from(PATHS)
        | st.sampled_from(PATHS)
        | st.tuples(st.sampled_from(PATHS), st.sampled_from(["/", "x", "/..", "%00"])).map("".join)
        | st.text(min_size=1, max_size=20).map(lambda t: "/v5/" + quote(t))
    )
    route = ROUTES.get(path)
    if route is not None and draw(st.integers(0, 4)):
        method = route[0]  # mostly the route's own method: a wrong one is a plain 404, tried the rest of the time
    else:
        method = draw(st.sampled_from(["GET", "POST"] * 4 + ["PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]))
    names = st.sampled_from(WIRE_NAMES) | st.text(min_size=1, max_size=8)
    if method == "GET":
        params = draw(st.dictionaries(names, scalar.map(lambda v: "" if v is None else str(v)), max_size=6))
        payload = urlencode(params, quote_via=quote, safe=",")
        url = f"{path}?{payload}" if payload else path
        body = (
            draw(st.none() | st.binary(min_size=1, max_size=20))
            if draw(st.booleans()) and draw(st.booleans())
            else None
        )
    else:
        shape = draw(st.sampled_from(["object", "object", "object", "junk json", "not json", "empty"]))
        if shape == "object":
            body = orjson.dumps(draw(st.dictionaries(names, scalar | junk_values, max_size=8)))
        elif shape == "junk json":
            body = orjson.dumps(draw(junk_values))
        elif shape == "not json":
            body = draw(st.binary(min_size=1, max_size=40))
        else:
            body = b""
        payload = body.decode("utf-8", "replace")
        url = path
    auth = draw(st.sampled_from(["valid", "valid", "valid", "none", "wrong secret", "junk headers", "stale"]))
    headers: dict[str, str] = {"Content-Type": "application/json"} if method != "GET" else {}
    if auth != "none":
        now = int(time.time() * 1000) - (60_000 if auth == "stale" else 0)
        recv = draw(st.sampled_from(["5000", "20000"]))
        signed = rest_sign_string(now, KEY, recv, payload)
        sign = Credentials(KEY, SECRET if auth != "wrong secret" else "nope").sign(signed)
        headers.update(
            {"X-BAPI-API-KEY": KEY, "X-BAPI-TIMESTAMP": str(now), "X-BAPI-RECV-WINDOW": recv, "X-BAPI-SIGN": sign}
        )
        if auth == "junk headers":
            name = draw(st.sampled_from(sorted(headers)))
            headers[name] = draw(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=12))
    return method, url, headers, body


def _assert_bybit_shaped(response: httpx.Response) -> dict | None:
    assert response.status_code in GATEWAY_STATUSES, (response.status_code, response.text[:300])
    kind = response.headers.get("content-type", "")
    if response.status_code == 200 or kind.startswith("application/json"):
        body = orjson.loads(response.content)
        assert isinstance(body, dict) and set(body) == {"retCode", "retMsg", "result", "retExtInfo", "time"}, body
        assert type(body["retCode"]) is int and isinstance(body["retMsg"], str) and type(body["time"]) is int
        assert isinstance(body["result"], (dict, list)) and isinstance(body["retExtInfo"], (dict, list))
        assert body["retCode"] != 10016, f"the engine failed: {body}"  # the server's safety net caught a crash
        return body
    return None


@settings(max_examples=2500, **SETTINGS)
@given(request=requests())
def test_any_request_gets_a_bybit_shaped_answer_and_never_a_500(asgi, sim_errors, request):
    count = tally("simulator REST (ASGI)", "random paths, methods, params, bodies; valid and broken signatures")
    sim_errors.records.clear()  # the fixture lives across examples
    method, url, headers, body = request
    response = asgi.send(method, url, headers, body)
    envelope = _assert_bybit_shaped(response)
    assert sim_errors.records == [], sim_errors.records
    count("accepted" if envelope is not None and envelope["retCode"] == 0 else "rejected")


_PRICE = st.integers(10_000, 2_000_000).map(lambda t: f"{t / 10:.1f}") | st.sampled_from(["88000", "0.1", "1"])
_AMOUNT = st.sampled_from(["0.001", "0.002", "0.01", "0.1", "1", "5", "100"]) | st.decimals(
    min_value=0, max_value=1000, places=3, allow_nan=False
).map(str)
_TEXT = st.sampled_from(["BTC", "USDT", "Order", "StopOrder", "tpslOrder", "New", "Filled", "Trade", "25DEC26"])
_LINK = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=36)


def plausible(param: Any, on_wire_as_text: bool) -> st.SearchStrategy[Any]:
    """Values of the kind the parameter takes, so that requests get past the first check."""
    kind = param.kind
    if param.choices:
        values = st.sampled_from(param.choices)
    elif kind == "symbol":
        values = st.sampled_from(["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT"])
    elif kind in ("positive", "nonneg"):
        values = _PRICE if "rice" in param.wire or param.wire in ("takeProfit", "stopLoss") else _AMOUNT
    elif kind == "int":
        values = st.integers(param.lo if param.lo is not None else -5, param.hi if param.hi is not None else 5)
    elif kind == "bool":
        values = st.booleans()
    elif kind == "link_id":
        values = _LINK
    elif kind == "ms":
        values = st.integers(-86_400_000 * 8, 60_000).map(lambda d: int(time.time() * 1000) + d)
    elif kind == "leverage":
        values = st.sampled_from(["1", "5", "10", "100", "0"])
    else:
        values = _TEXT | _LINK
    if not on_wire_as_text:
        return values
    return values.map(lambda v: "" if v is None else str(v).lower() if isinstance(v, bool) else str(v))


@st.composite
def signed_calls(draw: st.DrawFn) -> tuple[str, str, dict[str, str], bytes | None]:
    """A signed call of a real endpoint with its own parameters, mostly plausible values, some junk."""
    endpoint = draw(st.sampled_from(sorted(ENDPOINTS.values(), key=lambda e: e.name)))
    text = endpoint.method == "GET"
    params: dict[str, Any] = {}
    for p in endpoint.params:
        if not draw(st.integers(0, 15) if p.required else st.booleans()):
            continue  # a required parameter is left out now and then, an optional one half the time
        if draw(st.integers(0, 7)):
            params[p.wire] = draw(plausible(p, text))
        else:  # one value in eight is junk of any type
            params[p.wire] = draw(scalar.map(lambda v: "" if v is None else str(v)) if text else scalar | junk_values)
    now = int(time.time() * 1000)
    if text:
        payload = urlencode(params, quote_via=quote, safe=",")
        url, body = (f"{endpoint.path}?{payload}" if payload else endpoint.path), None
    else:
        body = orjson.dumps(params)
        payload, url = body.decode(), endpoint.path
    headers = {
        "X-BAPI-API-KEY": KEY,
        "X-BAPI-TIMESTAMP": str(now),
        "X-BAPI-RECV-WINDOW": "5000",
        "X-BAPI-SIGN": Credentials(KEY, SECRET).sign(rest_sign_string(now, KEY, "5000", payload)),
        "Content-Type": "application/json",
    }
    return endpoint.method, url, headers, body


@settings(max_examples=2500, **SETTINGS)
@given(call=signed_calls())
def test_the_engine_answers_random_parameters_of_every_endpoint_with_an_envelope(asgi, sim_errors, call):
    count = tally("simulator engine (signed calls)", "each endpoint's own parameters with random values")
    sim_errors.records.clear()
    response = asgi.send(*call)
    assert response.status_code == 200, (response.status_code, response.text[:300])
    envelope = _assert_bybit_shaped(response)
    assert envelope is not None and sim_errors.records == [], sim_errors.records
    count("accepted" if envelope["retCode"] == 0 else "rejected")


@settings(max_examples=300, **SETTINGS)
@given(
    method=st.sampled_from(["GET", "POST", "DELETE"]),
    path=st.sampled_from(
        [
            "/sim/faults",
            "/sim/market",
            "/sim/accounts",
            "/sim/funding",
            "/sim/truth/book",
            "/sim/truth/orders",
            "/sim/truth/positions",
            "/sim/truth/wallet",
        ]
    ),
    body=st.none() | st.binary(max_size=30) | junk_values.map(orjson.dumps),
    query=st.dictionaries(
        st.sampled_from(["symbol", "depth", "category", "api_key"]), st.text(max_size=8) | REALISTIC, max_size=3
    ),
)
def test_the_control_surface_refuses_junk_with_a_named_error(asgi, sim_errors, method, path, body, query):
    count = tally("simulator /sim/ control", "random bodies and queries")
    sim_errors.records.clear()
    url = f"{path}?{urlencode(query)}" if query else path
    try:
        response = asgi.send(method, url, {}, body)
    finally:
        asgi.send("DELETE", "/sim/faults", {}, None)  # whatever got injected must not leak into other examples
        asgi.send("POST", "/sim/market", {}, b'{"paused": false}')
    assert response.status_code in (200, 400, 404, 405), (response.status_code, response.text[:200])
    if response.status_code in (400, 404):
        assert isinstance(orjson.loads(response.content).get("error"), str)
    assert sim_errors.records == [], sim_errors.records
    count("accepted" if response.status_code == 200 else "rejected")


@pytest.mark.parametrize(
    "body",
    [b"{}", b'{"symbol": "NOPEUSDT"}', b'{"symbol": "BTCUSDT", "rate": "0.01"}', b'{"symbol": 5}', b"[]", b"not json"],
)
def test_funding_on_request_refuses_a_body_that_is_not_exactly_one_known_symbol(asgi, sim_errors, body):
    sim_errors.records.clear()
    response = asgi.send("POST", "/sim/funding", {}, body)
    assert response.status_code == 400 and isinstance(orjson.loads(response.content).get("error"), str)
    assert asgi.send("POST", "/sim/funding", {}, b'{"symbol": "BTCUSDT"}').status_code == 200
    assert sim_errors.records == []
