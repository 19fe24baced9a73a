"""Edit then approve in the desktop app: the reviewer's editor is open for changes, the author's is not."""

from __future__ import annotations

import datetime as dt
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from focalpoint import forms  # noqa: E402
from focalpoint.models import OutboxEntry, Workflow  # noqa: E402
from focalpoint.records import RecordStore  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def window(main_window):
    return main_window


def _submitted(window) -> str:  # noqa: ANN001
    doc = forms.template("capacityNeedsAssessment")
    doc["header"]["identifier"] = "REVIEWED-RECORD-0001"
    RecordStore(window.db).save(doc, status="submitted")
    with window.db.session() as s:
        s.query(OutboxEntry).delete()  # as if it had reached the hub
        s.add(Workflow(id="WF-EDIT", record_identifier="REVIEWED-RECORD-0001", type="publishNationalRecord",
                       state="running", revision=1, government="ws", created_by="author@ws.example",
                       created_at=dt.datetime(2026, 11, 1), data={"_id": "WF-EDIT"}))
    return "REVIEWED-RECORD-0001"


def _editor(qtbot, window, ident, **kwargs):  # noqa: ANN001, ANN003
    window.open_record(ident, **kwargs)
    qtbot.waitUntil(lambda: ident in window.records.editors, timeout=10000)
    return window.records.editors[ident]


def test_reviewer_may_edit_and_the_record_stays_under_review(qtbot, window):
    ident = _submitted(window)
    plain = _editor(qtbot, window, ident)
    assert not plain.form_view.isEnabled() and plain.locked_label.isVisibleTo(plain)
    plain.close()
    qtbot.waitUntil(lambda: ident not in window.records.editors, timeout=5000)

    editor = _editor(qtbot, window, ident, review_edit=True)
    assert editor.form_view.isEnabled() and not editor.locked_label.isVisibleTo(editor)
    doc = editor.document()
    doc["title"]["en"] = "Corrected in review"
    with qtbot.waitSignal(editor.autosaver.saved, timeout=10000):
        editor.autosaver.flush(force=True)
    view = RecordStore(window.db).get(ident)
    assert view.status == "submitted"
    # approving now names the revision the correction will make on the hub, not the requested one
    from focalpoint.review import approve

    approve(window.db, "WF-EDIT", actor="nfp@ws.example")
    with window.db.session() as s:
        entry = s.query(OutboxEntry).filter_by(action="approve").one()
        assert entry.payload == {"workflowId": "WF-EDIT", "afterEdit": True}
