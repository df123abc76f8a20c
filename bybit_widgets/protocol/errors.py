"""Bybit error codes mapped to exception classes with plain-words hints.

Every non-zero ``retCode`` becomes a :class:`BybitError` subclass carrying
``ret_code`` and ``ret_msg`` plus a ``hint``: what happened and what to do.
The mapping is pure; the REST client and the streams pass an
:class:`ErrorContext` so hints can name the environment, the clock offset or
the string that was signed (with the key masked and never the secret).

A code is read in its context where Bybit gives one number two meanings:
10003 is "API key is invalid" over REST but "too many sessions under the
same UID" on the WebSocket trade stream (Bybit's v5 error page, table "WS OE
General code"). Classic (non-unified) accounts answer derivatives calls with
``1400NN`` codes that mean what ``1100NN`` means for a unified account
(140007 = 110007, insufficient available balance), so they map to the same
classes with a hint that names the classic account.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .signing import mask_key

__all__ = [
    "BybitError",
    "ParameterError",
    "TimestampError",
    "AuthError",
    "InvalidKeyError",
    "SignatureError",
    "PermissionDeniedError",
    "KeyExpiredError",
    "TooManySessionsError",
    "RateLimitError",
    "InsufficientBalanceError",
    "InvalidOrderError",
    "DuplicateOrderError",
    "OrderNotFoundError",
    "OrderClosedError",
    "NotModifiedError",
    "PositionError",
    "RestrictedError",
    "ServerError",
    "TransportError",
    "MainnetGuardError",
    "BatchOrderError",
    "ErrorContext",
    "WS_TRADE_OPS",
    "error_for",
    "error_class",
    "error_for_http_status",
    "ERROR_CLASSES",
]


# The requests of the WebSocket trade stream (/v5/trade); an error context whose endpoint is one of
# these comes from that stream, which gives some codes another meaning (see the module docstring).
WS_TRADE_OPS = (
    "order.create",
    "order.amend",
    "order.cancel",
    "order.create-batch",
    "order.amend-batch",
    "order.cancel-batch",
)


@dataclass(frozen=True)
class ErrorContext:
    """What the caller knows that makes a hint concrete. Never holds a secret."""

    environment: str | None = None
    endpoint: str | None = None  # the REST path, or the trade-stream op (order.create, ...) on /v5/trade
    api_key: str | None = None
    signed_string: str | None = None  # the exact text the client signed
    clock_offset_ms: int | None = None  # server - local, as the client measured it
    resynced: bool = False  # the client already resynced its clock after this error

    @property
    def on_trade_stream(self) -> bool:
        """True for a request of the WebSocket trade stream (its endpoint is an op such as order.create)."""
        return self.endpoint in WS_TRADE_OPS


class BybitError(Exception):
    """A request Bybit (or the client, before sending) refused.

    ``ret_code`` is Bybit's retCode (``None`` for errors raised before any
    request), ``ret_msg`` its message, ``hint`` plain words on what to do.
    """

    default_hint = "Bybit refused the request; see ret_msg for the reason."

    def __init__(
        self,
        ret_msg: str,
        ret_code: int | None = None,
        *,
        hint: str | None = None,
        endpoint: str | None = None,
        http_status: int | None = None,
    ) -> None:
        self.ret_code = ret_code
        self.ret_msg = ret_msg
        self.hint = hint if hint is not None else self.default_hint
        self.endpoint = endpoint
        self.http_status = http_status
        super().__init__(self._text())

    def _text(self) -> str:
        head = self.ret_msg or type(self).__name__
        where = f" on {self.endpoint}" if self.endpoint else ""
        code = f" (retCode {self.ret_code})" if self.ret_code is not None else ""
        return f"{head}{code}{where}. {self.hint}".strip()

    @classmethod
    def build_hint(cls, ret_code: int | None, ret_msg: str, ctx: ErrorContext) -> str:
        return cls.default_hint

    def __reduce__(self):  # keep pickling (e.g. across processes) working with kw-only args
        return (_rebuild, (type(self), self.ret_msg, self.ret_code, self.hint, self.endpoint, self.http_status))


def _rebuild(cls, ret_msg, ret_code, hint, endpoint, http_status):
    return cls(ret_msg, ret_code, hint=hint, endpoint=endpoint, http_status=http_status)


class ParameterError(BybitError, ValueError):
    """A parameter is missing or invalid (retCode 10001, or caught before sending)."""

    default_hint = "Check the parameter named in the message against the Bybit v5 docs."

    def __init__(self, ret_msg: str, ret_code: int | None = None, *, param: str | None = None, **kw) -> None:
        self.param = param
        super().__init__(ret_msg, ret_code, **kw)


class TimestampError(BybitError):
    """The request's timestamp was outside the recv window (retCode 10002)."""

    default_hint = (
        "Your computer's clock differs from Bybit's. The client measures the offset from "
        "/v5/market/time and signs with corrected time; if this persists, sync your system clock (NTP)."
    )

    @classmethod
    def build_hint(cls, ret_code, ret_msg, ctx):
        req = _bracketed(ret_msg, "req_timestamp")
        srv = _bracketed(ret_msg, "server_timestamp")
        if req is not None and srv is not None:
            diff = req - srv
            direction = "ahead of" if diff > 0 else "behind"
            lead = f"The request's timestamp was {abs(diff)} ms {direction} Bybit's clock."
        elif ctx.clock_offset_ms is not None:
            direction = "behind" if ctx.clock_offset_ms > 0 else "ahead of"
            lead = f"Your clock was measured {abs(ctx.clock_offset_ms)} ms {direction} Bybit's."
        else:
            lead = "The request's timestamp was outside Bybit's recv window."
        if ctx.resynced:
            tail = (
                " The client resynced its clock from /v5/market/time and retried once; it failed again, "
                "so the clock is moving (sleep/resume, NTP step). Sync your system clock and retry."
            )
        else:
            tail = " The client resyncs its clock from /v5/market/time and retries once automatically."
        return lead + tail


