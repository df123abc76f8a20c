"""Every retCode of reference section 4 maps to a class with a plain-words hint."""

import pickle

import pytest

from bybit_widgets.protocol import errors as E

ALL_CODES = {
    -1: E.TimestampError,
    10000: E.ServerError,
    10016: E.ServerError,
    10001: E.ParameterError,
    10002: E.TimestampError,
    10003: E.InvalidKeyError,
    10004: E.SignatureError,
    10005: E.PermissionDeniedError,
    10006: E.RateLimitError,
    10007: E.PermissionDeniedError,
    10008: E.RestrictedError,
    10009: E.RestrictedError,
    10017: E.RestrictedError,
    10010: E.PermissionDeniedError,
    10018: E.RateLimitError,
    10027: E.RestrictedError,
    10028: E.RestrictedError,
    10029: E.RestrictedError,
    33004: E.KeyExpiredError,
    -2015: E.KeyExpiredError,
    110001: E.OrderNotFoundError,
    110003: E.InvalidOrderError,
    110004: E.InsufficientBalanceError,
    110045: E.InsufficientBalanceError,
    110007: E.InsufficientBalanceError,
    110012: E.InsufficientBalanceError,
    110044: E.InsufficientBalanceError,
    110008: E.OrderClosedError,
    110010: E.OrderClosedError,
    110013: E.PositionError,
    110017: E.InvalidOrderError,
    110020: E.InvalidOrderError,
    110021: E.PositionError,
    110024: E.PositionError,
    110025: E.NotModifiedError,
    110028: E.PositionError,
    110043: E.NotModifiedError,
    110057: E.InvalidOrderError,
    110072: E.DuplicateOrderError,
    110092: E.InvalidOrderError,
    110093: E.InvalidOrderError,
    110094: E.InvalidOrderError,
    34040: E.NotModifiedError,
    170001: E.ServerError,
    170005: E.RateLimitError,
    170115: E.ParameterError,
    170116: E.ParameterError,
    170117: E.ParameterError,
    170121: E.InvalidOrderError,
    170131: E.InsufficientBalanceError,
    170132: E.InvalidOrderError,
    170133: E.InvalidOrderError,
    170134: E.InvalidOrderError,
    170136: E.InvalidOrderError,
    170137: E.InvalidOrderError,
    170139: E.OrderClosedError,
    170140: E.InvalidOrderError,
    170141: E.DuplicateOrderError,
    170142: E.OrderClosedError,
    170193: E.InvalidOrderError,
    170194: E.InvalidOrderError,
    170213: E.OrderNotFoundError,
    170217: E.InvalidOrderError,
    170218: E.InvalidOrderError,
    170222: E.RateLimitError,
    170341: E.InvalidOrderError,
    170381: E.InvalidOrderError,
    10404: E.BybitError,
    10429: E.RateLimitError,
    10019: E.ServerError,
    20001: E.BybitError,
    20003: E.RateLimitError,
    20006: E.DuplicateOrderError,
    10403: E.RateLimitError,
}


@pytest.mark.parametrize("code,cls", sorted(ALL_CODES.items()))
def test_code_maps_to_class(code, cls):
    err = E.error_for(code, "msg")
    assert type(err) is cls
    assert isinstance(err, E.BybitError)
    assert err.ret_code == code and err.ret_msg == "msg"
    assert err.hint and len(err.hint) > 20
    assert f"retCode {code}" in str(err)


def test_unknown_code_is_base_error():
    err = E.error_for(999999, "weird")
    assert type(err) is E.BybitError and err.ret_code == 999999


def test_timestamp_hint_says_by_how_much():
    msg = (
        "invalid request, please check your server timestamp or recv_window param. "
        "req_timestamp[1706972576658],server_timestamp[1706972587026],recv_window[5000]"
    )
    err = E.error_for(10002, msg)
    assert "10368 ms behind" in err.hint
    assert "resync" in err.hint
    ahead = E.error_for(10002, "x req_timestamp[2000],server_timestamp[1000] y")
    assert "1000 ms ahead" in ahead.hint
    again = E.error_for(10002, msg, E.ErrorContext(resynced=True))
    assert "failed again" in again.hint


def test_timestamp_hint_from_measured_offset():
    err = E.error_for(10002, "timestamp error", E.ErrorContext(clock_offset_ms=-30000))
    assert "30000 ms ahead" in err.hint


def test_signature_hint_shows_signed_string_with_key_masked():
    ctx = E.ErrorContext(api_key="my-real-api-key", signed_string="1700000000000my-real-api-key5000category=linear")
    err = E.error_for(10004, "error sign! origin_string[1700000000000my-real-api-key5000category=linear]", ctx)
    text = str(err)
    assert "my-real-api-key" not in text
    assert "1700000000000my-***ey5000category=linear" in text


