"""Shared test set-up: offscreen Qt, English by default, a fresh data directory per test."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["FOCALPOINT_LANG"] = "en"
os.environ.pop("FOCALPOINT_DATA_DIR", None)
# never touch a real keyring from the tests
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


@pytest.fixture(autouse=True)
def _english_interface():
    from focalpoint import i18n

    i18n.set_language("en")
    yield
    i18n.set_language("en")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def db(data_dir: Path):
    from focalpoint.db import open_database

    database = open_database(data_dir)
    yield database
    database.close()


@pytest.fixture
def catalog_db(db):
    from focalpoint.catalog import ensure_catalog

    ensure_catalog(db)
    return db
