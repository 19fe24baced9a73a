"""What the field widgets of one editor share: languages, task runner, pickers' data.

``ChoiceSource`` reads the lists pickers offer (action-plan activities, records a
reference may name) once, on the DB worker, and tells the widgets when they arrive.
UI thread only (its loaders run on the DB worker).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from focalpoint.db import Database
from focalpoint.i18n import LANGUAGES

if TYPE_CHECKING:
    from focalpoint.ui.tasks import TaskRunner


def _load_activities(db: Database) -> list[dict[str, Any]]:
    from focalpoint.catalog import list_activities

    with db.session() as session:
        return [{"number": a.number, "text": a.text, "section": a.section} for a in list_activities(session)]


class ChoiceSource(QObject):
    """Activities and record titles for pickers, loaded once per editor."""

    activities_ready = Signal()
    records_ready = Signal(object)  # the tuple of schemas that was loaded

    def __init__(self, db: Database | None, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self._runner = runner
        self.activities: list[dict[str, Any]] | None = None
        self.records: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        self._asked_activities = False
        self._asked_records: set[tuple[str, ...]] = set()

    def want_activities(self) -> None:
        if self._asked_activities or self._db is None:
            return
        self._asked_activities = True
        self._runner.run_db(_load_activities, self._db, on_done=self._got_activities)

    def _got_activities(self, rows: list[dict[str, Any]]) -> None:
        self.activities = rows
        self.activities_ready.emit()

    def want_records(self, schemas: tuple[str, ...]) -> None:
        if schemas in self._asked_records or self._db is None:
            return
        self._asked_records.add(schemas)
        from focalpoint.ui.records_data import record_choices

        self._runner.run_db(record_choices, self._db, schemas,
                            on_done=lambda rows: self._got_records(schemas, rows))

    def _got_records(self, schemas: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
        self.records[schemas] = rows
        self.records_ready.emit(schemas)


@dataclass
class EditorContext:
    runner: Any
    db: Database | None
    data_dir: Path | None
    choices: ChoiceSource
    languages: list[str] = field(default_factory=lambda: ["en"])
    identifier: str | None = None  # the record being edited (a reference must not name itself)

    def ordered_languages(self) -> list[str]:
        return [code for code in LANGUAGES if code in self.languages]