def test_invalid_key_hint_names_environment():
    err = E.error_for(10003, "API key is invalid.", E.ErrorContext(environment="testnet"))
    assert "on testnet" in err.hint
    assert "only works on the environment that issued it" in err.hint


def test_http_status_errors():
    assert isinstance(E.error_for_http_status(403, "access too frequent"), E.RateLimitError)
    assert "600 requests" in E.error_for_http_status(403, "").hint
    assert isinstance(E.error_for_http_status(503, "down"), E.ServerError)
    assert isinstance(E.error_for_http_status(401, ""), E.AuthError)
    assert E.error_for_http_status(404, "").http_status == 404


def test_errors_pickle_round_trip():
    err = E.error_for(110072, "OrderLinkedID is duplicate")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is E.DuplicateOrderError and back.ret_code == 110072 and back.hint == err.hint


def test_parameter_error_is_value_error_and_names_param():
    err = E.ParameterError("qty must be > 0", param="qty")
    assert isinstance(err, ValueError) and err.param == "qty" and err.ret_code is None


def test_10003_on_the_trade_stream_means_too_many_sessions_not_an_unknown_key():
    """Bybit's v5 error page (https://bybit-exchange.github.io/docs/v5/error) lists 10003 twice: in the
    REST table "API key is invalid. Check whether the key and domain are matched" and in the "WS OE General
    code" table of the WebSocket trade stream "Too many sessions under the same UID". So 10003 is read in
    context: a trade-stream request (its ErrorContext endpoint is the op, e.g. order.create) or a refusal
    that says "session" is TooManySessionsError; a REST call's 10003 stays an unknown key."""
    trade = E.error_for(10003, "Too many sessions under the same UID", E.ErrorContext(endpoint="order.create"))
    assert type(trade) is E.TooManySessionsError and not isinstance(trade, E.InvalidKeyError)
    assert "session" in trade.hint and "not executed" in trade.hint and "key itself is fine" in trade.hint
    assert type(E.error_for(10003, "", E.ErrorContext(endpoint="order.cancel-batch"))) is E.TooManySessionsError
    auth = E.error_for(10003, "Too many sessions under the same UID")  # e.g. the trade stream's auth reply
    assert type(auth) is E.TooManySessionsError and isinstance(auth, E.AuthError)
    rest_ctx = E.ErrorContext(environment="testnet", endpoint="/v5/order/create")
    rest = E.error_for(10003, "API key is invalid.", rest_ctx)
    assert type(rest) is E.InvalidKeyError and "on testnet" in rest.hint


def test_classic_account_140007_is_insufficient_balance_and_1400nn_reads_as_1100nn():
    """Classic (non-unified) accounts answer derivatives orders with 1400NN codes whose rows repeat the
    unified 1100NN ones: 140007 "Insufficient available balance" as 110007 (Bybit's classic contract error
    table, as ccxt keeps it in its Bybit error map, ts/src/bybit.ts; the body is from ccxt issue 18187)."""
    err = E.error_for(140007, "remark:order[49649307 ae68...] fix price failed for CannotAffordOrderCost.")
    assert type(err) is E.InsufficientBalanceError and err.ret_code == 140007
    assert "classic" in err.hint and "balance" in err.hint and "derivatives wallet" in err.hint
    assert type(E.error_for(140001, "Order does not exist")) is E.OrderNotFoundError
    assert type(E.error_for(140043, "Set leverage not modified")) is E.NotModifiedError
    assert type(E.error_for(140099, "?")) is E.BybitError  # beyond the table: nothing is guessed
    assert "classic" not in E.error_for(110007, "Insufficient available balance").hint


def test_10024_compliance_rules_get_a_restriction_hint_in_plain_words():
    """Bybit's v5 error page: 10024 "Compliance rules triggered" (regional / KYC restrictions)."""
    err = E.error_for(10024, "Compliance rules triggered")
    assert type(err) is E.RestrictedError
    assert "compliance" in err.hint and "KYC" in err.hint and "region" in err.hint
    assert "Resending will not help" in err.hint
    assert err.hint != E.RestrictedError.default_hint


def test_a_batch_error_pickles_with_its_result():
    from bybit_widgets.protocol.records import BatchResult

    result = BatchResult.from_wire(
        {"list": [{"orderLinkId": "a"}]}, {"list": [{"code": 110072, "msg": "dup"}]}, "order.create-batch"
    )
    with pytest.raises(E.BatchOrderError) as info:
        result.raise_for_failures()
    back = pickle.loads(pickle.dumps(info.value))
    assert type(back) is E.BatchOrderError and back.failed[0].ret_code == 110072 and back.hint == info.value.hint
    assert isinstance(back.failed[0].error, E.DuplicateOrderError)
