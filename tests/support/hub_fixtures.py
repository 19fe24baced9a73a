"""Pytest fixtures for hub tests, loaded for every test by ``tests/conftest.py``.

- ``hub_server``: one real hub per backend for the whole session, on loopback over
  HTTP: SQLite always, PostgreSQL too when ``FOCALPOINT_TEST_POSTGRES_URL`` is set
  (its hub tables are dropped first, so give it a database of its own).
- ``hub_env``: per test, fresh governments and users with signed-in HTTP clients
  (see :class:`tests.support.hubkit.HubEnv`).
- ``reference_records``: the module's ``hub`` (``tests/conftest.py``) with the records a
  publishable assessment refers to (``pytestmark = pytest.mark.usefixtures("reference_records")``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.hubkit import PASSWORD, POSTGRES_ENV, HubEnv, reset_postgres, seed_example_records

if TYPE_CHECKING:  # the hub (FastAPI) is imported when a test asks for it, not by every test run
    from tests.support.hub import RunningHub


def backends() -> list[Any]:
    out: list[Any] = ["sqlite"]
    if os.environ.get(POSTGRES_ENV):
        out.append(pytest.param("postgresql", marks=pytest.mark.postgres))
    return out


@pytest.fixture(scope="session", params=backends())
def hub_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    from tests.support.hub import start_hub

    if request.param == "postgresql":
        url = os.environ[POSTGRES_ENV]
        reset_postgres(url)
        hub = start_hub(url)
    else:
        hub = start_hub(tmp_path=tmp_path_factory.mktemp("hub"))
    with hub:
        seed_example_records(hub)
        yield hub


@pytest.fixture(scope="module")
def reference_records(hub: RunningHub) -> RunningHub:
    """The module's ``hub`` holding the organization and contact that
    ``tests.support.sync.publishable_assessment`` refers to (drafts a seeding user of "ws" made)."""
    from tests.support.sync import seed_reference_records

    hub.add_user("seeder@example.org", PASSWORD, "authorized-user", "ws")
    seed_reference_records(hub.url, hub.login("seeder@example.org", PASSWORD))
    return hub


@pytest.fixture
def hub_env(hub_server: RunningHub) -> Iterator[HubEnv]:
    env = HubEnv(hub_server)
    try:
        yield env
    finally:
        env.close()
