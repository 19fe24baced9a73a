"""Review data made as sync leaves it, for tests of the review screens and rules without a hub:
a complete capacity needs assessment, a publication request pulled from the hub, a signed-in account.

Any thread may call these (with a database the caller owns).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any


def complete_assessment(title: str = "Needs of Samoa 2026") -> dict[str, Any]:
    """A capacity needs assessment complete enough to be published, titled ``title (lang)`` in each of
    its languages; no identifier yet (the store gives one)."""
    from focalpoint import forms

    doc = forms.template("capacityNeedsAssessment")
    doc["header"].pop("identifier", None)
    doc["title"] = {lang: f"{title} ({lang})" for lang in doc["header"]["languages"]}
    return doc


def pulled_workflow(db, identifier: str, *, created: dt.datetime, wf_id: str = "WF-1",  # noqa: ANN001
                    author: str = "author@ws.example", revision: int = 3, gov: str = "ws",
                    published: dict[str, Any] | None = None, kind: str = "publishNationalRecord") -> None:
    """Store a running request about ``identifier`` as sync stores it after pulling it from the hub
    (``published``: the record's published version, when it has one)."""
    from focalpoint.models import Workflow

    data: dict[str, Any] = {"_id": wf_id}
    if published is not None:
        data["publishedBody"] = published
    with db.session() as session:
        session.add(Workflow(id=wf_id, record_identifier=identifier, type=kind, state="running",
                             revision=revision, government=gov, created_by=author, created_at=created, data=data))


def sign_in_as(db, email: str, roles: list[str], gov: str = "ws") -> None:  # noqa: ANN001
    """Record the account the hub described at sign-in (who this computer's person is)."""
    from focalpoint.models import Meta

    with db.session() as session:
        session.merge(Meta(key="account.user",
                           value=json.dumps({"email": email, "roles": roles, "government": gov})))
