"""The CHM thesaurus routes, answered from FocalPoint's shipped vocabularies.

``GET /api/v2013/thesaurus/domains`` lists the domains; ``GET /api/v2013/thesaurus/domains/{domain}/terms``
returns a domain's terms in the real API's shape (``termId``, ``identifier``, ``name``, ``title`` in six
languages, ``shortTitle``, ``description``, ``longDescription``, ``source``, ``broaderTerms``,
``narrowerTerms``, ``relatedTerms``, ``nonPreferedTerms``: chm-reference/thesaurus/chd-swagger/);
``GET /api/v2013/thesaurus/terms/{identifier}`` one term (the shared "Other" term among them).
FocalPoint-only terms (old codes with no CHM counterpart) are not served: the real CHM has none.

A hub operator may serve the real, complete lists instead: put the answer of the real API for a
domain in ``$FOCALPOINT_HUB_THESAURUS_DIR/<vocabulary name>.json`` (a JSON list of terms) and the hub
serves that file for the vocabulary's domain. Reading it is per request: no restart needed.

The routes need no sign-in, as on the real API. Handlers run on the server's worker threads.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from focalpoint.forms.vocabularies import (
    OTHER_TERM,
    chm_domains,
    shipped_vocabulary,
    vocabulary_for_domain,
    vocabulary_names,
)
from focalpoint.hub.errors import not_found
from focalpoint.hub.responses import JSONResponse
from focalpoint.hub.schemas import Term, ThesaurusDomain, errors

log = logging.getLogger("focalpoint.hub")

router = APIRouter(prefix="/api/v2013/thesaurus", tags=["thesaurus"])

THESAURUS_DIR_ENV = "FOCALPOINT_HUB_THESAURUS_DIR"

_OTHER_TITLE = {"ar": "غير ذلك", "en": "Other", "es": "Otro", "fr": "Autre", "ru": "Другое", "zh": "其他"}


def _term_json(identifier: str, label: dict[str, str], broader: tuple[str, ...] = (),
               narrower: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"identifier": identifier, "name": label.get("en") or identifier, "title": dict(label),
            "shortTitle": {}, "description": "", "longDescription": {}, "source": "",
            "broaderTerms": list(broader), "narrowerTerms": list(narrower), "relatedTerms": [],
            "nonPreferedTerms": []}


def _override(name: str) -> list[dict[str, Any]] | None:
    folder = os.environ.get(THESAURUS_DIR_ENV)
    if not folder:
        return None
    path = Path(folder) / f"{name}.json"
    if not path.is_file():
        return None
    try:
        terms = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("thesaurus file %s ignored: %s", path, exc)
        return None
    if not isinstance(terms, list):
        log.warning("thesaurus file %s ignored: not a list of terms", path)
        return None
    return terms


def domain_terms(name: str) -> list[dict[str, Any]]:
    """The terms served for vocabulary ``name``'s domain."""
    override = _override(name)
    if override is not None:
        return override
    return [_term_json(t.identifier, dict(t.label), t.broader, t.narrower)
            for t in shipped_vocabulary(name) if not t.focalpoint_only and t.identifier != OTHER_TERM]


def _domain_name(domain: str) -> str:
    name = vocabulary_for_domain(domain)
    if name is None:
        raise not_found("The thesaurus domain")
    return name


@router.get("/domains", response_model=list[ThesaurusDomain], responses=errors(500))
async def domains() -> JSONResponse:
    """Every domain this hub serves: ``identifier`` (GUID or name) and ``title``."""
    def build() -> list[dict[str, Any]]:
        return [{"identifier": domain, "name": name, "title": dict(shipped_vocabulary(name).label)}
                for name, domain in sorted(chm_domains().items())]
    return JSONResponse(await run_in_threadpool(build))


@router.get("/domains/{domain}/terms", response_model=list[dict[str, Any]], responses=errors(404, 500))
async def terms(domain: str) -> JSONResponse:
    """The terms of ``domain``, as ``GET /api/v2013/thesaurus/domains/{domain}/terms`` gives them."""
    name = _domain_name(domain)
    return JSONResponse(await run_in_threadpool(domain_terms, name))


@router.get("/terms/{identifier}", response_model=Term, responses=errors(404, 500))
async def term(identifier: str) -> JSONResponse:
    """One term by identifier (the shared "Other" term is one of them)."""
    if identifier == OTHER_TERM:
        return JSONResponse(_term_json(OTHER_TERM, _OTHER_TITLE))

    def find() -> dict[str, Any] | None:
        for name in vocabulary_names():
            vocab = shipped_vocabulary(name)
            if vocab.domain is None:
                continue
            found = vocab.term(identifier)
            if found is not None and not found.focalpoint_only:
                return _term_json(found.identifier, dict(found.label), found.broader, found.narrower)
        return None
    found = await run_in_threadpool(find)
    if found is None:
        raise not_found("The term")
    return JSONResponse(found)
