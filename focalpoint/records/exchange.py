"""Import and export of records: JSON (the CHM's document shape), CSV and XLSX.

* JSON import takes one document or a list, of any CHM record type. It is
  all-or-nothing: every document is parsed and validated first, then all are
  saved in one transaction; one bad document means nothing is written. A
  document whose identifier already exists updates that record as a local edit.
  Term codes of an earlier FocalPoint are moved to the CHM's own terms on the way in.
  A reference to a record that is not on this computer (a central record named
  ``UID`` or ``UID@revision``) is kept as it is: it is reported, fetched by the
  next sync, and checked for completeness when publication is requested.
* JSON export writes a list of documents that imports back unchanged.
* CSV and XLSX export flatten capacity needs assessments: one row per need, with
  the assessment's identifier and fields repeated on every row. The columns are read
  from the form definition, so a field added to the form reaches the export.

Files are written through a temporary file and ``os.replace``, so a reader never
sees half a file. Call these functions from a worker thread or the CLI's thread.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select

from focalpoint import jsonsafe
from focalpoint.forms import ValidationError, validate
from focalpoint.forms.legacy_terms import upgrade_terms
from focalpoint.forms.model import (
    ACTIVITY,
    ATTACHMENT,
    BOOLEAN,
    CODE,
    GROUP,
    LINK,
    LOCALIZED_KINDS,
    MONEY,
    REFERENCE,
    TERM,
    Field,
    FormDefinition,
    FormDefinitionError,
    load_form,
)
from focalpoint.forms.references import reference_identifiers
from focalpoint.forms.validation import MANDATORY, MANDATORY_ANY_OF
from focalpoint.i18n import _, localize
from focalpoint.models import Record
from focalpoint.records import RecordError, RecordStore, RecordView

NEEDS_SCHEMA = "capacityNeedsAssessment"
MAX_INPUT_BYTES = 256 * 1024 * 1024


class ExchangeError(Exception):
    """The input cannot be read at all (not JSON, not a document): nothing was written."""


@dataclass(frozen=True)
class DocumentProblem:
    """A problem with document ``index`` (0-based) of an import."""

    index: int
    error: ValidationError

    @property
    def path(self) -> str:
        """``[2].needs[0].title.fr`` for a list, ``needs[0].title.fr`` for one document."""
        return f"[{self.index}].{self.error.property}" if self.error.property else f"[{self.index}]"

    def message(self, lang: str | None = None) -> str:
        """The problem as a sentence in ``lang`` (by default the interface language now in use). Any thread."""
        from focalpoint.i18n import get_language

        return self.error.message(lang or get_language())

    def to_json(self, lang: str | None = None) -> dict[str, Any]:
        """The CHM's wire shape of the error plus ``index`` and its ``message`` in ``lang``. Any thread."""
        out = {"index": self.index, **self.error.to_json()}
        out["message"] = self.message(lang)
        return out


