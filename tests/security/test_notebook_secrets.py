"""Every notebook, run with a marker secret, leaves the secret nowhere: saved file, HTML export, logs.

The marker key and secret go in ``BYBIT_API_KEY`` / ``BYBIT_API_SECRET``
(``bw.connect()`` makes them an account on the embedded exchange, so every
notebook signs with them). Each notebook runs in a real kernel (nbclient)
whose stdout and stderr are captured, with the root logger at DEBUG into a
file (an IPython startup script in a private ``IPYTHONDIR``, so the notebooks
themselves are untouched); it is saved with its widget state and exported
to HTML with nbconvert. The secret must appear in none of these, and the
full API key in neither the saved notebook nor the HTML (they show it
masked).
"""

from __future__ import annotations

import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbconvert import HTMLExporter

from bybit_widgets.protocol.signing import mask_key

from .leaks import Finding, record_check

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
_STARTUP = """\
import logging, os
logging.basicConfig(level=logging.DEBUG, filename=os.environ["BW_DEBUG_LOG"],
                    format="%(asctime)s %(name)s %(levelname)s %(message)s")
"""


def _run(notebook: Path, workdir: Path, key: str, secret: str) -> dict[str, str]:
    """Execute ``notebook`` in a fresh kernel; return every artefact as text, by name."""
    name = notebook.stem
    ipython_dir = workdir / f"ipython-{name}"
    (ipython_dir / "profile_default" / "startup").mkdir(parents=True)
    (ipython_dir / "profile_default" / "startup" / "00-debug-log.py").write_text(_STARTUP)
    debug_log, kernel_log = workdir / f"{name}.debug.log", workdir / f"{name}.kernel.log"
    env = {
        **os.environ,
        "BYBIT_API_KEY": key,
        "BYBIT_API_SECRET": secret,
        "BYBIT_ENV": "sim",
        "IPYTHONDIR": str(ipython_dir),
        "BW_DEBUG_LOG": str(debug_log),
    }
    nb = nbformat.read(notebook, as_version=4)
    km = KernelManager(kernel_name="python3")
    with open(kernel_log, "wb") as log:
        km.start_kernel(env=env, stdout=log, stderr=log, cwd=str(notebook.parent))
        try:
            NotebookClient(nb, km=km, timeout=180, store_widget_state=True, allow_errors=False).execute()
        finally:
            km.shutdown_kernel(now=False)
    saved = workdir / f"{name}.ipynb"
    nbformat.write(nb, saved)
    html, _ = HTMLExporter().from_notebook_node(nb)
    (workdir / f"{name}.html").write_text(html)
    return {
        "saved notebook": saved.read_text(),
        "HTML export": html,
        "kernel stdout/stderr": kernel_log.read_text(errors="replace"),
        "DEBUG log": debug_log.read_text(errors="replace") if debug_log.exists() else "",
    }


@pytest.mark.timeout(600)
def test_no_notebook_leaks_the_secret_in_its_saved_file_html_or_logs(tmp_path):
    assert len(NOTEBOOKS) >= 6, NOTEBOOKS
    key = "BWKEY" + secrets.token_hex(7).upper()  # 19 characters, shaped like Bybit's
    secret = "BWSECRET" + secrets.token_hex(14).upper()
    with ThreadPoolExecutor(max_workers=3) as pool:  # kernels are processes: three at a time on two cores
        runs = dict(zip(NOTEBOOKS, pool.map(lambda nb: _run(nb, tmp_path, key, secret), NOTEBOOKS), strict=True))
    findings: list[Finding] = []
    for notebook, artefacts in runs.items():
        for what, text in artefacts.items():
            findings.append(Finding(f"{notebook.name}: {what}", len(text), secret in text))
            if what in ("saved notebook", "HTML export"):  # what people share: the key shows masked only
                findings.append(Finding(f"{notebook.name}: {what} (full API key)", len(text), key in text))
    with_widgets = [
        nb.name for nb, a in runs.items() if "application/vnd.jupyter.widget-state+json" in a["saved notebook"]
    ]
    record_check(
        "notebooks", findings, note=f"widget state saved in {len(with_widgets)} notebooks: " + ", ".join(with_widgets)
    )
    # the checks below prove something only if the marker keys were in use and everything was captured
    masked = mask_key(key)
    assert sum(masked in a["saved notebook"] for a in runs.values()) >= 3, "the marker key was not used"
    connected = [a for nb, a in runs.items() if nb.stem != "testnet_demo"]  # that one skips without real keys
    assert all(" bybit_widgets." in a["DEBUG log"] and " DEBUG " in a["DEBUG log"] for a in connected)
    assert len(with_widgets) >= 3, "widget state was not saved"
    leaks = [f.where for f in findings if f.leaked]
    assert leaks == [], leaks
