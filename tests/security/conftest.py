"""Writes the secrets and mainnet sections of the results table after the security tests ran."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.reliability_results import stamp, table, write_section

from .leaks import CHECKS
from .mainnet import GUARDS


@pytest.fixture(scope="package", autouse=True)
def _results_table() -> Iterator[None]:
    yield
    if CHECKS:
        rows = []
        for group, (findings, note) in CHECKS.items():
            leaked = [f.where for f in findings if f.leaked]
            rows.append(
                [group, len(findings), f"{sum(f.size for f in findings):,}", len(leaked), "; ".join(leaked) or note]
            )
        write_section(
            "secrets",
            "\n\n".join(
                [
                    "## Secrets",
                    f"Measured {stamp()}. Command: `.venv/bin/pytest tests/security` (part of `bash scripts/test.sh`). "
                    "A marker API key and secret, unique per run, searched for in everything below.",
                    table(
                        ["where", "places searched", "characters searched", "places holding the secret", "notes"], rows
                    ),
                ]
            ),
        )
    if GUARDS:
        rows = [[g.path, g.attempts, g.refused, g.reached_mainnet, g.note] for g in GUARDS.values()]
        write_section(
            "mainnet",
            "\n\n".join(
                [
                    "## Mainnet safety",
                    f"Measured {stamp()}. Every request of the clients recorded by a transport that forwards to the "
                    "embedded exchange (so an order that got through would also exist there).",
                    table(
                        [
                            "order path",
                            "order attempts",
                            "refused before sending",
                            "requests reaching mainnet",
                            "notes",
                        ],
                        rows,
                    ),
                ]
            ),
        )
