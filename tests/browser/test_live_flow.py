"""Live in the browser: flow control end to end, honest `lagging`, reloads and second views (real JupyterLab).

The book's root carries ``data-ts`` (the exchange time of the book shown);
browser, kernel and embedded exchange share this machine's clock here, so
``Date.now() - data-ts`` is how far behind the page is. (The widgets
themselves never compare those clocks: their lag is the kernel's measure.)
"""

from __future__ import annotations

import nbformat
import pytest

from .lab import Lab, run_all, wait_until

pytestmark = pytest.mark.browser

BOOK = '[data-testid="bw-widget"][data-kind="book"]'

CELLS = [
    "import bybit_widgets as bw\nsession = bw.connect()",
    'book = bw.OrderBook("BTCUSDT", depth=25)\nbook',
]

# records how far behind each book frame is when it reaches the DOM, and every badge state shown
WATCH = (
    """() => {
    window.__lag = []; window.__states = [];
    const root = document.querySelector('%s');
    new MutationObserver(() => window.__lag.push(Date.now() - Number(root.dataset.ts)))
        .observe(root, {attributes: true, attributeFilter: ['data-ts']});
    const badge = root.querySelector('[data-testid="bw-connection-state"]');
    new MutationObserver(() => window.__states.push(badge.dataset.state))
        .observe(badge, {attributes: true, attributeFilter: ['data-state']});
}"""
    % BOOK
)

# every animation frame burns `ms` of the main thread: a page that paints about once a second
BURN = """ms => {
    window.__burn = true;
    const burn = () => {
        const end = performance.now() + ms;
        while (performance.now() < end);
        if (window.__burn) requestAnimationFrame(burn);
    };
    requestAnimationFrame(burn);
}"""


def write_notebook(lab: Lab, name: str, cells: list[str]) -> str:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, lab.root / "work" / name)
    return name


def saved_views(lab: Lab, name: str) -> int:
    """How many widget views the notebook file on disk holds in its outputs."""
    try:
        notebook = nbformat.read(lab.root / "work" / name, as_version=4)
    except Exception:  # noqa: BLE001 - a file being written: not saved yet
        return 0
    return sum(
        "application/vnd.jupyter.widget-view+json" in output.get("data", {})
        for cell in notebook.cells
        for output in cell.get("outputs", [])
    )


def frames_arrive(page, selector: str, count: int = 5, timeout: float = 30) -> None:
    """Wait until every element matching ``selector`` has shown ``count`` new book frames."""
    page.evaluate(
        """sel => { window.__seen = Array.from(document.querySelectorAll(sel)).map(el => {
            const box = {n: 0};
            new MutationObserver(() => box.n++).observe(el, {attributes: true, attributeFilter: ['data-ts']});
            return box; }); }""",
        selector,
    )
    wait_until(
        lambda: page.evaluate(f"() => window.__seen.length && window.__seen.every(b => b.n >= {count})"),
        timeout,
        f"{count} new frames in every {selector}",
    )


def reload_picture(page, lab: Lab) -> str:
    """What a reloaded page shows instead of the book: its outputs, dialogs, kernel status and the server log."""
    shown = page.evaluate(
        """() => ({
            outputs: Array.from(document.querySelectorAll('.jp-OutputArea-output'))
                .map(o => (o.dataset.mimeType || '') + ': ' + o.innerText.slice(0, 200)),
            dialogs: Array.from(document.querySelectorAll('.jp-Dialog')).map(d => d.innerText.slice(0, 300)),
            kernel: document.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status,
            books: document.querySelectorAll('[data-kind="book"]').length,
        })"""
    )
    log = lab.log.name if hasattr(lab.log, "name") else ""
    tail = open(log, errors="replace").read()[-3000:] if log else ""
    return f"{shown}\n--- server log (tail) ---\n{tail}"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def test_a_page_six_times_slower_stays_within_about_a_second_and_a_page_that_falls_behind_says_lagging(page, lab):
    run_all(page, lab, write_notebook(lab, "flow.ipynb", CELLS))
    page.wait_for_selector(f"{BOOK}[data-ts]", state="attached")
    wait_until(
        lambda: page.get_attribute(f'{BOOK} [data-testid="bw-connection-state"]', "data-state") == "live",
        30,
        "a live book",
    )
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 6})
    page.evaluate(WATCH)
    wait_until(lambda: len(page.evaluate("window.__lag")) >= 60, 60, "60 book frames under a 6x slower CPU")
    lag = page.evaluate("window.__lag")
    assert pct(lag, 95) <= 1000 and pct(lag, 50) <= 500, f"frames behind by p50 {pct(lag, 50)} / p95 {pct(lag, 95)} ms"
    # a page that keeps up is not called lagging; on a busy machine a frame may fall a second behind for a
    # moment, and then saying so is right: lagging only when some frame really was about a second behind
    assert "lagging" not in page.evaluate("window.__states") or max(lag) >= 900, (
        f"called lagging while never behind (p50 {pct(lag, 50)}, p95 {pct(lag, 95)}, max {max(lag)} ms)"
    )

    # now the page paints only about once every 1.2 s: it falls behind, and must say so
    page.evaluate(BURN, 1200)
    wait_until(lambda: "lagging" in page.evaluate("window.__states"), 60, "the badge to say lagging")
    page.evaluate("() => { window.__burn = false; }")
    wait_until(lambda: page.evaluate("window.__states").pop() == "live", 60, "the badge to be live again")
    states = page.evaluate("window.__states")
    assert states.index("lagging") < len(states) - 1 and states[-1] == "live", states
    page.evaluate("() => { window.__lag = []; }")
    wait_until(lambda: len(page.evaluate("window.__lag")) >= 30, 30, "30 frames after catching up")
    assert pct(page.evaluate("window.__lag"), 50) <= 500, "the page caught up after the slow spell"
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})


def test_a_second_view_of_the_same_widget_and_a_reloaded_page_keep_receiving_frames(page, lab):
    name = write_notebook(lab, "views.ipynb", [*CELLS, "book"])
    run_all(page, lab, name)
    wait_until(lambda: page.locator(BOOK).count() == 2, 30, "two views of the book")
    frames_arrive(page, BOOK)

    page.keyboard.press("Control+s")  # the reloaded page finds the views' outputs in the saved notebook
    # on disk, not the tab's dirty mark: a reload once showed no outputs at all after the mark had cleared
    wait_until(lambda: saved_views(lab, name) >= 2, 30, "the notebook saved with both views")
    page.reload()
    try:
        page.wait_for_selector(f"{BOOK}[data-ts]", state="attached", timeout=60_000)
    except Exception as exc:  # say what the reloaded page shows instead (seen once in CI, not reproduced)
        raise AssertionError(f"no book after the reload; the page shows:\n{reload_picture(page, lab)}") from exc
    wait_until(lambda: page.locator(BOOK).count() == 2, 60, "both views after the reload")
    frames_arrive(page, BOOK)
    states = page.eval_on_selector_all(
        f'{BOOK} [data-testid="bw-connection-state"]', "els => els.map(e => e.dataset.state)"
    )
    assert states == ["live", "live"], states
