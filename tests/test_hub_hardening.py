"""A hub on the internet: security headers, no CDN page by default, permanent database failures
told apart from passing contention, and no document in the logs. Real hub, real HTTP."""

from __future__ import annotations

import logging

import httpx
import pytest
from sqlalchemy import text

from tests.support.sync import needs_assessment

PASSWORD = "hardening-pw"


@pytest.fixture
def running(tmp_path):
    from tests.support.hub import start_hub

    with start_hub(tmp_path=tmp_path) as hub:
        hub.add_user("a@ws.org", PASSWORD, "authorized-user", "ws")
        yield hub


def test_every_answer_carries_security_headers(running):
    for response in (httpx.get(running.url + "/api/v2013/focalpoint/capabilities", timeout=30),
                     httpx.get(running.url + "/api/v2013/no/such/route", timeout=30),
                     httpx.post(running.url + "/api/v2013/authentication/token", json={"email": "x@ws.org",
                                                                                      "password": "no"},
                                timeout=30)):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "default-src 'none'" in response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]  # no framing


def test_the_cdn_docs_page_is_off_unless_asked_for(running, tmp_path):
    from tests.support.hub import start_hub

    assert httpx.get(running.url + "/docs", timeout=30).status_code == 404
    assert httpx.get(running.url + "/openapi.json", timeout=30).status_code == 200
    (tmp_path / "docs").mkdir()
    with start_hub(tmp_path=tmp_path / "docs", docs=True) as with_docs:
        assert httpx.get(with_docs.url + "/docs", timeout=30).status_code == 200


def test_a_broken_database_is_a_server_error_not_busy_and_no_document_is_logged(running, caplog):
    token = running.login("a@ws.org", PASSWORD)
    with running.hub.db.plain_write() as session:  # a table gone: no retry will ever help
        session.execute(text("DROP TABLE hub_idempotency"))
    doc = needs_assessment("ws", "SECRET-TITLE-7f3a in a draft")
    uid = doc["header"]["identifier"]
    with caplog.at_level(logging.DEBUG):
        response = httpx.put(f"{running.url}/api/v2013/documents/{uid}/versions/draft",
                             params={"schema": doc["header"]["schema"]}, json=doc,
                             headers={"Authorization": f"Ticket {token}", "Idempotency-Key": "k-1"}, timeout=30)
    assert response.status_code == 500, response.text  # not "503 busy, try again"
    assert "retry-after" not in response.headers
    logged = "\n".join(record.getMessage() + str(record.exc_info or "") for record in caplog.records)
    assert "hub_idempotency" in logged or "no such table" in logged
    assert "SECRET-TITLE-7f3a" not in logged


@pytest.mark.parametrize("params", [{"since": str(10 ** 30)}, {"since": "0", "have": "ABC:²"},
                                    {"since": "0", "limit": str(10 ** 30)}])
def test_hostile_feed_parameters_are_refused_and_the_connection_stays_usable(running, params):
    token = running.login("a@ws.org", PASSWORD)
    with httpx.Client(base_url=running.url, headers={"Authorization": f"Ticket {token}"}, timeout=30) as client:
        refused = client.get("/api/v2013/focalpoint/changes", params=params)
        assert refused.status_code == 400, refused.text
        assert client.get("/api/v2013/focalpoint/changes", params={"since": 0}).status_code == 200


@pytest.mark.parametrize("name", ["$skip", "$top"])
def test_huge_listing_offsets_are_refused(running, name):
    token = running.login("a@ws.org", PASSWORD)
    response = httpx.get(running.url + "/api/v2013/documents", params={name: str(10 ** 30)},
                         headers={"Authorization": f"Ticket {token}"}, timeout=30)
    assert response.status_code == 400, response.text
