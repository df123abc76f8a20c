"""Kernel gone, widgets honest (real JupyterLab): no badge says Live without a kernel behind it.

A restart from the Kernel menu and a kernel killed outright both turn every
badge (``bw-connection-state``) to ``closed`` within 2 s, labelled with the
time of the last update; a widget the kernel closes (its comm closed) is
removed from the page within 2 s; a quiet market and a blocked event loop
(a busy cell) do not close anything; a page reloaded while the kernel runs is live again, and so is
a re-run after the restart. A notebook saved with its widget state and
reopened without its kernel shows each widget's last picture as a snapshot
with its time, never live. Each time-to-closed is printed (``-s`` shows it).
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import httpx
import pytest

from .lab import Lab, run_all, sim_url, wait_until
from .test_live_flow import reload_picture, write_notebook

pytestmark = pytest.mark.browser

BADGE = '[data-testid="bw-connection-state"]'
LIMIT_S = 2.0
MARGIN_S = 0.5  # the page's timers and the Playwright poll

CELLS = [
    "import asyncio, os, time\nimport bybit_widgets as bw\nsession = bw.connect()\nsession",
    'dashboard = bw.Dashboard("BTCUSDT")\ndashboard',
    'bw.Ticker("ETHUSDT")',
    # when the test asks: block the kernel's loop for 4 s, as a busy cell does (nothing flows but beats)
    """async def busy_when_asked():
    while not os.path.exists("busy.go"):
        await asyncio.sleep(0.05)
    start = time.monotonic()
    while time.monotonic() - start < 4:
        pass
    open("busy.done", "w").close()

busy = asyncio.get_running_loop().create_task(busy_when_asked())""",
    # when the test asks: the kernel closes a widget (its comm closes)
    """closing = bw.Ticker("SOLUSDT")
display(closing)

async def close_when_asked():
    while not os.path.exists("close.go"):
        await asyncio.sleep(0.05)
    closing.close()

