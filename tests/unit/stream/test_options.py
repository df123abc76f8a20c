"""The stream manager's knobs: one StreamOptions, with fields replaced by name."""

from __future__ import annotations

import asyncio

import pytest

from bybit_widgets.protocol.errors import MainnetGuardError
from bybit_widgets.stream import StreamManager
from bybit_widgets.stream.options import StreamOptions


def test_a_manager_takes_a_stream_options_and_knobs_by_name_replace_its_fields():
    base = StreamOptions(ping_interval=5.0, linger=1.0)
    streams = StreamManager(base_ws_url="ws://127.0.0.1:9", options=base, watchdog=None)
    assert streams.options == StreamOptions(ping_interval=5.0, linger=1.0, watchdog=None)
    assert StreamManager(base_ws_url="ws://127.0.0.1:9").options == StreamOptions()


def test_an_unknown_knob_is_refused_naming_the_options_there_are():
    with pytest.raises(TypeError, match=r"unknown stream option\(s\) ping_intervall; StreamOptions has: ping_interval"):
        StreamManager(base_ws_url="ws://127.0.0.1:9", ping_intervall=5)


def test_a_bad_knob_value_is_refused_in_plain_words():
    with pytest.raises(ValueError, match="pong_timeout must be > 0"):
        StreamManager(base_ws_url="ws://127.0.0.1:9", pong_timeout=0)


def test_trading_on_mainnet_without_the_opt_in_is_refused_before_anything_is_sent():
    streams = StreamManager("mainnet", api_key="k", api_secret="s")
    with pytest.raises(MainnetGuardError, match="this stream manager is on mainnet") as info:
        asyncio.run(streams.trade_request("order.create", {"category": "linear", "symbol": "BTCUSDT"}))
    assert "Nothing was sent" in info.value.hint and "connections=[]" in repr(streams)
