"""Where the user's data lives.

Order of precedence: the ``--data-dir`` option, the ``FOCALPOINT_DATA_DIR``
environment variable, then the platform's user data directory.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from focalpoint import APP_NAME

ENV_DATA_DIR = "FOCALPOINT_DATA_DIR"
DATABASE_FILENAME = "focalpoint.sqlite3"


def resolve_data_dir(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: ``cli_value`` (``--data-dir``), else ``FOCALPOINT_DATA_DIR``, else the
    platform's user data folder. Creates nothing; any thread."""
    if cli_value:
        return Path(cli_value).expanduser().resolve()
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser().resolve()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def database_path(data_dir: Path) -> Path:
    """The SQLite file inside ``data_dir`` (it may not exist yet). Any thread."""
    return data_dir / DATABASE_FILENAME


def backups_dir(data_dir: Path) -> Path:
    """Where database backups go (before migrations, on request), inside ``data_dir``. Any thread."""
    return data_dir / "backups"


def attachments_dir(data_dir: Path) -> Path:
    """Where attached files are kept, by content hash, inside ``data_dir``. Any thread."""
    return data_dir / "attachments"
