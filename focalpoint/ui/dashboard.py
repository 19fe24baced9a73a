"""The dashboard: records by state and type, reviews waiting and overdue, and charts of the
national needs against the Aichi Biodiversity Targets (1–20), the action plan's sections
(A–D) and the action plan's activities covered by national needs.

Figures come from ``focalpoint.review.dashboard.compute`` on the DB worker. Charts use
QtCharts with the application font (the bundled Arabic and CJK fallbacks render every
label), Latin digits in every language, and in a right-to-left interface the category
axis runs from the right and the value axis stands on the right. UI thread only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QPercentBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from focalpoint.db import Database
from focalpoint.i18n import _, format_number, get_language, is_rtl, ngettext
from focalpoint.models import utcnow
from focalpoint.review.dashboard import Dashboard, compute
from focalpoint.ui.review.record_view import alive, leading

if TYPE_CHECKING:
    from focalpoint.ui.tasks import TaskRunner

SECTIONS = ("A", "B", "C", "D")
BAR_COLOUR = "#2f6f9f"
COVERED_COLOUR = "#2e6b30"
UNCOVERED_COLOUR = "#c8ccd0"
OVERDUE_COLOUR = "#a4262c"
CHART_HEIGHT = 300


def _status_label(status: str) -> str:
    from focalpoint.ui.records_model import status_label

    return status_label(status)


def _sync_label(state: str) -> str:
    from focalpoint.ui.records_model import sync_label

    return sync_label(state)


def _schema_label(schema: str) -> str:
    from focalpoint.ui.review.labels import schema_label

    return schema_label(schema)


def app_font(point_scale: float = 1.0, bold: bool = False) -> QFont:
    """The application font (with its Arabic / CJK fallback families), resized."""
    font = QFont(QApplication.font())
    if point_scale != 1.0 and font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * point_scale)
    font.setBold(bold)
    return font


def value_axis(maximum: int) -> QValueAxis:
    """A whole-number axis from 0 with readable ticks (Latin digits: printf formatting)."""
    axis = QValueAxis()
    top = max(1, maximum)
    if top <= 10:
        axis.setRange(0, top)
        axis.setTickCount(top + 1)
    else:
        axis.setRange(0, top)
        axis.applyNiceNumbers()
    axis.setLabelFormat("%d")
    axis.setMinorTickCount(0)
    return axis


class DashboardChart(QChartView):
    """One bar chart with translated title, axes and legend in the application font."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(CHART_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.series: QAbstractBarSeries | None = None
        self.sets: list[QBarSet] = []
        self.categories: list[str] = []
        self.reversed = False

    def show_bars(self, title: str, categories: list[str], sets: list[tuple[str, list[int], str]], *,
                  percent: bool = False, category_title: str = "", value_title: str = "",
                  show_legend: bool = False) -> None:
        """Replace the chart: ``sets`` are (legend name, values per category, colour).

        The chart's title says what the bars count: a rotated value-axis title is elided by
        QtCharts when the glyphs come from a fallback font (Chinese), so charts here use none.

        With ``percent`` the sets are stacked into one 100 % column per category (each part
        labelled with its count), so a section of 9 activities reads as well as one of 78.
        """
        chart = QChart()
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setBackgroundRoundness(0)
        chart.setMargins(QMargins(6, 6, 6, 6))
        # QtCharts mirrors nothing by itself (layout direction and axis reverse are ignored for
        # bar categories): in a right-to-left interface the categories are given in reverse
        # order, so the first one stands beside the value axis on the right.
        rtl = is_rtl()
        if rtl:
            categories = categories[::-1]
            sets = [(name, values[::-1], colour) for name, values, colour in sets]
        chart.setTitle(title)
        chart.setTitleFont(app_font(1.1, bold=True))
        series = QPercentBarSeries() if percent else QBarSeries()
        bar_sets = []
        for name, values, colour in sets:
            bar_set = QBarSet(name)
            bar_set.append([float(v) for v in values])
            bar_set.setColor(QColor(colour))
            bar_set.setBorderColor(QColor(colour))
            bar_set.setLabelFont(app_font(0.85))
            bar_set.setLabelColor(QColor("#1b1b1b"))
            series.append(bar_set)
            bar_sets.append(bar_set)
        series.setLabelsVisible(True)
        series.setLabelsFormat("@value %" if percent else "@value")
        series.setLabelsPrecision(3 if percent else 6)
        if not percent:
            series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        chart.addSeries(series)
        x_axis = QBarCategoryAxis()
        x_axis.append(categories)
        x_axis.setLabelsFont(app_font())
        x_axis.setTitleText(category_title)
        x_axis.setTitleFont(app_font(0.95))
        if percent:
            y_axis = QValueAxis()
            y_axis.setRange(0, 100)
            y_axis.setTickCount(6)
            y_axis.setLabelFormat("%d%%")
        else:
            top = max([v for s in sets for v in s[1]] or [0])
            y_axis = value_axis(top + max(1, top // 8))  # room for the labels above the bars
        y_axis.setLabelsFont(app_font())
        y_axis.setTitleText(value_title)
        y_axis.setTitleFont(app_font(0.95))
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignRight if rtl else Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)
        legend = chart.legend()
        legend.setVisible(show_legend)
        legend.setFont(app_font())
        legend.setAlignment(Qt.AlignmentFlag.AlignBottom)
        old = self.chart()
        self.setChart(chart)
        if old is not None:
            old.deleteLater()
        self.series, self.sets, self.categories = series, bar_sets, list(categories)
        self.reversed = rtl

    def values(self, index: int = 0) -> list[float]:
        """The values of bar set ``index`` as drawn, in category order (tests read the chart itself)."""
        bar_set = self.sets[index]
        drawn = [bar_set.at(i) for i in range(bar_set.count())]
        return drawn[::-1] if self.reversed else drawn

    def category_labels(self) -> list[str]:
        return self.categories[::-1] if self.reversed else list(self.categories)


class FigureCard(QFrame):
    """A big number and what it counts."""

    clicked = Signal()

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.number = QLabel(self)
        self.number.setObjectName(name + "Number")
        self.number.setFont(app_font(2.0, bold=True))
        self.caption = QLabel(self)
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.number)
        layout.addWidget(self.caption)
        self.box = layout  # the card's column, for extra widgets under the caption
        layout.addStretch(1)
        self.setMinimumWidth(150)

    def set_figure(self, number: str, caption: str, *, alarm: bool = False) -> None:
        self.number.setText(number)
        self.number.setFont(app_font(2.0, bold=True))
        self.number.setStyleSheet(f"QLabel {{ color: {OVERDUE_COLOUR}; }}" if alarm else "")
        self.caption.setText(caption)
        for label in (self.number, self.caption):
            label.setAlignment(leading() | Qt.AlignmentFlag.AlignVCenter)


