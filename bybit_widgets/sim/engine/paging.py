"""``cursor`` / ``nextPageCursor`` pagination over an already ordered list."""

from __future__ import annotations

from typing import TypeVar

from .errors import param_error

__all__ = ["page"]

T = TypeVar("T")
_PREFIX = "next%3D"


def page(items: list[T], limit: int, cursor: str | None) -> tuple[list[T], str]:
    """The page of ``items`` starting at ``cursor`` and the cursor of the next page (``""`` at the end)."""
    offset = 0
    if cursor:
        if not cursor.startswith(_PREFIX) or not cursor[len(_PREFIX) :].isdigit():
            raise param_error(f"params error: cursor invalid: {cursor!r}")
        offset = int(cursor[len(_PREFIX) :])
    chunk = items[offset : offset + limit]
    end = offset + len(chunk)
    return chunk, (f"{_PREFIX}{end}" if end < len(items) else "")
