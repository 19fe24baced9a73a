"""The command line: ``focalpoint`` with no subcommand starts the GUI.

Each subcommand lives in its own module under ``focalpoint.cli`` with a
``register(subparsers)`` function that adds its parser and sets ``func`` to a
callable ``(args) -> int``. The CLI never imports PySide6 (only ``gui`` does). Starting the
desktop app (no subcommand, or ``gui``) imports none of the subcommand modules: they are
only needed to run or describe (``--help``) a subcommand.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from focalpoint.i18n import _, normalize_language, set_language, system_language

if TYPE_CHECKING:
    from focalpoint.db import Database

# subcommand modules, registered in this order; a missing module is skipped
SUBCOMMAND_MODULES = (
    "focalpoint.cli.catalog",
    "focalpoint.cli.records",
    "focalpoint.cli.review",
    "focalpoint.cli.sync",
    "focalpoint.cli.printing",
    "focalpoint.cli.backup",
    "focalpoint.cli.desktop",
)


class CliError(Exception):
    """An error to print (already in the person's language) with an exit code."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class _VersionAction(argparse.Action):
    """``--version``: print the version (read from the package metadata only when asked) and exit."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        from focalpoint import __version__

        print(f"FocalPoint {__version__}")
        parser.exit()


def build_parser(subcommands: bool = True) -> argparse.ArgumentParser:
    """The command line's parser; without ``subcommands`` only ``gui`` (what starting the app needs)."""
    parser = argparse.ArgumentParser(
        prog="focalpoint",
        description=_("FocalPoint: the CBD capacity-building action plan, capacity needs assessments "
                      "and clearing-house records, offline. Without a command, the desktop app starts."),
    )
    parser.add_argument("--version", action=_VersionAction, help=_("show the version and exit"))
    parser.add_argument("--data-dir", metavar="DIR",
                        help=_("folder for the database and attachments (default: FOCALPOINT_DATA_DIR "
                               "or the user data folder)"))
    parser.add_argument("--lang", metavar="LANG",
                        help=_("interface language: ar, en, es, fr, ru or zh"))
    sub = parser.add_subparsers(dest="command", metavar=_("COMMAND"))
    gui = sub.add_parser("gui", help=_("start the desktop app (the default)"))
    gui.set_defaults(func=_run_gui)
    if subcommands:
        for name in SUBCOMMAND_MODULES:
            importlib.import_module(name).register(sub)
    return parser


def _starts_the_app(argv: list[str]) -> bool:
    """Whether ``argv`` asks for the desktop app (no subcommand, or ``gui``) and no help."""
    command = None
    for i, arg in enumerate(argv):
        if not arg.startswith("-") and (i == 0 or argv[i - 1] not in ("--lang", "--data-dir")):
            command = arg
            break
    return command in (None, "gui") and not any(a in ("-h", "--help") for a in argv)


def _run_gui(args: argparse.Namespace) -> int:
    from focalpoint.ui.app import run_gui  # the only place the CLI reaches Qt

    return run_gui(args)


def data_dir_from(args: argparse.Namespace) -> Path:
    from focalpoint.paths import resolve_data_dir

    return resolve_data_dir(getattr(args, "data_dir", None))


def open_db(args: argparse.Namespace) -> Database:
    """Open and migrate the store for a CLI command (and load the catalogue if needed)."""
    from focalpoint.catalog import ensure_catalog
    from focalpoint.db import open_database
    from focalpoint.sync.thesaurus import load_stored_terms

    db = open_database(data_dir_from(args))
    ensure_catalog(db)
    load_stored_terms(db)  # thesaurus terms fetched at earlier syncs
    return db


def run(argv: list[str]) -> int:
    lang = None
    for i, arg in enumerate(argv):
        if not arg.startswith("-") and (i == 0 or argv[i - 1] not in ("--lang", "--data-dir")):
            break  # options after the subcommand are the subcommand's (print --lang ar)
        if arg == "--lang" and i + 1 < len(argv):
            lang = normalize_language(argv[i + 1])
        elif arg.startswith("--lang="):
            lang = normalize_language(arg.split("=", 1)[1])
    set_language(lang or normalize_language(os.environ.get("FOCALPOINT_LANG")) or system_language())
    parser = build_parser(subcommands=not _starts_the_app(argv))
    args = parser.parse_args(argv)
    func = getattr(args, "func", None) or _run_gui
    try:
        return int(func(args) or 0)
    except CliError as exc:
        print(_("Error: {message}").format(message=exc), file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print(_("Interrupted."), file=sys.stderr)
        return 130
    except Exception as exc:
        from focalpoint.db import DatabaseError  # SQLAlchemy: imported here, not before the app's window

        if not isinstance(exc, DatabaseError):
            raise
        print(_("Error: {message}").format(message=exc.user_message), file=sys.stderr)
        return exc.exit_code
