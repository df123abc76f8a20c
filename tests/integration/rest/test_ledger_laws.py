"""The ledger's laws under random hedged trading and funding, over real sockets (hypothesis).

The same laws as ``tests/unit/sim/test_ledger.py`` (which drives the engine in-process, many more
examples), here through the client and the exchange's HTTP API, on a fresh account per example:

- the transaction log explains the wallet: each row's ``change = cashFlow + funding - fee``, its
  ``cashBalance`` is the one before plus its change, and the last is the wallet (so the wallet moves
  by realised PnL - fees + funding, nothing else);
- each closed-PnL record is ``(cumExitValue - cumEntryValue) x side - openFee - closeFee``;
- the two sides of a hedged symbol never net: the long is what was bought on positionIdx 1 less
  what was sold to reduce it, the short likewise on positionIdx 2.

Rules relied on (Bybit v5 docs, "Get Transaction Log", "Get Closed PnL", "Switch Position Mode"):
the log and closed PnL are newest first and cursor-paged; in hedge mode positionIdx 1 is the Buy
side and 2 the Sell side, and a reduce-only order on a side only reduces it.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bybit_widgets as bw
from bybit_widgets.protocol.positions import HEDGE_BUY, HEDGE_SELL, MODE_HEDGE

from .conftest import truth

ETH = {"category": "linear", "symbol": "ETHUSDT"}
LOT = Decimal("0.01")
_keys = itertools.count()

step = st.one_of(
    st.tuples(st.just("open"), st.sampled_from([HEDGE_BUY, HEDGE_SELL]), st.integers(1, 30)),
    st.tuples(st.just("reduce"), st.sampled_from([HEDGE_BUY, HEDGE_SELL]), st.integers(1, 30)),
    st.tuples(st.just("funding")),
)


def usdt(sim, api_key: str) -> Decimal:
    wallet = truth(sim, "wallet", api_key=api_key)
    return Decimal(next(c for c in wallet["coin"] if c["coin"] == "USDT")["walletBalance"])


def trade(client: bw.Client, steps: list, rest_url: str) -> dict[int, Decimal]:
    """Run ``steps`` on ETHUSDT in hedge mode; returns the size each side should hold."""
    held = {HEDGE_BUY: Decimal(0), HEDGE_SELL: Decimal(0)}
    for s in steps:
        if s[0] == "funding":
            assert httpx.post(f"{rest_url}/sim/funding", json={"symbol": "ETHUSDT"}).status_code == 200
            continue
        _, idx, lots = s
        qty = lots * LOT
        opening = s[0] == "open"
        if not opening:
            qty = min(qty, held[idx])
            if not qty:
                continue
        buys = (idx == HEDGE_BUY) == opening  # a long opens with a buy, a short with a sell
        client.place_order(
            **ETH,
            side="Buy" if buys else "Sell",
            order_type="Market",
            qty=str(qty),
            position_idx=idx,
            reduce_only=None if opening else True,
        )
        held[idx] += qty if opening else -qty
    return held


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=3, max_size=12))
def test_over_sockets_the_log_explains_the_wallet_each_close_its_pnl_and_the_sides_never_net(sim, steps):
    key, secret = f"laws-{next(_keys)}", "laws-secret"
    sim.add_account(key, secret)
    with bw.Client(key, secret, base_url=sim.rest_url, timeout=5.0) as client:
        start = usdt(sim, key)
        client.switch_position_mode(**ETH, mode=MODE_HEDGE)
        held = trade(client, steps, sim.rest_url)
        long, short = client.get_positions(**ETH)
        rows = list(reversed(client.all_pages("get_transaction_log", category="linear")))  # oldest first
        closes = client.all_pages("get_closed_pnl", **ETH)
    assert (long.position_idx, long.size, short.position_idx, short.size) == (
        HEDGE_BUY,
        held[HEDGE_BUY],
        HEDGE_SELL,
        held[HEDGE_SELL],
    ), "the two sides netted or lost a fill"
    balance = start
    for row in rows:
        assert row.change == row.cash_flow + row.funding - row.fee, row
        balance += row.change
        assert row.cash_balance == balance, row
    assert balance == usdt(sim, key), "the log does not explain the wallet"
    for close in closes:
        side = 1 if close.side == "Sell" else -1  # a Sell closes a long
        made = (close.cum_exit_value - close.cum_entry_value) * side
        assert close.closed_pnl == made - close.open_fee - close.close_fee, close
    assert sum((r.cash_flow for r in rows if r.type == "TRADE"), Decimal(0)) == sum(
        ((c.cum_exit_value - c.cum_entry_value) * (1 if c.side == "Sell" else -1) for c in closes), Decimal(0)
    ), "a realised PnL that no close record accounts for"
