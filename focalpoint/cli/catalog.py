"""``focalpoint catalog``: export and search the action plan from the command line."""

from __future__ import annotations

import argparse
import json
import sys

from focalpoint.i18n import _, localize


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("catalog", help=_("the short-term action plan (2017-2020): export, search"))
    csub = parser.add_subparsers(dest="catalog_command", metavar=_("ACTION"), required=True)
    exp = csub.add_parser("export", help=_("print the whole action plan"))
    exp.add_argument("--format", choices=["json"], default="json")
    exp.set_defaults(func=_export)
    srch = csub.add_parser("search", help=_("find activities containing a word, in any language"))
    srch.add_argument("query", nargs="+")
    srch.add_argument("--json", action="store_true", help=_("print JSON"))
    srch.set_defaults(func=_search)
    imp = csub.add_parser("import-translation",
                          help=_("install a language's text of the action plan, replacing the shipped one"))
    imp.add_argument("file", help=_("a translation file (see docs/TRANSLATING_ACTION_PLAN.md)"))
    imp.add_argument("--official", action="store_true",
                     help=_("the text is an official text of the decision (not a translation)"))
    imp.set_defaults(func=_import_translation)


def _export(args: argparse.Namespace) -> int:
    from focalpoint.catalog import export
    from focalpoint.cli import open_db

    db = open_db(args)
    with db.session() as session:
        data = export(session)
    json.dump(data, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


def _search(args: argparse.Namespace) -> int:
    from focalpoint.catalog import Filters, list_activities
    from focalpoint.cli import open_db

    query = " ".join(args.query)
    db = open_db(args)
    with db.session() as session:
        found = list_activities(session, Filters(query=query))
    if args.json:
        json.dump([{"number": a.number, "title": a.text} for a in found], sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    if not found:
        print(_("No activity contains \"{query}\".").format(query=query), file=sys.stderr)
        return 1
    for act in found:
        print(f"{act.number}\t{localize(act.text)}")
    return 0


def _import_translation(args: argparse.Namespace) -> int:
    from pathlib import Path

    from focalpoint.catalog import TranslationImportError, import_translation
    from focalpoint.cli import CliError, open_db

    db = open_db(args)
    try:
        lang = import_translation(db, Path(args.file), official=args.official)
    except TranslationImportError as exc:
        raise CliError(str(exc)) from exc
    if args.official:
        print(_("The action plan's text in {language} is now marked official.").format(language=lang))
    else:
        print(_("The action plan's text in {language} was replaced.").format(language=lang))
    return 0
