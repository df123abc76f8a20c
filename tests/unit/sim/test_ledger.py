"""The ledger's laws under random trading and funding (hypothesis), and funding paid on time.

- The transaction log explains the wallet: every row's ``change = cashFlow + funding - fee``, its
  ``cashBalance`` is the wallet after it, and the changes sum to the wallet's movement; so the
  wallet moves by realised PnL - fees + funding, nothing else.
- Each closed-PnL record is ``(exit value - entry value) x side - openFee - closeFee`` of its
  closed size, and its gross part equals the cash flow of the fill that booked it.
- Funding is paid at each funding time of the instrument's interval (longs pay a positive rate),
  at the rate the funding history shows for that time, and at once on request.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bybit_widgets.sim.engine import SimError

from .helpers import Clock, Recorder, make_exchange, order

step = st.one_of(
    st.tuples(st.just("trade"), st.booleans(), st.integers(1, 40)),  # side, lots of 0.001
    st.tuples(st.just("funding")),
    st.tuples(st.just("advance"), st.integers(1, 200)),
)


def usdt(ex, key: str = "k") -> Decimal:
    return Decimal(next(c for c in ex.truth_wallet(key)["coin"] if c["coin"] == "USDT")["walletBalance"])


def ledger(ex, key: str = "k") -> tuple[list[dict], list[dict]]:
    book = ex.trading.accounts.get(key).ledger
    return [row for _, row in book.transactions], [row for _, row in book.closed_pnl]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.lists(step, min_size=5, max_size=25))
def test_the_transaction_log_explains_the_wallet_and_each_close_its_pnl(seed: int, steps: list) -> None:
    ex = make_exchange(seed, paused=False)
    start = usdt(ex)
    for s in steps:
        if s[0] == "trade":
            try:
                order(ex, side="Buy" if s[1] else "Sell", orderType="Market", qty=f"{s[2] / 1000:.3f}")
            except SimError as exc:
                assert exc.ret_code in (110007,), exc  # margin: the only refusal a market order may meet here
        elif s[0] == "funding":
            ex.settle_funding("BTCUSDT")
        else:
            ex.advance(s[1])
    rows, closes = ledger(ex)
    for row in rows:
        change = Decimal(row["cashFlow"]) + Decimal(row["funding"]) - Decimal(row["fee"])
        assert Decimal(row["change"]) == change, row
    balance = start
    for row in rows:
        balance += Decimal(row["change"])
        assert Decimal(row["cashBalance"]) == balance, row
    assert balance == usdt(ex)
    cash_flows = {row["tradeId"]: Decimal(row["cashFlow"]) for row in rows if row["type"] == "TRADE"}
    gross = Decimal(0)
    for close in closes:
        side = 1 if close["side"] == "Sell" else -1  # a Sell closes a long
        made = (Decimal(close["cumExitValue"]) - Decimal(close["cumEntryValue"])) * side
        assert Decimal(close["closedPnl"]) == made - Decimal(close["openFee"]) - Decimal(close["closeFee"]), close
        gross += made
    assert gross == sum(cash_flows.values())  # every realised PnL is one close's


def test_funding_is_paid_at_each_funding_time_at_the_rate_of_the_history():
    clock = Clock()
    ex = make_exchange(3, clock=clock, paused=False)
    order(ex, side="Buy", orderType="Market", qty="0.010")
    interval = ex.market("linear", "BTCUSDT").inst.spec.funding_interval_min * 60_000
    next_time = (clock.now // interval + 1) * interval
    clock.now = next_time - 1
    ex.advance(1)
    assert [r["type"] for r in ledger(ex)[0]] == ["TRADE"], "nothing before the funding time"
    clock.now = next_time
    ex.advance(1)
    clock.now = next_time + 5_000
    ex.advance(1)  # once per funding time, however many ticks follow
    settlement = [r for r in ledger(ex)[0] if r["type"] == "SETTLEMENT"]
    assert len(settlement) == 1 and settlement[0]["transactionTime"] == str(next_time)
    history = ex.rest_public(
        "/v5/market/funding/history", {"category": "linear", "symbol": "BTCUSDT", "endTime": str(next_time)}
    )["list"][0]
    assert history["fundingRateTimestamp"] == str(next_time) and settlement[0]["feeRate"] == history["fundingRate"]
    value = Decimal(settlement[0]["qty"]) * Decimal(settlement[0]["tradePrice"])
    expected = -(value * Decimal(history["fundingRate"])).quantize(Decimal("0.00000001"))
    assert Decimal(settlement[0]["funding"]) == expected, "a long pays a positive rate"


def test_a_short_receives_a_positive_rate_and_a_flat_account_pays_nothing():
    ex = make_exchange(5, paused=False)
    ex.ensure_account("flat", "s", balance="1000")
    order(ex, side="Sell", orderType="Market", qty="0.020")
    result = ex.settle_funding("BTCUSDT")
    (row,) = [r for r in ledger(ex)[0] if r["type"] == "SETTLEMENT"]
    assert result["settled"] == 1 and Decimal(result["fundingRate"]) > 0
    assert Decimal(row["funding"]) > 0 and row["side"] == "Sell" and row["size"] == "-0.020"
    assert ledger(ex, "flat") == ([], [])


def test_each_funding_payment_is_also_a_funding_execution_with_what_was_paid_as_its_fee():
    """Bybit lists funding in /v5/execution/list as execType Funding; ccxt's fetch_funding_history reads it."""
    ex = make_exchange(5, paused=False)
    recorder = Recorder(ex)
    order(ex, side="Sell", orderType="Market", qty="0.020")
    ex.settle_funding("BTCUSDT")
    (row,) = [r for r in ledger(ex)[0] if r["type"] == "SETTLEMENT"]
    listed = ex.rest_private("/v5/execution/list", "k", {"category": "linear", "execType": "Funding"})["list"]
    (funding,) = listed
    assert funding["execType"] == "Funding" and funding["side"] == "Sell" and funding["execQty"] == "0.020"
    assert Decimal(funding["execFee"]) == -Decimal(row["funding"])  # a short received: a negative fee
    assert funding["feeRate"] == row["feeRate"] and funding["orderType"] == "UNKNOWN"
    trades = ex.rest_private("/v5/execution/list", "k", {"category": "linear", "execType": "Trade"})["list"]
    assert trades and all(t["execType"] == "Trade" for t in trades)
    pushed = [e for e in recorder.items("execution") if e["execType"] == "Funding"]
    assert [e["execId"] for e in pushed] == [funding["execId"]]


