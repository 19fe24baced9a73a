"""The dashboard: figures and charts read back from the QtCharts series, in English and Arabic."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from focalpoint import forms
from focalpoint.models import Workflow
from focalpoint.records import RecordStore

pytestmark = pytest.mark.gui

NOW = dt.datetime(2026, 11, 23, 12, 0)


def _needs(*needs: tuple[list[int], list[int]]) -> dict:
    doc = forms.template("capacityNeedsAssessment")
    doc["header"].pop("identifier", None)
    base = doc["needs"][0]
    doc["needs"] = [{**base, "aichiTargets": [{"identifier": f"AICHI-TARGET-{t:02d}"} for t in targets],
                     "actionPlanActivities": [{"identifier": f"CBD-CB-ACTION-PLAN-2017-{a}"} for a in acts]}
                    for targets, acts in needs]
    return doc


@pytest.fixture
def figures_db(catalog_db):
    store = RecordStore(catalog_db)
    store.save(_needs(([11], [7, 50]), ([11, 19], [7])))
    store.save(_needs(([5], [100])))
    old = store.save({"header": {"schema": "contact", "languages": ["en"]}, "firstName": "Ana"})
    with catalog_db.session() as s:
        for wf_id, age in (("WF-OLD", dt.timedelta(weeks=13)), ("WF-NEW", dt.timedelta(days=2))):
            s.add(Workflow(id=wf_id, record_identifier=old.identifier, type="publishReferenceRecord",
                           state="running", revision=1, created_by="a@ws.example", created_at=NOW - age, data={}))
    return catalog_db


def _dashboard(qtbot, hold, db, runner):
    from focalpoint.ui.dashboard import DashboardView

    view = hold(DashboardView(db, runner, clock=lambda: NOW))
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.load()
    return view


def test_charts_show_the_needs_by_target_section_and_coverage(qtbot, figures_db, runner, hold):
    from focalpoint.review.dashboard import compute

    view = _dashboard(qtbot, hold, figures_db, runner)
    expected_targets = [0.0] * 20
    expected_targets[10], expected_targets[18], expected_targets[4] = 2.0, 1.0, 1.0
    assert view.aichi_chart.values() == expected_targets
    assert view.aichi_chart.category_labels() == [str(n) for n in range(1, 21)]
    # activity 7 is in section A, 50 in B, 100 in D: needs counted once per section
    assert view.section_chart.values() == [2.0, 1.0, 0.0, 1.0]
    figures = compute(figures_db)
    covered = [float(figures.covered_by_section[s][0]) for s in "ABCD"]
    totals = [figures.covered_by_section[s][1] for s in "ABCD"]
    assert covered == [1.0, 1.0, 0.0, 1.0]
    assert view.coverage_chart.values(0) == covered
    assert [c + n for c, n in zip(view.coverage_chart.values(0), view.coverage_chart.values(1), strict=True)] == totals
    assert view.coverage_chart.category_labels()[0] == f"Section A<br>1 of {totals[0]}"
    # the figures beside the charts
    assert view.records_card.number.text() == "3"
    assert view.pending_card.number.text() == "2"
    assert view.overdue_card.number.text() == "1"
    assert view.coverage_card.number.text() == f"3 of {figures.activities_total}"
    assert view.by_schema.rows == {"capacityNeedsAssessment": 2, "contact": 1}
    assert view.overdue_button.isVisibleTo(view)
    with qtbot.waitSignal(view.show_overdue_requested, timeout=1000):
        qtbot.mouseClick(view.overdue_button, Qt.MouseButton.LeftButton)


def test_right_to_left_and_latin_digits_in_arabic(qtbot, figures_db, runner, hold):
    from PySide6.QtWidgets import QApplication

    from focalpoint.i18n import set_language

    view = _dashboard(qtbot, hold, figures_db, runner)
    set_language("ar")
    try:
        view.retranslate()
        chart = view.aichi_chart.chart()
        # categories drawn from the right: the first drawn is Target 20, the value axis on the right
        assert view.aichi_chart.categories[0] == "20" and view.aichi_chart.categories[-1] == "1"
        assert view.aichi_chart.values()[10] == 2.0  # still Target 11, read in category order
        [value_axis] = chart.axes(Qt.Orientation.Vertical)
        assert value_axis.alignment() == Qt.AlignmentFlag.AlignRight
        assert value_axis.labelFormat() == "%d"  # printf: Latin digits
        assert view.overdue_card.number.text() == "1"
        # chart text uses the application font (its fallback families render Arabic and Chinese)
        assert chart.titleFont().families() == QApplication.font().families()
        assert view.section_chart.chart().axes(Qt.Orientation.Horizontal)[0].labelsFont().families() == \
            QApplication.font().families()
    finally:
        set_language("en")
    view.retranslate()
    assert view.aichi_chart.categories[0] == "1"
