import httpx
import pytest

import bybit_widgets as bw


@pytest.fixture(scope="module")
def exchange():
    with bw.sim.run(seed=7) as ex:
        yield ex


@pytest.fixture
def sim(exchange):
    """The exchange with faults cleared around each test."""
    httpx.delete(f"{exchange.rest_url}/sim/faults")
    yield exchange
    httpx.delete(f"{exchange.rest_url}/sim/faults")


def fault(exchange, **spec) -> None:
    r = httpx.post(f"{exchange.rest_url}/sim/faults", json=spec)
    assert r.status_code == 200, r.text


def truth(exchange, what: str, **params):
    r = httpx.get(f"{exchange.rest_url}/sim/truth/{what}", params=params)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
def client(sim):
    with bw.Client(
        sim.api_key, sim.api_secret, base_url=sim.rest_url, timeout=2.0, retry=bw.rest.RetryPolicy(backoff_s=0.01)
    ) as c:
        yield c
        c.cancel_all_orders(category="linear", symbol="BTCUSDT")
        c.cancel_all_orders(category="linear", symbol="ETHUSDT")
        for sym in ("BTCUSDT", "ETHUSDT"):
            c.close_position("linear", sym)
