"""The new and changed forms open in the Qt editor: a real CHM document of each editable type is
shown field by field and comes back from the editor exactly as it went in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "chm"


@pytest.mark.parametrize("name, fields", [
    ("chd-vlr.json", ["title", "resourceTypes", "authors", "publicationDate", "gbfTargets", "biosafety"]),
    ("chd-cdi.json", ["categories", "activityScope", "gbfTargets", "projectDocument", "broaderProjects",
                      "isExecutededByAgencies", "cpbThematicAreas", "resultsReference"]),
    ("chd-org.json", ["linkedOrganizations", "areasOfWork", "operationalRegions", "gbfTargets", "profileLink"]),
    ("chd-contact.json", ["organizationType", "addressType"]),
])
def test_a_real_document_opens_in_the_editor_unchanged(main_window, qtbot, name, fields):
    from focalpoint.records import RecordStore

    original = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    view = RecordStore(main_window.db, actor="test").save(original)
    panel = main_window.records
    panel.open_record(view.identifier)
    qtbot.waitUntil(lambda: view.identifier in panel.editors, timeout=5000)
    editor = panel.editors[view.identifier]
    for field in fields:
        assert field in editor.form_view.field_rows, field
    shown = editor.form_view.document()
    assert shown == original and list(shown) == list(original)
    editor.close()