class CountsBox(QGroupBox):
    """Label / number rows, e.g. records by state."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.grid = QGridLayout(self)
        self.grid.setColumnStretch(0, 1)
        self.rows: dict[str, int] = {}

    def set_counts(self, title: str, rows: list[tuple[str, str, int]]) -> None:
        """``rows`` are (key, label, count)."""
        self.setTitle(title)
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.rows = {}
        if not rows:
            self.grid.addWidget(QLabel(_("None yet"), self), 0, 0)
        for r, (key, label, count) in enumerate(rows):
            name = QLabel(label, self)
            name.setWordWrap(True)
            name.setAlignment(leading() | Qt.AlignmentFlag.AlignVCenter)
            number = QLabel(format_number(count, get_language()), self)
            number.setAlignment(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
            self.grid.addWidget(name, r, 0)
            self.grid.addWidget(number, r, 1)
            self.rows[key] = count


class DashboardView(QWidget):
    """The whole dashboard; ``load()`` reads the figures again (DB worker)."""

    loaded = Signal()
    show_overdue_requested = Signal()

    def __init__(self, db: Database, runner: TaskRunner, parent: QWidget | None = None,
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        super().__init__(parent)
        self.setObjectName("dashboard")
        self.db = db
        self.runner = runner
        self.clock = clock
        self.figures: Dashboard | None = None
        self._empty_due = False

        self.heading = QLabel(self)
        self.heading.setFont(app_font(1.3, bold=True))
        self.refresh_button = QPushButton(self)
        self.refresh_button.clicked.connect(self.load)
        self.records_card = FigureCard("recordsCard", self)
        self.pending_card = FigureCard("pendingCard", self)
        self.overdue_card = FigureCard("overdueCard", self)
        self.coverage_card = FigureCard("coverageCard", self)
        self.overdue_button = QPushButton(self.overdue_card)
        self.overdue_button.setObjectName("showOverdueButton")
        self.overdue_button.clicked.connect(self.show_overdue_requested)
        self.overdue_card.box.addWidget(self.overdue_button)
        self.by_status = CountsBox("byStatus", self)
        self.by_schema = CountsBox("bySchema", self)
        self.by_sync = CountsBox("bySync", self)
        self.aichi_chart = DashboardChart("aichiChart", self)
        self.section_chart = DashboardChart("sectionChart", self)
        self.coverage_chart = DashboardChart("coverageChart", self)

        content = QWidget(self)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.refresh_button)
        cards = QHBoxLayout()
        for card in (self.records_card, self.pending_card, self.overdue_card, self.coverage_card):
            cards.addWidget(card, 1)
        counts = QHBoxLayout()
        for box in (self.by_status, self.by_schema, self.by_sync):
            counts.addWidget(box, 1, Qt.AlignmentFlag.AlignTop)
        charts = QGridLayout()
        charts.addWidget(self.aichi_chart, 0, 0, 1, 2)
        charts.addWidget(self.section_chart, 1, 0)
        charts.addWidget(self.coverage_chart, 1, 1)
        layout = QVBoxLayout(content)
        layout.addLayout(top)
        layout.addLayout(cards)
        layout.addLayout(counts)
        layout.addLayout(charts)
        layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.retranslate()

    def load(self) -> None:
        self.refresh_button.setEnabled(False)
        self.runner.run_db(compute, self.db, now=self.clock(), on_done=self._show, on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        if not alive(self):
            return
        self.refresh_button.setEnabled(True)
        self.heading.setText(_("The figures could not be read: {error}").format(error=exc))

    def _show(self, figures: Dashboard) -> None:
        if not alive(self):
            return
        self.refresh_button.setEnabled(True)
        self.figures = figures
        self.retranslate()
        self.loaded.emit()

    # ------------------------------------------------------------ drawing

    def _render(self, f: Dashboard) -> None:
        lang = get_language()
        total = sum(f.by_status.values())
        self.records_card.set_figure(format_number(total, lang),
                                     ngettext("record on this computer", "records on this computer", total))
        self.pending_card.set_figure(format_number(f.pending_reviews, lang),
                                     ngettext("publication request waiting for review",
                                              "publication requests waiting for review", f.pending_reviews))
        self.overdue_card.set_figure(format_number(f.overdue_reviews, lang),
                                     ngettext("request overdue (more than 12 weeks)",
                                              "requests overdue (more than 12 weeks)", f.overdue_reviews),
                                     alarm=f.overdue_reviews > 0)
        self.overdue_button.setVisible(f.overdue_reviews > 0)
        self.coverage_card.set_figure(
            _("{covered} of {total}").format(covered=format_number(f.activities_covered, lang),
                                             total=format_number(f.activities_total, lang)),
            _("action-plan activities covered by national needs"))
        self.by_status.set_counts(_("Records by state"), [
            (k, _status_label(k), n) for k, n in sorted(f.by_status.items(), key=lambda kv: -kv[1])])
        self.by_schema.set_counts(_("Records by type"), [
            (k, _schema_label(k), n) for k, n in sorted(f.by_schema.items(), key=lambda kv: -kv[1])])
        self.by_sync.set_counts(_("Records by sync state"), [
            (k, _sync_label(k), n) for k, n in sorted(f.by_sync_state.items(), key=lambda kv: -kv[1])])
        self.aichi_chart.show_bars(
            _("National needs by Aichi Biodiversity Target"), [str(n) for n in range(1, 21)],
            [(_("Needs"), [f.needs_by_aichi_target.get(n, 0) for n in range(1, 21)], BAR_COLOUR)],
            category_title=_("Aichi Biodiversity Target"))
        self.section_chart.show_bars(
            _("National needs by action-plan section"), [self.section_name(s) for s in SECTIONS],
            [(_("Needs"), [f.needs_by_section.get(s, 0) for s in SECTIONS], BAR_COLOUR)])
        covered = [f.covered_by_section.get(s, (0, 0))[0] for s in SECTIONS]
        totals = [f.covered_by_section.get(s, (0, 0))[1] for s in SECTIONS]
        coverage_labels = [self.section_name(s) + "<br>" + _("{covered} of {total}").format(
            covered=format_number(c, lang), total=format_number(t, lang)) for s, c, t in zip(SECTIONS, covered, totals, strict=True)]
        self.coverage_chart.show_bars(
            _("Action-plan activities covered by national needs"), coverage_labels,
            [(_("Covered"), covered, COVERED_COLOUR),
             (_("Not covered"), [max(0, t - c) for c, t in zip(covered, totals, strict=True)], UNCOVERED_COLOUR)],
            percent=True, show_legend=True)

    @staticmethod
    def section_name(code: str) -> str:
        return _("Section {code}").format(code=code)

    def retranslate(self) -> None:
        self.heading.setText(_("Dashboard"))
        self.refresh_button.setText(_("Re&fresh"))
        self.overdue_button.setText(_("Show overdue requests"))
        self.heading.setAlignment(leading() | Qt.AlignmentFlag.AlignVCenter)
        if self.figures is None and not self.isVisible():
            self._empty_due = True  # the empty figures are drawn when the tab first shows, not at start-up
            return
        self._render(self.figures or Dashboard(
            needs_by_aichi_target={n: 0 for n in range(1, 21)}, needs_by_section={s: 0 for s in SECTIONS},
            covered_by_section={s: (0, 0) for s in SECTIONS}))

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._empty_due:
            self._empty_due = False
            if self.figures is None:
                self.retranslate()
