"""The reliability results table: sections of ``reliability.md`` written by the tests.

Each part of the reliability suite (short soak, fuzzing, secrets, mainnet
guard) owns one section and replaces only that section when it runs, so the
file always shows the latest figures of every part without one run erasing
another's. The long soak writes ``reliability-long.md`` the same way.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = ["RESULTS_DIR", "SHORT_FILE", "LONG_FILE", "write_section", "table", "stamp"]

RESULTS_DIR = Path(__file__).resolve().parent.parent / "benchmarks" / "results"
_ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SHORT_FILE = (RESULTS_DIR if os.environ.get("BW_RECORD_RESULTS") == "1" else _ARTIFACTS) / "reliability.md"
LONG_FILE = RESULTS_DIR / "reliability-long.md"

_HEADERS = {
    SHORT_FILE: (
        "# Reliability and security: results\n\n"
        "Written by the tests themselves (`BW_RECORD_RESULTS=1 bash scripts/test.sh`, or "
        "`BW_RECORD_RESULTS=1 .venv/bin/pytest tests/soak tests/fuzz tests/security`; without the variable "
        "they write `tests/artifacts/reliability.md`); each section is replaced by the part "
        "that owns it. The 30-minute soak is run by hand and writes [reliability-long.md](reliability-long.md):\n\n"
        "```bash\n.venv/bin/python -m tests.soak --minutes 30 --seed 6\n```\n"
    ),
    LONG_FILE: (
        "# Reliability: the long chaos soak\n\n"
        "Run by hand: `.venv/bin/python -m tests.soak --minutes 30 --seed 6` (the short mode runs inside "
        "`bash scripts/test.sh`; its figures are in [reliability.md](reliability.md)).\n"
    ),
}


# sections in the order a reader wants them, whatever order the tests ran in
_ORDER = ("soak-short", "soak-long", "fuzz", "secrets", "mainnet")
_SECTION = re.compile(r"<!-- section:([\w-]+) -->\n(.*?)\n<!-- /section:\1 -->", re.S)


def stamp() -> str:
    """When and where a section was measured."""
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"{now}, {platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores"


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table; numbers right-aligned."""
    rows = [[str(c) for c in row] for row in rows]
    align = ["---:" if rows and all(_numeric(r[i]) for r in rows) else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[-+]?[\d.,/ ]+( s| MB| ms|%)?", text))


def write_section(name: str, body: str, path: Path = SHORT_FILE) -> Path:
    """Replace section ``name`` of ``path`` with ``body``, keeping the other sections and their order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = path.read_text() if path.exists() else _HEADERS.get(path, f"# {path.stem}\n")
    first = _SECTION.search(text)
    header = text[: first.start()] if first else text
    sections = {m.group(1): m.group(2) for m in _SECTION.finditer(text)}
    sections[name] = body.strip()
    order = [s for s in _ORDER if s in sections] + [s for s in sections if s not in _ORDER]
    blocks = [f"<!-- section:{s} -->\n{sections[s]}\n<!-- /section:{s} -->" for s in order]
    tmp = path.with_suffix(".tmp")
    tmp.write_text(header.rstrip() + "\n\n" + "\n\n".join(blocks) + "\n")
    tmp.replace(path)
    return path
