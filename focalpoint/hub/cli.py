"""``focalpoint-hub``: run the hub and manage its users.

    focalpoint-hub serve --host 127.0.0.1 --port 8350 --database-url sqlite:///./hub.sqlite3
    focalpoint-hub serve --plain-chm          # the real CHM's routes only: no FocalPoint extension
    focalpoint-hub user add --email ana@example.org --password … --role ChmNrNationalFocalPoint --government ws
    focalpoint-hub user list

The password may also come from ``--password-stdin`` (so it stays out of the shell
history) or the ``FOCALPOINT_HUB_PASSWORD`` environment variable. Passwords are
never printed or logged. Runs on the command line's only thread.
"""

from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import os
import sys
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from focalpoint.hub.accounts import ALL_ROLES, add_user
from focalpoint.hub.context import MAX_FILE_BYTES
from focalpoint.hub.models import User
from focalpoint.hub.store import DEFAULT_DATABASE_URL, open_hub_database
from focalpoint.i18n import _

DEFAULT_PORT = 8350

T = TypeVar("T")


class _Refused(Exception):
    """A command refused with a message for the person (exit status 2)."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _serve(args: argparse.Namespace) -> int:
    if not is_loopback(args.host) and not args.public:
        print(_("Refusing to listen on {host}: the hub would be reachable from other machines. "
                "Put it behind an HTTPS reverse proxy and pass --public if that is what you want; "
                "otherwise use --host 127.0.0.1.").format(host=args.host), file=sys.stderr)
        return 2
    import uvicorn

    from focalpoint.hub.app import create_app

    if args.max_file_mb <= 0:
        print(_("--max-file-mb must be a positive number of megabytes."), file=sys.stderr)
        return 2
    from focalpoint.hub.files import FileStoreError

    try:
        app = create_app(args.database_url, token_ttl=dt.timedelta(hours=args.token_hours),
                         plain_chm=args.plain_chm, docs=args.docs, files_dir=args.files_dir,
                         max_file_bytes=int(args.max_file_mb * 1024 * 1024),
                         resumable_uploads=not args.no_resumable_uploads, files_url=args.files_url)
    except FileStoreError as exc:
        print(_("--files-url: {error}").format(error=exc), file=sys.stderr)
        return 2
    print(_("FocalPoint hub on http://{host}:{port} (API description at /openapi.json)").format(
        host=args.host, port=args.port), file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, server_header=False,
                forwarded_allow_ips=args.forwarded_allow_ips, proxy_headers=bool(args.forwarded_allow_ips))
    return 0


def _migrate(args: argparse.Namespace) -> int:
    """``migrate``: bring the database's schema to this version (run it once before starting
    several hub processes; ``serve`` does it too, in turn, when started alone)."""
    from focalpoint.hub.store import head_schema_revision, schema_revision

    db = open_hub_database(args.database_url)
    try:
        revision = schema_revision(db.write_engine)
    finally:
        db.dispose()
    print(_("The hub database is at schema revision {revision} (newest: {head}).").format(
        revision=revision, head=head_schema_revision()))
    return 0


def _read_password(args: argparse.Namespace) -> str:
    """The password from ``--password-stdin``, ``--password`` or ``FOCALPOINT_HUB_PASSWORD``."""
    if args.password_stdin:
        password: str | None = sys.stdin.readline().rstrip("\r\n")
    else:
        password = args.password or os.environ.get("FOCALPOINT_HUB_PASSWORD")
    if not password:
        raise _Refused(_("Give a password with --password, --password-stdin or FOCALPOINT_HUB_PASSWORD."))
    return password


def _write_users(args: argparse.Namespace, change: Callable[[Session], T]) -> T:
    """``change`` in one write transaction of ``--database-url``; its ValueError refuses the command."""
    db = open_hub_database(args.database_url)
    try:
        with db.plain_write() as session:
            return change(session)
    except ValueError as exc:
        raise _Refused(str(exc)) from exc
    finally:
        db.dispose()


def _user_add(args: argparse.Namespace) -> int:
    password = _read_password(args)

    def add(session: Session) -> tuple[str, str, str | None]:
        user = add_user(session, email=args.email, password=password, role=args.role,
                        government=args.government, name=args.name or "", replace=args.replace)
        return user.email, user.role, user.government

    email, role, government = _write_users(args, add)
    print(_("User {email} ({role}, government: {government}) saved.").format(
        email=email, role=role, government=government or "-"))
    return 0


def _user_list(args: argparse.Namespace) -> int:
    db = open_hub_database(args.database_url)
    try:
        with db.read() as session:
            for user in session.scalars(select(User).order_by(User.email)):
                print(f"{user.email}\t{user.role}\t{user.government or '-'}\t"
                      f"{'active' if user.active else 'disabled'}")
    finally:
        db.dispose()
    return 0


def _user_change(args: argparse.Namespace) -> int:
    """``user disable|enable|password --email E``: takes effect at once (sign-ins end)."""
    from focalpoint.hub.accounts import set_active, set_password

    if args.user_command == "password":
        password = _read_password(args)
        _write_users(args, lambda session: set_password(session, args.email, password))
    else:
        _write_users(args, lambda session: set_active(session, args.email, args.user_command == "enable"))
    print({"disable": _("User {email} disabled; their sign-ins ended."),
           "enable": _("User {email} enabled."),
           "password": _("Password of {email} changed; their sign-ins ended.")}[args.user_command].format(
        email=args.email.strip().lower()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="focalpoint-hub",
                                     description=_("A CHM-compatible hub for FocalPoint clients."))
    sub = parser.add_subparsers(dest="command", required=True)

    def database_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--database-url", default=os.environ.get("FOCALPOINT_HUB_DATABASE_URL",
                                                                DEFAULT_DATABASE_URL),
                       help=_("SQLAlchemy URL: sqlite:///path or postgresql+psycopg://user@host/db"))

    serve = sub.add_parser("serve", help=_("Run the hub."))
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--public", action="store_true",
                       help=_("Allow listening on an address other machines can reach."))
    serve.add_argument("--token-hours", type=float, default=24.0,
                       help=_("How long a sign-in lasts, in hours."))
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--forwarded-allow-ips", default=None,
                       help=_("Addresses of a reverse proxy whose X-Forwarded-* headers are trusted."))
    serve.add_argument("--docs", action="store_true",
                       help=_("Also serve the interactive /docs page (its scripts come from the Internet)."))
    serve.add_argument("--plain-chm", action="store_true",
                       help=_("Answer as the real CHM API does and advertise no FocalPoint extension."))
    serve.add_argument("--files-dir", default=os.environ.get("FOCALPOINT_HUB_FILES_DIR") or None,
                       help=_("Folder for the files attached to records (default: beside a SQLite database, "
                              "else ./focalpoint-hub-files)."))
    serve.add_argument("--files-url", default=os.environ.get("FOCALPOINT_HUB_FILES_URL") or None,
                       help=_("Keep the finished files in this store instead (an fsspec URL such as "
                              "s3://bucket/prefix, with its library installed); uploads in progress "
                              "stay in --files-dir."))
    serve.add_argument("--max-file-mb", type=float, default=MAX_FILE_BYTES / (1024 * 1024),
                       help=_("The largest attached file the hub takes, in MB (default %(default).0f)."))
    serve.add_argument("--no-resumable-uploads", action="store_true",
                       help=_("Do not offer resumable (tus) uploads; files then come in one request each."))
    database_option(serve)
    serve.set_defaults(func=_serve)

    migrate = sub.add_parser("migrate", help=_("Create or upgrade the hub database's tables, then stop."))
    database_option(migrate)
    migrate.set_defaults(func=_migrate)

    user = sub.add_parser("user", help=_("Manage users."))
    user_sub = user.add_subparsers(dest="user_command", required=True)
    add = user_sub.add_parser("add", help=_("Add a user (or change one with --replace)."))
    add.add_argument("--email", required=True)
    add.add_argument("--password")
    add.add_argument("--password-stdin", action="store_true")
    add.add_argument("--role", required=True, choices=ALL_ROLES,
                     help=_("ChmNrNationalAuthorizedUser, ChmNrNationalFocalPoint or ChmAdministrator "
                            "(the CHM's names; authorized-user, focal-point and secretariat are the same)."))
    add.add_argument("--government", help=_("Two-letter ISO code; not for the secretariat."))
    add.add_argument("--name")
    add.add_argument("--replace", action="store_true", help=_("Update the user if it exists."))
    database_option(add)
    add.set_defaults(func=_user_add)
    for command, words in (("disable", _("Disable a user: their sign-ins end at once.")),
                           ("enable", _("Enable a disabled user again.")),
                           ("password", _("Set a user's password: their sign-ins end at once."))):
        change = user_sub.add_parser(command, help=words)
        change.add_argument("--email", required=True)
        if command == "password":
            change.add_argument("--password")
            change.add_argument("--password-stdin", action="store_true")
        database_option(change)
        change.set_defaults(func=_user_change)
    listing = user_sub.add_parser("list", help=_("List users."))
    database_option(listing)
    listing.set_defaults(func=_user_list)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        status: int = args.func(args)
    except _Refused as exc:
        print(str(exc), file=sys.stderr)
        return 2
    return status


if __name__ == "__main__":
    sys.exit(main())
