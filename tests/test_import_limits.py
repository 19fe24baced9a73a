"""Files too big to be what they claim: a backup with a huge number of entries, one whose end record
claims millions of them, and a PDF far larger than a filled form are refused on their word, before
they are read, in words naming the file (never a traceback); the other files of a batch go on."""

from __future__ import annotations

import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from focalpoint.backup import MAX_MEMBERS, BackupError, restore_backup
from focalpoint.cli import run
from focalpoint.pdf.importer import MAX_PDF_BYTES, read_filled_pdf
from tests.test_backup_hostile import _backup, _refused, precious  # noqa: F401 (a fixture)
from tests.test_pdf_hostile import good_form


def _many_entries(path: Path, count: int) -> Path:
    """A real zip of ``count`` empty entries (past 65,535 it is written with ZIP64 end records)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("manifest.json", "{}")
        for i in range(count):
            zf.writestr(zipfile.ZipInfo(f"attachments/{i}"), b"")
    return path


def test_a_backup_with_too_many_entries_is_refused_before_its_directory_is_read(precious, data_dir,  # noqa: F811
                                                                                   tmp_path, capsys):
    crowded = _many_entries(tmp_path / "crowded.zip", MAX_MEMBERS + 20_000)
    tracemalloc.start()
    try:
        with pytest.raises(BackupError) as info:
            restore_backup(crowded, data_dir)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "more than" in str(info.value) and "crowded.zip" in str(info.value)
    assert peak < 8 << 20  # reading 70,000 entries' directory would take tens of MB
    assert "crowded.zip" in _refused(crowded, data_dir, capsys)
    assert precious()


def test_an_end_record_claiming_millions_of_entries_is_refused(precious, data_dir, tmp_path, capsys):  # noqa: F811
    backup = _backup(tmp_path / "lying.zip", {"focalpoint.sqlite3": b"x" * 100})
    data = bytearray(backup.read_bytes())
    at = data.rfind(b"PK\x05\x06")
    struct.pack_into("<2H", data, at + 8, 0xFFFF, 0xFFFF)  # entries: 65,535 on this disk and in all
    struct.pack_into("<L", data, at + 12, 0x7FFFFFFF)  # and a 2 GiB central directory
    backup.write_bytes(bytes(data))
    err = _refused(backup, data_dir, capsys)
    assert "lying.zip" in err and "more than" in err
    struct.pack_into("<2H", data, at + 8, 3, 3)  # plausible counts, the directory size alone a lie
    backup.write_bytes(bytes(data))
    err = _refused(backup, data_dir, capsys)
    assert "lying.zip" in err and "more than" in err
    assert precious()


def _huge_pdf(path: Path) -> Path:
    """A PDF header followed by a sparse hole: past the limit on disk's word, nothing to read."""
    with path.open("wb") as fh:
        fh.write(b"%PDF-1.7\n")
        fh.truncate(MAX_PDF_BYTES + 1)
    return path


def test_a_huge_pdf_is_refused_on_its_size_and_the_batch_goes_on(tmp_path, data_dir, capsys):
    from focalpoint.db import open_database
    from focalpoint.records import RecordStore

    huge = _huge_pdf(tmp_path / "b-huge.pdf")
    result = read_filled_pdf(huge)
    assert result.document is None and "at most 64 MB" in result.error, result.error
    first, last = good_form(tmp_path / "a.pdf", "Ana"), good_form(tmp_path / "c.pdf", "Lemalu")
    code = run(["--data-dir", str(data_dir), "import-pdf", str(first), str(huge), str(last)])
    captured = capsys.readouterr()
    assert code != 0 and "Traceback" not in captured.out + captured.err
    assert "b-huge.pdf: not imported: this file is 65 MB; a filled FocalPoint form is at most 64 MB" in captured.out
    assert "a.pdf: new draft" in captured.out and "c.pdf: new draft" in captured.out
    db = open_database(data_dir)
    try:
        names = sorted(r.document.get("firstName") for r in RecordStore(db).list(schema="contact"))
    finally:
        db.close()
    assert names == ["Ana", "Lemalu"]
