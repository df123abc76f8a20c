"""Fault injection: what can go wrong between a client and Bybit, on demand.

A fault is parsed from the JSON of ``POST /sim/faults`` (or the same keywords
from Python) into a :class:`Fault`, validated strictly so that a typo never
silently injects nothing. The :class:`FaultBoard` holds the pending ones; the
transports consult it at the exact point where the fault acts (HTTP routing,
the push of one topic, the writer of one connection). ``drop`` and
``clock_skew`` act at once and are applied by the server core, not stored.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from ..protocol.topics import TopicError, parse_topic

__all__ = ["Fault", "FaultBoard", "parse_fault", "TARGETS", "TOPIC_KINDS", "HTTP_KINDS"]

TARGETS = ("public", "private", "trade", "all")
TOPIC_KINDS = ("gap", "duplicate", "reorder", "reset")
HTTP_KINDS = ("http_error", "timeout", "rate_limit")
_KINDS = ("drop", "silence", *TOPIC_KINDS, *HTTP_KINDS, "clock_skew")
_FIELDS = {
    "drop": {"target"},
    "silence": {"target", "seconds"},
    **{k: {"topic", "category"} for k in TOPIC_KINDS},
    "http_error": {"path", "status", "count"},
    "timeout": {"path", "count", "after_processing"},
    "rate_limit": {"path", "count"},
    "clock_skew": {"ms"},
}


@dataclass
class Fault:
    kind: str
    target: str = "all"
    seconds: float = 0.0
    topic: str = ""
    category: str | None = None
    path: str = ""
    status: int = 503
    count: int = 1
    after_processing: bool = False
    ms: int = 0

    def describe(self) -> dict[str, Any]:
        keep = _FIELDS[self.kind]
        return {"kind": self.kind, **{k: v for k, v in asdict(self).items() if k in keep}}


def _int(spec: Mapping[str, Any], name: str, default: int, lo: int, hi: int) -> int:
    value = spec.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValueError(f"fault field {name!r} must be an integer in [{lo}, {hi}], got {value!r}")
    return value


def parse_fault(spec: Mapping[str, Any]) -> Fault:
    """Validate one fault description; raise ``ValueError`` naming the bad field."""
    if not isinstance(spec, Mapping):
        raise ValueError(f"a fault must be a JSON object, got {type(spec).__name__}")
    kind = spec.get("kind")
    if kind not in _KINDS:
        raise ValueError(f"fault kind must be one of {', '.join(_KINDS)}, got {kind!r}")
    unknown = set(spec) - _FIELDS[kind] - {"kind"}
    if unknown:
        raise ValueError(f"fault {kind!r} takes {sorted(_FIELDS[kind])}, not {sorted(unknown)}")
    fault = Fault(kind)
    if kind in ("drop", "silence"):
        fault.target = spec.get("target", "all")
        if fault.target not in TARGETS:
            raise ValueError(f"fault target must be one of {', '.join(TARGETS)}, got {fault.target!r}")
    if kind == "silence":
        seconds = spec.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 < seconds <= 3600:
            raise ValueError(f"silence needs 'seconds' in (0, 3600], got {seconds!r}")
        fault.seconds = float(seconds)
    elif kind in TOPIC_KINDS:
        topic = spec.get("topic")
        category = spec.get("category")
        if category is not None and category not in ("linear", "spot"):
            raise ValueError(f"fault category must be 'linear' or 'spot', got {category!r}")
        try:
            parsed = parse_topic(topic, category)  # type: ignore[arg-type]
        except TopicError as exc:
            raise ValueError(f"fault topic: {exc.ret_msg}") from None
        if parsed.kind != "orderbook":
            raise ValueError(f"{kind} acts on order book topics (orderbook.N.SYMBOL), got {topic!r}")
        if parsed.depth == 1 and kind in ("duplicate", "reorder"):
            raise ValueError(f"{kind} acts on deltas; orderbook.1 sends snapshots only, got {topic!r}")
        fault.topic, fault.category = parsed.name, category
    elif kind in HTTP_KINDS:
        path = spec.get("path")
        if not isinstance(path, str) or not path.startswith("/v5/"):
            raise ValueError(f"{kind} needs a 'path' such as '/v5/order/create', got {path!r}")
        fault.path = path
        fault.count = _int(spec, "count", 1, 1, 1_000_000)
        if kind == "http_error":
            fault.status = _int(spec, "status", 503, 400, 599)
        if kind == "timeout":
            after = spec.get("after_processing", False)
            if not isinstance(after, bool):
                raise ValueError(f"after_processing must be true or false, got {after!r}")
            fault.after_processing = after
    elif kind == "clock_skew":
        fault.ms = _int(spec, "ms", 0, -86_400_000, 86_400_000)
    return fault


class FaultBoard:
    """The pending faults. Owned by the server loop: not thread-safe by design."""

    def __init__(self) -> None:
        self._http: dict[str, deque[Fault]] = {}
        self._topics: dict[str, deque[Fault]] = {}
        self._silent_until: dict[str, float] = {}

    def add(self, fault: Fault) -> None:
        if fault.kind in HTTP_KINDS:
            self._http.setdefault(fault.path, deque()).append(fault)
        elif fault.kind in TOPIC_KINDS:
            self._topics.setdefault(fault.topic, deque()).append(fault)
        elif fault.kind == "silence":
            targets = ("public", "private", "trade") if fault.target == "all" else (fault.target,)
            until = time.monotonic() + fault.seconds
            for target in targets:
                self._silent_until[target] = max(self._silent_until.get(target, 0.0), until)
        else:
            raise ValueError(f"{fault.kind} acts at once and is not stored")

    def take_http(self, path: str) -> Fault | None:
        """The fault that hits this request to ``path``, consuming one of its count."""
        queue = self._http.get(path)
        if not queue:
            return None
        fault = queue[0]
        fault.count -= 1
        if fault.count <= 0:
            queue.popleft()
        return fault

    @property
    def has_topic_faults(self) -> bool:
        return any(self._topics.values())

    def take_topic(self, topic: str, category: str) -> str | None:
        """The one-shot fault kind for the next push of ``topic`` in ``category``, if any."""
        queue = self._topics.get(topic)
        if not queue:
            return None
        for i, fault in enumerate(queue):
            if fault.category in (None, category):
                del queue[i]
                return fault.kind
        return None

    def silent(self, target: str) -> bool:
        until = self._silent_until.get(target)
        if until is None:
            return False
        if time.monotonic() < until:
            return True
        del self._silent_until[target]
        return False

    def clear(self) -> None:
        self._http.clear()
        self._topics.clear()
        self._silent_until.clear()

    def describe(self) -> list[dict[str, Any]]:
        """The pending faults as JSON-ready dicts (for ``GET /sim/faults``)."""
        now = time.monotonic()
        items = [f.describe() for q in (*self._http.values(), *self._topics.values()) for f in q]
        items += [
            {"kind": "silence", "target": t, "seconds": round(u - now, 3)}
            for t, u in self._silent_until.items()
            if u > now
        ]
        return items
