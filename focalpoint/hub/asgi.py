"""The hub for an ASGI server started by its own command line (several worker processes):

    FOCALPOINT_HUB_DATABASE_URL=postgresql+psycopg://hub@/hub?host=/var/run/postgresql \\
        uvicorn --factory focalpoint.hub.asgi:from_env --workers 4 --host 127.0.0.1 --port 8765

Run ``focalpoint-hub migrate`` once before (each worker also brings the schema up to date, in
turn). Settings come from the environment: ``FOCALPOINT_HUB_DATABASE_URL`` (required),
``FOCALPOINT_HUB_TOKEN_HOURS`` (24), ``FOCALPOINT_HUB_POOL_SIZE`` / ``FOCALPOINT_HUB_MAX_OVERFLOW``
(per worker), ``FOCALPOINT_HUB_FILES_DIR`` (uploads in progress; default beside a SQLite database)
and ``FOCALPOINT_HUB_FILES_URL`` (where finished files live, any fsspec URL; default the files
folder), as ``focalpoint-hub serve`` reads them. See ``docs/deploy-hub.md``.
"""

from __future__ import annotations

import datetime as dt
import os

from fastapi import FastAPI

from focalpoint.hub.app import create_app


def from_env() -> FastAPI:
    url = os.environ.get("FOCALPOINT_HUB_DATABASE_URL")
    if not url:
        raise SystemExit("Set FOCALPOINT_HUB_DATABASE_URL to the hub's database (sqlite:///… or postgresql+psycopg://…).")
    hours = float(os.environ.get("FOCALPOINT_HUB_TOKEN_HOURS") or 24)
    return create_app(url, token_ttl=dt.timedelta(hours=hours),
                      files_dir=os.environ.get("FOCALPOINT_HUB_FILES_DIR") or None,
                      files_url=os.environ.get("FOCALPOINT_HUB_FILES_URL") or None)
