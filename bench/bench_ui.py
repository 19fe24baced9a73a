"""Desktop app figures: cold start, opening a record in the editor, memory with 10,000 records.

    .venv/bin/python bench/run.py --only ui
    .venv/bin/python bench/bench_ui.py            # the same figures, printed

- ``cold_start_s``: from launching ``python -m focalpoint`` to the main window's frame shown
  and painted (title, menu titles, tab bar, "Opening the database…"; the app's
  ``FOCALPOINT_EXIT_AFTER_SHOWN=1`` hook: a zero timer queued by the window's first paint
  event has fired, so the whole first paint pass is done), median (and p95) of 9 runs on a
  data folder that already holds the catalogue; ``bare_qt_window_s`` the same for a bare
  PySide6 ``QMainWindow`` started and timed the same way (same first-paint event filter, same
  clock), interleaved with them (``cold_start_vs_bare_qt``: the ratio of the medians, target
  1.5; ``cold_start_cpu_vs_bare_qt`` the same for the CPU seconds each process reports having
  used when its window is painted, ``cold_start_cpu_to_shown_s``: steadier on a busy machine);
  ``ready_s``: the same runs, to the window built and usable (database open, tabs built, the
  action plan listed and painted: the app's ``FOCALPOINT_READY`` line), ``ready_vs_bare_qt``
  its ratio to the bare window, ``ready_cpu_s`` the CPU seconds used by then; ``listed_s``
  the same runs, to the action plan listed from the database through a read-only connection
  and painted, before SQLAlchemy and the other tabs load (``FOCALPOINT_LISTED``: the person
  can read, scroll and choose activities), ``listed_vs_bare_qt`` its ratio;
  ``first_start_s`` is the very first start (empty folder: database created and migrated) to
  the frame, ``first_start_ready_s`` to the usable window (the action plan loaded from the
  shipped plan included).
- ``editor_open_ms``: opening a stored capacity needs assessment (3 needs) in the
  editor, median of 10 after the first (``editor_first_open_ms``).
- ``rss_mb_10k_records``: resident memory of the app with 10,000 records listed and the
  list scrolled from top to bottom (rows are read in windows, not all at once).

Each measurement runs in a fresh subprocess. Targets: cold start < 1.5 s, editor
< 150 ms, memory < 300 MB.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO), "FOCALPOINT_LANG": "en"})
    env.pop("FOCALPOINT_DATA_DIR", None)
    env.update(extra)
    return env


BARE_WINDOW = """
import os, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
def seconds_since_process_start():
    with open("/proc/self/stat", "rb") as fh:
        start_ticks = int(fh.read().rsplit(b")", 1)[1].split()[19])
    with open("/proc/uptime", "rb") as fh:
        return float(fh.read().split()[0]) - start_ticks / os.sysconf("SC_CLK_TCK")
app = QApplication(sys.argv)
window = QMainWindow()
window.setWindowTitle("bare")
window.resize(1200, 800)
def painted():
    print(f"FOCALPOINT_SHOWN {seconds_since_process_start():.4f} {time.process_time():.4f}", flush=True)
    QTimer.singleShot(0, window.close)
class FirstPaint(QObject):  # as focalpoint.ui.app.after_first_paint
    done = False
    def eventFilter(self, watched, event):
        if not self.done and event.type() == QEvent.Type.Paint:
            self.done = True
            QTimer.singleShot(0, painted)
        return False
