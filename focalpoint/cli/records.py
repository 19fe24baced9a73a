"""``focalpoint records``: list, show, create, validate, import, export and template CHM records;
attach files to them and read attached files back.

Exit codes: 0 done; 1 the documents have validation errors, or a file is over the attachment size
limit (nothing was written);
2 usage or unreadable input (not JSON, no such file or record, unknown record type).
Everything runs on the CLI's only thread.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

from focalpoint.i18n import _, get_language, localize, ngettext

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from focalpoint.records.exchange import DocumentProblem

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("records", help=_("clearing-house records: list, show, new, validate, import, "
                                              "export, attach, attachment, template"))
    rsub = parser.add_subparsers(dest="records_command", metavar=_("ACTION"), required=True)

    p = rsub.add_parser("list", help=_("list local records"))
    p.add_argument("--schema", help=_("only records of this type"))
    p.add_argument("--status", help=_("only records in this state (draft, ready, submitted, published, rejected)"))
    p.add_argument("--search", help=_("only records containing this text"))
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(func=_list)

    p = rsub.add_parser("show", help=_("print a record's document as JSON"))
    p.add_argument("identifier", metavar="UID")
    p.set_defaults(func=_show)

    p = rsub.add_parser("new", help=_("create a draft from a JSON document (--file or standard input) "
                                      "or an empty one; prints its identifier"))
    p.add_argument("schema", metavar="SCHEMA")
    p.add_argument("--file", metavar="FILE", help=_("the document (\"-\" for standard input)"))
    p.add_argument("--languages", default="en", metavar="LANGS",
                   help=_("languages of an empty draft, comma-separated (default: en)"))
    p.set_defaults(func=_new)

    p = rsub.add_parser("validate", help=_("check a JSON document (or a list of them) without saving it"))
    p.add_argument("file", metavar="FILE", help=_("the JSON file (\"-\" for standard input)"))
    p.add_argument("--json", action="store_true", help=_("print the errors as JSON"))
    p.add_argument("--check-references", action="store_true",
                   help=_("also report references to records that are not in the local store"))
    p.set_defaults(func=_validate)

    p = rsub.add_parser("import", help=_("import one document or a list: all of them or none"))
    p.add_argument("file", metavar="FILE", help=_("the JSON file (\"-\" for standard input)"))
    p.add_argument("--require-complete", action="store_true",
                   help=_("refuse documents whose required fields are still empty (by default they come in "
                          "as drafts, and completeness is checked when publication is requested)"))
    p.add_argument("--allow-incomplete", action="store_true", help=argparse.SUPPRESS)  # the default now
    p.add_argument("--json", action="store_true", help=_("print the result as JSON"))
    p.set_defaults(func=_import)

    p = rsub.add_parser("export", help=_("write records as JSON, or needs assessments as CSV or XLSX"))
    p.add_argument("-o", "--output", metavar="FILE", help=_("the file to write (default: standard output)"))
    p.add_argument("--format", choices=("json", "csv", "xlsx"), default="json")
    p.add_argument("--schema", help=_("only records of this type"))
    p.add_argument("--status", help=_("only records in this state"))
    p.add_argument("--identifier", action="append", metavar="UID", help=_("only this record (repeatable)"))
    p.set_defaults(func=_export)

    p = rsub.add_parser("attach", help=_("attach a file to a record (checked, copied into the data folder, "
                                         "sent with the record at the next sync)"))
    p.add_argument("identifier", metavar="UID")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--field", metavar="NAME", help=_("the record's field for files (needed when it has several)"))
    p.add_argument("--name", metavar="FILENAME", help=_("the name to give the file (default: its own name)"))
    p.set_defaults(func=_attach)

    p = rsub.add_parser("attachment", help=_("write a record's attached file (by its name) to a file"))
    p.add_argument("identifier", metavar="UID")
    p.add_argument("name", metavar="NAME", help=_("the file's name in the record (or its SHA-256)"))
    p.add_argument("-o", "--output", metavar="FILE", required=True,
                   help=_("where to write it (\"-\" for standard output; a folder: under its own name)"))
    p.set_defaults(func=_attachment)

    p = rsub.add_parser("attachment-settings", help=_("show or change the size limit of attached files and "
                                                      "whether every file is fetched after a sync"))
    p.add_argument("--max-mb", type=float, metavar="MB", help=_("the size limit of one file, in megabytes"))
    p.add_argument("--download-all", choices=("on", "off"),
                   help=_("on: fetch every attached file after each sync (for good links); off: fetch a file "
                          "when its record is opened (the default)"))
    p.set_defaults(func=_attachment_settings)

    p = rsub.add_parser("template", help=_("print a complete, valid example document"))
    p.add_argument("schema", metavar="SCHEMA")
    p.add_argument("--languages", default="en,fr", metavar="LANGS",
                   help=_("languages of the example, comma-separated (default: en,fr)"))
    p.set_defaults(func=_template)


# ------------------------------------------------------------------ helpers

def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _check_schema(schema: str) -> None:
    from focalpoint import forms
    from focalpoint.cli import CliError

    if schema not in forms.schemas():
        raise CliError(_("Unknown record type \"{schema}\". Known types: {known}.").format(
            schema=schema, known=", ".join(forms.schemas())), EXIT_USAGE)


def _languages(value: str) -> list[str]:
    from focalpoint.cli import CliError
    from focalpoint.i18n import LANGUAGES

    langs = [part.strip() for part in value.split(",") if part.strip()]
    bad = [lang for lang in langs if lang not in LANGUAGES]
    if not langs or bad:
        raise CliError(_("Languages must be among ar, en, es, fr, ru, zh (got \"{value}\").").format(value=value),
                       EXIT_USAGE)
    return list(dict.fromkeys(langs))


def _read(path: str) -> Any:
    from focalpoint.cli import CliError
    from focalpoint.records.exchange import ExchangeError, read_json_file

    try:
        return read_json_file(path)
    except ExchangeError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc


def _documents(path: str) -> tuple[list[Any], bool]:
    from focalpoint.cli import CliError
    from focalpoint.records.exchange import ExchangeError, as_document_list

    try:
        return as_document_list(_read(path))
    except ExchangeError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc


def _store(args: argparse.Namespace):
    from focalpoint.cli import open_db
    from focalpoint.records import RecordStore

    return RecordStore(open_db(args), actor="cli")


def _problems_json(problems: Iterable[DocumentProblem], single: bool) -> list[dict[str, Any]]:
    lang = get_language()
    out = []
    for p in problems:
        item = p.to_json(lang)
        if single:
            item.pop("index", None)
        out.append(item)
    return out


def _report(problems: Sequence[DocumentProblem], single: bool, as_json: bool, stream: TextIO | None = None,
            warnings: Sequence[DocumentProblem] = ()) -> None:
    """Print validation problems: JSON ``{"errors": [...], "warnings": [...]}`` or one line each
    (warnings after the errors, marked as such)."""
    stream = stream or sys.stdout
    lang = get_language()
    if as_json:
        stream.write(json.dumps({"errors": _problems_json(problems, single),
                                 "warnings": _problems_json(warnings, single)},
                                ensure_ascii=False, indent=2) + "\n")
        return
    _print_warnings(warnings, single, stream)
    for p in problems:
        where = p.error.property
        prefix = "" if single else _("Document {number}: ").format(number=p.index + 1)
        stream.write(f"{prefix}{where or '-'}: {p.message(lang)} [{p.error.code}]\n")


MAX_WARNING_LINES = 20


def _print_warnings(warnings: Sequence[DocumentProblem], single: bool, stream: TextIO) -> None:
    """One line per warning (at most 20, then how many more), each saying it does not block."""
    lang = get_language()
    for p in list(warnings)[:MAX_WARNING_LINES]:
        prefix = "" if single else _("Document {number}: ").format(number=p.index + 1)
        stream.write(_("{prefix}{path}: {message} [{code}] (a warning: nothing is refused)").format(
            prefix=prefix, path=p.error.property or "-", message=p.message(lang), code=p.error.code) + "\n")
    hidden = len(warnings) - MAX_WARNING_LINES
    if hidden > 0:
        stream.write(ngettext("… and {count} more warning.", "… and {count} more warnings.", hidden).format(
            count=hidden) + "\n")


# ------------------------------------------------------------------ commands

def _list(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        views = store.list(schema=args.schema, status=args.status, search=args.search)
    finally:
        store.db.close()
    if args.json:
        _print_json([{"identifier": v.identifier, "schema": v.schema, "title": v.title,
                      "status": v.status, "sync_state": v.sync_state} for v in views])
        return EXIT_OK
    if not views:
        print(_("No records."), file=sys.stderr)
        return EXIT_OK
    for v in views:
        print(f"{v.identifier}\t{v.schema}\t{v.status}\t{localize(v.title)}")
    return EXIT_OK


def _show(args: argparse.Namespace) -> int:
    from focalpoint.cli import CliError

    store = _store(args)
    try:
        view = store.get(args.identifier)
    finally:
        store.db.close()
    if view is None or view.deleted:
        raise CliError(_("There is no record {identifier}.").format(identifier=args.identifier), EXIT_USAGE)
    _print_json(view.document)
    return EXIT_OK


def _stdin_text() -> str:
    try:
        if sys.stdin is None or sys.stdin.isatty():
            return ""
        return sys.stdin.read()
    except (OSError, ValueError, AttributeError):
        return ""


def _new(args: argparse.Namespace) -> int:
    from focalpoint import forms
    from focalpoint.cli import CliError
    from focalpoint.forms.validation import MANDATORY, MANDATORY_ANY_OF
    from focalpoint.records import new_identifier
    from focalpoint.records.exchange import DocumentProblem, ExchangeError, parse_json

    _check_schema(args.schema)
    if args.file:
        document = _read(args.file)
    else:
        text = _stdin_text()
        try:
            document = parse_json(text, source=_("standard input")) if text.strip() else None
        except ExchangeError as exc:
            raise CliError(str(exc), EXIT_USAGE) from exc
    if document is None:
        document = forms.empty_document(args.schema, languages=_languages(args.languages))
    if not isinstance(document, dict):
        raise CliError(_("The input must be one JSON document (an object)."), EXIT_USAGE)
    header = document.setdefault("header", {})
    if not isinstance(header, dict):
        raise CliError(_("The document's header must be an object."), EXIT_USAGE)
    if header.get("schema") not in (None, args.schema):
        raise CliError(_("The document is a \"{found}\", not a \"{schema}\".").format(
            found=header.get("schema"), schema=args.schema), EXIT_USAGE)
    header["schema"] = args.schema
    header.setdefault("identifier", new_identifier())
    header.setdefault("languages", _languages(args.languages))
    # a draft may be incomplete, but what it holds must be right
    problems = [DocumentProblem(0, e) for e in forms.validate(document)
                if e.code not in (MANDATORY, MANDATORY_ANY_OF) or e.property.startswith("header")]
    if problems:
        _report(problems, single=True, as_json=False, stream=sys.stderr)
        return EXIT_INVALID
    store = _store(args)
    try:
        from focalpoint.records.exchange import ImportRejected, import_documents

        try:
            result = import_documents(store, [document], allow_incomplete=True)
        except ImportRejected as exc:
            _report(exc.problems, single=True, as_json=False, stream=sys.stderr)
            return EXIT_INVALID
    finally:
        store.db.close()
    print(result.records[0].identifier)
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from focalpoint.records.exchange import check_documents, reference_checker

    documents, single = _documents(args.file)
    reference_exists = None
    if args.check_references:
        store = _store(args)
        try:
            reference_exists = reference_checker(store, documents)
        finally:
            store.db.close()
    warnings: list[Any] = []
    problems = check_documents(documents, reference_exists=reference_exists, warnings=warnings)
    if args.json:
        _report(problems, single, as_json=True, warnings=warnings)
    elif problems:
        _report(problems, single, as_json=False, warnings=warnings)
        print(_("{count} problem(s) found.").format(count=len(problems)), file=sys.stderr)
    else:
        _print_warnings(warnings, single, sys.stderr)
        print(_("The document is valid.") if single else
              _("All {count} documents are valid.").format(count=len(documents)))
    return EXIT_INVALID if problems else EXIT_OK


def _import(args: argparse.Namespace) -> int:
    from focalpoint.records.exchange import ImportRejected, import_documents

    documents, single = _documents(args.file)
    store = _store(args)
    try:
        result = import_documents(store, documents, allow_incomplete=not args.require_complete)
    except ImportRejected as exc:
        if args.json:
            _report(exc.problems, single=False, as_json=True)
        else:
            _report(exc.problems, single=False, as_json=False, stream=sys.stderr)
            print(_("Nothing was imported: {count} problem(s) in the file.").format(
                count=len(exc.problems)), file=sys.stderr)
        return EXIT_INVALID
    finally:
        store.db.close()
    if args.json:
        _print_json({"imported": [v.identifier for v in result.records], "created": result.created,
                     "updated": result.updated, "unchanged": result.unchanged,
                     "missingReferences": list(result.missing_references),
                     "warnings": _problems_json(result.warnings, single)})
    else:
        _print_warnings(result.warnings, single, sys.stderr)
        print(_("Imported {count} record(s): {created} new, {updated} updated, {unchanged} unchanged.").format(
            count=len(result.records), created=result.created, updated=result.updated,
            unchanged=result.unchanged))
        if result.missing_references:
            print(ngettext(
                "{count} referenced record is not on this computer yet ({identifiers}); it is fetched at the "
                "next sync.",
                "{count} referenced records are not on this computer yet ({identifiers}); they are fetched at "
                "the next sync.", len(result.missing_references)).format(
                count=len(result.missing_references), identifiers=", ".join(result.missing_references[:5])
                + (", …" if len(result.missing_references) > 5 else "")), file=sys.stderr)
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from focalpoint.cli import CliError
    from focalpoint.fileio import write_atomic
    from focalpoint.records.exchange import NEEDS_SCHEMA, documents_json, needs_csv, needs_xlsx

    if args.format in ("csv", "xlsx"):
        if args.schema not in (None, NEEDS_SCHEMA):
            raise CliError(_("CSV and XLSX export is available for capacity needs assessments only; "
                             "use --format json for other records."), EXIT_USAGE)
        args.schema = NEEDS_SCHEMA
        if args.format == "xlsx" and not args.output:
            raise CliError(_("An XLSX export needs a file name: add -o FILE.xlsx."), EXIT_USAGE)
    store = _store(args)
    try:
        if args.identifier:
            views = []
            for uid in args.identifier:
                view = store.get(uid)
                if view is None or view.deleted:
                    raise CliError(_("There is no record {identifier}.").format(identifier=uid), EXIT_USAGE)
                if args.schema and view.schema != args.schema:
                    continue
                views.append(view)
        else:
            views = list(reversed(store.list(schema=args.schema, status=args.status)))
    finally:
        store.db.close()
    documents = [v.document for v in views]
    lang = get_language()
    if args.format == "json":
        data = documents_json(documents)
    elif args.format == "csv":
        data = needs_csv(documents, lang)
    else:
        data = needs_xlsx(documents, lang)
    if args.output and args.output != "-":
        try:
            write_atomic(args.output, data)
        except OSError as exc:
            raise CliError(_("Cannot write {path}: {detail}").format(
                path=args.output, detail=exc.strerror or exc), EXIT_USAGE) from exc
        print(_("Wrote {count} record(s) to {path}.").format(count=len(documents), path=args.output),
              file=sys.stderr)
    else:
        if args.format == "xlsx":
            raise CliError(_("An XLSX export needs a file name: add -o FILE.xlsx."), EXIT_USAGE)
        sys.stdout.write(data.decode("utf-8-sig"))
        sys.stdout.flush()
    return EXIT_OK


def _attach(args: argparse.Namespace) -> int:
    from focalpoint.cli import CliError
    from focalpoint.forms.attachments import AttachmentRefused, human_size
    from focalpoint.records import RecordError
    from focalpoint.records.attachments import attach_to_record

    store = _store(args)
    try:
        view, value = attach_to_record(store, args.identifier, args.file, field=args.field, filename=args.name)
    except AttachmentRefused as exc:
        raise CliError(str(exc), EXIT_INVALID if exc.reason == "too-big" else EXIT_USAGE) from exc
    except RecordError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    finally:
        store.db.close()
    print(_("Attached \"{name}\" ({size}) to record {identifier}; it is sent with the record at the next "
            "sync.").format(name=value["filename"], size=human_size(int(value.get("size") or 0)),
                            identifier=view.identifier), file=sys.stderr)
    print(value["sha256"])
    return EXIT_OK


def _attachment(args: argparse.Namespace) -> int:
    from focalpoint.cli import CliError
    from focalpoint.records import RecordError
    from focalpoint.records.attachments import copy_out, find_attachment, local_file

    store = _store(args)
    try:
        view = store.get(args.identifier)
        if view is None or view.deleted:
            raise CliError(_("There is no record {identifier}.").format(identifier=args.identifier), EXIT_USAGE)
        try:
            value = find_attachment(view, args.name)
            if args.output == "-":
                with local_file(store.db.data_dir, value).open("rb") as src:
                    while chunk := src.read(1 << 20):
                        sys.stdout.buffer.write(chunk)
                sys.stdout.buffer.flush()
                return EXIT_OK
            written = copy_out(store.db.data_dir, value, args.output)
        except RecordError as exc:
            raise CliError(str(exc), EXIT_USAGE) from exc
        except OSError as exc:
            raise CliError(_("Cannot write {path}: {detail}").format(
                path=args.output, detail=exc.strerror or exc), EXIT_USAGE) from exc
    finally:
        store.db.close()
    print(_("Wrote \"{name}\" to {path}.").format(name=value["filename"], path=written), file=sys.stderr)
    return EXIT_OK


def _attachment_settings(args: argparse.Namespace) -> int:
    from focalpoint.cli import CliError, open_db
    from focalpoint.forms.attachments import human_size
    from focalpoint.records.attachments import read_settings, write_settings

    db = open_db(args)
    try:
        if args.max_mb is not None or args.download_all is not None:
            if args.max_mb is not None and not args.max_mb > 0:
                raise CliError(_("The size limit must be more than 0 MB."), EXIT_USAGE)
            settings = write_settings(
                db, max_bytes=None if args.max_mb is None else int(args.max_mb * 1024 * 1024),
                download_all=None if args.download_all is None else args.download_all == "on")
        else:
            settings = read_settings(db)
    finally:
        db.close()
    print(_("Size limit of one attached file: {limit}").format(limit=human_size(settings.max_bytes)))
    print(_("Fetch every attached file after a sync: {answer}").format(
        answer=_("on") if settings.download_all else _("off (a file is fetched when its record is opened)")))
    return EXIT_OK


def _template(args: argparse.Namespace) -> int:
    from focalpoint import forms

    _check_schema(args.schema)
    _print_json(forms.template(args.schema, languages=_languages(args.languages)))
    return EXIT_OK
