"""What the secret checks looked at, for the results table: every place searched and whether it held the secret."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Finding", "CHECKS", "record_check"]


@dataclass(frozen=True)
class Finding:
    where: str  # e.g. "quickstart.ipynb: HTML export" or "repr(Client)"
    size: int  # characters searched
    leaked: bool


CHECKS: dict[str, tuple[list[Finding], str]] = {}  # group -> (findings, note)


def record_check(group: str, findings: list[Finding], note: str = "") -> None:
    CHECKS[group] = (list(findings), note)
