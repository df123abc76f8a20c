"""The long chaos soak, run by hand: ``.venv/bin/python -m tests.soak --minutes 30 --seed 6``.

Prints one line per fault, writes ``benchmarks/results/reliability-long.md``
and exits 1 if any promise was broken (the violations are in the file too).
"""

from __future__ import annotations

import argparse
import pickle
import signal
import sys
import tempfile
from pathlib import Path

from tests.reliability_results import LONG_FILE, write_section

from .chaos import SoakConfig, run_soak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="how long to keep injecting faults")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--rss-limit-mb", type=float, default=60.0, help="largest RSS growth that passes")
    parser.add_argument("--out", type=Path, default=LONG_FILE)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # like Ctrl-C: the exchange process is stopped
    log_dir = Path(tempfile.mkdtemp(prefix="bw-soak-"))
    config = SoakConfig(
        seed=args.seed,
        faults=None,
        minutes=args.minutes,
        rss_growth_limit_mb=args.rss_limit_mb,
        log_dir=log_dir,
        progress=lambda line: print(line, flush=True),
    )
    result = run_soak(config)
    config.progress = None
    with open(log_dir / "result.pickle", "wb") as f:  # the raw figures, should the table be re-rendered
        pickle.dump(result, f)
    command = f".venv/bin/python -m tests.soak --minutes {args.minutes:g} --seed {args.seed}"
    write_section("soak-long", result.markdown(f"Chaos soak, long mode ({args.minutes:g} minutes)", command), args.out)
    problems = result.problems()
    print(
        f"wrote {args.out} (raw figures in {log_dir}); {len(result.records)} faults, {result.orders()}; "
        f"{'clean' if not problems else f'{len(problems)} violations'}",
        flush=True,
    )
    for problem in problems:
        print("VIOLATION:", problem, flush=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
