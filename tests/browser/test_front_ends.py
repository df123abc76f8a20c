"""The widgets in Jupyter Notebook 7 and in marimo (``marimo run``), each from a small notebook of its own.

The same checks as in JupyterLab, read through the data-testids in headless
Chromium: the ticker's price moves; the book shows at least 20 sorted levels a
side with best bid below best ask and keeps updating for 5 s; every badge is
live; an order from the ticket fills once and shows in positions. In Notebook
7 the candle chart (jupyter_bokeh) draws its bars; in marimo, which runs
anywidgets but not other ipywidgets, ``bw.Candles`` says so in plain words
instead of rendering nothing. Locators pierce marimo's shadow roots, so every
read goes through them.
"""

from __future__ import annotations

import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .lab import BOKEH_BARS_JS, Lab, screenshot, start_lab, start_marimo, stop_lab, wait_until
from .test_live_flow import write_notebook
from .test_notebooks import assert_true_book, book_picture

pytestmark = pytest.mark.browser

BADGE = '[data-testid="bw-connection-state"]'

NOTEBOOK = [
    "import bybit_widgets as bw\nsession = bw.connect()\nsession",
    'bw.Ticker("BTCUSDT")',
    'bw.OrderBook("BTCUSDT", depth=25)',
    'bw.OrderTicket("BTCUSDT")',
    "bw.Positions()",
    'bw.Candles("BTCUSDT", interval="1")',
]

APP = """
import marimo

app = marimo.App()


@app.cell
def _():
    import marimo as mo

    import bybit_widgets as bw

    session = bw.connect()
    return bw, mo


@app.cell
def _(bw, mo):
    mo.vstack(
        [
            mo.ui.anywidget(bw.Ticker("BTCUSDT")),
            mo.ui.anywidget(bw.OrderBook("BTCUSDT", depth=25)),
            mo.ui.anywidget(bw.OrderTicket("BTCUSDT")),
            mo.ui.anywidget(bw.Positions()),
        ]
    )
    return


@app.cell
def _(bw):
    bw.Candles("BTCUSDT", interval="1")
    return


if __name__ == "__main__":
    app.run()
"""


def check_book_keeps_updating(page, seconds: float = 5.0) -> int:
    """Every picture of the book for ``seconds`` is sorted, uncrossed and newer than the last; returns how many."""
    pictures, last_u = 0, -1
    end = time.monotonic() + seconds
    while time.monotonic() < end or pictures < 3:
        bids, asks, u = wait_until(
            lambda last=last_u: (got := book_picture(page)) and got[2] > last and got, 30, "the book to update"
        )
        assert_true_book(bids, asks)
        pictures, last_u = pictures + 1, u
    return pictures


def check_live_widgets(page) -> None:
    price = page.locator('[data-testid="bw-ticker-last"][data-price]').first
    first = wait_until(lambda: price.get_attribute("data-price"), 60, "a ticker price")
    wait_until(lambda: price.get_attribute("data-price") not in (None, first), 60, "the ticker price to move")
    assert check_book_keeps_updating(page) >= 3
    badges = page.locator(BADGE)
    wait_until(
        lambda: badges.count() >= 4 and set(badges.evaluate_all("els => els.map(e => e.dataset.state)")) == {"live"},
        60,
        "every badge live",
    )


def check_ticket_fills_once(page) -> None:
    ticket = page.locator(".bw-ticket").first
    ticket.scroll_into_view_if_needed()
    ticket.locator('[data-testid="bw-ticket-side-buy"]').click()
    ticket.locator('[data-testid="bw-ticket-type"]').select_option("Market")
    ticket.locator('[data-testid="bw-ticket-qty"]').fill("0.01")
    submit = ticket.locator('[data-testid="bw-ticket-submit"]')
    wait_until(lambda: submit.is_enabled(), 30, "the submit button to enable (rules loaded, form valid)")
    submit.click()
    status = ticket.locator('[data-testid="bw-ticket-status"]')
    wait_until(lambda: status.get_attribute("data-status") == "filled", 30, "the ticket status to say filled")
    assert (status.get_attribute("data-order-link-id") or "").startswith("bw-")
    row = page.locator('[data-testid="bw-position-row"][data-symbol="BTCUSDT"]')
    wait_until(lambda: row.count() == 1, 30, "a BTCUSDT row in positions")
    assert row.get_attribute("data-side") == "Buy"
    assert float(row.get_attribute("data-size")) == pytest.approx(0.01), "one click placed more than one order"


@pytest.fixture(scope="module")
def notebook7(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    server = start_lab(tmp_path_factory.mktemp("notebook7"), app="notebook")
    try:
        yield server
    finally:
        stop_lab(server)


def test_in_notebook_7_the_widgets_are_live_an_order_fills_once_and_the_candles_draw(browser, notebook7):
    name = write_notebook(notebook7, "front_end.ipynb", NOTEBOOK)
    context = browser.new_context(viewport={"width": 1440, "height": 2400})
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        page.goto(f"{notebook7.base}/notebooks/{name}?token={notebook7.token}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=60_000)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        prompts = page.locator(".jp-CodeCell .jp-InputPrompt")
        wait_until(lambda: "[6]" in prompts.last.inner_text(), 120, "every cell to run")
        errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')
        assert errors.count() == 0, errors.first.inner_text()[:2000]
        check_live_widgets(page)
        check_ticket_fills_once(page)
        wait_until(lambda: page.evaluate(BOKEH_BARS_JS) > 50, 60, "the candle chart's bars")
        screenshot(page, "notebook7")
    finally:
        context.close()
        notebook7.shutdown_kernels()


def test_in_marimo_the_widgets_are_live_an_order_fills_once_and_candles_say_where_they_run(browser, tmp_path: Path):
    server = start_marimo(tmp_path, textwrap.dedent(APP))
    context = browser.new_context(viewport={"width": 1440, "height": 2400})
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        page.goto(server.base, timeout=60_000)
        check_live_widgets(page)
        check_ticket_fills_once(page)
        note = page.locator('[data-testid="bw-needs-jupyter"]')
        wait_until(lambda: note.count() == 1, 30, "the candles' note")
        assert "Candles" in note.inner_text() and "JupyterLab" in note.inner_text()
        screenshot(page, "marimo")
    finally:
        context.close()
        stop_lab(server)
