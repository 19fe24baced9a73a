"""``focalpoint backup FILE`` and ``focalpoint restore FILE``."""

from __future__ import annotations

import argparse
from pathlib import Path

from focalpoint.i18n import _


def register(sub: argparse._SubParsersAction) -> None:
    backup = sub.add_parser("backup", help=_("write a verified copy of the database and attachments"))
    backup.add_argument("file", help=_("the backup file to write (.zip)"))
    backup.set_defaults(func=_backup)
    restore = sub.add_parser("restore", help=_("replace the data with a backup, after checking it"))
    restore.add_argument("file", help=_("a backup written by 'focalpoint backup'"))
    restore.set_defaults(func=_restore)


def _backup(args: argparse.Namespace) -> int:
    from focalpoint.backup import create_backup
    from focalpoint.cli import open_db

    db = open_db(args)
    info = create_backup(db, Path(args.file))
    db.close()
    print(_("Backup written to {path} ({files} files, {size} bytes).").format(
        path=info.path, files=info.files, size=info.size))
    return 0


def _restore(args: argparse.Namespace) -> int:
    from focalpoint.backup import restore_backup
    from focalpoint.cli import CliError, data_dir_from

    source = Path(args.file)
    if not source.is_file():
        raise CliError(_("There is no file {path}.").format(path=source))
    manifest = restore_backup(source, data_dir_from(args))
    print(_("Restored the backup of {created} (FocalPoint {version}).").format(
        created=manifest.get("created", "?"), version=manifest.get("app_version", "?")))
    return 0
