import pytest

from bybit_widgets.protocol.codec import encode
from bybit_widgets.protocol.topics import (
    SPOT_SUBSCRIBE_MAX_ARGS,
    SUBSCRIBE_MAX_ARGS_CHARS,
    TopicError,
    kline_topic,
    legacy_replacement,
    orderbook_topic,
    parse_topic,
    subscribe_args_refusal,
    subscribe_batches,
    ticker_topic,
    trade_topic,
)


def test_builders():
    assert orderbook_topic("BTCUSDT", 50) == "orderbook.50.BTCUSDT"
    assert orderbook_topic("BTC-6JAN23-18000-C", 25, "option") == "orderbook.25.BTC-6JAN23-18000-C"
    assert ticker_topic("ETHUSDT") == "tickers.ETHUSDT"
    assert kline_topic("BTCUSDT", 1) == "kline.1.BTCUSDT"
    assert kline_topic("BTCUSDT", "D") == "kline.D.BTCUSDT"
    assert trade_topic("SOLUSDT") == "publicTrade.SOLUSDT"


@pytest.mark.parametrize(
    "name,kind,symbol,depth,interval",
    [
        ("orderbook.1.BTCUSDT", "orderbook", "BTCUSDT", 1, None),
        ("orderbook.1000.ETHUSDT", "orderbook", "ETHUSDT", 1000, None),
        ("kline.15.BTCUSDT", "kline", "BTCUSDT", None, "15"),
        ("tickers.BTCUSDT", "tickers", "BTCUSDT", None, None),
        ("publicTrade.BTCUSDT", "publicTrade", "BTCUSDT", None, None),
        ("allLiquidation.BTCUSDT", "allLiquidation", "BTCUSDT", None, None),
    ],
)
def test_parse_public(name, kind, symbol, depth, interval):
    t = parse_topic(name)
    assert (t.name, t.kind, t.symbol, t.depth, t.interval) == (name, kind, symbol, depth, interval)
    assert not t.is_private


@pytest.mark.parametrize("name", ["order", "execution", "position", "wallet", "execution.fast", "greeks"])
def test_parse_private(name):
    t = parse_topic(name)
    assert t.is_private and t.kind == name


def test_parse_private_categorised():
    t = parse_topic("order.linear")
    assert t.kind == "order" and t.category == "linear"
    assert parse_topic("position.option").category == "option"


@pytest.mark.parametrize(
    "legacy,v5",
    [
        ("orderBookL2_25.BTCUSDT", "orderbook.50.BTCUSDT"),
        ("orderBookL2_200.BTCUSDT", "orderbook.200.BTCUSDT"),
        ("orderBook_200.100ms.BTCUSD", "orderbook.200.BTCUSD"),
        ("candle.1.BTCUSDT", "kline.1.BTCUSDT"),
        ("klineV2.5.BTCUSD", "kline.5.BTCUSD"),
        ("trade.BTCUSDT", "publicTrade.BTCUSDT"),
        ("instrument_info.100ms.BTCUSDT", "tickers.BTCUSDT"),
        ("liquidation.BTCUSDT", "allLiquidation.BTCUSDT"),
    ],
)
def test_legacy_names_raise_with_v5_name(legacy, v5):
    assert legacy_replacement(legacy) == v5
    with pytest.raises(TopicError) as info:
        parse_topic(legacy)
    assert v5 in str(info.value)
    assert "pre-v5" in str(info.value)
    assert info.value.param == "topic"


@pytest.mark.parametrize(
    "bad,fragment",
    [
        ("orderbook.25.BTCUSDT", "depth 25 is not offered for linear"),
        ("orderbook.500.BTCUSDT", "depth 500"),
        ("kline.2.BTCUSDT", "interval '2'"),
        ("tickers.btcusdt", "upper case"),
        ("nonsense", "unknown topic"),
        ("", "non-empty"),
    ],
)
def test_invalid_topics(bad, fragment):
    with pytest.raises(TopicError) as info:
        parse_topic(bad)
    assert fragment in str(info.value)


def test_option_depths():
    assert parse_topic("orderbook.25.BTC-6JAN23-18000-C", category="option").depth == 25
    with pytest.raises(TopicError):
        parse_topic("orderbook.50.BTC-6JAN23-18000-C", category="option")


# 18-character topics cost 21 characters each in the args array (quotes, comma): 1000 of them are one too many.
EDGE = [f"tickers.X{i:04d}USDTT" for i in range(1000)]


@pytest.mark.parametrize("category", ["linear", "spot", "inverse", None])
@pytest.mark.parametrize("topics", [EDGE, EDGE[:999], [f"kline.1.S{i}USDT" for i in range(3000)], ["tickers.X"]])
def test_every_batch_is_accepted_and_one_more_topic_is_refused(category, topics):
    batches = subscribe_batches(category, topics)
    assert sum(batches, []) == topics
    for batch, after in zip(batches, batches[1:]):
        assert subscribe_args_refusal(category, batch) is None
        assert subscribe_args_refusal(category, batch + after[:1]) is not None  # the fewest requests


def test_the_size_is_the_compact_json_text_of_the_args():
    assert len(encode(EDGE)) == SUBSCRIBE_MAX_ARGS_CHARS + 1
    assert subscribe_args_refusal("linear", EDGE) == "error:args too long (21001 > 21000 characters)"
    assert subscribe_args_refusal("linear", EDGE[:999]) is None
    assert [len(b) for b in subscribe_batches("linear", EDGE)] == [999, 1]


def test_spot_takes_ten_topics_per_request():
    eleven = EDGE[: SPOT_SUBSCRIBE_MAX_ARGS + 1]
    assert subscribe_args_refusal("spot", eleven) == "error:args size >10 (spot takes at most 10 topics per request)"
    assert subscribe_args_refusal("linear", eleven) is None
    assert [len(b) for b in subscribe_batches("spot", EDGE[:25])] == [10, 10, 5]
    # too long beats too many, as on Bybit
    assert "too long" in (subscribe_args_refusal("spot", ["x" * 30_000] * 11) or "")


def test_a_topic_too_long_to_go_alone_gets_a_request_of_its_own():
    huge = "x" * 30_000
    assert subscribe_batches("linear", ["tickers.A", huge, "tickers.B"]) == [["tickers.A"], [huge], ["tickers.B"]]
    assert subscribe_batches("linear", []) == []
