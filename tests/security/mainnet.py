"""Mainnet-guard outcomes per order path, for the results table."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Guard", "GUARDS", "record_guard"]


@dataclass(frozen=True)
class Guard:
    path: str  # how an order was attempted, e.g. "OrderTicket submit (kernel side)"
    attempts: int
    refused: int  # stopped before any request
    reached_mainnet: int  # trading requests recorded towards the mainnet host
    note: str = ""


GUARDS: dict[str, Guard] = {}


def record_guard(path: str, attempts: int, refused: int, reached_mainnet: int, note: str = "") -> None:
    GUARDS[path] = Guard(path, attempts, refused, reached_mainnet, note)
