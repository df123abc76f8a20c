"""One request pipeline for both client faces, written as sans-I/O flows.

A *flow* is a generator that yields actions -- :class:`Request` (send this,
give me the :class:`Response`) or :class:`Sleep` -- and finally returns a
value. Everything that makes a call correct lives here once: parameter
validation, the mainnet guard, clock sync, proactive rate limiting, signing
the exact bytes sent, retries of safe reads, and the no-duplicate order
create. The sync face (``Client``) and the async face (``AsyncClient``) only
drive flows with their own transport and sleep, so they cannot drift apart.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import orjson

from ..protocol.endpoints import (
    BATCH_SINGLE,
    ENDPOINTS,
    Endpoint,
    build_params,
    new_order_link_id,
)
from ..protocol.environments import guard_trading
from ..protocol.errors import (
    AuthError,
    BybitError,
    DuplicateOrderError,
    ErrorContext,
    RateLimitError,
    ServerError,
    TimestampError,
    TransportError,
    error_for,
    error_for_http_status,
)
from ..protocol.limits import client_rate_limit
from ..protocol.raw import raw_endpoint, raw_params
from ..protocol.records import BatchResult
from ..protocol.signing import Credentials, rest_sign_string
from .clock import ServerClock
from .ratelimit import RateLimiter
from .results import decode_result

__all__ = ["Request", "Response", "Sleep", "SendFailed", "Pipeline", "Flow"]

log = logging.getLogger("bybit_widgets.rest")


@dataclass(frozen=True)
class Request:
    method: str
    url: str  # absolute, with the query string exactly as signed
    headers: dict[str, str]
    content: bytes | None = None
    timeout: float | None = None


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]  # lower-case names
    content: bytes
    sent_ms: float  # local clock when the request left
    received_ms: float  # local clock when the answer arrived


@dataclass(frozen=True)
class Sleep:
    seconds: float


class SendFailed(Exception):
    """Thrown into a flow by a driver when no response came back."""

    def __init__(self, kind: str, detail: str) -> None:  # kind: "timeout" | "connect" | "network"
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


Flow = Generator["Request | Sleep", Any, Any]


@dataclass
class RetryPolicy:
    max_attempts: int = 4  # for idempotent reads and for reconciling an order create
    backoff_s: float = 0.25
    backoff_cap_s: float = 4.0
    rate_limit_max_wait_s: float = 10.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        base = min(self.backoff_cap_s, self.backoff_s * (2**attempt))
        return base * (0.5 + self.rng.random())  # full jitter around the base


class Pipeline:
    """Request state shared by every call of one client: credentials, clock, limiter."""

    def __init__(
        self,
        *,
        base_url: str,
        credentials: Credentials | None,
        environment: str,
        recv_window: int = 5000,
        timeout: float = 10.0,
        allow_mainnet_trading: bool = False,
        clock: ServerClock | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        if not isinstance(recv_window, int) or not 1 <= recv_window <= 60_000:
            raise ValueError(f"recv_window must be an int in ms between 1 and 60000, got {recv_window!r}")
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.environment = environment
        self.recv_window = recv_window
        self.timeout = timeout
        self.allow_mainnet_trading = allow_mainnet_trading
        self.clock = clock or ServerClock()
        self.limiter = RateLimiter()
        self.retry = retry or RetryPolicy()

    # -- public entry ------------------------------------------------------------------------------
    def call(self, name: str, kwargs: Mapping[str, Any], extra: Mapping[str, Any] | None = None) -> Flow:
        """Flow for one endpoint call; returns the decoded ``result`` (a typed record)."""
        endpoint = ENDPOINTS[name]
        wire = build_params(endpoint, kwargs, extra)
        self._guard(endpoint)
        if endpoint.name in BATCH_SINGLE:
            body = yield from self._exchange(endpoint, wire, whole=True)
            return BatchResult.from_wire(body.get("result"), body.get("retExtInfo"), endpoint.path).raise_for_failures()
        result = yield from self._send(endpoint, wire)
        return decode_result(name, result, wire)

    def raw(self, method: str, path: str, params: Mapping[str, Any] | None = None) -> Flow:
        """Flow for any v5 endpoint, named by its path, with wire-named ``params``: the raw ``result``.

        Signed, rate-limited and retried as the named methods are (reads retried, an order create
        reconciled by its orderLinkId, nothing else resent); see :func:`raw_endpoint` for the rule
        that decides signing and the mainnet guard of a path the catalogue does not know.
        """
        endpoint = raw_endpoint(method, path)
        wire = raw_params(endpoint, params)
        self._guard(endpoint)
        return (yield from self._send(endpoint, wire))

    def _send(self, endpoint: Endpoint, wire: dict) -> Flow:
        if endpoint.name == "place_order" and "category" in wire and "symbol" in wire:
            wire.setdefault("orderLinkId", new_order_link_id())
            return (yield from self._create_order(endpoint, wire))
        if endpoint.idempotent:
            return (yield from self._with_read_retries(endpoint, wire))
        return (yield from self._exchange(endpoint, wire))

    def sync_clock(self) -> Flow:
        """Measure the server-time offset (half the round trip compensated)."""
        request = Request("GET", f"{self.base_url}/v5/market/time", {}, None, self.timeout)
        response = yield request
        body = self._envelope(response, ENDPOINTS["get_server_time"], None)
        result = body.get("result") or {}
        if result.get("timeNano"):
            server_ms = int(result["timeNano"]) / 1e6
        elif result.get("timeSecond"):
            server_ms = int(result["timeSecond"]) * 1000.0
        else:
            server_ms = float(body["time"])
        self.clock.update(response.sent_ms, response.received_ms, server_ms)
        log.debug("clock synced: offset %.1f ms, rtt %.1f ms", self.clock.offset_ms, self.clock.rtt_ms or 0)
        return self.clock.offset_ms

    def server_now(self) -> Flow:
        """Flow: Bybit's time now, in ms (the clock offset measured first if it has not been)."""
        if not self.clock.synced:
            yield from self._sync_clock_or_transport_error()
        return self.clock.now_ms()

    # -- guards --------------------------------------------------------------------------------------
    def _guard(self, endpoint: Endpoint) -> None:
        if endpoint.signed and self.credentials is None:
            raise AuthError(
                f"{endpoint.name}() needs an API key",
                hint="Pass api_key= and api_secret= (or set BYBIT_API_KEY / BYBIT_API_SECRET). "
                "Market data calls work without keys.",
                endpoint=endpoint.path,
            )
        if endpoint.trading:
            guard_trading(self.environment, self.allow_mainnet_trading, f"{endpoint.name}()", "client", endpoint.path)

    # -- the no-duplicate order create ---------------------------------------------------------------
    def _create_order(self, endpoint: Endpoint, wire: dict) -> Flow:
        """Send a create; after an unanswered attempt, look the order up before resending.

        The orderLinkId is fixed before the first attempt, so the exchange
        itself also refuses a second copy (110072); the lookup turns "no
        answer" into a definite answer without ever creating a twin.
        """
        link_id = wire["orderLinkId"]
        last_error: BybitError | None = None
        for attempt in range(self.retry.max_attempts):
            if attempt:
                found = yield from self._find_order(wire["category"], wire["symbol"], link_id)
                if found is not None:
                    log.info("order %s was created by an unanswered attempt; not resending", link_id)
                    return {"orderId": found.get("orderId", ""), "orderLinkId": link_id}
                yield Sleep(self.retry.delay(attempt - 1))
            try:
                return (yield from self._exchange(endpoint, wire))
            except DuplicateOrderError:
                if attempt == 0:
                    raise  # the user's own orderLinkId was already taken
                found = yield from self._find_order(wire["category"], wire["symbol"], link_id)
                if found is not None:
                    return {"orderId": found.get("orderId", ""), "orderLinkId": link_id}
                raise
            except (TransportError, ServerError) as exc:
                last_error = exc
                log.warning("order create %s got no definite answer (%s); reconciling", link_id, exc.ret_msg)
        assert last_error is not None
        raise TransportError(
            f"order create {link_id} got no answer after {self.retry.max_attempts} attempts: {last_error.ret_msg}",
            hint=f"The order may or may not exist. Check with get_open_orders(category=..., "
            f"order_link_id={link_id!r}) before placing it again.",
            endpoint=endpoint.path,
        )

    def _find_order(self, category: str, symbol: str, link_id: str) -> Flow:
        """The order with this orderLinkId, open or closed, or None; reads are retried."""
        for name in ("get_open_orders", "get_order_history"):
            params = {"category": category, "symbol": symbol, "order_link_id": link_id}
            if name == "get_open_orders":
                params["open_only"] = 0
            result = yield from self._with_read_retries(ENDPOINTS[name], build_params(ENDPOINTS[name], params))
            for item in result.get("list") or ():
                if item.get("orderLinkId") == link_id:
                    return item
        return None

    # -- retries of safe reads -------------------------------------------------------------------------
    def _with_read_retries(self, endpoint: Endpoint, wire: dict) -> Flow:
        for attempt in range(self.retry.max_attempts):
            try:
                return (yield from self._exchange(endpoint, wire))
            except (TransportError, ServerError) as exc:
                if attempt + 1 >= self.retry.max_attempts:
                    raise
                log.info("retrying %s after %s", endpoint.path, exc.ret_msg)
                yield Sleep(self.retry.delay(attempt))
        raise AssertionError("unreachable")

    # -- one logical exchange: clock, limiter, sign, send, decode, 10002/10006 handling --------------
    def _exchange(self, endpoint: Endpoint, wire: dict, whole: bool = False) -> Flow:
        resynced = False
        rate_waited_s = 0.0  # refused requests are safe to resend; bound the total wait, not the count
        while True:
            if endpoint.signed and not self.clock.synced:
                yield from self._sync_clock_or_transport_error()
            key = f"{endpoint.path}:{wire.get('category', '')}"
            wait_ms = self.limiter.reserve(
                key, client_rate_limit(endpoint, wire.get("category")), self.clock.local_ms()
            )
            if wait_ms > 0:
                yield Sleep(wait_ms / 1000.0)
            request, signed_string = self._build(endpoint, wire)
            try:
                response = yield request
            except SendFailed as exc:
                raise TransportError(
                    f"no answer from {self.base_url} ({exc})",
                    hint=_transport_hint(exc, endpoint),
                    endpoint=endpoint.path,
                ) from None
            self.limiter.observe(key, response.headers, self.clock.local_ms(), self.clock.offset_ms)
            ctx = ErrorContext(
                environment=self.environment,
                endpoint=endpoint.path,
                api_key=self.credentials.api_key if self.credentials else None,
                signed_string=signed_string,
                clock_offset_ms=int(self.clock.offset_ms),
                resynced=resynced,
            )
            try:
                body = self._envelope(response, endpoint, ctx)
            except TimestampError:
                if resynced:
                    raise
                resynced = True
                self.clock.invalidate()
                log.warning("10002 on %s: resyncing the clock and retrying once", endpoint.path)
                continue
            except RateLimitError as exc:
                wait_s = self._rate_limit_wait(exc, response)
                if wait_s is None or rate_waited_s + wait_s > self.retry.rate_limit_max_wait_s:
                    raise
                rate_waited_s += wait_s
                self.limiter.block_until(key, self.clock.local_ms() + wait_s * 1000)
                log.info("rate limited on %s; waiting %.2f s", endpoint.path, wait_s)
                yield Sleep(wait_s)
                continue
            return body if whole else body.get("result") or {}

    def _sync_clock_or_transport_error(self) -> Flow:
        try:
            yield from self.sync_clock()
        except SendFailed as exc:
            raise TransportError(f"no answer from {self.base_url} ({exc})", endpoint="/v5/market/time") from None

    def _rate_limit_wait(self, exc: RateLimitError, response: Response) -> float | None:
        reset = response.headers.get("x-bapi-limit-reset-timestamp")
        if reset is None:
            return None if exc.http_status == 403 else 1.0
        wait = (int(reset) - self.clock.now_ms()) / 1000.0 + 0.005
        wait = max(wait, 0.005)
        return wait if wait <= self.retry.rate_limit_max_wait_s else None

    def _build(self, endpoint: Endpoint, wire: dict) -> tuple[Request, str | None]:
        headers: dict[str, str] = {}
        url = self.base_url + endpoint.path
        if endpoint.method == "GET":
            payload = urlencode(wire, quote_via=quote, safe=",") if wire else ""
            if payload:
                url = f"{url}?{payload}"
            content = None
        else:
            content = orjson.dumps(wire)
            payload = content.decode()
            headers["Content-Type"] = "application/json"
        signed_string = None
        if endpoint.signed:
            assert self.credentials is not None
            timestamp = self.clock.now_ms()
            signed_string = rest_sign_string(timestamp, self.credentials.api_key, self.recv_window, payload)
            headers.update(
                {
                    "X-BAPI-API-KEY": self.credentials.api_key,
                    "X-BAPI-TIMESTAMP": str(timestamp),
                    "X-BAPI-RECV-WINDOW": str(self.recv_window),
                    "X-BAPI-SIGN": self.credentials.sign(signed_string),
                }
            )
        return Request(endpoint.method, url, headers, content, self.timeout), signed_string

    def _envelope(self, response: Response, endpoint: Endpoint, ctx: ErrorContext | None) -> dict:
        ctx = ctx or ErrorContext(environment=self.environment, endpoint=endpoint.path)
        text = response.content.decode("utf-8", "replace")
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            body = None
        if response.status != 200 and not (isinstance(body, dict) and "retCode" in body):
            raise error_for_http_status(response.status, text, ctx)
        if not isinstance(body, dict) or "retCode" not in body:
            raise ServerError(f"unexpected answer (HTTP {response.status}): {text[:160]!r}", endpoint=endpoint.path)
        code = body.get("retCode")
        if code != 0:
            error = error_for(int(code), str(body.get("retMsg", "")), ctx)
            if isinstance(error, RateLimitError):
                error.http_status = response.status
            raise error
        return body


def _transport_hint(exc: SendFailed, endpoint: Endpoint) -> str:
    if exc.kind == "connect":
        return "Could not connect. Is the base URL right, and is the server (or the simulator) running?"
    if endpoint.idempotent:
        return "The server did not answer in time; this read was retried and still failed. Check the network."
    return "The server did not answer in time; the request may or may not have been applied. Check its state."
