"""The CHM thesaurus, refreshed from the server and kept for offline use.

Each shipped vocabulary that mirrors a CHM thesaurus domain (``"domain"`` in its JSON) is
refreshed with ``GET /api/v2013/thesaurus/domains/{domain}/terms`` at most once a day, and
the answer (the CHM's term objects: ``identifier``, ``name``, ``title`` in six languages,
``broaderTerms``, ``narrowerTerms`` …) is stored in the ``thesaurus_domain`` table (migration
``0004_real_thesaurus``). The stored terms are laid over the shipped vocabularies
(:func:`focalpoint.forms.vocabularies.install_server_terms`): the server's labels win, new
terms appear in the editor's choices, and everything still works offline afterwards.

:func:`refresh_thesaurus` never raises for a network or server problem: a sync must not fail
because a vocabulary could not be refreshed. Problems are logged and returned in the report.

Threads: :func:`refresh_thesaurus` runs where the sync runs (the network worker);
:func:`load_stored_terms` may run on any thread that may use the database (call it once when
a data folder is opened).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from sqlalchemy import JSON, Column, DateTime, MetaData, String, Table, delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from focalpoint.db import Database
from focalpoint.forms.vocabularies import chm_domains, install_server_terms
from focalpoint.models import utcnow
from focalpoint.sync.errors import Cancelled, NetworkError, SyncError

log = logging.getLogger("focalpoint.thesaurus")

THESAURUS_PATH = "/api/v2013/thesaurus/domains/{domain}/terms"
#: a domain is fetched again once its copy is this old
MAX_AGE = dt.timedelta(days=1)

_metadata = MetaData()
thesaurus_domain = Table(
    "thesaurus_domain", _metadata,
    Column("domain", String(200), primary_key=True),
    Column("vocabulary", String(100), nullable=False),
    Column("fetched_at", DateTime, nullable=False),
    Column("terms", JSON, nullable=False),
)


@dataclass
class RefreshReport:
    """What one refresh did: domains fetched, skipped as fresh, and failed (with the reason)."""

    refreshed: list[str] = field(default_factory=list)
    fresh: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed


def terms_path(domain: str) -> str:
    """The API path of a domain's terms (``Organization Types`` → ``Organization%20Types``)."""
    return THESAURUS_PATH.format(domain=quote(domain, safe=""))


def valid_terms(body: Any) -> list[dict[str, Any]] | None:
    """The terms of an answer in the CHM's shape, or None when the answer is not a list of terms."""
    if not isinstance(body, list):
        return None
    terms = [t for t in body if isinstance(t, dict) and isinstance(t.get("identifier"), str) and t["identifier"]]
    if len(terms) != len(body):
        return None
    return terms


def load_stored_terms(db: Database) -> int:
    """Lay every stored domain over its vocabulary; returns how many domains were installed."""
    with db.session() as session:
        rows = session.execute(select(thesaurus_domain.c.vocabulary, thesaurus_domain.c.terms)).all()
    known = chm_domains()
    count = 0
    for vocabulary, terms in rows:
        if vocabulary in known and isinstance(terms, list) and terms:
            install_server_terms(vocabulary, terms)
            count += 1
    return count


def _fetched_at(db: Database) -> dict[str, dt.datetime]:
    with db.session() as session:
        return dict(session.execute(select(thesaurus_domain.c.domain, thesaurus_domain.c.fetched_at)).all())


def _store(db: Database, domain: str, vocabulary: str, terms: list[dict[str, Any]], now: dt.datetime) -> None:
    with db.session(write=True) as session:
        session.execute(delete(thesaurus_domain).where(thesaurus_domain.c.domain == domain))
        session.execute(insert(thesaurus_domain).values(domain=domain, vocabulary=vocabulary,
                                                        fetched_at=now, terms=terms))


