"""``/sim/...``: fault injection, market pause and ground truth (never part of Bybit's API).

JSON in, JSON out. A malformed request gets HTTP 400 with ``{"error": ...}``
naming the problem; an unknown account 404. The same operations exist as
methods on the object :func:`bybit_widgets.sim.run` returns.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

__all__ = ["control_routes"]


def _ok(obj: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(obj), status_code=status, media_type="application/json")


def _error(status: int, message: str) -> Response:
    return _ok({"error": message}, status)


async def _json_body(request: Request) -> Any:
    body = await request.body()
    try:
        return orjson.loads(body) if body.strip() else {}
    except orjson.JSONDecodeError:
        raise ValueError("the body must be JSON") from None


async def faults(request: Request) -> Response:
    core = request.app.state.core
    if request.method == "GET":
        return _ok({"faults": core.faults.describe(), "clock_skew_ms": core.clock.skew_ms})
    if request.method == "DELETE":
        core.clear_faults()
        return _ok({"ok": True})
    try:
        return _ok({"ok": True, "fault": core.apply_fault(await _json_body(request))})
    except ValueError as exc:
        return _error(400, str(exc))


async def market(request: Request) -> Response:
    core = request.app.state.core
    if request.method == "POST":
        try:
            body = await _json_body(request)
        except ValueError as exc:
            return _error(400, str(exc))
        paused = body.get("paused") if isinstance(body, dict) else None
        if not isinstance(paused, bool) or set(body) != {"paused"}:
            return _error(400, 'expected {"paused": true} or {"paused": false}')
        core.set_paused(paused)
    return _ok(core.status())


async def accounts(request: Request) -> Response:
    core = request.app.state.core
    try:
        body = await _json_body(request)
        if (
            not isinstance(body, dict)
            or not {"api_key", "api_secret"} <= set(body)
            or set(body) - {"api_key", "api_secret", "balance", "fee_rates"}
        ):
            raise ValueError('expected {"api_key": ..., "api_secret": ..., "balance": optional, "fee_rates": optional}')
        return _ok(core.add_account(body["api_key"], body["api_secret"], body.get("balance"), body.get("fee_rates")))
    except ValueError as exc:
        return _error(400, str(exc))


async def truth_book(request: Request) -> Response:
    core = request.app.state.core
    q = request.query_params
    depth_text = q.get("depth", "50")
    if not depth_text.isdigit():
        return _error(400, f"depth must be a whole number, got {depth_text!r}")
    try:
        return _ok(core.truth_book(q.get("category", "linear"), q.get("symbol", ""), int(depth_text)))
    except ValueError as exc:
        return _error(400, str(exc))


def _truth(getter: str) -> Any:
    async def endpoint(request: Request) -> Response:
        core = request.app.state.core
        try:
            return _ok(getattr(core, getter)(request.query_params.get("api_key")))
        except LookupError as exc:
            return _error(404, str(exc))

    return endpoint


async def funding(request: Request) -> Response:
    core = request.app.state.core
    try:
        return _ok(core.settle_funding(await _json_body(request)))
    except ValueError as exc:
        return _error(400, str(exc))


async def replay(request: Request) -> Response:
    core = request.app.state.core
    try:
        if request.method == "GET":
            return _ok(core.replay_status())
        return _ok(core.replay_control(await _json_body(request)))
    except ValueError as exc:
        return _error(400, str(exc))


def control_routes() -> list[Route]:
    return [
        Route("/sim/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/sim/market", market, methods=["GET", "POST"]),
        Route("/sim/accounts", accounts, methods=["POST"]),
        Route("/sim/funding", funding, methods=["POST"]),
        Route("/sim/replay", replay, methods=["GET", "POST"]),
        Route("/sim/truth/book", truth_book, methods=["GET"]),
        Route("/sim/truth/orders", _truth("truth_orders"), methods=["GET"]),
        Route("/sim/truth/positions", _truth("truth_positions"), methods=["GET"]),
        Route("/sim/truth/wallet", _truth("truth_wallet"), methods=["GET"]),
    ]
