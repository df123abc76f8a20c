"""PnL and hedge mode in real JupyterLab + Chromium: both sides shown, the panel equal to the ledger.

Runs ``notebooks/pnl_and_hedge_mode.ipynb`` and reads the DOM's data attributes: the two Positions rows
of the hedged symbol (``data-position-idx`` 1 and 2), the PnL row's ``data-realised``, ``data-fees``,
``data-funding`` against the ledger line the notebook prints from the transaction log, and the equity
curve's ``data-points`` growing while no node is made or removed.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from .lab import run_all, screenshot, wait_until

pytestmark = pytest.mark.browser

PNL = '[data-testid="bw-widget"][data-kind="pnl"]'
ROWS = '[data-testid="bw-position-row"][data-symbol="ETHUSDT"]'
CHURN = """sel => { window.__pnlChurn = 0;
    new MutationObserver(rs => rs.forEach(r => window.__pnlChurn += r.addedNodes.length + r.removedNodes.length))
        .observe(document.querySelector(sel), {childList: true, subtree: true}); }"""


def test_both_sides_show_and_the_panel_shows_the_ledger(page, lab):
    run_all(page, lab, "pnl_and_hedge_mode.ipynb")
    printed = page.locator(".jp-OutputArea-output").filter(has_text="ledger ETHUSDT realised=").first.inner_text()
    match = re.search(r"ledger ETHUSDT realised=(\S+) fees=(\S+) funding=(\S+)", printed)
    assert match, printed
    ledger = tuple(Decimal(v) for v in match.groups())

    def sides():
        rows = page.eval_on_selector_all(
            ROWS, "els => els.map(e => [e.dataset.positionIdx, e.dataset.side, e.dataset.size])"
        )
        return sorted(rows) if len(rows) == 2 else None

    assert wait_until(sides, 30, "two ETHUSDT rows") == [["1", "Buy", "0.30"], ["2", "Sell", "0.30"]]

    row = f'{PNL} [data-testid="bw-pnl-row"][data-symbol="ETHUSDT"]'

    def shown():
        values = page.eval_on_selector_all(
            row, "els => els.map(e => [e.dataset.realised, e.dataset.fees, e.dataset.funding])"
        )
        return values and tuple(Decimal(v) for v in values[0]) == ledger

    wait_until(shown, 30, f"the PnL row to show the ledger {ledger}")
    total = page.get_attribute(f'{PNL} [data-testid="bw-pnl-total"]', "data-unrealised")
    # 0.30 long and 0.30 short at the same mark: their live PnLs cancel but for the entries' difference
    assert total is not None and abs(Decimal(total)) < 1, total
    curve = f'{PNL} [data-testid="bw-pnl-curve"]'
    points = int(page.get_attribute(curve, "data-points") or 0)
    # one mark per TRADE row of the ledger the notebook printed (three market orders: three rows or more, as an
    # order may fill in parts); the marks may follow the ledger row by a frame
    log = page.locator(".jp-OutputArea-output").filter(has_text="cashFlow").first.inner_text()
    trades = sum(line.startswith("TRADE") for line in log.splitlines())
    assert trades >= 3, log
    wait_until(lambda: int(page.get_attribute(curve, "data-fills") or 0) == trades, 30, f"{trades} fill marks")
    page.evaluate(CHURN, PNL)
    wait_until(lambda: int(page.get_attribute(curve, "data-points") or 0) >= points + 3, 30, "the curve to grow")
    assert page.evaluate("window.__pnlChurn") == 0, "a frame made or removed nodes"
    screenshot(page, "pnl-hedge", page.locator(PNL))
