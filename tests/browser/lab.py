"""A private JupyterLab for browser tests, and the Playwright steps to run a notebook in it.

The server gets its own HOME, config, data, runtime, settings and workspace
directories and a token, on a free loopback port, so nothing leaks between
runs or from the developer's own setup. Notebooks are copied into its root.
Waits are on conditions with deadlines (HTTP status, DOM state), never on
fixed sleeps.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# the rows of the page's largest bokeh column data source, as BokehJS holds it: a candle chart's bars
BOKEH_BARS_JS = """() => {
    let bars = 0;
    for (const doc of window.Bokeh?.documents ?? [])
        for (const model of doc.all_models)
            if (typeof model.get_length === "function") bars = Math.max(bars, model.get_length() ?? 0);
    return bars;
}"""


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, every: float = 0.1) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    base: str
    token: str
    root: Path
    process: subprocess.Popen
    log: IO[bytes]  # the server's output file, closed by stop_lab

    def api(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return httpx.request(
            method, f"{self.base}{path}", headers={"Authorization": f"token {self.token}"}, timeout=10, **kw
        )

    def shutdown_kernels(self) -> None:
        """Kernels outlive browser tabs: end every session so the next test starts clean."""
        for session in self.api("GET", "/api/sessions").json():
            self.api("DELETE", f"/api/sessions/{session['id']}")
        wait_until(lambda: not self.api("GET", "/api/kernels").json(), 20, "kernels to shut down")

    def url(self, notebook: str) -> str:
        return f"{self.base}/lab/tree/{notebook}?reset&token={self.token}"


def start_lab(root: Path, extra_env: dict[str, str] | None = None, app: str = "jupyterlab") -> Lab:
    """Start JupyterLab (or ``app="notebook"``: Notebook 7) on loopback with private directories.

    Returns once it answers. ``extra_env`` reaches the server and so every kernel it starts (the
    benchmark passes the URL of an out-of-process exchange this way).
    """
    work = root / "work"
    work.mkdir(parents=True)
    for notebook in NOTEBOOKS.glob("*.ipynb"):
        shutil.copy(notebook, work / notebook.name)
    settings = root / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    # the news and update toasts would cover the screenshots
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    port, token = free_port(), secrets.token_hex(16)
    argv = [
        "-m",
        app,
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={work}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.news_url=None",
    ]
    env = {**private_env(root), **(extra_env or {})}
    return _serve(root, app, argv, env, port, token, lambda lab: lab.api("GET", "/api/status").status_code == 200)


def _serve(
    root: Path, name: str, argv: list[str], env: dict[str, str], port: int, token: str, ready: Callable[[Lab], bool]
) -> Lab:
    """Run ``python argv`` in ``root/work`` (its output in ``root/<name>.log``) and return once ``ready`` holds."""
    path = root / f"{name}.log"
    log = open(path, "wb")  # noqa: SIM115 - the server writes to it until stop_lab
    work = root / "work"
    process = subprocess.Popen([sys.executable, *argv], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    server = Lab(f"http://127.0.0.1:{port}", token, root, process, log)

    def answers() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}; see {path}")
        try:
            return ready(server)
        except httpx.HTTPError:
            return False

    wait_until(answers, 60, f"{name} to answer")
    return server


def private_env(root: Path) -> dict[str, str]:
    """Environment for a Jupyter server with its own HOME, config, data, runtime and settings dirs."""
    env = {**os.environ}
    for name, sub in (
        ("HOME", "home"),
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTERLAB_SETTINGS_DIR", "settings"),
        ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
        ("IPYTHONDIR", "ipython"),
    ):
        path = root / sub
        path.mkdir(parents=True, exist_ok=True)
        env[name] = str(path)
    for name in ("BYBIT_API_KEY", "BYBIT_API_SECRET", "BYBIT_ENV"):
        env.pop(name, None)  # the notebooks must run on the embedded exchange
    return env


def start_voila(root: Path, notebook: str) -> Lab:
    """Serve one notebook with Voila (as a dashboard app: outputs only, no code) on loopback."""
    work = root / "work"
    work.mkdir(parents=True)
    shutil.copy(NOTEBOOKS / notebook, work / notebook)
    port, token = free_port(), secrets.token_hex(16)
    argv = ["-m", "voila", notebook, "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1"]
    argv += [f"--Voila.token={token}", f"--Voila.root_dir={work}", "--show_tracebacks=True"]
    return _serve(root, "voila", argv, private_env(root), port, token, _answers_at("/voila/static/"))


def start_marimo(root: Path, app: str) -> Lab:
    """Serve the marimo app ``app`` (its source) with ``marimo run`` on loopback, without a token."""
    work = root / "work"
    work.mkdir(parents=True)
    (work / "app.py").write_text(app)
    port = free_port()
    argv = ["-m", "marimo", "run", "app.py", "--headless", "--no-token", "--host", "127.0.0.1", "--port", str(port)]
    return _serve(root, "marimo", argv, private_env(root), port, "", _answers_at("/"))


def _answers_at(path: str) -> Callable[[Lab], bool]:
    """Ready once the server gives any HTTP answer at ``path`` (Voila answers its root only once the notebook ran)."""

    def ready(server: Lab) -> bool:
        httpx.get(f"{server.base}{path}", timeout=5)
        return True

    return ready


def stop_lab(lab: Lab) -> None:
    lab.process.terminate()
    try:
        lab.process.wait(15)
    except subprocess.TimeoutExpired:
        lab.process.kill()
        lab.process.wait(5)
    lab.log.close()


def run_all(page: Any, lab: Lab, notebook: str, timeout: float = 120) -> None:
    """Open ``notebook``, wait for a connected kernel, Run All, and wait until every cell ran."""
    page.goto(lab.url(notebook))
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_selector('.jp-DebuggerBugButton[aria-disabled="false"]', timeout=60_000)  # kernel really connected
    page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=60_000)
    for attempt in range(3):  # right after a server start, Run All is sometimes lost: retry until a cell starts
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        try:
            page.wait_for_function(
                """() => { const p = document.querySelector('.jp-CodeCell .jp-InputPrompt');
                           return p && /\\[(\\*|\\d+)\\]/.test(p.textContent); }""",
                timeout=8_000,
            )
            break
        except Exception:
            if attempt == 2:
                raise
    # The kernel runs cells in order, so the last cell's number means every cell ran. (Under load JupyterLab
    # sometimes leaves an earlier cell at [*] after its reply; observed 2 runs in 15 with one core busy, on the
    # cell that places an order.) A cell that raises stops Run All, leaving later cells unrun: stop waiting then.
    try:
        page.wait_for_function(
            """() => { const ps = Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt'));
                       const failed = document.querySelector(
                           '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]');
                       return failed || (ps.length > 0 && /\\[\\d+\\]/.test(ps[ps.length - 1].textContent)); }""",
            timeout=timeout * 1000,
        )
    except Exception as exc:
        prompts = page.eval_on_selector_all(".jp-CodeCell .jp-InputPrompt", "ps => ps.map(p => p.textContent)")
        page.eval_on_selector_all(".jp-CodeCell", "cs => cs.forEach(c => c.scrollIntoView())")  # render outputs
        page.wait_for_timeout(1000)
        raised = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')
        said = raised.first.inner_text()[:2000] if raised.count() else "no error shown"
        raise AssertionError(f"{notebook}: not every cell ran in {timeout:.0f} s; prompts {prompts}; {said}") from exc
    errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')
    if errors.count():
        raise AssertionError(f"{notebook}: a cell raised:\n{errors.first.inner_text()[:2000]}")


def set_theme(page: Any, theme: str) -> None:
    """Switch JupyterLab's theme ("JupyterLab Dark" / "JupyterLab Light") through the command palette."""
    page.get_by_role("menuitem", name="View", exact=True).click()
    page.get_by_role("menuitem", name="Activate Command Palette").click()
    page.fill(".lm-CommandPalette-input", f"Use Theme: {theme}")
    page.locator(".lm-CommandPalette-item", has_text=f"Use Theme: {theme}").first.click()
    light = "false" if "Dark" in theme else "true"
    page.wait_for_selector(f'body[data-jp-theme-name="{theme}"][data-jp-theme-light="{light}"]', state="attached")
    page.keyboard.press("Escape")


def sim_url(page: Any) -> str:
    """The embedded exchange's REST root, read from the session repr the notebook shows."""
    text = page.locator(".jp-OutputArea-output").filter(has_text="Session(env='sim'").first.inner_text()
    match = re.search(r"rest='(http://127\.0\.0\.1:\d+)'", text)
    assert match, f"no embedded exchange URL in {text!r}"
    return match.group(1)


def sim_key(page: Any) -> str:
    """The embedded exchange's API key, read from the exchange repr the notebook shows (``session.exchange``)."""
    text = page.locator(".jp-OutputArea-output", has_text="SimServer(").first.inner_text()
    match = re.search(r"api_key='(\w+)'", text)
    assert match, "no api key in the exchange's repr"
    return match.group(1)


def numbers(page: Any, selector: str, attribute: str) -> list[float]:
    return page.eval_on_selector_all(selector, f"els => els.map(e => Number(e.getAttribute('{attribute}')))")


def screenshot(page: Any, name: str, locator: Any = None) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    (locator or page).screenshot(path=str(path))
    return path
