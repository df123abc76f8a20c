"""Hypothesis properties of matching and accounts under random order flow and market ticks."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bybit_widgets.sim.engine import SimError

from .helpers import Recorder, make_exchange

KEYS = ("k", "m")
# business refusals random flow may legitimately meet (margin, reduce-only without position, price band...)
ALLOWED = {110001, 110003, 110007, 110017, 110094}

# limit offsets count ticks back from the opposite touch: positive rests, negative crosses
limit_op = st.tuples(
    st.just("limit"),
    st.sampled_from(KEYS),
    st.booleans(),
    st.integers(-8, 12),
    st.integers(1, 400),
    st.sampled_from(["GTC", "GTC", "IOC", "FOK", "PostOnly"]),
    st.sampled_from([False, False, False, True]),
)
market_op = st.tuples(
    st.just("market"), st.sampled_from(KEYS), st.booleans(), st.integers(1, 3000), st.sampled_from([False, False, True])
)
op = st.one_of(
    limit_op,
    limit_op,
    market_op,
    st.tuples(st.just("cancel"), st.sampled_from(KEYS), st.integers(0, 50)),
    st.tuples(st.just("advance"), st.integers(1, 300)),
)


def _equity(ex, key: str) -> Decimal:
    account = ex.truth_wallet(key)
    usdt = next(c for c in account["coin"] if c["coin"] == "USDT")
    return Decimal(usdt["walletBalance"]) + Decimal(usdt["unrealisedPnl"])


def _usdt(ex, key: str) -> Decimal:
    return Decimal(next(c for c in ex.truth_wallet(key)["coin"] if c["coin"] == "USDT")["walletBalance"])


def _size(ex, key: str) -> Decimal:
    market = ex.market("linear", "BTCUSDT")
    account = ex.trading.accounts.get(key)
    pos = account.positions.get("BTCUSDT")
    return market.inst.qty_of(pos.size) if pos else Decimal(0)


def _apply(ex, step) -> None:
    market = ex.market("linear", "BTCUSDT")
    inst = market.inst
    kind = step[0]
    if kind == "advance":
        ex.paused = False
        ex.advance(step[1])
        ex.paused = True
        return
    key = step[1]
    base = {"category": "linear", "symbol": "BTCUSDT"}
    if kind == "cancel":
        open_orders = ex.rest_private("/v5/order/realtime", key, base)["list"]
        if open_orders:
            target = open_orders[step[2] % len(open_orders)]
            ex.rest_private("/v5/order/cancel", key, {**base, "orderId": target["orderId"]})
        return
    buy = step[2]
    if kind == "limit":
        _, offset, lots, tif, reduce_only = step[2:]
        ref = market.book.asks.best() if buy else market.book.bids.best()
        price = ref - offset if buy else ref + offset
        params = {
            **base,
            "side": "Buy" if buy else "Sell",
            "orderType": "Limit",
            "qty": inst.qty_str(lots),
            "price": inst.price_str(price),
            "timeInForce": tif,
            "reduceOnly": reduce_only,
        }
    else:
        _, lots, reduce_only = step[2:]
        params = {
            **base,
            "side": "Buy" if buy else "Sell",
            "orderType": "Market",
            "qty": inst.qty_str(lots),
            "reduceOnly": reduce_only,
        }
    ex.rest_private("/v5/order/create", key, params)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.lists(op, min_size=10, max_size=30))
def test_random_flow_keeps_the_books_and_accounts_consistent(seed: int, steps: list) -> None:
    ex = make_exchange(seed, balance="50000")
    ex.ensure_account("m", "s", balance="50000")
    rec = Recorder(ex)
    market = ex.market("linear", "BTCUSDT")
    for step in steps:
        rec.clear()
        before = {key: (_equity(ex, key), _usdt(ex, key), _size(ex, key)) for key in KEYS}
        mark = Decimal(market.inst.price_str(market.mark))
        try:
            _apply(ex, step)
        except SimError as exc:
            assert exc.ret_code in ALLOWED, exc
        # the book is never crossed and every level is positive
        assert not market.book.crossed()
        bids, asks = ex.book_levels("linear", "BTCUSDT", 50)
        assert all(Decimal(q) > 0 for _, q in bids + asks)
        ro_orders = {o["orderId"] for key in KEYS for o in ex.truth_orders(key) if o["reduceOnly"]}
        for key in KEYS:
            fills = [item for k, topic, items in rec.events if k == key and topic == "execution" for item in items]
            # realised PnL and fees are the only wallet changes
            realised = sum((Decimal(e["execPnl"]) - Decimal(e["execFee"]) for e in fills), Decimal(0))
            assert _usdt(ex, key) - before[key][1] == realised
            if step[0] != "advance":
                # with the mark fixed, equity moves by exactly (mark - price) * signed qty - fee per fill
                expected = sum(
                    (
                        (mark - Decimal(e["execPrice"])) * Decimal(e["execQty"]) * (1 if e["side"] == "Buy" else -1)
                        - Decimal(e["execFee"])
                        for e in fills
                    ),
                    Decimal(0),
                )
                assert _equity(ex, key) - before[key][0] == expected
            # reduce-only fills only ever close
            for e in fills:
                if e["orderId"] in ro_orders:
                    assert e["closedSize"] == e["execQty"]
            if fills and all(e["orderId"] in ro_orders for e in fills):
                assert abs(_size(ex, key)) <= abs(before[key][2])


@settings(max_examples=30, deadline=None)
@given(
    st.integers(0, 10_000),
    st.lists(st.tuples(st.sampled_from(KEYS), st.integers(1, 30)), min_size=2, max_size=8),
    st.integers(0, 200),
)
def test_price_time_priority_within_a_level(seed: int, resting: list, extra: int) -> None:
    ex = make_exchange(seed)
    ex.ensure_account("m", "s")
    ex.ensure_account("taker", "s")
    market = ex.market("linear", "BTCUSDT")
    inst = market.inst
    price = market.book.asks.prices(3)[2]  # an existing level behind the touch, with crowd liquidity on it
    ahead = sum(size for p, size in market.book.asks.top(3))  # everything that queues before the user orders
    placed = []
    for key, lots in resting:
        result = ex.rest_private(
            "/v5/order/create",
            key,
            {
                "category": "linear",
                "symbol": "BTCUSDT",
                "side": "Sell",
                "orderType": "Limit",
                "qty": inst.qty_str(lots),
                "price": inst.price_str(price),
            },
        )
        placed.append((key, result["orderId"], lots))
    take = ahead + extra
    ex.rest_private(
        "/v5/order/create",
        "taker",
        {
            "category": "linear",
            "symbol": "BTCUSDT",
            "side": "Buy",
            "orderType": "Limit",
            "timeInForce": "IOC",
            "qty": inst.qty_str(take),
            "price": inst.price_str(price),
        },
    )
    budget = extra
    for key, order_id, lots in placed:  # filled strictly in arrival order, crowd first
        item = next(o for o in ex.truth_orders(key) if o["orderId"] == order_id)
        filled = min(lots, budget)
        assert Decimal(item["cumExecQty"]) == inst.qty_of(filled)
        budget -= filled


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 40), st.booleans(), st.integers(-60, 60))
def test_conditional_fires_only_when_price_crosses_its_side(seed: int, distance: int, rising: bool, move: int) -> None:
    ex = make_exchange(seed)
    ex.ensure_account("whale", "s", balance="1000000000")
    market = ex.market("linear", "BTCUSDT")
    inst = market.inst
    last = market.last
    trigger = last + distance if rising else last - distance
    placed = ex.rest_private(
        "/v5/order/create",
        "k",
        {
            "category": "linear",
            "symbol": "BTCUSDT",
            "side": "Buy",
            "orderType": "Limit",
            "qty": "0.001",
            "price": inst.price_str(market.book.bids.best() - 100),
            "triggerPrice": inst.price_str(trigger),
            "triggerDirection": 1 if rising else 2,
        },
    )
    if move:  # the whale walks the book `move` ticks away from the touch
        buy = move > 0
        side = market.book.asks if buy else market.book.bids
        limit = side.best() + move if buy else side.best() + move
        lots = side.available(limit, 10**12)
        if lots:
            ex.rest_private(
                "/v5/order/create",
                "whale",
                {
                    "category": "linear",
                    "symbol": "BTCUSDT",
                    "side": "Buy" if buy else "Sell",
                    "orderType": "Limit",
                    "timeInForce": "IOC",
                    "qty": inst.qty_str(lots),
                    "price": inst.price_str(limit),
                },
            )
    status = next(o for o in ex.truth_orders("k") if o["orderId"] == placed["orderId"])["orderStatus"]
    crossed = market.last >= trigger if rising else market.last <= trigger
    assert (status != "Untriggered") == crossed
