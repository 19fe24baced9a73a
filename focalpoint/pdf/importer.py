"""Read filled-in fillable PDFs back into new draft records.

A fillable form (``focalpoint print --form … --fillable``) names each field after
the document property it fills (:mod:`focalpoint.pdf.fieldnames`) and carries its
form code ``FP1|schema|version|lang[|lang2]`` in the hidden field ``fp:code``
(and in the document's Keywords). This module reads the values a participant
typed or ticked, turns them into a CHM document of that schema — dates checked,
numbers parsed in the form's language, ticked terms as terms, typed country
names matched against the vocabulary, activity numbers as activity terms — and
saves it as a new draft through :meth:`focalpoint.records.RecordStore.save`.

The :class:`ImportReport` says, per file, what was read (property and value),
what was not (field, value, why) and what validation still finds missing.

The same filled PDF imported twice does not make two records: each imported file
is remembered by the SHA-256 of its bytes in the local database (``Meta`` key
``pdfimport.<sha256>`` = the record's identifier; fillable forms are blank when
printed, so they carry no record identifier of their own). Importing it again is
skipped by default, or — ``on_duplicate="update"`` — replaces that record's
document with the form's values as a new local edit. :func:`previous_imports`
tells beforehand which files were imported already (the import dialog asks).

:func:`read_filled_pdf` needs no database; :func:`import_filled_pdfs` writes the
drafts — call it from the database worker thread or the CLI.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pypdf import PdfReader
from pypdf.errors import LimitReachedError, PyPdfError

from focalpoint.forms import load_form, validate, vocabulary
from focalpoint.forms import model as m
from focalpoint.forms.model import Field, FormDefinition
from focalpoint.forms.vocabularies import ACTION_PLAN_SIZE, activity_identifier
from focalpoint.i18n import LANGUAGES, _
from focalpoint.pdf import fieldnames as fn
from focalpoint.pdf.blank import LARGE_VOCABULARY
from focalpoint.pdf.document import FormCode, parse_form_code

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from focalpoint.db import Database
    from focalpoint.forms.vocabularies import Vocabulary
    from focalpoint.models import Record

_IDENTIFIER_RE = re.compile(r"^[A-Za-z0-9\-_]{11,128}(@\d+)?$")

#: the largest PDF the import reads: a filled FocalPoint form is a few MB (its fonts included); a larger
#: file is refused on its size, before a byte of it is read or hashed
MAX_PDF_BYTES = 64 << 20
META_PREFIX = "pdfimport."     # Meta key of an imported file: pdfimport.<sha256> = record identifier
CREATED, UPDATED, SKIPPED = "created", "updated", "skipped"
UPDATE, SKIP = "update", "skip"  # what to do with a file imported before


@dataclass
class FieldRead:
    field: str      # the PDF field name
    path: str       # the property it filled (validation-style path)
    value: Any


@dataclass
class FieldNotRead:
    field: str
    value: str
    reason: str     # in the interface language


@dataclass
class FileImport:
    """What happened to one PDF."""

    path: Path
    code: str | None = None
    schema: str | None = None
    identifier: str | None = None       # the new draft's identifier when saved
    read: list[FieldRead] = field(default_factory=list)
    not_read: list[FieldNotRead] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)     # validation findings (the draft is kept)
    error: str | None = None            # why nothing was imported
    document: dict[str, Any] | None = None
    sha256: str | None = None           # of the file's bytes: how a file imported before is recognised
    previous: str | None = None         # the record this same file was imported into before
    action: str | None = None           # CREATED, UPDATED or SKIPPED (None when not imported)

    @property
    def ok(self) -> bool:
        return self.error is None and self.identifier is not None


@dataclass
class ImportReport:
    files: list[FileImport] = field(default_factory=list)

    @property
    def imported(self) -> list[str]:
        """The records made or updated from the files (not those skipped)."""
        return [f.identifier for f in self.files if f.identifier and f.action in (CREATED, UPDATED)]

    @property
    def created(self) -> list[str]:
        return [f.identifier for f in self.files if f.identifier and f.action == CREATED]

    @property
    def updated(self) -> list[str]:
        return [f.identifier for f in self.files if f.identifier and f.action == UPDATED]

    @property
    def skipped(self) -> list[FileImport]:
        return [f for f in self.files if f.action == SKIPPED]

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    def summary(self) -> str:
        """A readable account of the whole import (interface language)."""
        lines: list[str] = []
        for f in self.files:
            if f.error:
                lines.append(_("{file}: not imported: {reason}").format(file=f.path.name, reason=f.error))
                continue
            if f.action == SKIPPED:
                lines.append(skipped_message(f))
                continue
            if f.action == UPDATED:
                lines.append(_("{file}: record {identifier} ({schema}) updated from the form, {read} fields "
                               "read, {unread} not read").format(
                    file=f.path.name, identifier=f.identifier, schema=f.schema, read=len(f.read),
                    unread=len(f.not_read)))
            else:
                lines.append(_("{file}: new draft {identifier} ({schema}), {read} fields read, {unread} not "
                               "read").format(file=f.path.name, identifier=f.identifier, schema=f.schema,
                                              read=len(f.read), unread=len(f.not_read)))
            for item in f.not_read:
                lines.append("  " + _("not read: {field} = {value!r}: {reason}").format(
                    field=item.field, value=item.value, reason=item.reason))
            for problem in f.problems:
                lines.append("  " + _("to complete: {problem}").format(problem=problem))
        return "\n".join(lines)


def skipped_message(f: FileImport) -> str:
    """What a skipped file's line says: the file, and the record it was imported into before."""
    return _("{file}: already imported as record {identifier}: skipped").format(
        file=f.path.name, identifier=f.identifier)


