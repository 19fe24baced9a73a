"""Turning one need of a capacity needs assessment into a Bio-Bridge request.

Any thread may call :func:`need_to_bbi_request`; it is pure.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

# need member -> bbiRequest field (copied as they are: same kinds, same vocabularies)
_COPIED = {
    "title": "title",
    "gap": "problem",
    "assistanceTypes": "assistanceTypes",
    "nationalPriorities": "addressedPriorities",
    "cbdSubjects": "cbdSubjects",
    "aichiTargets": "aichiTargets",
    "gbfTargets": "gbfTargets",
    "objectives": "objectives",
    "coFinancing": "coFinancing",
    "existingInitiatives": "existingInitiatives",
    "startDate": "startDate",
    "endDate": "endDate",
}


def need_to_bbi_request(assessment_doc: dict[str, Any], need_index: int, *,
                        identifier: str | None = None) -> dict[str, Any]:
    """A new ``bbiRequest`` document (a draft) asking for help with need ``need_index``.

    The request takes the need's title, gap (as the problem), support sought,
    subjects, targets (Aichi and GBF), objectives, co-financing and timeframe; the
    assessment's government becomes the requesting country and the geographic target,
    its responsible organization the requesting organization, and its first contact
    the contact.
    Fields the need lacks stay empty, so the request may still fail validation
    until the person completes it. Raises IndexError for a need that does not exist
    and ValueError when the document is not a capacity needs assessment.
    """
    header = assessment_doc.get("header") or {}
    if header.get("schema") != "capacityNeedsAssessment":
        raise ValueError("not a capacityNeedsAssessment document")
    needs = assessment_doc.get("needs") or []
    if not isinstance(needs, list) or not 0 <= need_index < len(needs):
        raise IndexError(need_index)
    need = needs[need_index] if isinstance(needs[need_index], dict) else {}
    request: dict[str, Any] = {"header": {
        "identifier": identifier or str(uuid.uuid4()).upper(),
        "schema": "bbiRequest",
        "languages": list(header.get("languages") or ["en"]),
    }}
    for source, target in _COPIED.items():
        value = need.get(source)
        if value not in (None, "", [], {}):
            request[target] = copy.deepcopy(value)
    government = assessment_doc.get("government")
    if isinstance(government, dict) and government.get("identifier"):
        request["country"] = {"identifier": government["identifier"]}
        request["coverage"] = [{"identifier": government["identifier"]}]
    organization = assessment_doc.get("responsibleOrganization")
    if isinstance(organization, dict) and organization.get("identifier"):
        request["organization"] = {"identifier": organization["identifier"]}
    contacts = assessment_doc.get("contacts")
    if isinstance(contacts, list) and contacts and isinstance(contacts[0], dict):
        request["contact"] = {"identifier": contacts[0].get("identifier")}
    return request
