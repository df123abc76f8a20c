"""bw.connect(): environments, credentials, the embedded exchange and the default session."""

import pytest

import bybit_widgets as bw
from bybit_widgets import session as session_mod


@pytest.fixture(autouse=True)
def no_env(monkeypatch):
    for name in ("BYBIT_ENV", "BYBIT_API_KEY", "BYBIT_API_SECRET"):
        monkeypatch.delenv(name, raising=False)


def test_default_is_the_embedded_exchange():
    s = bw.connect()
    try:
        assert s.env == "sim" and s.exchange is not None and s.has_credentials
        assert s.client.base_url == s.exchange.rest_url
        assert s.client.get_wallet_balance().coins["USDT"].wallet_balance > 0
        assert bw.session.current() is s
        assert s.exchange.api_secret not in repr(s) and s.client.api_key not in repr(s)
        inst = s.instrument("linear", "BTCUSDT")
        assert inst is s.instrument("linear", "BTCUSDT")  # cached
        feed = s.streams.ticker("BTCUSDT")
        assert feed.wait_for_update(10).last_price > 0
        feed.close()
    finally:
        s.close()


def test_user_keys_become_an_account_on_the_exchange():
    s = bw.connect("sim", api_key="my-class-key", api_secret="my-class-secret-123")
    try:
        assert s.client.api_key == "my-class-key"
        assert s.client.get_api_key_info().api_key is not None
    finally:
        s.close()


def test_env_var_keys_used_for_sim(monkeypatch):
    monkeypatch.setenv("BYBIT_API_KEY", "env-key-0001")
    monkeypatch.setenv("BYBIT_API_SECRET", "env-secret-0001")
    s = bw.connect()
    try:
        assert s.client.api_key == "env-key-0001"
        assert s.client.get_wallet_balance() is not None
    finally:
        s.close()


def test_remote_environments_build_without_network(monkeypatch):
    monkeypatch.setenv("BYBIT_ENV", "testnet")
    s = bw.connect()
    assert s.env == "testnet" and s.client.base_url == "https://api-testnet.bybit.com" and not s.has_credentials
    m = bw.connect("mainnet", api_key="k" * 18, api_secret="s" * 30)
    assert m.is_real_money and not m.allow_mainnet_trading
    with pytest.raises(bw.protocol.MainnetGuardError):
        m.client.place_order(category="linear", symbol="BTCUSDT", side="Buy", order_type="Market", qty="0.001")
    d = bw.connect("demo", api_key="k" * 18, api_secret="s" * 30)
    assert d.client.base_url == "https://api-demo.bybit.com"
    for x in (s, m, d):
        x.close()


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="sim, mainnet, testnet, demo"):
        bw.connect("prodnet")
    with pytest.raises(ValueError, match="both api_key and api_secret"):
        bw.connect("testnet", api_key="only-key")


def test_one_embedded_exchange_per_kernel():
    a = bw.connect()
    b = bw.connect()
    try:
        assert a.exchange is b.exchange is session_mod._embedded
    finally:
        a.close()
        b.close()
