"""Killing the app loses at most the last two seconds of typing: the autosaved draft survives SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.ui import make_database, write_sample_plan

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.gui

HOOK = '''
from PySide6.QtCore import QTimer

from tests.support.ui import type_text


def hook(window):
    editor = window.records.new_record("contact", languages=["en"])

    def type_name():
        type_text(editor.form_view.field_rows["firstName"].widget.edit, "Tevita")
        type_text(editor.form_view.field_rows["lastName"].widget.edit, "Fifita")
        print("TYPED", editor.identifier, flush=True)

    QTimer.singleShot(300, type_name)
'''


def _autosaved(database: Path, identifier: str) -> tuple[str, str] | None:
    """The first and last name the running app's database holds for the record (read-only)."""
    conn = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True, timeout=5)
    try:
        row = conn.execute("SELECT document FROM records WHERE identifier = ?", (identifier,)).fetchone()
    finally:
        conn.close()
    if row is None:
        return None
    document = json.loads(row[0])
    return document.get("firstName"), document.get("lastName")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_kill_after_autosave_keeps_the_draft(tmp_path):
    plan = write_sample_plan(tmp_path / "plan")
    data = tmp_path / "data"
    make_database(data, plan).close()
    (tmp_path / "hooks").mkdir()
    (tmp_path / "hooks" / "killhook.py").write_text(HOOK, encoding="utf-8")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", FOCALPOINT_LANG="en",
               FOCALPOINT_ACTION_PLAN_DIR=str(plan), FOCALPOINT_UI_HOOK="killhook:hook",
               PYTHONPATH=os.pathsep.join([str(REPO), str(tmp_path / "hooks")]))
    proc = subprocess.Popen([sys.executable, "-m", "focalpoint", "--data-dir", str(data)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        identifier = None
        deadline = time.monotonic() + 60
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            if line.startswith("TYPED "):
                identifier = line.split()[1]
                break
        assert identifier, proc.stderr.read() if proc.poll() is not None else "no TYPED line"
        # nobody saves: the 2-second autosave must put the typing in the file (a generous deadline
        # for a loaded machine), and the app is killed as soon as it is there
        deadline = time.monotonic() + 15
        while _autosaved(data / "focalpoint.sqlite3", identifier) != ("Tevita", "Fifita"):
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else "the app ended"
            assert time.monotonic() < deadline, "the typing was not autosaved within 15 seconds"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL

    from focalpoint.db import open_database
    from focalpoint.records import RecordStore

    db = open_database(data)  # the file opens cleanly after the kill
    try:
        view = RecordStore(db).get(identifier)
        assert view is not None, "the autosaved draft was lost"
        assert view.document["firstName"] == "Tevita" and view.document["lastName"] == "Fifita"
        assert view.status == "draft" and view.sync_state == "queued"
    finally:
        db.close()
