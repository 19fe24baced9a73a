"""Train the zstd dictionary that the hub and the client share (see ``focalpoint.compression``).

    python -m focalpoint.tools.train_zstd_dictionary --version 1

Samples, rendered as the hub renders JSON (compact, UTF-8): the CHM documents in
``tests/fixtures/chm``, one example document per form (``focalpoint.forms.templates``), and
documents made by ``bench/datagen.py`` in the six UN languages; each as a bare document, as a
change-feed item (info with body) and as a draft-save answer (info without body). The result is
``focalpoint/dictionaries/chm-<id>.dict`` with id ``32768 + version`` (zstd reserves lower ids
for a registrar). Never overwrite a released dictionary: clients holding it read frames by its
id; train a new version instead and ship both while older clients are in use.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import zstandard

if TYPE_CHECKING:
    from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "focalpoint" / "dictionaries"
FIXTURES = ROOT / "tests" / "fixtures" / "chm"
DATAGEN = ROOT / "bench" / "datagen.py"
PRIVATE_IDS = 32768
DICT_SIZE = 112 * 1024


def _render(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


def _datagen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("focalpoint_datagen", DATAGEN)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {DATAGEN}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _user(rng: random.Random) -> dict[str, Any]:
    n = rng.randint(1, 400)
    return {"userID": n, "firstName": "User", "lastName": str(n), "email": f"user{n}@example.org"}


def _info(doc: dict[str, Any], rng: random.Random, *, with_body: bool) -> dict[str, Any]:
    """A document info in the hub's shape (``focalpoint.hub.info``)."""
    header = doc.get("header") or {}
    government = (doc.get("government") or {}).get("identifier")
    when = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:" \
           f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 999):03d}Z"
    revision = rng.randint(1, 12)
    info: dict[str, Any] = {
        "identifier": header.get("identifier"), "type": header.get("schema"), "realm": "CHM",
        "createdOn": when, "createdBy": _user(rng),
        "metadata": {"government": government, "schema": header.get("schema")}, "workingDocumentLock": None,
        "revision": revision, "updatedOn": when, "updatedBy": _user(rng), "isDraft": True,
        "publishedRevision": None, "deleted": False,
    }
    if with_body:
        info["body"] = doc
    else:
        info.update({"workingDocumentTitle": doc.get("title") or doc.get("name"),
                     "workingDocumentSummary": doc.get("summary"),
                     "workingDocumentMetadata": {"schema": header.get("schema"), "government": government},
                     "workingDocumentCreatedOn": when, "workingDocumentUpdatedOn": when})
    return info


def documents(generated: int, seed: int) -> Iterator[dict[str, Any]]:
    """The sample documents: fixtures, one template per form, then ``generated`` from datagen."""
    from focalpoint.forms.model import schemas
    from focalpoint.forms.templates import template

    for path in sorted(FIXTURES.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(doc, dict):
            yield doc
    for schema in schemas():
        yield template(schema, languages=("ar", "en", "es", "fr", "ru", "zh"))
    yield from _datagen().generate_documents(generated, seed)


def samples(generated: int, seed: int) -> list[bytes]:
    """Bytes as they travel: bare documents, change-feed items and draft-save answers."""
    rng = random.Random(seed)
    out: list[bytes] = []
    for i, doc in enumerate(documents(generated, seed)):
        out.append(_render(doc))
        info = _info(doc, rng, with_body=True)
        out.append(_render({"seq": i + 1, "identifier": info["identifier"], "revision": info["revision"],
                            "deleted": False, "info": info, "workflows": []}))
        out.append(_render(_info(doc, rng, with_body=False)))
    return out


def train(version: int, generated: int = 4000, seed: int = 7, size: int = DICT_SIZE) -> Path:
    """Train dictionary ``version`` and write it; returns its path."""
    dict_id = PRIVATE_IDS + version
    data: list[bytes | bytearray | memoryview] = [*samples(generated, seed)]
    dictionary = zstandard.train_dictionary(size, data, dict_id=dict_id, level=9, threads=-1)
    if dictionary.dict_id() != dict_id:
        raise SystemExit(f"zstd gave the dictionary id {dictionary.dict_id()}, not {dict_id}")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"chm-{dict_id}.dict"
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(dictionary.as_bytes())
    tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", type=int, required=True, help="dictionary version (id = 32768 + version)")
    parser.add_argument("--generated", type=int, default=4000, help="documents made by bench/datagen.py")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--force", action="store_true", help="replace an existing dictionary of that version")
    args = parser.parse_args(argv)
    target = OUTPUT / f"chm-{PRIVATE_IDS + args.version}.dict"
    if target.exists() and not args.force:
        print(f"{target.name} exists: a released dictionary is never replaced (train a new --version)",
              file=sys.stderr)
        return 1
    path = train(args.version, args.generated, args.seed)
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
