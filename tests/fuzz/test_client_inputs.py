"""The client refuses bad parameters before any request leaves.

Validation itself: tests/unit/protocol/test_fuzz_params.py.

``build_params`` is fuzzed on its own in the unit tests; this checks the
promise one level up, on ``bw.Client``: a call with junk either raises a
``ParameterError`` naming the parameter and sends nothing, or sends a
request -- never a half-built one, never anything else raised.
"""

from __future__ import annotations

import httpx
import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bybit_widgets as bw
from bybit_widgets.protocol.endpoints import ENDPOINTS

from .corpus import junk_values
from .tally import tally

OK = orjson.dumps({"retCode": 0, "retMsg": "OK", "result": {"list": []}, "retExtInfo": {}, "time": 1})
TIME = orjson.dumps(
    {
        "retCode": 0,
        "retMsg": "OK",
        "result": {"timeSecond": "1", "timeNano": "1000000000"},
        "retExtInfo": {},
        "time": 1000,
    }
)
ORDER_CALLS = ("place_order", "amend_order", "cancel_order", "get_open_orders", "get_positions", "get_kline")
PLAUSIBLE = {
    "category": ["linear", "spot"],
    "symbol": ["BTCUSDT", "ETHUSDT"],
    "side": ["Buy", "Sell"],
    "order_type": ["Limit", "Market"],
    "qty": ["0.001", "1", "0.01"],
    "price": ["65000", "65000.5"],
    "interval": ["1", "60", "D"],
    "time_in_force": ["GTC", "IOC"],
    "order_link_id": ["abc-1"],
    "order_id": ["1234"],
    "limit": [10, 50],
}


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(ORDER_CALLS), data=st.data())
def test_a_bad_parameter_raises_a_named_error_and_nothing_is_sent(name, data):
    count = tally("bw.Client methods (recorded)", "junk and plausible keyword values, order and read methods")
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, content=TIME if request.url.path == "/v5/market/time" else OK)

    endpoint = ENDPOINTS[name]
    kwargs = {}
    for param in endpoint.params:  # required ones nearly always there, optional ones half the time
        if data.draw(st.integers(0, 15) if param.required else st.booleans()):
            good = st.sampled_from(PLAUSIBLE.get(param.name, ["1"]))
            kwargs[param.name] = data.draw(good if data.draw(st.integers(0, 3)) else junk_values)
    with bw.Client("k", "s", base_url="http://bybit.test", transport=httpx.MockTransport(answer)) as client:
        try:
            getattr(client, name)(**kwargs)
        except bw.ParameterError as exc:
            assert sent == [], "a refused call must send nothing"
            assert exc.param and exc.param in str(exc), exc
            count("rejected")
            return
        except TypeError as exc:  # a required keyword missing: Python itself refuses the call
            assert sent == [] and "required" in str(exc), exc
            count("rejected")
            return
    assert [r.url.path for r in sent if r.url.path != "/v5/market/time"] == [endpoint.path]
    count("accepted")