class ImportRejected(Exception):
    """Validation found problems; nothing was imported."""

    def __init__(self, problems: list[DocumentProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass(frozen=True)
class ImportResult:
    """What :func:`import_documents` did: the records (in the order imported); how many were created,
    updated or already identical; and what to report. Plain data: any thread may read it."""

    records: list[RecordView]
    created: int
    updated: int
    unchanged: int = 0
    #: records referenced by the imported documents that are neither on this computer nor in the import
    missing_references: tuple[str, ...] = ()
    #: reported, not refused: unknown properties, terms and types; fields missing for publication
    warnings: tuple[DocumentProblem, ...] = ()


# ------------------------------------------------------------------ reading

def parse_json(text: str, *, source: str = "input") -> Any:
    """Parse JSON text; an error names the line and column."""
    try:
        return jsonsafe.loads(text)
    except jsonsafe.JsonRefused as exc:
        raise ExchangeError(_("{source} holds a value FocalPoint refuses: {problem}.").format(
            source=source, problem=exc)) from exc
    except json.JSONDecodeError as exc:
        raise ExchangeError(_("{source} is not valid JSON: {problem} at line {line}, column {column}.").format(
            source=source, problem=exc.msg, line=exc.lineno, column=exc.colno)) from exc
    except RecursionError as exc:
        raise ExchangeError(_("{source} is nested too deeply to be a CHM document.").format(source=source)) from exc


def read_json_file(path: str | os.PathLike[str], *, stdin: TextIO | None = None) -> Any:
    """Read and parse a JSON file (``-`` reads ``stdin``)."""
    if str(path) == "-":
        if stdin is None:
            import sys

            stdin = sys.stdin
        return parse_json(stdin.read(), source=_("standard input"))
    p = Path(path)
    try:
        if p.stat().st_size > MAX_INPUT_BYTES:
            raise ExchangeError(_("{path} is larger than {limit} MB.").format(
                path=p, limit=MAX_INPUT_BYTES // (1024 * 1024)))
        raw = p.read_bytes()
    except FileNotFoundError as exc:
        raise ExchangeError(_("There is no file {path}.").format(path=p)) from exc
    except IsADirectoryError as exc:
        raise ExchangeError(_("{path} is a folder, not a file.").format(path=p)) from exc
    except OSError as exc:
        raise ExchangeError(_("{path} cannot be read: {detail}").format(path=p, detail=exc.strerror or exc)) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExchangeError(_("{path} is not UTF-8 text (byte {offset}).").format(path=p, offset=exc.start)) from exc
    return parse_json(text, source=str(p))


def as_document_list(data: Any) -> tuple[list[Any], bool]:
    """The documents in parsed input and whether the input was a single document."""
    if isinstance(data, list):
        return data, False
    if isinstance(data, dict):
        return [data], True
    raise ExchangeError(_("The input must be a JSON object (one document) or a list of documents."))


# --------------------------------------------------------------- validation

def existing_identifiers(store: RecordStore, identifiers: Iterable[str]) -> set[str]:
    """Which of ``identifiers`` are records in the local store (deleted ones excluded)."""
    wanted = sorted(set(identifiers))
    found: set[str] = set()
    with store.db.session() as session:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            found.update(session.scalars(select(Record.identifier).where(
                Record.identifier.in_(chunk), Record.deleted.is_(False))))
    return found


def _batch_identifiers(documents: Sequence[Any]) -> set[str]:
    out: set[str] = set()
    for doc in documents:
        header = doc.get("header") if isinstance(doc, dict) else None
        if isinstance(header, dict) and isinstance(header.get("identifier"), str):
            out.add(header["identifier"])
    return out


def referenced_identifiers(documents: Sequence[Any]) -> set[str]:
    """Every record identifier (without ``@revision``) that ``documents`` reference."""
    wanted: set[str] = set()
    for document in documents:
        wanted |= reference_identifiers(document)
    return wanted


def missing_references(store: RecordStore, documents: Sequence[Any]) -> list[str]:
    """The records ``documents`` reference that are neither in the store nor among ``documents``."""
    wanted = referenced_identifiers(documents) - _batch_identifiers(documents)
    return sorted(wanted - existing_identifiers(store, wanted))


def reference_checker(store: RecordStore, documents: Sequence[Any]) -> Callable[[str], bool]:
    """A ``reference_exists`` for validating ``documents``: a reference may point to a record
    in the local store or to another document of the same batch. Looks everything up at once."""
    batch = _batch_identifiers(documents)
    known = batch | existing_identifiers(store, referenced_identifiers(documents) - batch)
    return known.__contains__


def check_documents(documents: Sequence[Any], *,
                    reference_exists: Callable[[str], bool] | None = None,
                    allow_incomplete: bool = False,
                    warnings: list[DocumentProblem] | None = None) -> list[DocumentProblem]:
    """Validate every document; also flag an identifier used twice in the same input.

    With ``allow_incomplete`` a missing mandatory field is not a problem (a draft may be
    incomplete; completeness is checked when publication is requested). ``warnings``, when
    given, receives what is reported without refusing: unknown properties, terms and record
    types, and the missing mandatory fields of an incomplete draft."""
    problems: list[DocumentProblem] = []
    seen: dict[str, int] = {}
    for index, doc in enumerate(documents):
        found: list[ValidationError] = []
        for error in validate(doc, reference_exists=reference_exists, warnings=found):
            if allow_incomplete and error.code in (MANDATORY, MANDATORY_ANY_OF) \
                    and not error.property.startswith("header"):
                found.append(error)
                continue
            problems.append(DocumentProblem(index, error))
        if warnings is not None:
            warnings.extend(DocumentProblem(index, w) for w in found)
        header = doc.get("header") if isinstance(doc, dict) else None
        ident = header.get("identifier") if isinstance(header, dict) else None
        if isinstance(ident, str):
            if ident in seen:
                problems.append(DocumentProblem(index, ValidationError(
                    "Error.InvalidValue", "header.identifier",
                    {"reason": "duplicate", "identifier": ident}, doc["header"].get("schema"))))
            seen.setdefault(ident, index)
    return problems


def import_documents(store: RecordStore, documents: Sequence[Any], *,
                     allow_incomplete: bool = True) -> ImportResult:
    """Validate all, then save all in one transaction (see the module docstring).

    Documents come in as drafts: a missing mandatory field is a warning unless
    ``allow_incomplete`` is False (a record published on the CHM years ago may lack a field
    that is mandatory today, and must still come in). Raises :class:`ImportRejected` with every
    problem when any document is invalid or cannot be saved (a record of another type, a record
    locked for review)."""
    documents = [upgrade_terms(doc) for doc in documents]  # files written by an earlier FocalPoint
    warnings: list[DocumentProblem] = []
    problems = check_documents(documents, allow_incomplete=allow_incomplete, warnings=warnings)
    if problems:
        raise ImportRejected(problems)
    views: list[RecordView] = []
    created = updated = unchanged = 0
    with store.db.session(write=True) as session:  # one transaction: a failure rolls every save back
        for index, doc in enumerate(documents):
            current = session.get(Record, doc["header"]["identifier"])
            if current is not None and not current.deleted and current.document == doc:
                unchanged += 1  # importing the same file twice queues nothing
                views.append(RecordView.of(current))
                continue
            try:
                views.append(store.save(doc, session=session))
            except RecordError as exc:
                raise ImportRejected([DocumentProblem(index, ValidationError(
                    "Error.InvalidValue", "header.identifier",
                    {"reason": "cannotSave", "detail": str(exc)},
                    doc["header"].get("schema")))]) from exc
            if current is not None:
                updated += 1
            else:
                created += 1
    return ImportResult(views, created, updated, unchanged, tuple(missing_references(store, documents)),
                        tuple(warnings))


# ------------------------------------------------------------------ writing

def documents_json(documents: Sequence[dict[str, Any]]) -> bytes:
    """The JSON export: a list of documents, UTF-8, readable by people and by import."""
    return (json.dumps(list(documents), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# Column names of the first exports, kept (spreadsheets people built use them): the assessment's
# fields that a need also has take the prefix, and a need's title is ``needTitle``.
ASSESSMENT_PREFIX = "assessment"
NEEDS_FIELD = "needs"
NEED_TITLE_COLUMN = "needTitle"


@dataclass(frozen=True)
class _Column:
    name: str
    value: Callable[[Any, str], Any]  # (the field's value, language) -> the cell


def _ids(value: Any) -> str:
    if not isinstance(value, list):
        return ""
    return "; ".join(_term(v) for v in value if isinstance(v, dict))


def _term(value: Any) -> str:
    return str(value.get("identifier", "")) if isinstance(value, dict) else ""


def _text(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return localize(value, lang)
    return value if isinstance(value, str) else ""


def _plain(value: Any) -> Any:
    """A value as it is when a cell can hold it (text, number), else its compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _yes_no(value: Any, _lang: str) -> str:
    return "" if value is None else ("yes" if value else "no")


def _joined(key: str) -> Callable[[Any, str], str]:
    """One member of each linked item or attachment (its address, its file name), joined."""
    def cell(value: Any, _lang: str) -> str:
        items = value if isinstance(value, list) else [value]
        return "; ".join(str(item.get(key, "")) for item in items if isinstance(item, dict))
    return cell


def _codes(value: Any, _lang: str) -> Any:
    return "; ".join(str(v) for v in value) if isinstance(value, list) else _plain(value)


def _money_part(key: str) -> Callable[[Any, str], Any]:
    def cell(value: Any, _lang: str) -> Any:
        return _plain(value.get(key)) if isinstance(value, dict) else ""
    return cell


def _field_columns(f: Field, name: str) -> list[_Column]:
    """The columns of one field: one, or amount and currency for money."""
    if f.kind == MONEY and not f.repeat:
        return [_Column(name + "Amount", _money_part("amount")), _Column(name + "Currency", _money_part("currency"))]
    cell: Callable[[Any, str], Any]
    if f.kind in (TERM, ACTIVITY, REFERENCE):
        cell = (lambda v, _lang: _ids(v)) if f.repeat else (lambda v, _lang: _term(v))
    elif f.kind in LOCALIZED_KINDS and not f.repeat:
        cell = _text
    elif f.kind == BOOLEAN and not f.repeat:
        cell = _yes_no
    elif f.kind in (LINK, ATTACHMENT):
        cell = _joined("url" if f.kind == LINK else "filename")
    elif f.kind == CODE and f.repeat:
        cell = _codes
    else:  # text, dates, numbers, a code; what has no flat form (a nested group) as JSON
        cell = lambda v, _lang: _plain(v)  # noqa: E731
    return [_Column(name, cell)]


def _of_member(key: str, column: _Column) -> Callable[[Any, str], Any]:
    """A column's cell read from member ``key`` of a document or a need."""
    def cell(obj: Any, lang: str) -> Any:
        return column.value(obj.get(key), lang)
    return cell


def _need_columns(form: FormDefinition) -> tuple[list[_Column], list[_Column]]:
    """(assessment columns, need columns) in the order of the form definition."""
    needs = form.field(NEEDS_FIELD)
    if needs is None or needs.kind != GROUP:
        raise FormDefinitionError(f"{form.schema}: the CSV/XLSX export needs a {NEEDS_FIELD!r} group")
    member_names = {m.name for m in needs.fields}
    head = [_Column("assessmentIdentifier", lambda doc, _lang: (doc.get("header") or {}).get("identifier", ""))]
    for f in form.fields:
        if f is needs:
            continue
        name = ASSESSMENT_PREFIX + f.name[0].upper() + f.name[1:] if f.name in member_names else f.name
        head += [_Column(c.name, _of_member(f.name, c)) for c in _field_columns(f, name)]
    body = [_Column("needNumber", lambda _need, _lang: "")]  # filled in by the row's position
    for m in needs.fields:
        name = NEED_TITLE_COLUMN if m.name == "title" else m.name
        body += [_Column(c.name, _of_member(m.name, c)) for c in _field_columns(m, name)]
    return head, body


def need_columns(form: FormDefinition | None = None) -> tuple[str, ...]:
    """The CSV/XLSX header: the assessment's identifier and fields, the need's number and fields,
    all read from the form definition (``capacityNeedsAssessment`` unless ``form`` is given)."""
    head, body = _need_columns(form or load_form(NEEDS_SCHEMA))
    return tuple(c.name for c in head + body)


def need_rows(documents: Iterable[dict[str, Any]], lang: str,
              form: FormDefinition | None = None) -> list[list[Any]]:
    """One row per need (columns :func:`need_columns`); text in ``lang`` or the nearest language given.
    An assessment without needs still gives one row, so it is not lost from the table."""
    head, body = _need_columns(form or load_form(NEEDS_SCHEMA))
    rows: list[list[Any]] = []
    for doc in documents:
        if (doc.get("header") or {}).get("schema") != NEEDS_SCHEMA:
            continue
        start = [c.value(doc, lang) for c in head]
        needs = [n for n in (doc.get(NEEDS_FIELD) or []) if isinstance(n, dict)]
        if not needs:
            rows.append(start + [""] * len(body))
        for number, need in enumerate(needs, start=1):
            rows.append(start + [number] + [c.value(need, lang) for c in body[1:]])
    return rows


def needs_csv(documents: Iterable[dict[str, Any]], lang: str, form: FormDefinition | None = None) -> bytes:
    """CSV (UTF-8 with a byte-order mark, so spreadsheet programs read Arabic and Chinese)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(need_columns(form))
    writer.writerows(need_rows(documents, lang, form))
    return buf.getvalue().encode("utf-8-sig")


def needs_xlsx(documents: Iterable[dict[str, Any]], lang: str, form: FormDefinition | None = None) -> bytes:
    """An XLSX workbook with one sheet of needs (same columns as the CSV)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("needs")
    ws.append(list(need_columns(form)))
    for row in need_rows(documents, lang, form):
        cells = []
        for value in row:
            cell = WriteOnlyCell(ws, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula stays text
            cells.append(cell)
        ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
