"""The CHM vocabularies refreshed from the server when online, kept for offline use.

A real hub on loopback serves the thesaurus routes (its shipped vocabularies, or the real lists a hub
operator drops in FOCALPOINT_HUB_THESAURUS_DIR); a client data folder syncs, and afterwards, with no
network, the editor's vocabularies show the server's new and renamed terms.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import httpx
import pytest

from focalpoint.forms.vocabularies import clear_server_terms, term_label, vocabulary
from focalpoint.hub.api_thesaurus import THESAURUS_DIR_ENV
from focalpoint.sync.thesaurus import load_stored_terms, terms_path
from tests.support.sync import FaultProxy, Station, http_response

PASSWORD = "thesaurus-pw"
CIVIL_SOCIETY = "D8862526-B776-4FD2-8C62-6DF9D5E92166"
# a term this client has never seen: test data, as the real CHM would send it
NEW_AUDIENCE = "9E6D7A2B-0000-4000-8000-00000000A001"
AUDIENCE_DOMAIN = "AFB155C4-93A6-402C-B812-CFC7488ED651"


@pytest.fixture(autouse=True)
def _no_server_terms_left_behind():
    clear_server_terms()
    yield
    clear_server_terms()


@pytest.fixture
def real_lists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The hub serves a 'real' audience list: a renamed term and one the client never shipped."""
    folder = tmp_path / "thesaurus"
    folder.mkdir()
    (folder / "targetGroups.json").write_text(json.dumps([
        {"identifier": CIVIL_SOCIETY, "name": "Civil society organizations",
         "title": {"en": "Civil society organizations (CSOs)", "fr": "Organisations de la société civile (OSC)",
                   "es": "Organizaciones de la sociedad civil (OSC)", "ar": "منظمات المجتمع المدني",
                   "ru": "Организации гражданского общества (ОГО)", "zh": "民间社会组织"},
         "shortTitle": {}, "broaderTerms": [], "narrowerTerms": [], "relatedTerms": [], "nonPreferedTerms": []},
        {"identifier": NEW_AUDIENCE, "name": "Women",
         "title": {"en": "Women", "fr": "Femmes", "es": "Mujeres", "ar": "النساء", "ru": "Женщины", "zh": "妇女"},
         "shortTitle": {}, "broaderTerms": [], "narrowerTerms": [], "relatedTerms": [], "nonPreferedTerms": []},
    ], ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv(THESAURUS_DIR_ENV, str(folder))
    return folder


def _station(hub, path: Path, url: str | None = None) -> Station:
    hub.add_user("thes@ws.org", PASSWORD, "authorized-user", "ws")
    return Station(path, url or hub.url, "thes@ws.org", PASSWORD)


def test_the_hub_answers_the_thesaurus_routes_in_the_real_shape(hub) -> None:
    answer = httpx.get(hub.url + terms_path("GBF-TARGETS"), timeout=30)
    assert answer.status_code == 200
    terms = answer.json()
    assert [t["identifier"] for t in terms] == [f"GBF-TARGET-{n:02d}" for n in range(1, 24)]
    first = terms[0]
    assert set(first) >= {"identifier", "name", "title", "shortTitle", "broaderTerms", "narrowerTerms"}
    assert first["title"]["fr"] == "GBF-T01. Planifier et gérer toutes les zones afin de réduire la perte de biodiversité"
    # a domain named with spaces, as the CHM names some of them
    funding = httpx.get(hub.url + terms_path("Capacity Building Project Funding Types"), timeout=30).json()
    assert "74EBA28E-1F0C-4157-BD47-C8492487AD70" in {t["identifier"] for t in funding}
    assert "FUNDING-NATIONAL-BUDGET" not in {t["identifier"] for t in funding}  # FocalPoint-only: not the CHM's
    assert httpx.get(hub.url + terms_path("NO-SUCH-DOMAIN"), timeout=30).status_code == 404
    domains = {d["identifier"] for d in httpx.get(hub.url + "/api/v2013/thesaurus/domains", timeout=30).json()}
    assert {"GBF-TARGETS", "countries", "regions", "Organization Types", AUDIENCE_DOMAIN} <= domains
    other = httpx.get(hub.url + "/api/v2013/thesaurus/terms/5B6177DD-5E5E-434E-8CB7-D63D67D5EBED", timeout=30)
    assert other.status_code == 200 and other.json()["title"]["en"] == "Other"


def test_a_sync_refreshes_the_vocabularies_and_they_stay_offline(hub, real_lists: Path, tmp_path: Path) -> None:
    from focalpoint.db import open_database

    assert term_label("targetGroups", NEW_AUDIENCE, "fr") == NEW_AUDIENCE  # unknown: shown by its identifier
    station = _station(hub, tmp_path / "client")
    try:
        before = station.client.stats.requests
        report = station.sync()
        assert report.ok, report.error
        refreshed = station.client.stats.requests - before - report.requests
        assert refreshed >= 10  # one request per CHM domain the forms use
        # at once: the renamed term and the new one, in six languages
        assert term_label("targetGroups", CIVIL_SOCIETY, "fr") == "Organisations de la société civile (OSC)"
        assert term_label("targetGroups", NEW_AUDIENCE, "zh") == "妇女"
        assert NEW_AUDIENCE in vocabulary("targetGroups")
        # at most once a day: the next sync asks for nothing more
        before = station.client.stats.requests
        report = station.sync()
        assert report.ok and station.client.stats.requests - before == report.requests
    finally:
        station.db.close()

    # a new session, no network at all: the terms come from the data folder
    clear_server_terms()
    assert NEW_AUDIENCE not in vocabulary("targetGroups")
    db = open_database(tmp_path / "client")
    try:
        assert load_stored_terms(db) >= 10
    finally:
        db.close()
    assert term_label("targetGroups", NEW_AUDIENCE, "ar") == "النساء"
    assert [t.identifier for t in vocabulary("targetGroups")][:2] == [CIVIL_SOCIETY,
                                                                      "5B6177DD-5E5E-434E-8CB7-D63D67D5EBED"]
    assert vocabulary("targetGroups").term("5B6177DD-5E5E-434E-8CB7-D63D67D5EBED").custom
    # shipped terms the server did not send are still there (GBF targets came from the hub's own list)
    assert len(vocabulary("gbfTargets")) == 23


def test_a_failed_refresh_never_fails_the_sync_and_is_tried_again_next_day(hub, tmp_path: Path,
                                                                          caplog: pytest.LogCaptureFixture) -> None:
    with FaultProxy(hub.url, rate=0.0) as proxy:
        broken = terms_path("GBF-TARGETS")
        proxy.rules.append(lambda method, path: http_response(200, b'{"not": "a list"}')
                           if path.startswith(broken) else None)
        proxy.rules.append(lambda method, path: "error_before" if path.startswith(terms_path("regions")) else None)
        station = _station(hub, tmp_path / "client", proxy.url)
        try:
            with caplog.at_level("WARNING", logger="focalpoint.thesaurus"):
                report = station.sync()
            assert report.ok, report.error
            assert "GBF-TARGETS" in caplog.text and "regions" in caplog.text  # said in the log, not silently
            assert len(vocabulary("gbfTargets")) == 23  # the shipped list still serves
            asked = [p for _m, p, _f in proxy.log if p.startswith(broken)]
            assert len(asked) == 1
            # not asked again the same day, asked again the next day
            station.sync()
            assert len([p for _m, p, _f in proxy.log if p.startswith(broken)]) == 1
            station.clock.now += dt.timedelta(hours=25)
            proxy.rules.clear()
            assert station.sync().ok
            assert len([p for _m, p, _f in proxy.log if p.startswith(broken)]) == 2
        finally:
            station.db.close()
