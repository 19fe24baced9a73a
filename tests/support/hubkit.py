"""Helpers for tests against a real hub: fresh governments, users with signed-in
HTTP clients, valid documents. The pytest fixtures using them live in
:mod:`tests.support.hub_fixtures`.
"""

from __future__ import annotations

import copy
import hashlib
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from tests.support.hub import RunningHub

POSTGRES_ENV = "FOCALPOINT_TEST_POSTGRES_URL"
PASSWORD = "correct horse battery staple"
NATIONAL_SCHEMA = "capacityNeedsAssessment"
REFERENCE_SCHEMA = "capacityBuildingInitiative"

_codes: dict[str, Iterator[str]] = {}
_codes_lock = threading.Lock()


def reset_postgres(url: str) -> None:
    """Drop the hub's tables in that PostgreSQL database (tests start from nothing)."""
    from sqlalchemy import create_engine, text

    from focalpoint.hub.models import HubBase

    engine = create_engine(url)
    try:
        HubBase.metadata.drop_all(engine)
        with engine.begin() as conn:  # the schema revision goes with the tables
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    finally:
        engine.dispose()


def new_government(hub_url: str = "") -> str:
    """A country code not yet handed out for this hub (the CHM's countries vocabulary, in order)."""
    from focalpoint import forms

    with _codes_lock:
        if hub_url not in _codes:
            codes = [c for c in forms.vocabulary("countries").identifiers() if c.isalpha() and len(c) == 2]
            _codes[hub_url] = iter(codes)
        try:
            return next(_codes[hub_url])
        except StopIteration:
            raise RuntimeError("The test hub ran out of fresh governments; use fewer per test.") from None


def new_uid() -> str:
    return str(uuid.uuid4()).upper()


EXAMPLE_RECORDS = {  # the placeholders focalpoint.forms.template refers to
    "EXAMPLE-CONTACT-0001": "contact",
    "EXAMPLE-ORGANIZATION-0001": "organization",
    "EXAMPLE-CAPACITYBUILDINGINITIATIVE-0001": "capacityBuildingInitiative",
    "EXAMPLE-RECORD-0001": "contact",
}


def seed_example_records(hub: RunningHub) -> None:
    """Create (as secretariat drafts) the records that template documents refer to, so that
    templates pass the hub's reference check when published."""
    from focalpoint import forms

    email = f"seed-{uuid.uuid4().hex[:8]}@example.org"
    hub.add_user(email, PASSWORD, "secretariat", None)
    token = hub.login(email, PASSWORD)
    from focalpoint.forms.model import is_national, schemas

    wanted = dict(EXAMPLE_RECORDS)
    for schema in schemas():  # templates refer to EXAMPLE-<TYPE>-0001 of each reference type they name
        if not is_national(schema):
            wanted.setdefault(f"EXAMPLE-{schema.upper()}-0001"[:128], schema)
    with httpx.Client(base_url=hub.url, headers={"Authorization": f"Ticket {token}"}, timeout=30) as client:
        for uid, schema in wanted.items():
            doc = copy.deepcopy(forms.template(schema))
            doc["header"]["identifier"] = uid
            response = client.put(f"/api/v2013/documents/{uid}/versions/draft", json=doc)
            response.raise_for_status()


def signed_in(hub: RunningHub, government: str | None = "ws", role: str = "authorized-user") -> httpx.Client:
    """A new user (``role`` of ``government``) on ``hub`` and an HTTP client sending its token; the
    caller closes it."""
    email = f"{role}-{uuid.uuid4().hex[:10]}@example.org"
    hub.add_user(email, PASSWORD, role, government)
    return httpx.Client(headers={"Authorization": f"Ticket {hub.login(email, PASSWORD)}"}, timeout=30)


def validation_errors(response: httpx.Response) -> list[dict[str, str]]:
    """The ``{"code", "property"}`` of each error in a hub's validation refusal; the answer must be one
    (422, ``Error.Validation``)."""
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "Error.Validation", body
    return [{"code": e["code"], "property": e["property"]} for e in body["errors"]]


def random_file(path: Path, size: int) -> tuple[Path, bytes, str]:
    """``size`` random bytes written to ``path`` (new folders made): fresh content, which a hub has
    never held. Returns (path, content, its SHA-256 in hex)."""
    data = os.urandom(size)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path, data, hashlib.sha256(data).hexdigest()


