"""Batch order entry (``/v5/order/{create,amend,cancel}-batch`` and the WS-trade ``*-batch`` ops).

Each order of a batch is its own request to the engine and spends one unit
of the batch budget; orders beyond the budget fail individually with 10006,
as on Bybit. Results come back per item in ``list`` with ``{code, msg}`` in
``retExtInfo.list``, in request order.
"""

from __future__ import annotations

from typing import Any

from ..protocol.endpoints import BATCH_MAX_ORDERS, BATCH_SINGLE, ENDPOINTS
from ..protocol.topics import CATEGORIES
from .engine.exchange import SimError
from .ratelimit import LimitState
from .reject import Reject

__all__ = ["BATCH_PATHS", "run_batch"]

BATCH_PATHS = {ENDPOINTS[batch].path: ENDPOINTS[single].path for batch, single in BATCH_SINGLE.items()}


def run_batch(core: Any, api_key: str, batch_path: str, params: Any) -> tuple[dict, dict, LimitState | None]:
    """Run every order of a batch; return ``(result, retExtInfo, last limit state)``. Bad shape -> 10001."""
    if not isinstance(params, dict):
        raise Reject(10001, "the batch request must be a JSON object")
    category = params.get("category")
    requests = params.get("request")
    if category not in CATEGORIES:
        raise Reject(10001, f"category must be one of {', '.join(CATEGORIES)}, got {category!r}")
    limit = BATCH_MAX_ORDERS[category]
    if (
        not isinstance(requests, list)
        or not 1 <= len(requests) <= limit
        or not all(isinstance(r, dict) for r in requests)
    ):
        raise Reject(10001, f"request must be a list of 1 to {limit} order objects for {category}")
    single = BATCH_PATHS[batch_path]
    create = single.endswith("/create")
    items: list[dict[str, Any]] = []
    codes: list[dict[str, Any]] = []
    state: LimitState | None = None
    for request in requests:
        state = core.hit_limit(api_key, batch_path, params)
        result: dict[str, Any] = {}
        if state is not None and not state.allowed:
            code, msg = 10006, "Too many visits!"
        else:
            try:
                result = core.call_private(single, api_key, {"category": category, **request}) or {}
                code, msg = 0, "OK"
            except (SimError, Reject) as exc:
                code, msg = exc.ret_code, exc.ret_msg
        item = {
            "category": category,
            "symbol": request.get("symbol", ""),
            "orderId": result.get("orderId", ""),
            "orderLinkId": result.get("orderLinkId", request.get("orderLinkId", "")),
        }
        if create:
            item["createAt"] = str(core.clock.now_ms()) if code == 0 else ""
        items.append(item)
        codes.append({"code": code, "msg": msg})
    return {"list": items}, {"list": codes}, state
