"""The quickstart's dashboard served as an app by Voila (outputs only, no code): live, with a deep book."""

from __future__ import annotations

from pathlib import Path

import pytest

from .lab import BOKEH_BARS_JS, numbers, screenshot, start_voila, stop_lab, wait_until
from .test_notebooks import check_book, ticker_price

pytestmark = pytest.mark.browser


def test_dashboard_runs_in_voila(browser, tmp_path: Path):
    server = start_voila(tmp_path, "quickstart.ipynb")
    context = browser.new_context(viewport={"width": 1440, "height": 2000})
    try:
        page = context.new_page()
        page.goto(f"{server.base}/?token={server.token}", timeout=120_000)  # Voila answers once all cells ran
        first = wait_until(lambda: ticker_price(page), 60, "a ticker price in Voila")
        wait_until(lambda: (p := ticker_price(page)) is not None and p != first, 60, "the price to move in Voila")
        check_book(page, ".bw-dashboard")
        assert len(numbers(page, '[data-testid="bw-watch-row"]', "data-price")) == 3
        # the chart was built and filled before the page existed: it must show the bars, not an empty plot
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if "inconsistent lengths" in m.text else None)
        wait_until(lambda: page.evaluate(BOKEH_BARS_JS) > 50, 30, "the chart's bars in Voila")
        assert not errors, errors[:3]
        assert "Traceback" not in page.content()
        screenshot(page, "voila-dashboard", page.locator(".bw-dashboard").first)
    finally:
        context.close()
        stop_lab(server)