closer = asyncio.get_running_loop().create_task(close_when_asked())""",
]

# every badge's states from now on, and when each first turned closed (page clock, ms); t0 is set by
# the click that accepts a dialog (the restart's "Restart"), or by the test
WATCH = """sel => {
    const w = window.__bw = {t0: null, seen: [], closedAt: new Map()};
    document.addEventListener('click', e => {
        if (e.target.closest('.jp-Dialog .jp-mod-accept')) w.t0 = performance.now();
    }, true);
    const badges = Array.from(document.querySelectorAll(sel));
    const observer = new MutationObserver(ms => ms.forEach(m => {
        const state = m.target.dataset.state;
        w.seen.push(state);
        if (state === 'closed' && !w.closedAt.has(m.target)) w.closedAt.set(m.target, performance.now());
    }));
    badges.forEach(b => observer.observe(b, {attributes: true, attributeFilter: ['data-state']}));
    return badges.length;
}"""

CLOSED_AFTER = """count => { const w = window.__bw;
    return w.t0 !== null && w.closedAt.size >= count ? Math.max(...w.closedAt.values()) - w.t0 : null; }"""


def states(page) -> list[str]:
    return page.eval_on_selector_all(BADGE, "els => els.map(e => e.dataset.state)")


def all_live(page, count: int) -> bool:
    shown = states(page)
    return len(shown) >= count and all(s == "live" for s in shown)


def kernel_pid(lab: Lab) -> int:
    """The process of the one kernel this test's server runs (found by its connection file's name)."""
    (kernel,) = lab.api("GET", "/api/kernels").json()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if f"kernel-{kernel['id']}.json" in cmdline.read_bytes().decode(errors="replace"):
                return int(cmdline.parent.name)
        except OSError:
            continue
    raise AssertionError(f"no process for kernel {kernel['id']}")


def save(page) -> None:
    page.keyboard.press("Control+s")
    wait_until(lambda: page.locator(".lm-TabBar-tab.jp-mod-dirty").count() == 0, 30, "the notebook to be saved")


def test_restart_and_death_close_every_badge_quiet_and_busy_do_not_and_reload_and_rerun_are_live(page, lab):
    work = lab.root / "work"
    name = write_notebook(lab, "kernel_gone.ipynb", CELLS)
    run_all(page, lab, name)
    count = page.locator(BADGE).count()
    assert count >= 9, f"{count} badges"  # the dashboard's seven and two tickers
    wait_until(lambda: all_live(page, count), 60, "every badge live")

    # a quiet market, then the kernel's loop blocked for 4 s: busy is not gone
    page.evaluate(WATCH, BADGE)
    rest = sim_url(page)
    assert httpx.post(f"{rest}/sim/market", json={"paused": True}, timeout=10).status_code == 200
    try:
        (work / "busy.go").touch()
        wait_until(lambda: (work / "busy.done").exists(), 30, "the 4 s busy spell to end")
    finally:
        httpx.post(f"{rest}/sim/market", json={"paused": False}, timeout=10)
        (work / "busy.go").unlink(missing_ok=True)
        (work / "busy.done").unlink(missing_ok=True)
    seen = page.evaluate("window.__bw.seen")
    assert "closed" not in seen, f"a quiet market and a busy loop were taken for a gone kernel: {seen}"
    wait_until(lambda: all_live(page, count), 30, "every badge live after the busy spell")

    # the kernel closes a widget: its view goes at once (JupyterLab removes a closed model's views), so no
    # picture is left saying live; the others stay live
    (work / "close.go").touch()
    wait_until(lambda: page.locator(BADGE).count() == count - 1, LIMIT_S, "the closed widget's view to go")
    (work / "close.go").unlink()
    count -= 1
    assert all_live(page, count), states(page)

    # a page reloaded while the kernel runs reconnects and is live again
    save(page)
    page.reload()
    try:
        page.wait_for_selector(BADGE, state="attached", timeout=60_000)
        wait_until(lambda: all_live(page, count), 60, "every badge live after the reload")
    except Exception as exc:
        raise AssertionError(f"after the reload: {states(page)}\n{reload_picture(page, lab)}") from exc

    # restart from the Kernel menu: every badge closed within 2 s, with the time of its last update
    assert page.evaluate(WATCH, BADGE) == count
    page.get_by_role("menuitem", name="Kernel", exact=True).click()
    page.get_by_role("menuitem", name="Restart Kernel…").click()
    page.locator(".jp-Dialog .jp-mod-accept").click()
    took = wait_until(lambda: page.evaluate(CLOSED_AFTER, count), LIMIT_S + 5, "every badge closed after the restart")
    print(f"\ntime to closed after a restart: {took:.0f} ms")
    assert took <= (LIMIT_S + MARGIN_S) * 1000, f"closed {took:.0f} ms after the restart"
    labels = page.eval_on_selector_all(BADGE, "els => els.map(e => [e.dataset.offline, e.dataset.asof, e.innerText])")
    assert all(off == "kernel" and asof and "last update" in text for off, asof, text in labels), labels

    # re-running brings it back live
    page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=60_000)
    run_all(page, lab, name)
    count = page.locator(BADGE).count()
    wait_until(lambda: all_live(page, count), 60, "every badge live after the re-run")

    # a kernel that dies (no restart asked: JupyterLab's widget manager is not told): the beats stop
    page.evaluate(WATCH, BADGE)
    pid = kernel_pid(lab)
    page.evaluate("() => { window.__bw.t0 = performance.now(); }")
    os.kill(pid, signal.SIGKILL)
    took = wait_until(lambda: page.evaluate(CLOSED_AFTER, count), LIMIT_S + 5, "every badge closed after the kill")
    print(f"time to closed after the kernel was killed: {took:.0f} ms")
    assert took <= (LIMIT_S + MARGIN_S) * 1000, f"closed {took:.0f} ms after the kernel died"


# every badge state the page ever shows, from its first script on (nodes added with a state included)
RECORD_ALL = """(() => {
    window.__everSeen = [];
    const note = el => window.__everSeen.push(el.dataset.state);
    new MutationObserver(ms => ms.forEach(m => {
        if (m.type === 'attributes') note(m.target);
        else m.addedNodes.forEach(n => n.querySelectorAll && n.querySelectorAll('%s').forEach(note));
    })).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ['data-state']});
})()""" % BADGE.replace("'", '"')


def test_a_notebook_saved_with_widget_state_reopens_without_its_kernel_as_snapshots(page, lab):
    settings = lab.root / "settings" / "@jupyter-widgets" / "jupyterlab-manager" / "plugin.jupyterlab-settings"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"saveState": True}))
    try:
        name = write_notebook(lab, "saved_state.ipynb", [CELLS[0], 'bw.Ticker("BTCUSDT")', 'bw.OrderBook("BTCUSDT")'])
        run_all(page, lab, name)
        wait_until(lambda: all_live(page, 2), 60, "both badges live")
        wait_until(
            lambda: all(page.eval_on_selector_all('[data-testid="bw-widget"]', "els => els.map(e => e.dataset.ts)")),
            30,
            "every widget showing data",
        )
        page.keyboard.press("Control+s")
        path = lab.root / "work" / name
        wait_until(
            lambda: (
                "application/vnd.jupyter.widget-state+json"
                in json.loads(path.read_text())["metadata"].get("widgets", {})
            ),
            30,
            "the notebook saved with its widget state",
        )
        lab.shutdown_kernels()  # the kernel behind those models is gone for good

        page.add_init_script(RECORD_ALL)
        page.goto(lab.url(name))  # (JupyterLab starts a fresh kernel, which knows none of the saved models)
        page.wait_for_selector(f'{BADGE}[data-offline="snapshot"]', state="attached", timeout=60_000)
        wait_until(lambda: page.locator(f'{BADGE}[data-offline="snapshot"]').count() == 2, 30, "two snapshots")
        shown = page.eval_on_selector_all(BADGE, "els => els.map(e => [e.dataset.state, e.dataset.asof, e.innerText])")
        assert all(state == "closed" and asof and "Snapshot" in text for state, asof, text in shown), shown
        page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=60_000)
        # the fresh kernel's own messages do not bring a saved picture to life
        assert page.locator(f'{BADGE}[data-offline="snapshot"]').count() == 2
        ever = page.evaluate("window.__everSeen")
        assert "live" not in ever and "lagging" not in ever, ever
    finally:
        settings.unlink(missing_ok=True)
