"""``focalpoint print`` (forms, records, the action plan as PDF) and ``focalpoint import-pdf``.

Examples::

    focalpoint print --form capacityNeedsAssessment --lang fr --lang2 en --paper letter -o cna.pdf
    focalpoint print --form qaRecordReview --lang ar --fillable -o review-ar.pdf
    focalpoint print --form contact --lang en --lang fr --lang zh --per-language -o contact.pdf
    focalpoint print --record 3F1C… --lang ru -o record.pdf
    focalpoint print --catalogue --section B --lang es -o plan-b.pdf
    focalpoint import-pdf filled-1.pdf filled-2.pdf
    focalpoint import-pdf --update filled-1.pdf      # a form imported before: update its record

A file imported before (the same file, recognised by its SHA-256) is skipped with a
message naming the file and its record, unless ``--update`` is given: then the form's
values replace that record's document as a new local edit.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from focalpoint.i18n import LANGUAGES, _, ngettext


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("print", help=_("print blank or fillable forms, a record, or the action plan to PDF"))
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--form", metavar="SCHEMA", action="append",
                      help=_("a record type whose blank form to print (repeat for several)"))
    what.add_argument("--record", metavar="UID", help=_("a record to print as a report"))
    what.add_argument("--catalogue", "--catalog", action="store_true",
                      help=_("print the short-term action plan as a booklet"))
    parser.add_argument("--lang", dest="pdf_lang", metavar="LANG", action="append", choices=LANGUAGES,
                        help=_("language of the PDF: ar, en, es, fr, ru or zh (repeat for several)"))
    parser.add_argument("--lang2", metavar="LANG", choices=LANGUAGES,
                        help=_("second language of a bilingual form (labels in both)"))
    parser.add_argument("--paper", choices=["a4", "letter"], default="a4", help=_("paper size (default a4)"))
    parser.add_argument("--copies", type=int, default=1, help=_("copies of each form in the PDF"))
    parser.add_argument("--fillable", action="store_true", help=_("make a PDF form to fill on screen"))
    parser.add_argument("--per-language", action="store_true",
                        help=_("write one PDF per language (FILE-<lang>.pdf)"))
    parser.add_argument("--section", help=_("booklet: only this section (A, B, C or D)"))
    parser.add_argument("--aichi", type=int, metavar="N", help=_("booklet: only activities for Aichi Target N"))
    parser.add_argument("--partner", metavar="P", help=_("booklet: only activities with this partner"))
    parser.add_argument("--mark-missing", action="store_true",
                        help=_("print a character no font has as [U+XXXX] instead of stopping"))
    parser.add_argument("-o", "--output", metavar="FILE", required=True, type=Path, help=_("the PDF to write"))
    parser.set_defaults(func=_print)

    imp = sub.add_parser("import-pdf", help=_("read filled-in fillable PDF forms into new drafts"))
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE")
    imp.add_argument("--json", action="store_true", help=_("print the report as JSON"))
    imp.add_argument("--update", action="store_true",
                     help=_("a form imported before: replace its record's document with the form's values "
                            "(default: skip it)"))
    imp.set_defaults(func=_import)


def _print(args: argparse.Namespace) -> int:
    from focalpoint.cli import CliError
    from focalpoint.pdf import MissingGlyphError

    on_missing = "mark" if args.mark_missing else "raise"
    languages = list(dict.fromkeys(args.pdf_lang or []))
    try:
        if args.form:
            return _print_forms(args, languages or ["en"], on_missing)
        if args.record:
            return _print_record(args, languages, on_missing)
        return _print_catalogue(args, languages or ["en"], on_missing)
    except MissingGlyphError as exc:
        raise CliError(_("{error}. Use --mark-missing to print it as a code instead.").format(error=exc), 3) from exc
    except ValueError as exc:
        raise CliError(str(exc), 2) from exc


def _print_forms(args: argparse.Namespace, languages: list[str], on_missing: str) -> int:
    from focalpoint.cli import CliError
    from focalpoint.forms import schemas
    from focalpoint.pdf import BatchJob, print_batch

    unknown = [s for s in args.form if s not in schemas()]
    if unknown:
        raise CliError(_("Unknown form {name}. Known forms: {known}.").format(
            name=", ".join(unknown), known=", ".join(schemas())), 2)
    job = BatchJob(schemas=args.form, languages=languages, output=args.output, lang2=args.lang2,
                   paper=args.paper, copies=args.copies, fillable=args.fillable,
                   per_language=args.per_language, on_missing=on_missing)

    def progress(done: int, total: int, what: str) -> None:
        print(_("[{done}/{total}] {what}").format(done=done, total=total, what=what), file=sys.stderr)

    for path in print_batch([job], progress=progress if sys.stderr.isatty() else None):
        print(path)
    return 0


def _print_record(args: argparse.Namespace, languages: list[str], on_missing: str) -> int:
    from focalpoint.cli import CliError, open_db
    from focalpoint.pdf import record_report_pdf, write_atomic

    db = open_db(args)
    try:
        data = record_report_pdf(db, args.record, lang=languages[0] if languages else None,
                                 paper=args.paper, on_missing=on_missing)
    except KeyError:
        raise CliError(_("There is no record {identifier}.").format(identifier=args.record), 1) from None
    print(write_atomic(args.output, data))
    return 0


def _print_catalogue(args: argparse.Namespace, languages: list[str], on_missing: str) -> int:
    from focalpoint.pdf import BookletFilter, booklet_pdf, write_atomic

    flt = BookletFilter(section=args.section.upper() if args.section else None, aichi_target=args.aichi,
                        partner=args.partner)
    targets = [(args.output, languages[0])] if len(languages) == 1 or not args.per_language else [
        (args.output.with_name(f"{args.output.stem}-{lang}{args.output.suffix or '.pdf'}"), lang)
        for lang in languages]
    for path, lang in targets:
        print(write_atomic(path, booklet_pdf(lang=lang, flt=flt, paper=args.paper, on_missing=on_missing)))
    return 0


def _import(args: argparse.Namespace) -> int:
    from focalpoint.cli import open_db
    from focalpoint.pdf import import_filled_pdfs
    from focalpoint.pdf.importer import skipped_message

    db = open_db(args)
    report = import_filled_pdfs(db, args.files, on_duplicate="update" if args.update else "skip")
    if args.json:
        out = [{"file": str(f.path), "code": f.code, "schema": f.schema, "identifier": f.identifier,
                "action": f.action, "previous": f.previous, "sha256": f.sha256,
                "error": f.error, "read": [{"field": r.field, "path": r.path, "value": r.value} for r in f.read],
                "notRead": [{"field": n.field, "value": n.value, "reason": n.reason} for n in f.not_read],
                "problems": f.problems} for f in report.files]
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        for f in report.skipped:
            print(skipped_message(f), file=sys.stderr)
    else:
        print(report.summary())
    if report.skipped:
        print(ngettext("{count} file was imported before and was skipped. Use --update to replace its record "
                       "with the form's values.",
                       "{count} files were imported before and were skipped. Use --update to replace their "
                       "records with the forms' values.", len(report.skipped)).format(count=len(report.skipped)),
              file=sys.stderr)
    failed = [f.path.name for f in report.files if not f.ok]
    if failed:  # repeated at the end, where the reader of a long batch looks
        print(ngettext("{count} of {total} files was not imported: {files}",
                       "{count} of {total} files were not imported: {files}", len(failed)).format(
            count=len(failed), total=len(report.files), files=", ".join(failed)), file=sys.stderr)
    return 0 if report.ok else 1
