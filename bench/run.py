"""Run the benchmarks and write their figures to a JSON file.

    .venv/bin/python bench/run.py [--output bench/results.json] [--only catalog,ui]

Each ``bench/bench_<area>.py`` has ``main(results: dict)``. Figures are medians
(and p95 where said) on this machine; it is noisy, so compare ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import sys
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--output", default=str(HERE / "results.json"))
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    wanted = {w for w in args.only.split(",") if w}
    out = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                       "platform": platform.platform()},
           "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "benchmarks": {}}
    path = Path(args.output)
    failed = 0
    for file in sorted(HERE.glob("bench_*.py")):
        area = file.stem.removeprefix("bench_")
        if wanted and area not in wanted:
            continue
        print(f"== {area}", flush=True)
        results: dict = {}
        try:
            importlib.import_module(file.stem).main(results)
        except Exception:
            traceback.print_exc()
            results["error"] = traceback.format_exc(limit=3)
            failed += 1
        out["benchmarks"][area] = results
        print(json.dumps(results, ensure_ascii=False, indent=1), flush=True)
    if path.exists() and wanted:
        # read just before writing: other benchmarks may have written their figures while these ran
        try:
            kept = json.loads(path.read_text()).get("benchmarks", {})
        except ValueError:
            kept = {}
        out["benchmarks"] = {**kept, **out["benchmarks"]}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)
    print(f"figures written to {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
