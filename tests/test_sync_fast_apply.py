"""A pulled page is applied in one transaction with bulk statements; the search index is the same."""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from focalpoint.models import AuditEvent, Record
from focalpoint.records import RecordStore, search_record_ids
from focalpoint.sync import pull as pulling
from focalpoint.sync.protocol import parse_changes
from focalpoint.textsearch import SENTINEL, index_body, normalize
from tests.test_sync_deltas import big_assessment

NOW = dt.datetime(2026, 1, 5, 12, 0)


def reference_body(parts: list[str]) -> str:
    """The index body as defined: the whole text normalized, then each word kept where it first appears."""
    seen: set[str] = set()
    lines = []
    for line in normalize("\n".join(parts)).split("\n"):
        words = [w for w in line.split() if w not in seen and not seen.add(w)]
        if words:
            lines.append(" ".join(words))
    return "\n".join(lines) + SENTINEL


TRICKY = st.sampled_from(["\n", " ", "\u00a0", "\u3000", "\u0301", "\u064b", "\u0640", "\u200b", "\u00a8",
                          "É", "é", "ﻻ", "ﷲ", "Ａ", "Σ", "ς", "ß", "ﬁ", "إ", "ة", "٣", "\r", "\u2028", "生"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.one_of(TRICKY, st.characters()), max_size=40), max_size=6))
def test_index_body_of_distinct_words_is_the_defined_body(parts):
    assert index_body(parts, distinct_words=True) == reference_body(parts)


def _page(documents: list[dict], start: int) -> dict:
    user = {"userID": 3, "firstName": "Ana", "lastName": "Tuilagi", "email": "ana@ws.org"}
    results = []
    for seq, doc in enumerate(documents, start=start + 1):
        info = {"identifier": doc["header"]["identifier"], "type": doc["header"]["schema"], "realm": "CHM",
                "createdOn": "2026-01-02T03:04:05.000Z", "createdBy": user,
                "metadata": {"government": "ws", "schema": doc["header"]["schema"]}, "workingDocumentLock": None,
                "revision": 2, "updatedOn": "2026-01-03T03:04:05.000Z", "updatedBy": user, "isDraft": True,
                "publishedRevision": None, "body": doc, "deleted": False}
        results.append({"seq": seq, "identifier": info["identifier"], "revision": 2, "deleted": False,
                        "info": info, "workflows": []})
    return {"results": results, "last_seq": start + len(documents), "more": False}


def test_a_first_pull_page_stores_every_record_with_its_audit_and_index(db):
    rng = random.Random(4)
    documents = [big_assessment("ws", rng) for _ in range(60)]
    documents[5]["title"]["en"] = "Mangrove restoration in Savaiʻi"
    with db.session() as session:
        result = pulling.apply_page(session, "https://hub.example.org", parse_changes(_page(documents, 0)),
                                    now=NOW, actor="ana@ws.org")
    assert result.applied == 60
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Record)) == 60
        rec = session.get(Record, documents[5]["header"]["identifier"])
        assert rec.document == rec.base_document == documents[5]
        assert (rec.server_revision, rec.sync_state, rec.status, rec.government) == (2, "synced", "draft", "ws")
        assert rec.title["en"] == "Mangrove restoration in Savaiʻi"
        assert rec.created_at == dt.datetime(2026, 1, 2, 3, 4, 5)
        audits = session.scalars(select(AuditEvent).where(AuditEvent.record_identifier == rec.identifier)).all()
        assert [(a.action, a.revision, a.origin) for a in audits] == [("created", 2, "server")]
        assert pulling.read_checkpoint(session, "https://hub.example.org") == 60
        indexed = session.execute(text("SELECT count(*) FROM record_fts")).scalar_one()
        assert indexed == 60
        # the pulled record is found by words of its text, in any order, accents folded
        assert search_record_ids(session, "SAVAIʻI mangrove") == [rec.identifier]
    assert RecordStore(db).get(rec.identifier).document == documents[5]
