"""Work moved off the start-up path still happens: terms kept from earlier syncs reach the app's
choice lists once the window shows, and a record list is read once, after the window shows."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from tests.support.ui import make_database, write_sample_plan  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.gui
NEW_TERM = "F00DCAFE-0000-4000-8000-000000000001"


def hook(window) -> None:  # noqa: ANN001
    """FOCALPOINT_UI_HOOK: once the DB worker is idle, print the new term's label and quit."""
    from PySide6.QtCore import QTimer

    from focalpoint.forms.vocabularies import term_label

    deadline = dt.datetime.now() + dt.timedelta(seconds=30)

    def check() -> None:
        if window.runner.busy and dt.datetime.now() < deadline:
            QTimer.singleShot(20, check)
            return
        print(f"TERM {term_label('targetGroups', NEW_TERM, 'en')}", flush=True)
        window.close()

    QTimer.singleShot(0, check)


def test_terms_kept_from_an_earlier_sync_reach_the_app_after_it_shows(tmp_path):
    from sqlalchemy import insert

    from focalpoint.forms.vocabularies import shipped_vocabulary
    from focalpoint.sync.thesaurus import thesaurus_domain

    plan = write_sample_plan(tmp_path / "plan")
    data = tmp_path / "data"
    db = make_database(data, plan)
    shipped = shipped_vocabulary("targetGroups")
    terms = [{"identifier": t.identifier, "title": dict(t.label)} for t in shipped.terms]
    terms.append({"identifier": NEW_TERM, "title": {"en": "Women's groups", "fr": "Groupes de femmes"}})
    with db.session() as session:
        session.execute(insert(thesaurus_domain).values(domain=shipped.domain, vocabulary="targetGroups",
                                                        fetched_at=dt.datetime(2026, 1, 1), terms=terms))
    db.close()
    env = dict(os.environ)
    env.update({"QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO), "FOCALPOINT_LANG": "en",
                "FOCALPOINT_ACTION_PLAN_DIR": str(plan),
                "FOCALPOINT_UI_HOOK": "tests.test_ui_startup_deferred:hook"})
    env.pop("FOCALPOINT_EXIT_AFTER_SHOWN", None)
    proc = subprocess.run([sys.executable, "-m", "focalpoint", "--data-dir", str(data)], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "TERM Women's groups" in proc.stdout.splitlines()


def test_the_record_list_is_read_once_the_panel_loads_not_while_the_window_is_built(qtbot, tmp_path, runner):
    from PySide6.QtCore import Qt

    from focalpoint.ui.records_model import RecordTableModel
    from focalpoint.ui.records_panel import RecordsPanel

    db = make_database(tmp_path / "data")
    try:
        panel = RecordsPanel(db, runner)
        qtbot.addWidget(panel)
        assert panel.model.pages_loaded == 0 and not runner.busy  # nothing asked of the database yet
        # the header's order is kept for the first read
        assert panel.model.query.sort == RecordTableModel.SORT_KEYS[RecordTableModel.COL_UPDATED]
        assert panel.model.query.descending
        with qtbot.waitSignal(panel.model.ids_loaded, timeout=10000):
            panel.load()
        panel.table.sortByColumn(RecordTableModel.COL_TITLE, Qt.SortOrder.AscendingOrder)
        assert panel.model.query.sort == RecordTableModel.SORT_KEYS[RecordTableModel.COL_TITLE]
        runner.wait_db_idle()
    finally:
        db.close()