class AuthError(BybitError):
    """Authentication failed: key, signature, permission or expiry."""

    default_hint = "Check the API key and secret and which environment they belong to."


class InvalidKeyError(AuthError):
    default_hint = "The API key is not known here."

    @classmethod
    def build_hint(cls, ret_code, ret_msg, ctx):
        env = ctx.environment or "this environment"
        return (
            f"The API key is not known on {env}. A key only works on the environment that issued it: "
            "testnet keys on testnet, demo-trading keys on demo, mainnet keys on mainnet. "
            "Check bw.connect(env=...) or create a key on the right site."
        )


class SignatureError(AuthError):
    default_hint = "The signature did not match: check the API secret."

    @classmethod
    def build_hint(cls, ret_code, ret_msg, ctx):
        hint = "The signature did not match. Most often the API secret is wrong or has extra spaces."
        if ctx.signed_string is not None:
            shown = ctx.signed_string
            if ctx.api_key:
                shown = shown.replace(ctx.api_key, mask_key(ctx.api_key))
            hint += f" The client signed exactly: {shown!r} (timestamp + api_key + recv_window + payload)."
        return hint


class PermissionDeniedError(AuthError):
    default_hint = (
        "This key lacks the permission (or the request IP is not whitelisted). "
        "Run client.check_credentials() to see what the key may do."
    )


class KeyExpiredError(AuthError):
    default_hint = "The API key has expired. Create a new key in the Bybit API management page."


class TooManySessionsError(AuthError):
    """The trade stream refused the session: the account (UID) has too many trade sessions open (10003 there).

    An :class:`AuthError` because the session, not the request, is refused (a stream's auth step
    raises it as such); the key itself is fine.
    """

    default_hint = (
        "Bybit limits how many WebSocket trade sessions (/v5/trade) one account (UID) may have open, and "
        "this one was refused because of the others: other scripts, notebooks or kernels still connected "
        "with a key of this account. Close them (streams.close()) or share one StreamManager. The request "
        "was not executed; the key itself is fine."
    )


class RateLimitError(BybitError):
    """Too many requests (retCode 10006 and friends, or HTTP 403/429)."""

    default_hint = (
        "Too many requests. The client waits until the limit resets and retries; if you see this, slow down your loop."
    )

    def __init__(self, *args, reset_at_ms: int | None = None, **kw) -> None:
        self.reset_at_ms = reset_at_ms
        super().__init__(*args, **kw)


