import pytest

from bybit_widgets.sim import run

from .helpers import Rest

KEY = "sim-test-key-0001"
SECRET = "sim-test-secret-0123456789abcdef0123"


@pytest.fixture
def sim():
    """A fresh simulated exchange (seed 1) on an ephemeral loopback port."""
    with run(seed=1, api_key=KEY, api_secret=SECRET) as server:
        yield server


@pytest.fixture
def rest(sim):
    client = Rest(sim.rest_url, sim.api_key, sim.api_secret)
    yield client
    client.close()
