"""The action-plan browser's search box and filter bar.

``CatalogFilterBar`` owns the widgets and turns them into a ``focalpoint.catalog.Filters``;
it emits ``changed`` when a filter moves and ``search_changed`` (debounced ~150 ms) as the
person types. UI thread only.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSizePolicy, QWidget

from focalpoint.i18n import _, get_language, localize
from focalpoint.plan_read import Filters

SEARCH_DEBOUNCE_MS = 150
ANY = None


def _elide(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def fill_combo(combo: QComboBox, items: list[tuple[str, Any]]) -> None:
    """Replace a combo's items, keeping the current choice (by data) and sending no signal."""
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    for text, data in items:
        combo.addItem(text, data)
    found = combo.findData(current) if current is not None else 0
    combo.setCurrentIndex(max(0, found))
    combo.blockSignals(False)


class SearchLineEdit(QLineEdit):
    """A search box that hands the keyboard to the results with the Down arrow."""

    move_down = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Down:
            self.move_down.emit()
            return
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            return
        super().keyPressEvent(event)


class CatalogFilterBar(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._sections: list[dict[str, Any]] = []
        self._partners: list[dict[str, Any]] = []
        self._years: list[int] = []

        self.search = SearchLineEdit(self)
        self.search.setClearButtonEnabled(True)
        self.search.setObjectName("catalogSearch")
        self.search_label = QLabel(self)
        self.search_label.setBuddy(self.search)
        self.result_label = QLabel(self)
        self.result_label.setObjectName("catalogResultCount")

        self.section = self._combo("sectionFilter")
        self.target = self._combo("targetFilter")
        self.partner = self._combo("partnerFilter")
        self.priority = self._combo("priorityFilter")
        self.secretariat = self._combo("secretariatFilter")
        self.year = self._combo("yearFilter")
        self.clear_button = QPushButton(self)
        self.clear_button.clicked.connect(self.clear)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._timer.timeout.connect(self.changed)
        self.search.textChanged.connect(lambda _t: self._timer.start())

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search_label)
        top.addWidget(self.search, 1)
        top.addWidget(self.result_label)

        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        for col, combo in enumerate((self.section, self.target, self.partner)):
            grid.addWidget(combo, 0, col)
        for col, combo in enumerate((self.priority, self.secretariat, self.year)):
            grid.addWidget(combo, 1, col)
        grid.addWidget(self.clear_button, 1, 3)
        for col in range(3):
            grid.setColumnStretch(col, 1)

        outer = QGridLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(top, 0, 0)
        outer.addLayout(grid, 1, 0)
        self.retranslate()

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(12)
        combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        return combo

    # ---------------------------------------------------------------- data

    def set_choices(self, sections: list[dict[str, Any]], partners: list[dict[str, Any]], years: list[int]) -> None:
        self._sections, self._partners, self._years = sections, partners, years
        self.retranslate()

    def filters(self) -> Filters:
        """The current filters, search text included."""
        query = self.search.text().strip() or None
        return Filters(section=self.section.currentData(), aichi_target=self.target.currentData(),
                       partner=self.partner.currentData(), priority=self.priority.currentData(),
                       secretariat=self.secretariat.currentData(), year=self.year.currentData(), query=query)

    def is_filtering(self) -> bool:
        f = self.filters()
        return any(v is not None for v in (f.section, f.aichi_target, f.partner, f.priority, f.secretariat,
                                           f.year, f.query))

    def clear(self) -> None:
        for combo in (self.section, self.target, self.partner, self.priority, self.secretariat, self.year):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.changed.emit()

    def set_result_count(self, shown: int, total: int) -> None:
        self._counts = (shown, total)
        if shown == total:
            self.result_label.setText(_("{total} activities").format(total=total))
        else:
            self.result_label.setText(_("{shown} of {total} activities").format(shown=shown, total=total))

    # ----------------------------------------------------------- language

    def retranslate(self) -> None:
        lang = get_language()
        self.search_label.setText(_("&Search:"))
        self.search.setPlaceholderText(_("Words in any language, or an activity number (Ctrl+F)"))
        self.search.setAccessibleName(_("Search the action plan"))
        self.clear_button.setText(_("Clear filters"))
        fill_combo(self.section, [(_("All sections"), ANY)] + [
            (_elide(_("{code}. {title}").format(code=s["code"], title=localize(s["title"], lang))), s["code"])
            for s in self._sections])
        fill_combo(self.target, [(_("All Aichi targets"), ANY)] + [
            (_("Aichi Target {number}").format(number=n), n) for n in range(1, 21)])
        fill_combo(self.partner, [(_("All partners"), ANY)] + [
            (_elide(f'{p["abbreviation"]} — {localize(p["name"], lang)}'), p["abbreviation"])
            for p in self._partners])
        fill_combo(self.priority, [(_("Priority: any"), ANY), (_("Global priority activities"), True),
                                   (_("Other activities"), False)])
        fill_combo(self.secretariat, [(_("Secretariat role: any"), ANY), (_("Secretariat role (S)"), True),
                                      (_("Without Secretariat role"), False)])
        fill_combo(self.year, [(_("Any year"), ANY)] + [
            (_("Under way in {year}").format(year=y), y) for y in self._years])
        for combo, name in ((self.section, _("Section")), (self.target, _("Aichi target")),
                            (self.partner, _("Partner")), (self.priority, _("Priority")),
                            (self.secretariat, _("Secretariat role")), (self.year, _("Timeframe"))):
            combo.setAccessibleName(name)
            combo.setToolTip(name)
        if hasattr(self, "_counts"):
            self.set_result_count(*self._counts)