class InsufficientBalanceError(BybitError):
    default_hint = "Not enough available balance or margin for this order: reduce qty or leverage, or add funds."

    @classmethod
    def build_hint(cls, ret_code, ret_msg, ctx):
        if ret_code is not None and _classic_twin(ret_code) is not None:
            return (
                "Not enough available balance in this classic (non-unified) account's derivatives wallet for "
                "this order. A classic account keeps separate wallets: transfer funds to the derivatives wallet, "
                "reduce qty or leverage, or upgrade to the Unified Trading Account."
            )
        return cls.default_hint


class InvalidOrderError(BybitError):
    default_hint = "The order breaks an instrument or order rule; check price, qty and their steps."


class DuplicateOrderError(InvalidOrderError):
    default_hint = "An order with this orderLinkId already exists; orderLinkId must be unique."


class OrderNotFoundError(BybitError):
    default_hint = "No such order (or it is already gone). Check orderId / orderLinkId and category."


class OrderClosedError(BybitError):
    default_hint = "The order is already filled or cancelled, so it cannot be changed."


class NotModifiedError(BybitError):
    default_hint = "Nothing changed: the value is already set."


class PositionError(BybitError):
    default_hint = "The position's state does not allow this (mode, open orders or risk limit)."


class RestrictedError(BybitError):
    default_hint = "This account, region or endpoint is restricted for this key."

    @classmethod
    def build_hint(cls, ret_code, ret_msg, ctx):
        if ret_code == 10024:
            return (
                "Bybit's compliance rules blocked this request: the account's identity verification (KYC) "
                "level or its region (where it is registered, or the IP it calls from) does not allow this "
                "product. Resending will not help; check the account's verification and region on bybit.com."
            )
        return cls.default_hint


class ServerError(BybitError):
    default_hint = "Bybit had an internal error or timeout. Safe reads are retried; check order state before resending."


class TransportError(BybitError):
    """The request never got an answer: connection refused, reset, or timed out."""

    default_hint = "No answer from the server. Check the network or the base URL; reads are retried automatically."


class MainnetGuardError(BybitError):
    """A trading call on mainnet without the explicit opt-in."""

    default_hint = "Trading on mainnet needs bw.connect('mainnet', allow_mainnet_trading=True)."


class BatchOrderError(BybitError):
    """Bybit accepted a batch (retCode 0) but refused some of its orders, each with its own code.

    ``result`` is the whole batch (a ``BatchResult``, in request order: the order ids of
    the orders that were placed), ``failed`` its refused items, each with its ``error``.
    """

    default_hint = (
        "Bybit accepted the batch but refused some of its orders, each for its own reason. error.failed "
        "lists each refused order with its own error and hint, error.result every order in request order."
    )

    def __init__(self, ret_msg: str, ret_code: int | None = None, *, result: object = None, **kw) -> None:
        self.result = result
        super().__init__(ret_msg, ret_code, **kw)

    @property
    def failed(self) -> list:
        """The refused items of the batch."""
        return list(getattr(self.result, "failed", ()))

    def __reduce__(self):  # the result travels with the error
        return (_rebuild_batch, (self.ret_msg, self.ret_code, self.hint, self.endpoint, self.result))


def _rebuild_batch(ret_msg, ret_code, hint, endpoint, result):
    return BatchOrderError(ret_msg, ret_code, hint=hint, endpoint=endpoint, result=result)


ERROR_CLASSES: dict[int, type[BybitError]] = {}


def _register(cls: type[BybitError], *codes: int) -> None:
    for code in codes:
        ERROR_CLASSES[code] = cls


_register(TimestampError, 10002, -1)
_register(ParameterError, 10001, 170115, 170116, 170117)
_register(InvalidKeyError, 10003)
_register(SignatureError, 10004)
_register(PermissionDeniedError, 10005, 10007, 10010)
_register(KeyExpiredError, 33004, -2015)
_register(RateLimitError, 10006, 10018, 170005, 170222, 10429, 20003, 10403)
_register(InsufficientBalanceError, 110004, 110045, 110007, 110012, 110044, 170131)
_register(
    InvalidOrderError,
    110003,
    110017,
    110020,
    110057,
    110092,
    110093,
    110094,
    170121,
    170132,
    170133,
    170134,
    170136,
    170137,
    170140,
    170193,
    170194,
    170217,
    170218,
    170341,
    170381,
)
_register(DuplicateOrderError, 110072, 170141, 20006)
_register(OrderNotFoundError, 110001, 170213)
_register(OrderClosedError, 110008, 110010, 170139, 170142)
_register(NotModifiedError, 110025, 110043, 34040)
_register(PositionError, 110013, 110021, 110024, 110028)
_register(RestrictedError, 10008, 10009, 10017, 10024, 10027, 10028, 10029)
_register(ServerError, 10000, 10016, 10019, 170001)