hedge_step = st.one_of(
    st.tuples(st.just("trade"), st.sampled_from((1, 2)), st.booleans(), st.integers(1, 40)),  # idx, closes, lots
    st.tuples(st.just("funding")),
    st.tuples(st.just("advance"), st.integers(1, 200)),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.lists(hedge_step, min_size=5, max_size=25))
def test_the_two_sides_of_a_hedged_symbol_never_net_and_the_log_still_explains_the_wallet(seed, steps) -> None:
    """Each side moves as if the other did not exist: opens add, closes take at most what it holds."""
    ex = make_exchange(seed, paused=False)
    ex.rest_private("/v5/position/switch-mode", "k", {"category": "linear", "symbol": "BTCUSDT", "mode": 3})
    start = usdt(ex)
    held = {1: 0, 2: 0}  # lots of 0.001 per side, from the model
    for s in steps:
        if s[0] == "trade":
            _, idx, closing, lots = s
            buy = (idx == 1) != closing
            try:
                order(ex, side="Buy" if buy else "Sell", orderType="Market", qty=f"{lots / 1000:.3f}", positionIdx=idx)
            except SimError as exc:
                assert exc.ret_code in ((110017,) if closing else (110007,)), exc  # flat side / margin
                continue
            held[idx] = max(0, held[idx] - lots) if closing else held[idx] + lots
        elif s[0] == "funding":
            ex.settle_funding("BTCUSDT")
        else:
            ex.advance(s[1])
        rows = ex.rest_private("/v5/position/list", "k", {"category": "linear", "symbol": "BTCUSDT"})["list"]
        sizes = {row["positionIdx"]: (row["side"], round(Decimal(row["size"]) * 1000)) for row in rows}
        assert sizes == {1: ("Buy" if held[1] else "", held[1]), 2: ("Sell" if held[2] else "", held[2])}
    rows, _ = ledger(ex)
    assert start + sum(Decimal(row["change"]) for row in rows) == usdt(ex)
