"""Wire JSON encoding and decoding (orjson: the hot path of every feed)."""

from __future__ import annotations

from typing import Any

import orjson

__all__ = ["decode", "encode", "DecodeError"]


class DecodeError(ValueError):
    """A frame that is not a JSON object. Carries a short preview of the bytes."""

    def __init__(self, message: str, raw: bytes | str) -> None:
        preview = raw[:120] if isinstance(raw, (bytes, str)) else repr(raw)[:120]
        super().__init__(f"{message}: {preview!r}")
        self.raw = raw


def decode(frame: bytes | bytearray | memoryview | str) -> Any:
    """Decode one wire frame into Python objects (dict for every Bybit message)."""
    try:
        return orjson.loads(frame)
    except orjson.JSONDecodeError as exc:
        raise DecodeError(f"malformed JSON ({exc})", bytes(frame) if not isinstance(frame, str) else frame) from None


def encode(obj: Any) -> bytes:
    """Compact JSON, the form Bybit itself sends and the one the client signs."""
    return orjson.dumps(obj)
