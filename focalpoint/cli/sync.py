"""``focalpoint sync``: sync with a hub, show the sync state, carry changes on a USB stick.

    focalpoint sync --server https://hub.example.org     # push the outbox, pull the changes
    focalpoint sync --server https://api.cbd.int --realm CHM-DEV   # the Realm header (default CHM)
    focalpoint sync status [--json]                      # queued, conflicts, errors, last sync
    focalpoint sync export-bundle FILE                   # unsent changes → one checksummed file
    focalpoint sync import-bundle FILE                   # … and back in on a connected machine
    focalpoint sync export-records FILE                  # records + delivered acks for an offline computer
    focalpoint sync failed [--json]                      # changes that could not be sent
    focalpoint sync retry ID | discard ID [--yes]        # … try again, or discard (asks twice)
    focalpoint sync resolve ID FIELD=mine|theirs …       # decide a conflict, field by field
    focalpoint sync sign-out

Credentials: ``FOCALPOINT_EMAIL`` / ``FOCALPOINT_PASSWORD``, else a saved token
(OS keyring, or ``--token-file``), else a prompt (the password with getpass).
The password is never written anywhere.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from typing import TYPE_CHECKING, Any

from focalpoint.i18n import _, ngettext
from focalpoint.settings_keys import SYNC_EMAIL, SYNC_REALM, SYNC_SERVER

if TYPE_CHECKING:
    from collections.abc import Callable

    from focalpoint.sync.report import SyncProgress, SyncReport
    from focalpoint.sync.session import Credentials

EXIT_ATTENTION = 1  # conflicts or refused changes wait for the person
EXIT_NETWORK = 8
EXIT_AUTH = 9
EXIT_SERVER = 10
EXIT_BUNDLE = 11


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("sync", help=_("send your changes to the hub and receive others' (also: status, "
                                           "bundles for a USB stick)"),
                            description=_("Without an action: sync with the hub now."))
    parser.add_argument("--server", metavar="URL", help=_("the hub's address (remembered after the first sync)"))
    parser.add_argument("--email", metavar="EMAIL", help=_("your sign-in e-mail (or FOCALPOINT_EMAIL)"))
    parser.add_argument("--realm", metavar="REALM",
                        help=_("the clearing-house realm sent to the server, such as CHM or CHM-DEV "
                               "(remembered; default CHM)"))
    parser.add_argument("--token-file", metavar="FILE",
                        help=_("where to keep the sign-in token when the system has no keyring "
                               "(a file only you can read)"))
    parser.add_argument("--json", action="store_true", help=_("print the sync report as JSON"))
    parser.set_defaults(func=_sync)
    actions = parser.add_subparsers(dest="sync_command", metavar=_("ACTION"))
    status = actions.add_parser("status", help=_("what is waiting to be sent, conflicts, errors, last sync"))
    status.add_argument("--json", action="store_true", help=_("print JSON"))
    status.set_defaults(func=_status)
    export = actions.add_parser("export-bundle", help=_("write your unsent changes to a file for another "
                                                        "computer"))
    export.add_argument("file", metavar=_("FILE"))
    export.set_defaults(func=_export)
    imp = actions.add_parser("import-bundle", help=_("import a bundle (unsent changes from another computer, "
                                                     "or records exported by a hub)"))
    imp.add_argument("file", metavar=_("FILE"))
    imp.add_argument("--json", action="store_true", help=_("print JSON"))
    imp.set_defaults(func=_import)
    records = actions.add_parser("export-records", help=_("write the records this computer holds, and which "
                                                          "carried changes reached the hub, for a computer "
                                                          "with no link"))
    records.add_argument("file", metavar=_("FILE"))
    records.add_argument("--government", metavar="CODE", help=_("only this government's records (and reference "
                                                               "records)"))
    records.set_defaults(func=_export_records)
    failed = actions.add_parser("failed", help=_("list the changes that could not be sent and wait for you"))
    failed.add_argument("--json", action="store_true", help=_("print JSON"))
    failed.set_defaults(func=_failed)
    retry = actions.add_parser("retry", help=_("try a record's failed changes again at the next sync"))
    retry.add_argument("identifier", metavar=_("IDENTIFIER"))
    retry.set_defaults(func=_retry)
    discard = actions.add_parser("discard", help=_("discard a record's failed changes (asks twice)"))
    discard.add_argument("identifier", metavar=_("IDENTIFIER"))
    discard.add_argument("--yes", action="store_true", help=_("do not ask (for scripts)"))
    discard.set_defaults(func=_discard)
    resolve = actions.add_parser("resolve", help=_("decide a conflict: keep your version or the server's, "
                                                   "field by field"))
    resolve.add_argument("identifier", metavar=_("IDENTIFIER"))
    resolve.add_argument("choices", nargs="*", metavar="FIELD=mine|theirs",
                         help=_("a choice per field in conflict; without choices, list the fields"))
    resolve.set_defaults(func=_resolve)
    out = actions.add_parser("sign-out", help=_("forget the saved sign-in token"))
    out.add_argument("--server", metavar="URL", dest="server_out")
    out.set_defaults(func=_sign_out)


# ------------------------------------------------------------------- helpers


def _server(args: argparse.Namespace, db: Any) -> str:
    from focalpoint.sync.client import normalize_server_url
    from focalpoint.sync.meta import get_meta

    url = getattr(args, "server", None) or getattr(args, "server_out", None)
    if not url:
        with db.session() as session:
            url = get_meta(session, SYNC_SERVER)
    if not url:
        from focalpoint.cli import CliError

        raise CliError(_("Which hub? Give its address once with --server URL; FocalPoint remembers it."))
    return normalize_server_url(url)


def _email(args: argparse.Namespace, db: Any) -> str:
    from focalpoint.sync.meta import get_meta

    email = os.environ.get("FOCALPOINT_EMAIL") or getattr(args, "email", None)
    if not email:
        with db.session() as session:
            email = get_meta(session, SYNC_EMAIL)
    if not email:
        if not sys.stdin.isatty():
            from focalpoint.cli import CliError

            raise CliError(_("Sign-in needed: set FOCALPOINT_EMAIL and FOCALPOINT_PASSWORD, or run this "
                             "command in a terminal."), EXIT_AUTH)
        email = input(_("E-mail: ")).strip()
    return email


def _password_prompt(email: str) -> Credentials:
    cache: dict[str, str] = {}

    def credentials() -> tuple[str, str]:
        if "pw" not in cache:
            password = os.environ.get("FOCALPOINT_PASSWORD")
            if password is None:
                if not sys.stdin.isatty():
                    from focalpoint.sync.errors import SignInRequired

                    raise SignInRequired()
                password = getpass.getpass(_("Password for {email}: ").format(email=email))
            cache["pw"] = password
        return email, cache["pw"]

    return credentials


def _progress_printer(quiet: bool) -> Callable[[SyncProgress], None]:
    last: dict[str, str | None] = {"phase": None}

    def show(progress: SyncProgress) -> None:
        if quiet or progress.phase == last["phase"] or progress.phase == "done":
            return
        last["phase"] = progress.phase
        print(progress.message, file=sys.stderr, flush=True)

    return show


# ------------------------------------------------------------------- actions


def _sync(args: argparse.Namespace) -> int:
    from focalpoint.cli import open_db
    from focalpoint.sync.client import DEFAULT_REALM, HubClient
    from focalpoint.sync.credentials import TokenStore
    from focalpoint.sync.engine import SyncEngine
    from focalpoint.sync.meta import get_meta, set_meta

    db = open_db(args)
    server = _server(args, db)
    email = _email(args, db)
    realm = (getattr(args, "realm", None) or "").strip()
    with db.session(write=bool(realm)) as session:
        if realm:
            set_meta(session, SYNC_REALM, realm)  # kept next to sync.server
        else:
            realm = get_meta(session, SYNC_REALM) or DEFAULT_REALM
    tokens = TokenStore(file_path=args.token_file)
    client = HubClient(server, token=tokens.get(server, email), realm=realm)

    def keep_token(token: str) -> None:
        tokens.set(server, email, token)

    engine = SyncEngine(db, client, credentials=_password_prompt(email), actor=email, on_token=keep_token)
    try:
        report = engine.sync(progress=_progress_printer(args.json))
    finally:
        client.close()
    if report.ok:
        with db.session(write=True) as session:
            set_meta(session, SYNC_EMAIL, email)
    if args.json:
        json.dump(report.to_json(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        _print_report(report)
    if report.error_kind == "network":
        return EXIT_NETWORK
    if report.error_kind == "auth":
        return EXIT_AUTH
    if report.error:
        return EXIT_SERVER
    return EXIT_ATTENTION if report.conflicts or report.errors else 0


def _print_report(report: SyncReport) -> None:
    if report.error:
        print(_("Error: {message}").format(message=report.error), file=sys.stderr)
    print(ngettext("Sent {n} change.", "Sent {n} changes.", report.pushed).format(n=report.pushed)
          + " " + ngettext("Received {n} record.", "Received {n} records.", report.pulled).format(n=report.pulled))
    if report.merged:
        print(ngettext("{n} record merged with changes from the server:",
                       "{n} records merged with changes from the server:", len(report.merged)).format(
            n=len(report.merged)) + " " + ", ".join(report.merged))
    for ident in report.conflicts:
        print(_("Conflict in {identifier}: decide with 'focalpoint sync resolve {identifier}'.").format(
            identifier=ident))
    for ident, message in report.errors.items():
        print(f"{ident}: {message}")
    for ident, message in report.discarded.items():
        print(f"{ident}: {message}")


def _status(args: argparse.Namespace) -> int:
    from focalpoint.cli import open_db
    from focalpoint.sync.status import sync_status

    status = sync_status(open_db(args))
    if args.json:
        json.dump(status, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    print(ngettext("{n} change waiting to be sent.", "{n} changes waiting to be sent.", status["queued"]).format(
        n=status["queued"]))
    if status["conflicts"]:
        print(_("Conflicts to decide: {ids}").format(ids=", ".join(status["conflicts"])))
    for ident, message in status["errors"].items():
        print(f"{ident}: {message}")
    print(_("Last sync: {when} ({server})").format(when=status["last_sync"] or _("never"),
                                                   server=status["server"] or _("no server yet")))
    return 0


def _export(args: argparse.Namespace) -> int:
    from focalpoint.cli import open_db
    from focalpoint.sync.bundle import export_outbox_bundle

    counts = export_outbox_bundle(open_db(args), args.file)
    print(ngettext("{n} change written to {file}.", "{n} changes written to {file}.", counts["entries"]).format(
        n=counts["entries"], file=args.file))
    _say_files(counts)
    return 0


def _say_files(counts: dict[str, Any]) -> None:
    """How many files an export put in the bundle, and (on stderr) the ones not on this computer."""
    if not counts.get("files") and not counts.get("files_missing"):
        return
    print(ngettext("{n} attached file went into the bundle.", "{n} attached files went into the bundle.",
                   counts["files"]).format(n=counts["files"]))
    missing = counts.get("missing_names") or []
    if missing:
        print(ngettext("{n} attached file is not on this computer, so it is not in the bundle (sync to fetch "
                       "it, or turn on downloading all attached files, then export again): {names}",
                       "{n} attached files are not on this computer, so they are not in the bundle (sync to "
                       "fetch them, or turn on downloading all attached files, then export again): {names}",
                       len(missing)).format(n=len(missing), names=", ".join(missing)), file=sys.stderr)


def _import(args: argparse.Namespace) -> int:
    from focalpoint.cli import CliError, open_db
    from focalpoint.sync.bundle import import_bundle
    from focalpoint.sync.errors import BundleError

    try:
        summary = import_bundle(open_db(args), args.file)
    except BundleError as exc:
        raise CliError(str(exc), EXIT_BUNDLE) from exc
    if args.json:
        json.dump(summary.to_json(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    elif summary.kind == "outbox":
        print(_("{imported} changes imported, {already} already here; they are sent at the next sync.").format(
            imported=summary.imported, already=summary.already))
    else:
        print(_("{records} records read: {imported} new or updated.").format(
            records=summary.records, imported=summary.imported))
        if summary.acknowledged:
            print(ngettext("{n} of your changes reached the hub and left the outbox.",
                           "{n} of your changes reached the hub and left the outbox.",
                           summary.acknowledged).format(n=summary.acknowledged))
    if not args.json and summary.files:
        print(ngettext("{new} attached file stored on this computer ({n} in the bundle, all checked).",
                       "{new} attached files stored on this computer ({n} in the bundle, all checked).",
                       summary.files_new).format(n=summary.files, new=summary.files_new))
    for ident, why in summary.skipped.items():
        print(f"{ident}: {why}", file=sys.stderr)
    if not args.json:
        for ident, why in summary.elsewhere.items():
            print(f"{ident}: {why}", file=sys.stderr)
    return EXIT_ATTENTION if summary.skipped or summary.conflicts else 0


def _export_records(args: argparse.Namespace) -> int:
    from focalpoint.cli import open_db
    from focalpoint.sync.bundle import export_records_bundle

    counts = export_records_bundle(open_db(args), args.file, government=args.government)
    print(ngettext("{n} record written to {file}.", "{n} records written to {file}.", counts["records"]).format(
        n=counts["records"], file=args.file))
    _say_files(counts)
    return 0


def _failed(args: argparse.Namespace) -> int:
    from focalpoint.cli import open_db
    from focalpoint.i18n import localize
    from focalpoint.sync.status import failed_changes

    items = failed_changes(open_db(args))
    if args.json:
        json.dump(items, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return EXIT_ATTENTION if items else 0
    if not items:
        print(_("No change is waiting for you: everything can be sent."))
        return 0
    for item in items:
        title = localize(item["title"]) or item["identifier"]
        print(f"{item['identifier']}  {title}  [{action_label(item['action'])}]")
        print(f"    {item['message']}")
        if item["workflow_id"]:
            print("    " + _("Request: {id}").format(id=item["workflow_id"]))
    print(_("Use 'focalpoint sync retry IDENTIFIER' to try again, or 'focalpoint sync discard IDENTIFIER' "
            "to discard."))
    return EXIT_ATTENTION


def action_label(action: str) -> str:
    return {"save": _("edit"), "delete": _("deletion"), "request_publication": _("publication request"),
            "request_deletion": _("removal request"), "cancel_request": _("withdrawal of a request"),
            "approve": _("approval"), "reject": _("rejection")}.get(action, action)


def _retry(args: argparse.Namespace) -> int:
    from focalpoint.cli import CliError, open_db
    from focalpoint.sync.outbox import retry_record
    from focalpoint.sync.status import failed_changes

    db = open_db(args)
    if not any(i["identifier"] == args.identifier for i in failed_changes(db)):
        raise CliError(_("No change of {identifier} is waiting for you.").format(identifier=args.identifier))
    retry_record(db, args.identifier)
    print(_("It is sent again at the next sync."))
    return 0


def _discard(args: argparse.Namespace) -> int:
    from focalpoint.cli import CliError, open_db
    from focalpoint.sync.outbox import discard_failed
    from focalpoint.sync.status import failed_changes

    db = open_db(args)
    items = [i for i in failed_changes(db) if i["identifier"] == args.identifier]
    if not items:
        raise CliError(_("No change of {identifier} is waiting for you.").format(identifier=args.identifier))
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError(_("Discarding cannot be undone: run this in a terminal to confirm, or add --yes."))
        names = ", ".join(action_label(i["action"]) for i in items)
        for question in (_("Discard {changes} of {identifier}? [y/N] ").format(changes=names,
                                                                               identifier=args.identifier),
                         _("The discarded changes are lost for good. Really discard? [y/N] ")):
            if input(question).strip().lower() not in ("y", "yes", _("y"), _("yes")):
                print(_("Nothing was discarded."))
                return EXIT_ATTENTION
    count = discard_failed(db, args.identifier)
    print(ngettext("{n} change discarded.", "{n} changes discarded.", count).format(n=count))
    return 0


def _resolve(args: argparse.Namespace) -> int:
    from focalpoint.cli import CliError, open_db
    from focalpoint.records import RecordError
    from focalpoint.sync.conflicts import conflict_details, resolve_conflict
    from focalpoint.sync.errors import ConflictUnresolved

    db = open_db(args)
    if not args.choices:
        details = conflict_details(db, args.identifier)
        if not details:
            print(_("This record has no conflict."))
            return 0
        for item in details:
            print(json.dumps({"field": item.path, "mine": item.mine, "theirs": item.theirs},
                             ensure_ascii=False))
        return EXIT_ATTENTION
    choices: dict[str, Any] = {}
    for choice in args.choices:
        field, sep, value = choice.partition("=")
        if not sep or value not in ("mine", "theirs"):
            raise CliError(_("Write each choice as FIELD=mine or FIELD=theirs, not {choice}.").format(choice=choice))
        choices[field] = value
    try:
        resolve_conflict(db, args.identifier, choices)
    except (ConflictUnresolved, RecordError) as exc:
        raise CliError(str(exc)) from exc
    print(_("Resolved; the result is sent at the next sync."))
    return 0


def _sign_out(args: argparse.Namespace) -> int:
    from focalpoint.cli import open_db
    from focalpoint.sync.credentials import TokenStore

    db = open_db(args)
    server = _server(args, db)
    email = _email(args, db)
    TokenStore(file_path=getattr(args, "token_file", None)).delete(server, email)
    print(_("Signed out of {server}.").format(server=server))
    return 0
