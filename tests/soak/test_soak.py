"""The short chaos soak (about 2-3 minutes): every fault kind, every promise checked; writes its table."""

from __future__ import annotations

import os

import pytest

from tests.reliability_results import write_section

from .chaos import SoakConfig, run_soak


@pytest.mark.soak
def test_chaos_soak_short(tmp_path):
    config = SoakConfig(
        seed=int(os.environ.get("SOAK_SEED", "6")), faults=int(os.environ.get("SOAK_FAULTS", "60")), log_dir=tmp_path
    )
    result = run_soak(config)
    write_section("soak-short", result.markdown("Chaos soak, short mode", "bash scripts/test.sh (tests/soak)"))
    assert result.problems() == []
    orders = result.orders()
    assert orders["intended"] > 50 and orders["duplicated"] == orders["lost"] == 0
