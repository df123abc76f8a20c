"""Fuzzing the order ticket's input: every invalid form is refused before any request, naming the field.

Two levels:

- ``check_form`` (what the ticket runs on every keystroke and before a
  submit) with random text in every field, against the real rules of linear
  and spot BTCUSDT: it never raises; a form it accepts yields ``place_order``
  arguments the client's own validation and the instrument's rules accept; a
  form it refuses yields problems that each name one of the form's fields;
- a live ``bw.OrderTicket`` whose session's clients record every request:
  submitting an invalid form sends nothing, a valid one sends exactly one
  order create.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import bybit_widgets as bw
from bybit_widgets.protocol.endpoints import ENDPOINTS, build_params
from bybit_widgets.protocol.rules import InstrumentRules
from bybit_widgets.widgets.order_form import OrderForm, check_form
from tests.security.recording import record_client_requests

from .tally import tally

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# each field of the form, and the words by which a message names it to the person at the ticket
FIELDS = {
    "side": ("side",),
    "order_type": ("type",),
    "time_in_force": ("time in force", "post-only", "TIF"),
    "qty": ("qty", "quantity", "value", "buys"),
    "price": ("price",),
    "trigger_price": ("trigger", "conditional"),
    "take_profit": ("take profit",),
    "stop_loss": ("stop loss",),
    "reduce_only": ("reduce-only",),
}

numberish = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-0",
            "0.001",
            "0.0015",
            "0.01",
            "1",
            "100",
            "1e3",
            "1e30",
            "1e-9",
            "NaN",
            "inf",
            "-1",
            "1,000",
            "88000",
            "88000.05",
            "88000.1",
            " 0.002 ",
            "0x10",
            "½",
            "١٢",
            "1_000",
            "1e999999",
        ]
    ),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(str),
    st.integers(-(10**6), 10**12).map(str),
    st.text(max_size=12),
)
junk_forms = st.builds(
    OrderForm,
    symbol=st.just("BTCUSDT"),
    side=st.sampled_from(["Buy", "Sell"]) | st.text(max_size=5),
    order_type=st.sampled_from(["Market", "Limit"]) | st.text(max_size=6),
    qty=numberish,
    qty_unit=st.sampled_from(["base", "quote"]) | st.text(max_size=5),
    price=numberish,
    time_in_force=st.sampled_from(["GTC", "IOC", "FOK", "PostOnly"]) | st.text(max_size=5),
    reduce_only=st.booleans(),
    conditional=st.booleans(),
    trigger_price=st.just("") | numberish,
    take_profit=st.just("") | numberish,
    stop_loss=st.just("") | numberish,
)


def _near(low: int, high: int, places: int) -> st.SearchStrategy[str]:
    """Numbers in a range, spelled with ``places`` decimals: mostly on the tick or step, sometimes off it."""
    return st.integers(low * 10**places, high * 10**places).map(lambda n: f"{n / 10**places:.{places}f}")


# mostly what a person at a desk types: right-looking numbers near the market, one field wrong now and then
plausible_forms = st.builds(
    OrderForm,
    symbol=st.just("BTCUSDT"),
    side=st.sampled_from(["Buy", "Sell"]),
    order_type=st.sampled_from(["Market", "Limit"]),
    qty=_near(0, 3, 3) | _near(0, 1, 4) | numberish,
    qty_unit=st.sampled_from(["base", "base", "base", "quote"]),
    price=_near(80_000, 96_000, 1) | _near(80_000, 96_000, 2) | numberish,
    time_in_force=st.sampled_from(["GTC", "IOC", "FOK", "PostOnly"]),
    reduce_only=st.booleans(),
    conditional=st.booleans(),
    trigger_price=st.just("") | _near(80_000, 96_000, 1),
    take_profit=st.just("") | st.just("") | _near(60_000, 120_000, 1),
    stop_loss=st.just("") | st.just("") | _near(60_000, 120_000, 1),
)
forms = plausible_forms | junk_forms


@pytest.fixture(scope="module")
def rules(sim: Any) -> dict[str, InstrumentRules]:
    with bw.Client(base_url=sim.rest_url) as client:
        return {
            c: InstrumentRules.from_instrument(client.get_instruments_info(category=c, symbol="BTCUSDT")[0])
            for c in ("linear", "spot")
        }


@settings(max_examples=3000, **SETTINGS)
@given(
    form=forms,
    category=st.sampled_from(["linear", "spot"]),
    last=st.none() | st.sampled_from([Decimal("88000"), Decimal("0.5"), Decimal("1e9")]),
)
def test_check_form_never_raises_and_names_the_field_or_yields_valid_arguments(rules, form, category, last):
    count = tally("order ticket check_form", "random text in every field, linear and spot rules")
    form = OrderForm(**{**form.__dict__, "category": category})
    checked = check_form(form, rules[category], last_price=last)
    if not checked.ok:
        assert checked.problems and checked.params is None
        for problem in checked.problems:
            assert problem.field in FIELDS, problem
            waiting = problem.message.startswith("waiting for")  # a state (no price yet), not a verdict on the input
            assert waiting or any(word.lower() in problem.message.lower() for word in FIELDS[problem.field]), problem
        count("rejected")
        return
    params = checked.params
    assert params is not None
    build_params(ENDPOINTS["place_order"], params)  # the client's own validation accepts it
    market = params["order_type"] == "Market"
    rule = rules[category]
    assert (
        rule.violations(
            qty=params["qty"],
            price=params.get("price"),
            market=market,
            reference_price=None if market else params.get("price"),
        )
        == []
    )
    count("accepted")


@pytest.fixture(scope="module")
def recorded_ticket(sim: Any) -> Iterator[tuple[Any, Any]]:
    """A ticket on a session of a fresh account whose clients record every request (forwarded to the sim)."""
    monkeypatch = pytest.MonkeyPatch()
    recorder = record_client_requests(monkeypatch, sim.rest_url)
    key, secret = bw.sim.generate_keys()
    sim.add_account(key, secret)
    session = bw.connect(base_url=sim.rest_url, base_ws_url=sim.ws_url, api_key=key, api_secret=secret)
    # hold=0: examples follow each other within a second, and this test is about validation, not the
    # one-order-per-intent hold (tests/widgets/test_intent.py and test_ticket.py cover that)
    ticket = bw.OrderTicket("BTCUSDT", session=session, hold=0.0)
    deadline = time.monotonic() + 15
    while ticket.rules is None or not ticket.market.get("last"):  # waiting on a condition, with a deadline
        assert time.monotonic() < deadline, f"the ticket did not load: {ticket.error}"
        time.sleep(0.02)
    yield ticket, recorder
    ticket.close()
    session.close()
    monkeypatch.undo()


@settings(max_examples=80, **SETTINGS)
@given(form=forms.filter(lambda f: f.qty_unit == "base" and not f.conditional))
def test_a_live_ticket_sends_nothing_for_an_invalid_form_and_one_create_for_a_valid_one(recorded_ticket, form):
    ticket, recorder = recorded_ticket
    count = tally("OrderTicket.submit (recorded)", "random forms submitted through a live ticket")
    for name in (
        "side",
        "order_type",
        "qty",
        "price",
        "time_in_force",
        "reduce_only",
        "trigger_price",
        "take_profit",
        "stop_loss",
    ):
        setattr(ticket, name, getattr(form, name))
    verdict = ticket.check().ok
    before = len(recorder.trading())
    task = ticket.submit()
    if task is not None:
        task.result(timeout=15)
    assume(ticket.check().ok == verdict)  # the last price moved across a boundary meanwhile: no verdict
    sent = recorder.trading()[before:]
    if not verdict:
        assert task is None and sent == [], sent  # refused in the kernel: nothing left for the exchange
        count("rejected")
    else:
        assert task is not None and [r.path for r in sent] == ["/v5/order/create"], sent
        assert ticket.status["status"] in ("accepted", "rejected", "filled", "cancelled"), ticket.status
        count("accepted")