def make_document(schema: str, uid: str, government: str | None = None, **fields: Any) -> dict[str, Any]:
    """A valid document of ``schema`` (from ``focalpoint.forms.template``) with this identifier.

    Its references name the ``EXAMPLE_RECORDS`` (see :func:`seed_example_records`)."""
    from focalpoint import forms

    doc = copy.deepcopy(forms.template(schema))
    doc["header"]["identifier"] = uid
    if government is not None:
        doc["government"] = {"identifier": government}
    doc.update(fields)
    return doc


@dataclass
class Actor:
    """A signed-in user of the test hub and its HTTP client (base URL set, token sent)."""

    email: str
    role: str
    government: str | None
    client: httpx.Client
    user_id: int = 0

    def put_draft(self, doc: dict[str, Any], **headers: str) -> httpx.Response:
        uid, schema = doc["header"]["identifier"], doc["header"]["schema"]
        return self.client.put(f"/api/v2013/documents/{uid}/versions/draft", params={"schema": schema},
                               json=doc, headers=headers)

    def saved_national(self, **fields: Any) -> dict[str, Any]:
        """A new valid national draft of this user's government, saved on the hub (the save must
        succeed); returns the document."""
        doc = make_document(NATIONAL_SCHEMA, new_uid(), self.government, **fields)
        response = self.put_draft(doc)
        assert response.status_code == 200, response.text
        return doc

    def request_publication(self, uid: str, revision: int | None = None, **headers: str) -> httpx.Response:
        info = self.client.get(f"/api/v2013/documents/{uid}/versions/draft/info").json()
        national = info.get("metadata", {}).get("government") is not None
        data: dict[str, Any] = {"identifier": uid}
        if revision is not None:
            data["revision"] = revision
        kind = "publishNationalRecord" if national else "publishReferenceRecord"
        return self.client.post("/api/v2013/workflows", json={"type": kind, "data": data}, headers=headers)

    def approve(self, workflow_id: str, revision: int | None = None) -> httpx.Response:
        body: dict[str, Any] = {"action": "approve"}
        if revision is not None:
            body["revision"] = revision
        return self.client.put(f"/api/v2013/workflows/{workflow_id}/activities/publishRecord", json=body)

    def reject(self, workflow_id: str, reason: str | None = "Please add the budget.") -> httpx.Response:
        body: dict[str, Any] = {"action": "reject"}
        if reason is not None:
            body["reason"] = reason
        return self.client.put(f"/api/v2013/workflows/{workflow_id}/activities/publishRecord", json=body)

    def cancel(self, workflow_id: str) -> httpx.Response:
        return self.client.delete(f"/api/v2013/workflows/{workflow_id}", params={"action": "cancel"})

    def changes(self, since: int, limit: int | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"since": since}
        if limit is not None:
            params["limit"] = limit
        response = self.client.get("/api/v2013/focalpoint/changes", params=params)
        assert response.status_code == 200, response.text
        return response.json()


@dataclass
class HubEnv:
    """Per-test helpers on the session hub: fresh governments, users and documents."""

    hub: RunningHub
    clients: list[httpx.Client] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.hub.url

    def government(self) -> str:
        return new_government(self.hub.url)

    def user(self, role: str, government: str | None = None) -> Actor:
        email = f"{role}-{uuid.uuid4().hex[:10]}@example.org"
        self.hub.add_user(email, PASSWORD, role, government)
        token = self.hub.login(email, PASSWORD)
        client = httpx.Client(base_url=self.hub.url, timeout=30,
                              headers={"Authorization": f"Ticket {token}"})
        self.clients.append(client)
        me = client.get("/api/v2013/authentication/user").json()
        return Actor(email, role, government, client, me["userID"])

    def anonymous(self) -> httpx.Client:
        client = httpx.Client(base_url=self.hub.url, timeout=30)
        self.clients.append(client)
        return client

    uid = staticmethod(new_uid)

    def national(self, government: str, uid: str | None = None, **fields: Any) -> dict[str, Any]:
        return make_document(NATIONAL_SCHEMA, uid or new_uid(), government, **fields)

    def reference(self, uid: str | None = None, **fields: Any) -> dict[str, Any]:
        return make_document(REFERENCE_SCHEMA, uid or new_uid(), None, **fields)

    def close(self) -> None:
        for client in self.clients:
            client.close()


