"""The keys of what FocalPoint keeps in the local database's ``Meta`` table about the person's
sign-in and sync (one spelling for every module: the UI, the CLI, the sync engine, USB bundles).

Values are plain strings (``ACCOUNT_META_KEY`` holds JSON). The desktop's window settings
(``QSettings``) have their keys in ``focalpoint.ui.settings``. Constants only; any thread.
"""

from __future__ import annotations

from typing import Final

#: the hub or clearing-house last signed in to (its normalized URL)
SYNC_SERVER: Final = "sync.server"
#: the e-mail address signed in with
SYNC_EMAIL: Final = "sync.email"
#: the ``Realm`` header sent to ``SYNC_SERVER`` (CHM, CHM-DEV, …)
SYNC_REALM: Final = "sync.realm"
#: when the last sync ended well (ISO 8601, UTC)
SYNC_LAST_SYNC: Final = "sync.last_sync"
#: the signed-in person as the hub describes them: JSON {"userID", "email", "name", "government", "roles"}
ACCOUNT_META_KEY: Final = "account.user"


def server_last_sync_key(server_key: str) -> str:
    """The Meta key of the last good sync with one server (``server_key``: ``focalpoint.sync.meta.server_key(url)``)."""
    return f"sync.{server_key}.last_sync"
