"""``GET /api/v2013/documents``: lists of records with the CHM's ``$filter`` subset.

``collection=my`` (or none) lists published versions; ``collection=mydraft`` lists
each record's newest version the caller may see (its draft, else the published
copy). Items are infos without ``body``, as the real CHM lists them. ``$filter`` understands ``type``, ``identifier``, ``government`` with
``eq`` and ``updatedOn`` with ``eq gt ge lt le``, joined by ``and``.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.orm import QueryableAttribute, Session

from focalpoint.hub.accounts import Principal
from focalpoint.hub.context import Reply, parse_iso
from focalpoint.hub.errors import bad_request
from focalpoint.hub.info import current_info, published_info, users_of_records, without_body
from focalpoint.hub.models import Record
from focalpoint.hub.permissions import can_see_draft

_CLAUSE = re.compile(r"^\s*(\w+)\s+(eq|gt|ge|lt|le)\s+'((?:[^']|'')*)'\s*$", re.IGNORECASE)


def record_visibility(p: Principal) -> ColumnElement[bool]:
    """SQL condition: records ``p`` may see at all (see ``permissions.can_see_record``)."""
    if p.is_secretariat:
        return true()
    return or_(Record.government == p.government,
               and_(Record.government.is_(None),
                    or_(Record.published_revision.is_not(None), Record.created_by == p.id, Record.deleted)))


def _conditions(text: str | None, updated_column: QueryableAttribute[dt.datetime | None]) -> list[ColumnElement[bool]]:
    """The SQL conditions of a ``$filter`` (``updatedOn`` compares with ``updated_column``)."""
    if not text:
        return []
    out: list[ColumnElement[bool]] = []
    for clause in re.split(r"\s+and\s+", text.strip(), flags=re.IGNORECASE):
        match = _CLAUSE.match(clause)
        if not match:
            raise bad_request("Error.InvalidFilter", f"Cannot read the filter clause '{clause}'.")
        name, op, value = match.group(1), match.group(2).lower(), match.group(3).replace("''", "'")
        if name == "updatedOn":
            try:
                when = parse_iso(value)
            except ValueError:
                raise bad_request("Error.InvalidFilter", f"'{value}' is not an ISO 8601 date and time.") from None
            ops = {"eq": updated_column == when, "gt": updated_column > when, "ge": updated_column >= when,
                   "lt": updated_column < when, "le": updated_column <= when}
            out.append(ops[op])
            continue
        column = {"type": Record.schema, "schema": Record.schema, "identifier": Record.identifier,
                  "government": Record.government}.get(name)
        if column is None or op != "eq":
            raise bad_request("Error.InvalidFilter", f"Unsupported filter '{name} {op}'.")
        out.append(column == (value.lower() if name == "government" else value))
    return out


def list_documents(session: Session, p: Principal, collection: str | None, filter_text: str | None,
                   top: int, skip: int) -> Reply:
    if collection not in (None, "", "my", "mydraft"):
        raise bad_request("Error.InvalidCollection", "collection must be 'my' or 'mydraft'.")
    drafts = collection == "mydraft"
    updated = Record.updated_on if drafts else Record.published_on
    where = [record_visibility(p), Record.deleted.is_(False), *_conditions(filter_text, updated)]
    if not drafts:
        where.append(Record.published_revision.is_not(None))
    count = session.scalar(select(func.count()).select_from(Record).where(*where))
    rows = list(session.scalars(select(Record).where(*where).order_by(updated, Record.identifier)
                                .offset(skip).limit(top)))
    users = users_of_records(session, rows)
    items = []
    for r in rows:
        if drafts:
            info = current_info(r, users, with_draft=can_see_draft(p, r.government, r.created_by))
        else:
            info = published_info(r, users)
        if info is not None:
            items.append(without_body(info))  # listings carry no body, as on the CHM
    return Reply(200, {"Count": count, "Items": items})
