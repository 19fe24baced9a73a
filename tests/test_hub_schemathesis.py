"""Schemathesis against a real hub on loopback (SQLite; PostgreSQL too when FOCALPOINT_TEST_POSTGRES_URL is
set): generated requests to every operation of the hub's OpenAPI document, signed in as a focal point.
No server error, and every answer conforms to the document (status code listed, content type, body
schema). The budget is bounded (``--max-examples`` per operation) so both runs take about a minute:

- a broad run, every parameter generated (most identifiers name nothing: 400s and 404s);
- a run on real data: the identifiers in the path are those of a record with a published version, a
  newer draft under review and its request, so the answers carrying documents, infos, locks,
  workflows and history are checked against their schemas too (and the run approves, rejects,
  cancels, unlocks and edits them as it goes).

Left out, on purpose:
- ``DELETE /authentication/token`` (sign-out) would end the very token the run signs in with; it is
  tested in ``test_hub_accounts.py``.
- The HTTP parser's own refusal of request lines over 16 KiB (``400 text/plain`` before any route):
  see ``tests/support/schemathesis_hooks.py``, which drops exactly that failure and nothing else.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.hubkit import Actor, HubEnv

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
SIGN_OUT = "sign_out_api_v2013_authentication_token_delete"
ROOT = Path(__file__).resolve().parent.parent


def _run(hub_env: HubEnv, user: Actor, folder: Path, max_examples: int, config: str = "") -> dict:
    """One Schemathesis run as ``user``; returns its JSON report (the run's failures fail the test)."""
    folder.mkdir()
    command = [sys.executable, "-m", "schemathesis.cli"]
    if config:
        (folder / "schemathesis.toml").write_text(config, encoding="utf-8")
        command += ["--config-file", str(folder / "schemathesis.toml")]
    command += ["run", hub_env.url + "/openapi.json", "--header", f"Authorization: {user.client.headers['Authorization']}",
                "--checks", CHECKS, "--max-examples", str(max_examples), "--seed", "20261204",
                "--request-timeout", "30", "--exclude-operation-id", SIGN_OUT,
                "--report", "json", "--report-json-path", str(folder / "report.json"), "--no-color"]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.support.schemathesis_hooks",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    started = time.monotonic()
    run = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=240)
    elapsed = time.monotonic() - started
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    summary = (f"{report['operations']['tested']} operations, {report['test_cases']['generated']} requests, "
               f"{report['filtered']} parser refusals of over-long lines dropped, {elapsed:.0f} s")
    print(f"\nschemathesis ({folder.name}): {summary}")
    assert run.returncode == 0, f"{summary}\n{run.stdout[-15000:]}\n{run.stderr[-3000:]}"
    assert report["failures"] == [] and report["errors"] == [], run.stdout[-15000:]
    # every operation but sign-out was reached, and none only with 401s (the token held throughout)
    assert report["operations"]["tested"] == report["operations"]["total"] - 1 >= 30
    assert report["operations"]["errored"] == 0
    assert not report["warnings"].get("missing_auth")
    return report


def test_generated_requests_find_no_server_error_and_no_conformance_failure(hub_env: HubEnv, tmp_path: Path):
    focal_point = hub_env.user("focal-point", hub_env.government())
    report = _run(hub_env, focal_point, tmp_path / "broad", max_examples=15)
    assert report["test_cases"]["generated"] >= 10 * report["operations"]["tested"]


@pytest.fixture
def record_under_review(hub_env: HubEnv) -> tuple[Actor, str, str]:
    """A focal point, and a record of its government: published, with a newer draft under review
    (its request made by an authorized user, so the focal point may decide it)."""
    gov = hub_env.government()
    author, reviewer, focal_point = (hub_env.user(role, gov) for role in ("authorized-user", "focal-point",
                                                                           "focal-point"))
    doc = hub_env.national(gov)
    uid = doc["header"]["identifier"]
    assert author.put_draft(doc).status_code == 200
    first = author.request_publication(uid)
    assert first.status_code == 201 and reviewer.approve(first.json()["_id"]).status_code == 200
    doc["title"] = {"en": "Second version", "fr": "Deuxième version"}
    assert author.put_draft(doc).status_code == 200
    second = author.request_publication(uid)
    assert second.status_code == 201, second.text
    return focal_point, uid, second.json()["_id"]


def test_generated_requests_on_a_real_record_conform(hub_env: HubEnv, tmp_path: Path, record_under_review):
    focal_point, uid, workflow = record_under_review
    config = (f'[parameters]\n"path.uid" = "{uid}"\n"path.workflow_id" = "{workflow}"\n'
              f'"path.lock_id" = "workflow-{workflow}"\n')
    report = _run(hub_env, focal_point, tmp_path / "on-a-record", max_examples=5, config=config)
    assert report["test_cases"]["generated"] >= 3 * report["operations"]["tested"]
