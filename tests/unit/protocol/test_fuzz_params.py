"""Fuzzing REST parameter validation: every invalid input is rejected before any request,
with a message naming the field; nothing else ever escapes."""

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bybit_widgets.protocol.endpoints import ENDPOINTS, build_params
from bybit_widgets.protocol.errors import ParameterError

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.sampled_from(
        [
            "Buy",
            "Sell",
            "Limit",
            "Market",
            "linear",
            "spot",
            "GTC",
            "BTCUSDT",
            "0.001",
            "65000",
            "-1",
            "0",
            "1e5",
            "NaN",
            "",
            " ",
            "PostOnly",
            "IOC",
            "1",
            "2",
            "abc-_1",
        ]
    ),
)


@st.composite
def calls(draw):
    endpoint = draw(st.sampled_from(sorted(ENDPOINTS)))
    spec = ENDPOINTS[endpoint]
    names = [p.name for p in spec.params]
    chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names))) if names else []
    kwargs = {name: draw(junk) for name in chosen}
    return spec, kwargs


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calls())
def test_any_input_is_wire_dict_or_named_parameter_error(call):
    spec, kwargs = call
    try:
        wire = build_params(spec, kwargs)
    except ParameterError as exc:
        assert exc.param, "the error must name the parameter"
        assert exc.param in {p.name for p in spec.params} | {
            "qty",
            "price",
            "order_id",
            "time_in_force",
            "reduce_only",
            "trigger_direction",
        }
        assert exc.ret_code is None and exc.param in str(exc)
        return
    # accepted: every required parameter is present and every value is wire-typed
    for p in spec.params:
        if p.required:
            assert p.wire in wire
    for key, value in wire.items():
        assert isinstance(value, (str, int, bool)), (key, value)
        if spec.method == "GET":
            assert isinstance(value, str)
    for key in ("qty", "price", "triggerPrice", "takeProfit", "stopLoss"):
        if key in wire:
            number = Decimal(wire[key])
            assert number.is_finite() and number >= 0 and "E" not in wire[key].upper()


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=12), junk, max_size=4))
def test_unknown_extra_parameters(extra):
    base = dict(category="linear", symbol="BTCUSDT")
    try:
        wire = build_params(ENDPOINTS["get_tickers"], base, extra)
    except ParameterError as exc:
        assert "_" in exc.param and "unknown parameter" in str(exc)
        return
    assert all(isinstance(v, str) for v in wire.values())