# ------------------------------------------------------------------ reading the PDF

# What reading a damaged or hostile file can raise, caught only around the pypdf calls of
# _read_pdf (our own code never runs inside): the file not opening (OSError), pypdf's own errors
# (PyPdfError: a bad cross-reference table, a cycle in a /Parent chain, fields nested past its
# limit), RecursionError on nesting it does not limit, and the plain exceptions its parser lets
# out on malformed objects (pypdf 7.1 raises AttributeError on an object that is a reference to
# itself, "4 0 obj 4 0 R", and ValueError, TypeError, KeyError or IndexError on objects of the
# wrong type or shape).
_PDF_ERRORS = (OSError, PyPdfError, RecursionError, ValueError, AttributeError, TypeError, KeyError, IndexError)


@dataclass
class _PdfContent:
    """All the import needs from one PDF, as plain text (nothing left for pypdf to resolve later)."""

    values: dict[str, str]      # every filled terminal field's value by its full name
    has_fields: bool
    code: FormCode | None


def _read_pdf(path: Path) -> _PdfContent:
    """Read one PDF's field values and form code: the only place the import calls pypdf.

    Raises one of ``_PDF_ERRORS`` on a file pypdf cannot read (see there)."""
    reader = PdfReader(str(path))
    fields = reader.get_fields() or {}
    values: dict[str, str] = {}
    for name, fld in fields.items():  # radio groups by the group's name
        value = fld.get("/V")
        if value is not None:
            values[str(name)] = str(value)
    code = parse_form_code(values.get(fn.CODE_FIELD, ""))
    if code is None:
        meta: Mapping[str, Any] = reader.metadata or {}
        for key in ("/Keywords", "/Subject"):
            code = parse_form_code(str(meta.get(key) or ""))
            if code is not None:
                break
    return _PdfContent(values=values, has_fields=bool(fields), code=code)


def _describe(exc: BaseException) -> str:
    """What is wrong with a PDF that could not be read, in a line."""
    if isinstance(exc, RecursionError | LimitReachedError | AttributeError):
        return _("its objects refer to themselves in a loop or are nested too deeply")
    if isinstance(exc, TypeError | KeyError | IndexError):
        return _("its objects are damaged")
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]


def _resolve(form: FormDefinition, parts: list) -> tuple[Field | None, list, list]:
    """The field a name's path ends at, the document path to it, and what follows (lang, member)."""
    fields = form.fields
    current: Field | None = None
    doc_path: list = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if isinstance(part, int):
            if current is None or not current.repeat:
                return None, doc_path, parts[i:]
            doc_path.append(part)
            i += 1
            continue
        match = next((f for f in fields if f.name == part), None)
        if match is None:
            break
        current = match
        doc_path.append(part)
        fields = match.fields
        i += 1
    return current, doc_path, parts[i:]


