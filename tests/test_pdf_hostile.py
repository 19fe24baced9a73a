"""Hostile PDFs given to ``focalpoint import-pdf``: a looping or broken file is reported in words,
naming the file, never with a traceback, and a batch imports the good files around it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from focalpoint.cli import run
from focalpoint.pdf import FormOptions, blank_form_pdf, read_filled_pdf

PAGE = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"
CATALOG = "<< /Type /Catalog /Pages 2 0 R /AcroForm {acroform} >>"
PAGES = "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
INFO = "<< /Keywords (FP1|contact|1|en) >>"  # the form code: the file claims to be our form


def _pdf(path: Path, objects: dict[int, str], *, info: int | None = None) -> Path:
    """A PDF written byte by byte from ``objects`` (number -> body), with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += f"{number} 0 obj\n{objects[number]}\nendobj\n".encode()
    xref = len(out)
    size = max(objects) + 1
    out += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
    for number in range(1, size):
        out += (f"{offsets[number]:010d} 00000 n \n" if number in offsets else "0000000000 65535 f \n").encode()
    trailer = f"/Size {size} /Root 1 0 R" + (f" /Info {info} 0 R" if info else "")
    out += f"trailer\n<< {trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))
    return path


def self_referring(path: Path) -> Path:
    """The form dictionary is an object whose value is a reference to itself (4 0 obj 4 0 R)."""
    return _pdf(path, {1: CATALOG.format(acroform="4 0 R"), 2: PAGES, 3: PAGE, 4: "4 0 R", 5: INFO}, info=5)


def reference_cycle(path: Path) -> Path:
    """Two objects referring to each other, reached from the document information."""
    return _pdf(path, {1: CATALOG.format(acroform="<< /Fields [] >>"), 2: PAGES, 3: PAGE, 4: "5 0 R",
                       5: "4 0 R"}, info=4)


def parent_loop(path: Path) -> Path:
    """A field whose /Parent chain comes back to itself."""
    return _pdf(path, {1: CATALOG.format(acroform="<< /Fields [4 0 R] >>"), 2: PAGES, 3: PAGE,
                       4: "<< /T (firstName) /FT /Tx /V (Ana) /Parent 5 0 R >>",
                       5: "<< /T (b) /Parent 4 0 R /Kids [4 0 R] >>", 6: INFO}, info=6)


def page_tree_loop(path: Path) -> Path:
    """/Pages whose kids contain itself."""
    return _pdf(path, {1: CATALOG.format(acroform="<< /Fields [] >>"),
                       2: "<< /Type /Pages /Kids [2 0 R] /Count 1 >>", 3: INFO}, info=3)


def deep_fields(path: Path, depth: int = 3000) -> Path:
    """Fields nested ``depth`` deep, each the only kid of the one before."""
    objects = {1: CATALOG.format(acroform="<< /Fields [4 0 R] >>"), 2: PAGES, 3: PAGE, 4 + depth: INFO}
    for i in range(depth):
        number = 4 + i
        parent = f"/Parent {number - 1} 0 R " if i else ""
        rest = f"/Kids [{number + 1} 0 R]" if i < depth - 1 else "/FT /Tx /V (x)"
        objects[number] = f"<< /T (f{i}) {parent}{rest} >>"
    return _pdf(path, objects, info=4 + depth)


HOSTILE = [self_referring, reference_cycle, parent_loop, page_tree_loop, deep_fields]


@pytest.mark.parametrize("make", HOSTILE, ids=lambda f: f.__name__)
def test_a_looping_or_broken_pdf_is_reported_in_words(make, tmp_path):
    path = make(tmp_path / f"{make.__name__}.pdf")
    result = read_filled_pdf(path)
    assert result.error and result.document is None and result.identifier is None
    assert "Traceback" not in result.error


def good_form(path: Path, first_name: str) -> Path:
    blank = PdfReader(io.BytesIO(blank_form_pdf("contact", FormOptions(lang="en", fillable=True))))
    writer = PdfWriter(clone_from=blank)
    for page in writer.pages:
        writer.update_page_form_field_values(page, {"firstName": first_name, "lastName": "Tuilagi"},
                                             auto_regenerate=False)
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def test_a_batch_imports_the_good_files_around_a_looping_one(tmp_path, data_dir, capsys):
    from focalpoint.db import open_database
    from focalpoint.records import RecordStore

    first = good_form(tmp_path / "a.pdf", "Ana")
    looping = self_referring(tmp_path / "b-looping.pdf")
    cycle = parent_loop(tmp_path / "c-parent-loop.pdf")
    last = good_form(tmp_path / "d.pdf", "Lemalu")
    code = run(["--data-dir", str(data_dir), "import-pdf", str(first), str(looping), str(cycle), str(last)])
    captured = capsys.readouterr()
    assert code != 0
    assert "Traceback" not in captured.err + captured.out
    out = captured.out
    assert "a.pdf: new draft" in out and "d.pdf: new draft" in out
    assert "b-looping.pdf: not imported: cannot read this PDF" in out
    assert "c-parent-loop.pdf: not imported: cannot read this PDF" in out
    # the problems are repeated at the end, where a long batch's reader looks
    last = captured.err.rstrip().splitlines()[-1]
    assert last == "2 of 4 files were not imported: b-looping.pdf, c-parent-loop.pdf"
    db = open_database(data_dir)
    try:
        drafts = RecordStore(db).list(schema="contact")
    finally:
        db.close()
    assert sorted(r.document.get("firstName") for r in drafts) == ["Ana", "Lemalu"]
