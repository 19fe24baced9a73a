"""The Bio-Bridge store's wire shapes, and what this computer remembers of it (Meta ``sync.<server>.bbi``).

Shared by :mod:`focalpoint.sync.bbi` (detection, push) and :mod:`focalpoint.sync.bbi_pull`;
see ``docs/chm-compatibility.md, part 5``. Call from the sync worker thread.
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy.orm import Session

from focalpoint.i18n import _
from focalpoint.models import RecordStatus
from focalpoint.sync.errors import MalformedAnswer
from focalpoint.sync.meta import get_meta_json, server_key, set_meta_json

if TYPE_CHECKING:
    from focalpoint.sync.engine import SyncEngine

BBI_SCHEMA = "bbiRequest"
STORE_PATH = "/api/v2016/bbi-requests"
#: the site whose Bio-Bridge form writes ``meta.baseUrl`` (www.cbd.int's edit-bbi-assistance.js uses its host)
DEFAULT_BASE_URL = "www.cbd.int"
#: ``meta.status`` → the local record's status
LOCAL_STATUS = {"draft": RecordStatus.DRAFT, "workflow": RecordStatus.SUBMITTED, "public": RecordStatus.PUBLISHED}
NO_HISTORY = json.dumps({"history": 0})
SERVER_FIELDS = ("_id", "meta", "history")


def request_path(request_id: str) -> str:
    return f"{STORE_PATH}/{quote(request_id, safe='')}"


def meta_key(engine: SyncEngine, what: str) -> str:
    return f"sync.{server_key(engine.server)}.{what}"


# ------------------------------------------------------------------ the remembered ids


def load_book(session: Session, engine: SyncEngine) -> dict[str, dict[str, Any]]:
    """``{record identifier: {"id": _id, "status": meta.status, "by": meta.createdBy}}`` for this server.

    A record listed here goes to the store (``id`` None: its stored request was removed there)."""
    book = get_meta_json(session, meta_key(engine, "bbi"))
    return book if isinstance(book, dict) else {}


def save_book(session: Session, engine: SyncEngine, book: dict[str, dict[str, Any]]) -> None:
    set_meta_json(session, meta_key(engine, "bbi"), book)


def stored_id(engine: SyncEngine, identifier: str) -> str | None:
    """The store's ``_id`` of a local record, if it has reached the store."""
    with engine.db.session() as session:
        entry = load_book(session, engine).get(identifier)
    return entry.get("id") if isinstance(entry, dict) else None


# ------------------------------------------------------------------ shapes


def fields_of(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored document's fields: without ``_id``, ``meta``, ``history`` and removed (null) fields."""
    return {k: v for k, v in stored.items() if k not in SERVER_FIELDS and v is not None}


def wire_body(document: dict[str, Any], status: str, current: dict[str, Any] | None) -> dict[str, Any]:
    """The body of a POST or PATCH: the document, its removed fields as null, and ``meta``."""
    raw_meta = current.get("meta") if isinstance(current, dict) else None
    current_meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
    raw_header = document.get("header")
    header: dict[str, Any] = raw_header if isinstance(raw_header, dict) else {}
    languages = header.get("languages") or current_meta.get("languages") or ["en"]
    body: dict[str, Any] = {k: None for k in fields_of(current or {}) if k not in document}
    body.update(copy.deepcopy(document))
    body["meta"] = {"clientOrg": current_meta.get("clientOrg", 0), "status": status, "languages": languages,
                    "baseUrl": current_meta.get("baseUrl") or DEFAULT_BASE_URL}
    return body


def check_stored(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or not isinstance(body.get("_id"), str) or not isinstance(body.get("meta"), dict):
        raise MalformedAnswer(_("a Bio-Bridge request without _id or meta"))
    return body


def local_document(stored: dict[str, Any], identifier: str) -> dict[str, Any]:
    """The local document of a stored request (a header is added to one made on the CHM's website)."""
    document = fields_of(stored)
    header = document.get("header")
    if not isinstance(header, dict) or not header.get("identifier"):
        languages = stored["meta"].get("languages") or ["en"]
        document["header"] = {**(header if isinstance(header, dict) else {}), "identifier": identifier,
                              "schema": BBI_SCHEMA, "languages": languages}
    return document


def identifier_of(stored: dict[str, Any], by_id: dict[str, str]) -> str:
    header = stored.get("header")
    identifier = header.get("identifier") if isinstance(header, dict) else None
    if isinstance(identifier, str) and identifier:
        return identifier
    own_id: str = stored["_id"]  # a checked stored request (check_stored)
    return by_id.get(own_id, own_id)


# ------------------------------------------------------------------ the account


def user_id(engine: SyncEngine) -> Any:
    from focalpoint.settings_keys import ACCOUNT_META_KEY

    with engine.db.session() as session:
        account = get_meta_json(session, ACCOUNT_META_KEY)
    return account.get("userID") if isinstance(account, dict) else None