def _set(doc: dict[str, Any], path: list, value: Any) -> None:
    target: Any = doc
    for key, nxt in zip(path, path[1:], strict=False):
        if isinstance(key, int):
            while len(target) <= key:
                target.append(None)
            if target[key] is None:
                target[key] = [] if isinstance(nxt, int) else {}
            target = target[key]
        else:
            if key not in target or target[key] is None:
                target[key] = [] if isinstance(nxt, int) else {}
            target = target[key]
    last = path[-1]
    if isinstance(last, int):
        while len(target) <= last:
            target.append(None)
        target[last] = value
    else:
        target[last] = value


def _get(doc: Any, path: list) -> Any:
    for key in path:
        try:
            doc = doc[key]
        except (KeyError, IndexError, TypeError):
            return None
    return doc


def _compact(value: Any) -> Any:
    """Drop empty entries (unfilled repeats, empty groups) left by sparse field indexes."""
    if isinstance(value, dict):
        compacted = {k: _compact(v) for k, v in value.items()}
        return {k: v for k, v in compacted.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        items = [_compact(v) for v in value]
        return [v for v in items if v not in (None, "", [], {})]
    return value


def _text(value: Any) -> str:
    """A field's text, its line ends made \\n (PDFium saves \\r\\n, Acrobat \\r)."""
    if value is None:
        return ""
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _ticked(value: Any) -> bool:
    text = str(value)
    return text not in ("", "/Off", "Off", "None")


def _state(value: Any) -> str:
    text = str(value)
    return text[1:] if text.startswith("/") else text


class _Reader:
    """Turns one form's field values into a document, noting what it could not read."""

    def __init__(self, form: FormDefinition, code: FormCode, result: FileImport,
                 find_record: Callable[[str], str | None] | None) -> None:
        self.form = form
        self.code = code
        self.result = result
        self.find_record = find_record
        self.doc: dict[str, Any] = {}

    def skip(self, name: str, value: Any, reason: str) -> None:
        self.result.not_read.append(FieldNotRead(name, _text(value), reason))

    def put(self, name: str, path: list, value: Any) -> None:
        _set(self.doc, path, value)
        self.result.read.append(FieldRead(name, fn.dotted(path), value))

    def read(self, name: str, raw: Any) -> None:
        parts, term, custom_lang = fn.split_name(name)
        fld, path, rest = _resolve(self.form, parts)
        if fld is None or fld.kind == m.GROUP:
            if _text(raw) and _ticked(raw):
                self.skip(name, raw, _("this form has no such field (was the form printed from another "
                                       "version?)"))
            return
        if term is not None:
            return self.read_term(name, fld, path, rest, term, custom_lang, raw)
        text = _text(raw)
        if not text:
            return
        kind = fld.kind
        if kind in m.LOCALIZED_KINDS:
            lang = rest[0] if rest and rest[0] in LANGUAGES else self.code.lang
            return self.put(name, path + [lang], text)
        if kind in (m.TERM, m.CODE, m.BOOLEAN) and not rest:
            return self.read_choice(name, fld, path, raw)
        if kind == m.DATE:
            try:
                dt.date.fromisoformat(text)
            except ValueError:
                return self.skip(name, raw, _("not a date in the form YYYY-MM-DD"))
            return self.put(name, path, text)
        if kind == m.NUMBER:
            number = self.number(text)
            if number is None:
                return self.skip(name, raw, _("not a number"))
            if fld.integer and number != int(number):
                return self.skip(name, raw, _("not a whole number"))
            return self.put(name, path, int(number) if fld.integer or number == int(number) else number)
        if kind == m.MONEY:
            member = rest[0] if rest else "amount"
            if member == "amount":
                number = self.number(text)
                if number is None:
                    return self.skip(name, raw, _("not an amount"))
                return self.put(name, path + ["amount"], int(number) if number == int(number) else number)
            if member == "currency":
                code = text.upper()
                if code not in vocabulary("currencies"):
                    return self.skip(name, raw, _("not a currency code such as USD or EUR"))
                return self.put(name, path + ["currency"], code)
        if kind == m.ACTIVITY:
            return self.read_activities(name, fld, path, raw)
        if kind == m.REFERENCE:
            ident = text
            if not _IDENTIFIER_RE.match(ident):
                found = self.find_record(text) if self.find_record else None
                if found is None:
                    return self.skip(name, raw, _("not a record identifier, and no local record has this "
                                                  "title: link the record in FocalPoint"))
                ident = found
            return self.put(name, path, {"identifier": ident})
        if kind == m.LINK:
            member = rest[0] if rest else "url"
            return self.put(name, path + [member], text)
        if kind == m.ATTACHMENT:
            return self.skip(name, raw, _("attach documents in FocalPoint"))
        if kind in (m.TERM, m.CODE):  # a large vocabulary typed as names or codes
            return self.read_typed_terms(name, fld, path, raw)
        return self.put(name, path, text)

    def number(self, text: str) -> float | None:
        from babel.numbers import NumberFormatError, parse_decimal

        for lang in (self.code.lang, "en"):
            try:
                return float(parse_decimal(text.replace("\u00a0", " "), locale=lang, strict=False))
            except (NumberFormatError, ValueError):
                continue
        return None

    def read_choice(self, name: str, fld: Field, path: list, raw: Any) -> None:
        state = _state(raw)
        if state in ("", "Off"):
            return
        if fld.kind == m.BOOLEAN:
            if state not in ("true", "false"):
                return self.skip(name, raw, _("neither yes nor no"))
            return self.put(name, path, state == "true")
        vocab = vocabulary(fld.vocabulary or "")
        if len(vocab) > LARGE_VOCABULARY:
            return self.read_typed_terms(name, fld, path, raw)
        if state not in vocab:
            return self.skip(name, raw, _("not one of the choices of this field"))
        self.put(name, path, {"identifier": state} if fld.kind == m.TERM else state)

    def read_term(self, name: str, fld: Field, path: list, rest: list, term: str,
                  custom_lang: str | None, raw: Any) -> None:
        vocab = vocabulary(fld.vocabulary or "")
        if term not in vocab:
            if _ticked(raw) and _text(raw):
                self.skip(name, raw, _("not one of the choices of this field"))
            return
        if custom_lang is not None:  # "other, please specify"
            text = _text(raw)
            if not text:
                return
            entry = self._term_entry(name, fld, path, term)
            entry.setdefault("customValue", {})[custom_lang] = text
            self.result.read.append(FieldRead(name, fn.dotted(path) + ".customValue." + custom_lang, text))
            return
        if not _ticked(raw):
            return
        self._term_entry(name, fld, path, term)

    def _term_entry(self, name: str, fld: Field, path: list, term: str) -> dict[str, Any]:
        """The term's entry in the document (added, and reported as read, when new)."""
        value = {"identifier": term} if fld.kind == m.TERM else term
        if fld.repeat:
            items = _get(self.doc, path)
            if not isinstance(items, list):
                items = []
                _set(self.doc, path, items)
            for item in items:
                if item == value or (isinstance(item, dict) and item.get("identifier") == term):
                    return item if isinstance(item, dict) else {}
            items.append(value)
        else:
            existing = _get(self.doc, path)
            if isinstance(existing, dict) and existing.get("identifier") == term:
                return existing
            _set(self.doc, path, value)
        self.result.read.append(FieldRead(name, fn.dotted(path), value))
        return value if isinstance(value, dict) else {}

    def read_typed_terms(self, name: str, fld: Field, path: list, raw: Any) -> None:
        vocab = vocabulary(fld.vocabulary or "")
        pieces = [p.strip() for p in re.split(r"[;,\n]", _text(raw)) if p.strip()] if fld.repeat else [_text(raw)]
        found = []
        for piece in pieces:
            ident = self.match_term(vocab, piece)
            if ident is None:
                self.skip(name, piece, _("no choice of this field is called this"))
                continue
            found.append({"identifier": ident} if fld.kind == m.TERM else ident)
        if not found:
            return
        self.put(name, path, found if fld.repeat else found[0])

    @staticmethod
    def match_term(vocab: Vocabulary, text: str) -> str | None:
        folded = text.casefold()
        for term in vocab:
            if term.identifier.casefold() == folded:
                return term.identifier
        for term in vocab:
            if any(label.casefold() == folded for label in term.label.values()):
                return term.identifier
        return None

    def read_activities(self, name: str, fld: Field, path: list, raw: Any) -> None:
        found = []
        for piece in re.split(r"[;,\s]+", _text(raw)):
            if not piece:
                continue
            if not piece.isdigit() or not 1 <= int(piece) <= ACTION_PLAN_SIZE:
                self.skip(name, piece, _("not an activity number from 1 to {size}").format(size=ACTION_PLAN_SIZE))
                continue
            found.append({"identifier": activity_identifier(int(piece))})
        if found:
            self.put(name, path, found if fld.repeat else found[0])


def size_problem(path: Path) -> str | None:
    """Why ``path`` is not read at all (too large for a filled form, or not there), or None. Any thread."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return _("cannot read this PDF: {error}").format(error=exc.strerror or type(exc).__name__)
    if size > MAX_PDF_BYTES:
        return _("this file is {size} MB; a filled FocalPoint form is at most {limit} MB, so it was not "
                 "read").format(size=f"{-(-size // (1 << 20)):,}", limit=MAX_PDF_BYTES >> 20)  # rounded up
    return None


def read_filled_pdf(path: Path | str, *, find_record: Callable[[str], str | None] | None = None) -> FileImport:
    """Read one filled PDF into ``result.document`` (nothing is saved). Any thread."""
    path = Path(path)
    result = FileImport(path=path)
    result.error = size_problem(path)
    if result.error:
        return result
    try:
        content = _read_pdf(path)
    except _PDF_ERRORS as exc:
        result.error = _("cannot read this PDF: {error}").format(error=_describe(exc))
        return result
    values, code = content.values, content.code
    if code is not None and not content.has_fields:
        result.code = str(code)
        result.error = _("this PDF is a form for printing, not a fillable one: type its answers in "
                         "FocalPoint")
        return result
    if code is None:
        result.error = _("this PDF is not a FocalPoint fillable form (it has no form code)")
        return result
    result.code = str(code)
    try:
        form = load_form(code.schema)
    except KeyError:
        result.error = _("this PDF is a form for {schema}, which FocalPoint does not know").format(schema=code.schema)
        return result
    result.schema = form.schema
    if code.version != form.version:
        result.problems.append(_("the form was printed from version {old}; this FocalPoint has version {new}")
                               .format(old=code.version, new=form.version))
    reader_ = _Reader(form, code, result, find_record)
    for name, raw in values.items():  # the PDF's own field order: the form's order
        if name == fn.CODE_FIELD:
            continue
        reader_.read(name, raw)
    document = _compact(reader_.doc)
    written = sorted({c for c in _languages_in(document, form)})
    languages = [c for c in [code.lang, code.lang2] if c and (c in written or not written)] or [code.lang]
    languages += [c for c in written if c not in languages]
    document = {"header": {"schema": form.schema, "languages": languages}, **document}
    result.document = document
    return result


def _languages_in(document: Any, form: FormDefinition) -> Iterable[str]:
    if isinstance(document, dict):
        for key, value in document.items():
            if key in LANGUAGES and isinstance(value, str):
                yield key
            else:
                yield from _languages_in(value, form)
    elif isinstance(document, list):
        for item in document:
            yield from _languages_in(item, form)


def file_sha256(path: Path | str) -> str | None:
    """The SHA-256 of a file's bytes (hex), None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with Path(path).open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 16), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def _remembered(session: Session, sha256: str) -> Record | None:
    """The live local record a file with this SHA-256 was imported into, None when there is none."""
    from focalpoint.db import get_meta
    from focalpoint.models import Record

    identifier = get_meta(session, META_PREFIX + sha256)
    if not identifier:
        return None
    rec = session.get(Record, identifier)
    if rec is None or rec.deleted:
        return None  # the record is gone: the file may be imported again, as a new draft
    return rec


def _remember(session: Session, sha256: str | None, identifier: str) -> None:
    from focalpoint.db import set_meta

    if sha256:
        set_meta(session, META_PREFIX + sha256, identifier)


@dataclass
class PreviousImport:
    """A file that was imported before: the record it became."""

    path: Path
    sha256: str
    identifier: str
    title: dict[str, str]
    schema: str


def previous_imports(db: Database, paths: Iterable[Path | str]) -> list[PreviousImport]:
    """The files among ``paths`` imported before into a record that still exists (DB worker)."""
    found: list[PreviousImport] = []
    with db.session() as session:
        for path in paths:
            path = Path(path)
            sha = file_sha256(path)
            rec = _remembered(session, sha) if sha else None
            if rec is None:
                continue
            found.append(PreviousImport(path=path, sha256=sha or "", identifier=rec.identifier,
                                        title=dict(rec.title or {}), schema=rec.schema))
    return found


DuplicateChoice = str | Mapping[Path | str, str] | Callable[[Path, str], str]


def _choice(on_duplicate: DuplicateChoice, path: Path, identifier: str) -> str:
    if callable(on_duplicate):
        choice = on_duplicate(path, identifier)
    elif isinstance(on_duplicate, Mapping):
        choice = on_duplicate.get(path, on_duplicate.get(str(path), SKIP))
    else:
        choice = on_duplicate
    if choice not in (UPDATE, SKIP):
        raise ValueError(f"on_duplicate must say {UPDATE!r} or {SKIP!r}, not {choice!r}")
    return choice


def import_filled_pdfs(db: Database, paths: Iterable[Path | str], *, actor: str | None = None,
                       on_duplicate: DuplicateChoice = SKIP) -> ImportReport:
    """Read each filled PDF and save it as a new draft record; the report says what was read.

    A file imported before (the same bytes: see the module's documentation) is skipped, or, when
    ``on_duplicate`` says ``"update"`` (for every file, by path in a mapping, or as a function of
    the path and the record's identifier), replaces that record's document as a new local edit.
    """
    from sqlalchemy import select

    from focalpoint.models import Record
    from focalpoint.records import RecordError, RecordStore

    def find_record(title: str) -> str | None:
        folded = title.casefold()
        with db.session() as session:
            for rec in session.scalars(select(Record).where(Record.deleted.is_(False))):
                if any(isinstance(t, str) and t.casefold() == folded for t in (rec.title or {}).values()):
                    return rec.identifier
        return None

    store = RecordStore(db, actor=actor)
    report = ImportReport()
    for path in paths:
        path = Path(path)
        problem = size_problem(path)  # before hashing: a huge file is not read at all
        if problem:
            report.files.append(FileImport(path=path, error=problem))
            continue
        sha = file_sha256(path)
        previous = None
        if sha is not None:
            with db.session() as session:
                known = _remembered(session, sha)
                previous = known.identifier if known is not None else None
        if previous is not None and _choice(on_duplicate, path, previous) == SKIP:
            report.files.append(FileImport(path=path, sha256=sha, previous=previous, identifier=previous,
                                           action=SKIPPED))
            continue
        result = read_filled_pdf(path, find_record=find_record)
        result.sha256, result.previous = sha, previous
        report.files.append(result)
        if result.error or result.document is None:
            continue
        if not result.read:
            result.error = _("the form is empty: nothing was filled in")
            continue
        from focalpoint.forms.legacy_terms import upgrade_terms
        from focalpoint.i18n import get_language
        from focalpoint.records import ensure_header

        result.document = upgrade_terms(result.document)  # a form printed by an earlier FocalPoint
        if previous is not None:
            result.document["header"]["identifier"] = previous  # the form's values replace the record's
        ensure_header(result.document)  # the new draft's identifier, before validation
        for invalid in validate(result.document):
            result.problems.append(invalid.message(get_language()))
        try:
            with db.session(write=True) as session:
                view = store.save(result.document, status="draft" if previous is None else None,
                                  session=session)
                _remember(session, sha, view.identifier)
        except RecordError as exc:  # the record is locked (waiting for review) or of another type
            result.error = str(exc)
            continue
        result.identifier = view.identifier
        result.document = view.document
        result.action = CREATED if previous is None else UPDATED
    return report
