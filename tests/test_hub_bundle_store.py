"""The hub's bundle with its files in a remote store, over real HTTP on loopback: the files are
fetched after the database's read transaction has ended, so a slow store (S3 across the world)
never keeps a database connection busy while it answers."""

from __future__ import annotations

import hashlib
import os
import secrets
from typing import Any

import fsspec
import httpx
from fsspec.implementations.memory import MemoryFileSystem

from tests.support.hub import start_hub
from tests.support.hubkit import PASSWORD


class WatchedStore(MemoryFileSystem):
    """An in-memory stand-in for a remote object store that notes, at each file fetched, how many
    database connections the hub holds (``watch`` returns that number)."""

    protocol = ("fp-watched",)
    store: dict[str, Any] = {}  # its own, apart from memory://
    pseudo_dirs = [""]
    watch: Any = None
    seen: list[int] = []

    @classmethod
    def _strip_protocol(cls, path: Any) -> Any:
        if isinstance(path, str) and path.startswith("fp-watched://"):
            path = "memory://" + path[len("fp-watched://"):]
        return super()._strip_protocol(path)

    def get_file(self, rpath: Any, lpath: Any, *args: Any, **kwargs: Any) -> Any:
        if WatchedStore.watch is not None:
            WatchedStore.seen.append(WatchedStore.watch())
        return super().get_file(rpath, lpath, *args, **kwargs)


def test_the_bundle_fetches_its_files_after_the_database_read_ends(tmp_path):
    from focalpoint.records.attachments import attach_to_record
    from focalpoint.sync.bundle import read_bundle
    from tests.support.sync import Station, government_codes, needs_assessment

    fsspec.register_implementation("fp-watched", WatchedStore, clobber=True)
    url = f"fp-watched://bundle-{secrets.token_hex(6)}"
    with start_hub(tmp_path=tmp_path, files_dir=tmp_path / "hub-files", files_url=url) as hub:
        gov = [g for g in government_codes() if g != "ws"][151]
        email = f"bundle-{secrets.token_hex(4)}@{gov}.org"
        hub.add_user(email, PASSWORD, "authorized-user", gov)
        station = Station(tmp_path / "a", hub.url, email, PASSWORD)
        try:
            reports = {}
            for name in ("Assessment report.pdf", "Annex.pdf"):
                path = tmp_path / name
                path.write_bytes(os.urandom(200_000))
                reports[hashlib.sha256(path.read_bytes()).hexdigest()] = path.read_bytes()
                ident = station.store.save(needs_assessment(gov, f"With {name}")).identifier
                attach_to_record(station.store, ident, path)
            assert station.sync().ok

            engines = (hub.app.state.hub.db.read_engine, hub.app.state.hub.db.write_engine)
            WatchedStore.seen = []
            WatchedStore.watch = lambda: sum(e.pool.checkedout() for e in engines)
            try:
                response = httpx.get(hub.url + "/api/v2013/focalpoint/bundle", params={"government": gov},
                                     headers={"Authorization": f"Ticket {hub.login(email, PASSWORD)}"},
                                     timeout=60)
            finally:
                WatchedStore.watch = None
            assert response.status_code == 200, response.text
            assert len(WatchedStore.seen) == 2  # both files came from the store ...
            assert WatchedStore.seen == [0, 0]  # ... while the hub held no database connection

            stick = tmp_path / "hub.fpb"
            stick.write_bytes(response.content)
            (tmp_path / "staged").mkdir()
            bundle = read_bundle(stick, stage=tmp_path / "staged")
            assert {sha: path.read_bytes() for sha, path in bundle.files.items()} == reports
        finally:
            station.close()