watcher = FirstPaint(window)
window.installEventFilter(watcher)
window.show()
sys.exit(app.exec())
"""


def _launch(data_dir: Path | None, pycache: Path | None = None
            ) -> tuple[float, float, float, float, float, float, float, float]:
    """(wall seconds seen from outside, seconds the app reports since its process began,
    CPU seconds the whole process used (exit included), CPU seconds it reports having used
    up to the painted window: less sensitive than wall time to other work on the machine,
    then wall seconds and CPU seconds to the usable window (``FOCALPOINT_READY``; NaN for the
    bare window, which has no such moment), then the same to the action plan listed
    (``FOCALPOINT_LISTED``; NaN when the app did not list it before building the window).

    With ``pycache`` the app runs as it ships (compiled bytecode, kept in that folder so the
    source tree stays clean); without, as this environment is set (``PYTHONDONTWRITEBYTECODE``:
    every module of the source tree is compiled again at each start).
    ``data_dir`` None: the baseline, a bare PySide6 ``QMainWindow`` started the same way.
    """
    env = _env(FOCALPOINT_EXIT_AFTER_SHOWN="1")
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    argv = [sys.executable, "-c", BARE_WINDOW] if data_dir is None else \
        [sys.executable, "-m", "focalpoint", "--data-dir", str(data_dir)]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    reported = float("nan")
    wall = float("nan")
    cpu_to_shown = float("nan")
    ready = float("nan")
    cpu_to_ready = float("nan")
    listed = float("nan")
    cpu_to_listed = float("nan")
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("FOCALPOINT_SHOWN "):
            wall = time.perf_counter() - start
            reported = float(line.split()[1])
            cpu_to_shown = float(line.split()[2])
        elif line.startswith("FOCALPOINT_LISTED "):
            listed = time.perf_counter() - start
            cpu_to_listed = float(line.split()[2])
        elif line.startswith("FOCALPOINT_READY "):
            ready = time.perf_counter() - start
            cpu_to_ready = float(line.split()[2])
    proc.wait(timeout=60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if data_dir is not None and math.isnan(ready):
        raise RuntimeError(f"the app did not report FOCALPOINT_READY (exit code {proc.returncode})")
    return wall, reported, cpu, cpu_to_shown, ready, cpu_to_ready, listed, cpu_to_listed


def _p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _child(kind: str, data_dir: str) -> None:
    """Runs inside a subprocess: prints one JSON line of figures."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from focalpoint.db import open_database
    from focalpoint.ui.compat import protect_none_refcount

    app = QApplication([])
    protect_none_refcount()
    db = open_database(Path(data_dir))
    from focalpoint.ui.tasks import TaskRunner

    runner = TaskRunner()

    def spin_until(cond, timeout=30.0):  # noqa: ANN001, ANN202
        end = time.perf_counter() + timeout
        while not cond() and time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.001)

    if kind == "editor":
        from focalpoint.records import RecordStore
        from focalpoint.ui.records_panel import RecordsPanel

        store = RecordStore(db)
        view = store.list(schema="capacityNeedsAssessment", limit=1)[0]
        panel = RecordsPanel(db, runner)
        figures = {}
        t0 = time.perf_counter()
        window = panel.open_editor(view.document, view)
        app.processEvents()
        figures["editor_cold_open_ms"] = round((time.perf_counter() - t0) * 1000, 1)  # no warm-up
        window.autosaver.enabled = False
        window.close()
        spin_until(lambda: not runner.busy)
        times = []
        for _ in range(11):
            t0 = time.perf_counter()
            window = panel.open_editor(view.document, view)
            app.processEvents()
            times.append((time.perf_counter() - t0) * 1000)
            window.autosaver.enabled = False
            window.close()
            spin_until(lambda: not runner.busy)
        figures["editor_open_ms"] = round(statistics.median(times[1:]), 1)
        figures["editor_open_max_ms"] = round(max(times[1:]), 1)
        print(json.dumps(figures))
    elif kind == "memory":
        from focalpoint.ui.records_panel import RecordsPanel

        panel = RecordsPanel(db, runner)
        panel.resize(1200, 800)
        panel.show()
        panel.load()
        spin_until(lambda: panel.model.rowCount() >= 10_000)
        table = panel.table
        bar = table.verticalScrollBar()
        spin_until(lambda: bar.maximum() > 0, 5)
        frames = []
        t0 = time.perf_counter()
        for value in range(0, bar.maximum() + 1, max(1, bar.pageStep())):
            f0 = time.perf_counter()
            bar.setValue(value)
            app.processEvents()
            spin_until(lambda: not runner.busy, 5)
            table.viewport().repaint()
            frames.append(time.perf_counter() - f0)
        bar.setValue(bar.maximum())
        spin_until(lambda: not runner.busy, 5)
        scroll_s = time.perf_counter() - t0
        rss = 0
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) // 1024
        frames.sort()
        print(json.dumps({"rss_mb_10k_records": rss, "rows_listed": panel.model.rowCount(),
                          "rows_cached": panel.model.cached_rows(), "pages_read": panel.model.pages_loaded,
                          "scroll_pages": len(frames), "scroll_top_to_bottom_s": round(scroll_s, 2),
                          "scroll_page_median_ms": round(frames[len(frames) // 2] * 1000, 1),
                          "scroll_page_p95_ms": round(frames[int(len(frames) * 0.95)] * 1000, 1)}))
    runner.shutdown()
    db.close()


def _run_child(kind: str, data_dir: Path) -> dict:
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", kind, str(data_dir)],
                         env=_env(), capture_output=True, text=True, timeout=600)
    lines = [l for l in out.stdout.splitlines() if l.startswith("{")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"{kind} child failed: {out.stderr[-2000:]}")
    return json.loads(lines[-1])


def _fill_records(data_dir: Path, n: int) -> None:
    """``n`` generated records written straight into the store (records and their search rows).

    ``RecordStore.save`` takes some milliseconds a record (outbox, audit, search index);
    the list only reads the records table, so a bulk insert makes the same list faster.
    """
    sys.path.insert(0, str(HERE))
    import datetime as dt

    from datagen import generate_documents  # noqa: E402
    from sqlalchemy import insert, text

    from focalpoint.db import open_database
    from focalpoint.models import Record
    from focalpoint.records import document_text, document_title, government_of

    db = open_database(data_dir)
    now = dt.datetime(2026, 1, 1)
    rows, fts = [], []
    for i, doc in enumerate(generate_documents(n, seed=7)):
        ident = doc["header"]["identifier"]
        rows.append({"identifier": ident, "schema": doc["header"]["schema"], "government": government_of(doc),
                     "document": doc, "title": document_title(doc), "status": "draft", "local_revision": 1,
                     "server_revision": None, "base_document": None, "sync_state": "queued", "sync_error": None,
                     "conflict": None, "deleted": False, "created_at": now,
                     "updated_at": now + dt.timedelta(seconds=i)})
        fts.append({"i": ident, "b": "\n".join(document_text(doc))})
    with db.session() as session:
        session.execute(insert(Record), rows)
        session.execute(text("INSERT INTO record_fts (identifier, body) VALUES (:i, :b)"), fts)
    db.close()


def _load_catalogue(data_dir: Path) -> None:
    """The shipped action plan loaded into the store (what the app's first session does after showing)."""
    from focalpoint.catalog import ensure_catalog
    from focalpoint.db import open_database

    db = open_database(data_dir)
    try:
        ensure_catalog(db)
    finally:
        db.close()


def _needs_record(data_dir: Path) -> None:
    from focalpoint.db import open_database
    from focalpoint.forms import template
    from focalpoint.records import RecordStore

    db = open_database(data_dir)
    doc = template("capacityNeedsAssessment")
    need = doc["needs"][0]
    doc["needs"] = [dict(need) for _ in range(3)]
    RecordStore(db).save(doc)
    db.close()


def main(results: dict) -> None:
    with tempfile.TemporaryDirectory(prefix="fp-bench-ui-") as tmp:
        data = Path(tmp) / "data"
        pycache = Path(tmp) / "pycache"
        _launch(Path(tmp) / "throwaway", pycache)  # compile the bytecode once, as an installer would
        first = _launch(data, pycache)  # first start: creates and migrates the database
        results["first_start_s"] = round(first[0], 3)
        results["first_start_ready_s"] = round(first[4], 3)
        _load_catalogue(data)  # as after a first session: the action plan is in the database
        _launch(None, pycache)  # the baseline's bytecode too
        runs, bare = [], []
        for _ in range(9):  # interleaved, so that both meet the same load on the machine
            runs.append(_launch(data, pycache))
            bare.append(_launch(None, pycache))
        results["cold_start_s"] = round(statistics.median(r[0] for r in runs), 3)
        results["cold_start_p95_s"] = round(_p95([r[0] for r in runs]), 3)
        results["bare_qt_window_s"] = round(statistics.median(r[0] for r in bare), 3)
        results["bare_qt_window_p95_s"] = round(_p95([r[0] for r in bare]), 3)
        results["bare_qt_window_cpu_s"] = round(statistics.median(r[2] for r in bare), 3)
        results["cold_start_vs_bare_qt"] = round(results["cold_start_s"] / results["bare_qt_window_s"], 2)
        results["cold_start_vs_bare_qt_target"] = 1.5
        results["cold_start_cpu_to_shown_s"] = round(statistics.median(r[3] for r in runs), 3)
        results["bare_qt_window_cpu_to_shown_s"] = round(statistics.median(r[3] for r in bare), 3)
        results["cold_start_cpu_vs_bare_qt"] = round(results["cold_start_cpu_to_shown_s"]
                                                     / results["bare_qt_window_cpu_to_shown_s"], 2)
        results["ready_s"] = round(statistics.median(r[4] for r in runs), 3)
        results["ready_p95_s"] = round(_p95([r[4] for r in runs]), 3)
        results["ready_vs_bare_qt"] = round(results["ready_s"] / results["bare_qt_window_s"], 2)
        results["ready_cpu_s"] = round(statistics.median(r[5] for r in runs), 3)
        results["ready_runs_s"] = [round(r[4], 3) for r in runs]
        results["listed_s"] = round(statistics.median(r[6] for r in runs), 3)
        results["listed_p95_s"] = round(_p95([r[6] for r in runs]), 3)
        results["listed_vs_bare_qt"] = round(results["listed_s"] / results["bare_qt_window_s"], 2)
        results["listed_cpu_s"] = round(statistics.median(r[7] for r in runs), 3)
        results["cold_start_in_process_s"] = round(statistics.median(r[1] for r in runs), 3)
        results["cold_start_runs_s"] = [round(r[0], 3) for r in runs]
        results["cold_start_cpu_s"] = round(statistics.median(r[2] for r in runs), 3)
        results["machine_load_1min"] = round(os.getloadavg()[0], 2)
        results["cold_start_target_s"] = 1.5
        if os.environ.get("PYTHONDONTWRITEBYTECODE"):
            plain = [_launch(data) for _ in range(5)]
            results["cold_start_no_bytecode_cache_s"] = round(statistics.median(r[0] for r in plain), 3)

        _needs_record(data)
        results.update(_run_child("editor", data))
        results["editor_target_ms"] = 150

        big = Path(tmp) / "big"
        t0 = time.perf_counter()
        _fill_records(big, 10_000)
        results["fill_10k_records_s"] = round(time.perf_counter() - t0, 1)
        results.update(_run_child("memory", big))
        results["rss_target_mb"] = 300


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "--child":
        sys.path.insert(0, str(REPO))
        _child(sys.argv[2], sys.argv[3])
    else:
        sys.path.insert(0, str(REPO))
        figures: dict = {}
        main(figures)
        print(json.dumps(figures, indent=1))