def _touch(db: Database, domain: str, vocabulary: str, now: dt.datetime) -> None:
    """Remember that ``domain`` was asked for now (terms kept), so a domain the server lacks is not
    asked for at every sync but once a day."""
    with db.session(write=True) as session:
        found = session.execute(select(thesaurus_domain.c.domain).where(thesaurus_domain.c.domain == domain)).first()
        if found is None:
            session.execute(insert(thesaurus_domain).values(domain=domain, vocabulary=vocabulary,
                                                            fetched_at=now, terms=[]))
        else:
            session.execute(update(thesaurus_domain).where(thesaurus_domain.c.domain == domain)
                            .values(fetched_at=now))


def refresh_thesaurus(call: Callable[[str, str], Any], db: Database, *,
                      now: dt.datetime | None = None, max_age: dt.timedelta = MAX_AGE,
                      vocabularies: Iterable[str] | None = None) -> RefreshReport:
    """Fetch the domains older than ``max_age`` with ``call(method, path) -> Answer``; store and install them.

    ``call`` is the sync engine's request function (retries, sign-in). A domain the server does
    not have (404) or answers badly is reported and skipped; the first network failure ends the
    refresh (the machine is offline: no point in waiting for every domain). Never raises for
    those; a cancelled sync still raises :class:`focalpoint.sync.errors.Cancelled`.
    """
    now = now or utcnow()
    report = RefreshReport()
    wanted = chm_domains()
    if vocabularies is not None:
        wanted = {name: domain for name, domain in wanted.items() if name in set(vocabularies)}
    try:
        load_stored_terms(db)  # what is already here serves even if nothing needs fetching
        fetched = _fetched_at(db)
    except SQLAlchemyError as exc:
        log.warning("thesaurus refresh skipped: the stored terms cannot be read (%s)", exc)
        report.failed["*"] = str(exc)
        return report
    for name, domain in sorted(wanted.items()):
        try:
            if not _refresh_one(call, db, name, domain, fetched.get(domain), now, max_age, report):
                break
        except Cancelled:
            raise
        except Exception as exc:  # a refresh must never fail the sync: log it with its traceback
            log.exception("thesaurus domain %s not refreshed", domain)
            report.failed[domain] = str(exc) or type(exc).__name__
    if report.failed:
        log.warning("thesaurus refresh: %d domain(s) refreshed, %d failed", len(report.refreshed), len(report.failed))
    else:
        log.info("thesaurus refresh: %d domain(s) refreshed, %d fresh", len(report.refreshed), len(report.fresh))
    return report


def _refresh_one(call: Callable[[str, str], Any], db: Database, name: str, domain: str,
                 last: dt.datetime | None, now: dt.datetime, max_age: dt.timedelta,
                 report: RefreshReport) -> bool:
    """Refresh one domain; False when the refresh should stop (the server cannot be reached)."""
    if last is not None and now - last < max_age:
        report.fresh.append(domain)
        return True
    try:
        answer = call("GET", terms_path(domain))
    except Cancelled:
        raise
    except NetworkError as exc:
        log.warning("thesaurus refresh stopped at %s: %s", domain, exc)
        report.failed[domain] = str(exc)
        return False
    except SyncError as exc:
        log.warning("thesaurus domain %s not refreshed: %s", domain, exc)
        report.failed[domain] = str(exc)
        _touch(db, domain, name, now)
        return True
    status = getattr(answer, "status", None)
    terms = valid_terms(getattr(answer, "body", None)) if status == 200 else None
    if terms is None:
        reason = f"HTTP {status}" if status != 200 else "the answer is not a list of terms"
        log.warning("thesaurus domain %s not refreshed: %s", domain, reason)
        report.failed[domain] = reason
        _touch(db, domain, name, now)
        return True
    try:
        _store(db, domain, name, terms, now)
    except SQLAlchemyError as exc:
        log.warning("thesaurus domain %s fetched but not stored: %s", domain, exc)
        report.failed[domain] = str(exc)
        return True
    install_server_terms(name, terms)
    report.refreshed.append(domain)
    return True