def error_for(ret_code: int, ret_msg: str, ctx: ErrorContext | None = None) -> BybitError:
    """The exception for a non-zero retCode, with a hint built from ``ctx``."""
    ctx = ctx or ErrorContext()
    msg = _scrub(ret_msg, ctx)
    cls = error_class(ret_code, msg, ctx)
    return cls(msg, ret_code, hint=cls.build_hint(ret_code, msg, ctx), endpoint=ctx.endpoint)


def error_class(ret_code: int, ret_msg: str = "", ctx: ErrorContext | None = None) -> type[BybitError]:
    """The class for a retCode read in its context (see the module docstring).

    10003 on the trade stream -- a request there (``ctx.endpoint`` is its op) or a refusal that says
    so ("Too many sessions under the same UID") -- is :class:`TooManySessionsError`; elsewhere it is an
    unknown key. A classic account's ``1400NN`` takes the class of its unified twin ``1100NN``.
    """
    if ret_code == 10003 and ((ctx is not None and ctx.on_trade_stream) or "session" in ret_msg.lower()):
        return TooManySessionsError
    cls = ERROR_CLASSES.get(ret_code)
    if cls is None:
        twin = _classic_twin(ret_code)
        cls = ERROR_CLASSES.get(twin) if twin is not None else None
    return cls or BybitError


def _classic_twin(ret_code: int) -> int | None:
    """The unified account's code for a classic account's derivatives code (1400NN -> 1100NN), else None.

    The 140001-140070 rows of Bybit's classic-account table carry the descriptions of 110001-110070
    (as ccxt's Bybit error map, ts/src/bybit.ts, records them: 140007 "Insufficient available balance").
    """
    return ret_code - 30_000 if 140_001 <= ret_code <= 140_070 else None


def error_for_http_status(status: int, body: str, ctx: ErrorContext | None = None) -> BybitError:
    """Errors Bybit signals with an HTTP status instead of a retCode envelope."""
    ctx = ctx or ErrorContext()
    snippet = _scrub(body.strip()[:200], ctx)
    if status == 403:
        return RateLimitError(
            f"HTTP 403 {snippet}".strip(),
            hint=(
                "Bybit blocked this IP: more than 600 requests in 5 s (it lifts after about 10 minutes), "
                "a GET sent with a body, or a restricted region."
            ),
            endpoint=ctx.endpoint,
            http_status=status,
        )
    if status == 429:
        return RateLimitError(
            f"HTTP 429 {snippet}".strip(),
            hint="Bybit's system protection is shedding load; retry after a short pause.",
            endpoint=ctx.endpoint,
            http_status=status,
        )
    if status == 401:
        return AuthError(
            f"HTTP 401 {snippet}".strip(),
            hint="Auth headers were missing or the key is for another host; check the environment.",
            endpoint=ctx.endpoint,
            http_status=status,
        )
    if status == 404:
        return BybitError(
            f"HTTP 404 {snippet}".strip(),
            hint="No such path here, or the category is not allowed for this account; check base_url and category.",
            endpoint=ctx.endpoint,
            http_status=status,
        )
    if status >= 500:
        return ServerError(f"HTTP {status} {snippet}".strip(), endpoint=ctx.endpoint, http_status=status)
    return BybitError(f"HTTP {status} {snippet}".strip(), endpoint=ctx.endpoint, http_status=status)


def _bracketed(text: str, name: str) -> int | None:
    m = re.search(rf"{name}\[(\d+)\]", text)
    return int(m.group(1)) if m else None


def _scrub(text: str, ctx: ErrorContext) -> str:
    """Mask the API key wherever a server message echoes it."""
    if ctx.api_key and ctx.api_key in text:
        text = text.replace(ctx.api_key, mask_key(ctx.api_key))
    return text
