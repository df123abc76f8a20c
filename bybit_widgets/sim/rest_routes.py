"""``/v5/...`` REST: Bybit's gateway rules in front of the engine's endpoint semantics.

Per request, in Bybit's order: the IP limit (HTTP 403), the route (404 for
an unknown path or method), a GET carrying a body (403), injected HTTP faults,
then for signed endpoints the auth headers (401 when missing), key (10003),
recv window (10002) and signature over the raw query or body (10004), the
per-UID budget (10006) and finally the engine. Every signed answer carries
``X-Bapi-Limit``, ``X-Bapi-Limit-Status`` and ``X-Bapi-Limit-Reset-Timestamp``.
The envelope is always ``{"retCode","retMsg","result","retExtInfo","time"}``.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.requests import Request
from starlette.responses import Response

from ..protocol.endpoints import ENDPOINTS
from .auth import verify_rest
from .batch import BATCH_PATHS, run_batch
from .engine.exchange import SimError
from .ratelimit import LimitState
from .reject import Reject

__all__ = ["v5_endpoint", "ROUTES"]

# path -> (method, signed)
ROUTES: dict[str, tuple[str, bool]] = {e.path: (e.method, e.signed) for e in ENDPOINTS.values()}

_HTML_ERROR = "<html><head><title>{0}</title></head><body><center><h1>{0}</h1></center></body></html>"


def _envelope(code: int, msg: str, result: Any, time_ms: int, ext: Any = None) -> bytes:
    return orjson.dumps(
        {
            "retCode": code,
            "retMsg": msg,
            "result": {} if result is None else result,
            "retExtInfo": ext or {},
            "time": time_ms,
        }
    )


def _json(body: bytes, headers: dict[str, str] | None = None, status: int = 200) -> Response:
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def _text(status: int, text: str) -> Response:
    return Response(_HTML_ERROR.format(text), status_code=status, media_type="text/html")


async def _hold(request: Request, core: Any) -> Response:
    """Never answer: wait until the client gives up (disconnects) or the server stops."""

    async def disconnected() -> None:
        while (await request.receive())["type"] != "http.disconnect":
            pass

    waiter = asyncio.ensure_future(disconnected())
    stopper = asyncio.ensure_future(core.stopping.wait())
    try:
        await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (waiter, stopper):
            task.cancel()
    return _text(503, "503 Service Temporarily Unavailable")


def _params(method: str, query: str, body: bytes) -> dict:
    if method == "GET":
        return dict(parse_qsl(query, keep_blank_values=True))
    if not body.strip():
        return {}
    try:
        params = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise Reject(10001, "request body is not valid JSON") from None
    if not isinstance(params, dict):
        raise Reject(10001, "request body must be a JSON object")
    return params


async def v5_endpoint(request: Request) -> Response:
    core = request.app.state.core
    now = core.clock.now_ms()
    ip = request.client.host if request.client else "unknown"
    if not core.ip_limits.hit(ip, now - core.clock.skew_ms):  # limits run on true elapsed time
        return _text(403, "403 Forbidden: access too frequent")
    method = request.method
    if method not in ("GET", "POST"):
        return _text(400, "400 Bad Request")
    path = request.url.path
    route = ROUTES.get(path)
    if route is None or route[0] != method:
        return _text(404, "404 Not Found")
    body = await request.body()
    if method == "GET" and body:
        return _text(403, "403 Forbidden")
    fault = core.faults.take_http(path)
    if fault is not None:
        if fault.kind == "http_error":
            return _text(fault.status, f"{fault.status} Injected Error")
        if fault.kind == "timeout" and not fault.after_processing:
            return await _hold(request, core)
    signed = route[1]
    query = request.scope.get("query_string", b"").decode("utf-8", "replace")
    limit: LimitState | None = None
    ext: Any = None
    try:
        if fault is not None and fault.kind == "rate_limit":
            limit = LimitState(False, core.uid_limits.limit_for(path, None), 0, now + 1000)
            raise Reject(10006, "Too many visits!")
        if not signed:
            result = core.call_public(path, _params(method, query, body))
        else:
            payload = query if method == "GET" else body.decode("utf-8", "replace")
            api_key = verify_rest(request.headers, payload, core.exchange.secret_for, now)
            params = _params(method, query, body)
            if path in BATCH_PATHS:
                result, ext, limit = run_batch(core, api_key, path, params)
            else:
                limit = core.hit_limit(api_key, path, params)
                if limit is not None and not limit.allowed:
                    raise Reject(10006, "Too many visits!")
                result = core.call_private(path, api_key, params)
        code, msg = 0, "OK"
    except Reject as exc:
        if exc.http_status != 200:
            return _json(_envelope(exc.ret_code, exc.ret_msg, None, core.clock.now_ms()), status=exc.http_status)
        code, msg, result = exc.ret_code, exc.ret_msg, None
    except SimError as exc:
        code, msg, result = exc.ret_code, exc.ret_msg, None
    if fault is not None and fault.kind == "timeout":  # after_processing: done, but never answered
        return await _hold(request, core)
    time_ms = core.clock.now_ms()
    headers = {"Timenow": str(time_ms)}
    if limit is not None:
        headers.update(limit.headers())
    return _json(_envelope(code, msg, result, time_ms, ext), headers)
