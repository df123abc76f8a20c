"""Verification of Bybit v5 signatures, exactly as the exchange checks them.

REST signs ``timestamp + api_key + recv_window + payload`` where the payload is
the raw query string (GET) or the raw body (POST): the server verifies those
very bytes and never a re-serialisation, so a client that signs one string
and sends another is caught, as on Bybit. WebSocket auth signs
``"GET/realtime" + expires``.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping

from ..protocol.signing import hmac_sha256_hex, mask_key, rest_sign_string, ws_auth_string
from .reject import Reject

__all__ = ["verify_rest", "check_timestamp", "verify_ws_auth", "DEFAULT_RECV_WINDOW"]

DEFAULT_RECV_WINDOW = 5000
_FUTURE_TOLERANCE_MS = 1000  # a request may be stamped up to 1 s ahead of the server clock

SecretLookup = Callable[[str], "str | None"]


def _int_header(value: str, name: str) -> int:
    text = value.strip()
    if not text.isdigit():
        raise Reject(10001, f"invalid {name} header: {value!r} is not a whole number of milliseconds")
    return int(text)


def check_timestamp(timestamp: int, recv_window: int, server_ms: int) -> None:
    """Bybit's rule ``server - recv_window <= timestamp < server + 1000``, else 10002."""
    if not (server_ms - recv_window <= timestamp < server_ms + _FUTURE_TOLERANCE_MS):
        raise Reject(
            10002,
            "invalid request, please check your server timestamp or recv_window param. "
            f"req_timestamp[{timestamp}],server_timestamp[{server_ms}],recv_window[{recv_window}]",
        )


def verify_rest(headers: Mapping[str, str], payload: str, secret_for: SecretLookup, server_ms: int) -> str:
    """Check the auth headers of a signed REST call; return the API key or raise :class:`Reject`.

    Order of checks follows Bybit's gateway: headers present (else HTTP 401),
    key known (10003), timestamp inside the window (10002), signature (10004).
    """
    api_key = headers.get("x-bapi-api-key")
    timestamp_text = headers.get("x-bapi-timestamp")
    sign = headers.get("x-bapi-sign")
    missing = [
        name
        for name, value in (("X-BAPI-API-KEY", api_key), ("X-BAPI-TIMESTAMP", timestamp_text), ("X-BAPI-SIGN", sign))
        if not value
    ]
    if missing:
        raise Reject(10003, f"missing authentication header(s): {', '.join(missing)}", http_status=401)
    assert api_key is not None and timestamp_text is not None and sign is not None
    secret = secret_for(api_key)
    if secret is None:
        raise Reject(10003, "API key is invalid.")
    recv_text = headers.get("x-bapi-recv-window")
    recv_window = _int_header(recv_text, "X-BAPI-RECV-WINDOW") if recv_text else DEFAULT_RECV_WINDOW
    timestamp = _int_header(timestamp_text, "X-BAPI-TIMESTAMP")
    check_timestamp(timestamp, recv_window, server_ms)
    # The client signs the header text it sent (recv_window omitted -> Bybit signs its default).
    recv_signed = recv_text if recv_text else str(DEFAULT_RECV_WINDOW)
    expected = hmac_sha256_hex(secret, rest_sign_string(timestamp_text, api_key, recv_signed, payload))
    if not hmac.compare_digest(expected, sign.strip().lower()):
        shown = rest_sign_string(timestamp_text, mask_key(api_key), recv_signed, payload)
        raise Reject(10004, f"error sign! origin_string[{shown}]")
    return api_key


def verify_ws_auth(args: object, secret_for: SecretLookup, server_ms: int) -> str:
    """Check ``{"op":"auth","args":[key, expires, signature]}``; return the key or raise :class:`Reject`.

    ``expires`` must lie in the future; the reject code is 10001 for malformed
    args or an expired stamp, 10003 for an unknown key and 10004 for a bad
    signature (the private stream shows them all as ``Params Error``, as Bybit).
    """
    if not isinstance(args, list) or len(args) != 3:
        raise Reject(10001, "auth args must be [api_key, expires, signature]")
    api_key, expires, sign = args
    if not isinstance(api_key, str) or not isinstance(sign, str):
        raise Reject(10001, "auth api_key and signature must be strings")
    if isinstance(expires, bool) or not isinstance(expires, (int, str)) or not str(expires).isdigit():
        raise Reject(10001, f"auth expires must be a timestamp in ms, got {expires!r}")
    expires_ms = int(expires)
    if expires_ms <= server_ms:
        raise Reject(10001, f"auth expired: expires[{expires_ms}] <= server_timestamp[{server_ms}]")
    secret = secret_for(api_key)
    if secret is None:
        raise Reject(10003, "API key is invalid.")
    expected = hmac_sha256_hex(secret, ws_auth_string(expires))
    if not hmac.compare_digest(expected, sign.strip().lower()):
        raise Reject(10004, f"error sign! origin_string[{ws_auth_string(expires)}]")
    return api_key
