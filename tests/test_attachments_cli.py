"""``focalpoint records attach`` / ``attachment``: the real CLI on a real SQLite store in tmp_path.

Files are checked (size limit with a message naming the file and the limit), get safe names,
are stored under their SHA-256 through a temporary file, and come back byte for byte."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from focalpoint.cli import run
from focalpoint.forms.attachments import safe_filename


def cli(capsys, data_dir, *argv):  # noqa: ANN001, ANN002, ANN201
    capsys.readouterr()
    code = run(["--data-dir", str(data_dir), *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def _new(capsys, data_dir, schema: str = "capacityBuildingResource") -> str:  # noqa: ANN001
    code, out, err = cli(capsys, data_dir, "records", "new", schema)
    assert code == 0, err
    return out.strip()


def _attachments(capsys, data_dir, uid: str) -> list[dict]:  # noqa: ANN001
    import json

    code, out, err = cli(capsys, data_dir, "records", "show", uid)
    assert code == 0, err
    return json.loads(out).get("attachments") or []


def _stored(data_dir: Path) -> list[str]:
    folder = data_dir / "attachments"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_attach_and_read_back_byte_for_byte(capsys, data_dir, tmp_path):
    uid = _new(capsys, data_dir)
    source = tmp_path / "Training manual (final).pdf"
    content = b"%PDF-1.7\n" + os.urandom(300_000)
    source.write_bytes(content)
    code, out, err = cli(capsys, data_dir, "records", "attach", uid, source)
    assert code == 0, err
    sha = hashlib.sha256(content).hexdigest()
    assert out.strip() == sha and "Training manual (final).pdf" in err
    assert _attachments(capsys, data_dir, uid) == [
        {"sha256": sha, "filename": "Training manual (final).pdf", "size": len(content)}]
    assert _stored(data_dir) == [sha]  # no temporary file left beside it

    out_file = tmp_path / "out" / "copy.pdf"
    out_file.parent.mkdir()
    code, _out, err = cli(capsys, data_dir, "records", "attachment", uid, "Training manual (final).pdf", "-o", out_file)
    assert code == 0, err
    assert out_file.read_bytes() == content
    # a folder as the target: the file keeps its name
    code, _out, err = cli(capsys, data_dir, "records", "attachment", uid, sha[:12], "-o", out_file.parent)
    assert code == 0, err
    assert (out_file.parent / "Training manual (final).pdf").read_bytes() == content
    assert sorted(p.name for p in out_file.parent.iterdir()) == ["Training manual (final).pdf", "copy.pdf"]


def test_same_content_twice_is_stored_once_and_not_listed_twice(capsys, data_dir, tmp_path):
    uid = _new(capsys, data_dir)
    other = _new(capsys, data_dir)
    source = tmp_path / "report.pdf"
    source.write_bytes(b"%PDF-1.4 same " * 1000)
    assert cli(capsys, data_dir, "records", "attach", uid, source)[0] == 0
    assert cli(capsys, data_dir, "records", "attach", uid, source)[0] == 0
    assert cli(capsys, data_dir, "records", "attach", other, source)[0] == 0
    assert len(_attachments(capsys, data_dir, uid)) == 1
    assert len(_attachments(capsys, data_dir, other)) == 1
    assert len(_stored(data_dir)) == 1


def test_a_file_over_the_limit_is_refused_with_its_name_and_the_limit(capsys, data_dir, tmp_path):
    uid = _new(capsys, data_dir)
    code, out, err = cli(capsys, data_dir, "records", "attachment-settings", "--max-mb", "1")
    assert code == 0 and "1 MB" in out
    big = tmp_path / "survey photos.zip"
    big.write_bytes(os.urandom(1024 * 1024 + 1))
    code, out, err = cli(capsys, data_dir, "records", "attach", uid, big)
    assert code == 1
    assert "survey photos.zip" in err and "1 MB" in err and "limit" in err
    assert _attachments(capsys, data_dir, uid) == []
    assert _stored(data_dir) == []  # nothing copied, no temporary file
    # raising the limit lets it in
    assert cli(capsys, data_dir, "records", "attachment-settings", "--max-mb", "2")[0] == 0
    assert cli(capsys, data_dir, "records", "attach", uid, big)[0] == 0
    assert len(_attachments(capsys, data_dir, uid)) == 1


@pytest.mark.parametrize("given, expected", [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\focal\\Desktop\\plan.docx", "plan.docx"),
    ("report\x00\x07\n.pdf", "report.pdf"),
    ("CON", "_CON"),
    ("nul.txt", "_nul.txt"),
    ("  .hidden. ", "hidden"),
    ("a<b>c:d|e?f*.pdf", "a_b_c_d_e_f_.pdf"),
    ("\u202eevil\u202dfdp.exe", "evilfdp.exe"),  # no bidi override hiding the real extension
    ("..", "file"),
    ("é" * 200 + ".pdf", "é" * 125 + ".pdf"),
])
def test_names_are_sanitized(given, expected):
    assert safe_filename(given) == expected
    assert len(safe_filename(given).encode("utf-8")) <= 255


def test_the_cli_names_the_file_safely(capsys, data_dir, tmp_path):
    uid = _new(capsys, data_dir)
    source = tmp_path / "notes.txt"
    source.write_bytes(b"notes")
    code, _out, err = cli(capsys, data_dir, "records", "attach", uid, source, "--name", "../PRN.txt")
    assert code == 0, err
    assert _attachments(capsys, data_dir, uid)[0]["filename"] == "_PRN.txt"
    # what the person names on the way out is only ever written where they said
    target = tmp_path / "out"
    target.mkdir()
    assert cli(capsys, data_dir, "records", "attachment", uid, "_PRN.txt", "-o", target)[0] == 0
    assert [p.name for p in target.iterdir()] == ["_PRN.txt"]


def test_wrong_record_field_or_file_says_what_is_wrong(capsys, data_dir, tmp_path):
    uid = _new(capsys, data_dir)
    source = tmp_path / "a.pdf"
    source.write_bytes(b"%PDF")
    code, _out, err = cli(capsys, data_dir, "records", "attach", "NO-SUCH-RECORD-0001", source)
    assert code == 2 and "NO-SUCH-RECORD-0001" in err
    code, _out, err = cli(capsys, data_dir, "records", "attach", uid, source, "--field", "title")
    assert code == 2 and "title" in err and "attachments" in err
    code, _out, err = cli(capsys, data_dir, "records", "attach", uid, tmp_path / "missing.pdf")
    assert code == 2 and "missing.pdf" in err
    code, _out, err = cli(capsys, data_dir, "records", "attach", uid, tmp_path)
    assert code == 2 and "not a file" in err
    contact = _new(capsys, data_dir, "contact")
    code, _out, err = cli(capsys, data_dir, "records", "attach", contact, source)
    assert code == 2 and "no field for attached files" in err
    assert cli(capsys, data_dir, "records", "attach", uid, source)[0] == 0
    code, _out, err = cli(capsys, data_dir, "records", "attachment", uid, "other.pdf", "-o", tmp_path / "x")
    assert code == 2 and "a.pdf" in err  # names the files it does have
    assert not (tmp_path / "x").exists()


def test_a_needs_assessment_takes_files_too(capsys, data_dir, tmp_path):
    uid = _new(capsys, data_dir, "capacityNeedsAssessment")
    source = tmp_path / "تقرير.pdf"
    source.write_bytes(b"%PDF-1.4 " + os.urandom(1000))
    code, _out, err = cli(capsys, data_dir, "records", "attach", uid, source, "--field", "attachments")
    assert code == 0, err
    assert _attachments(capsys, data_dir, uid)[0]["filename"] == "تقرير.pdf"


def test_bundle_commands_say_how_many_files_went_in_and_name_the_missing_ones(capsys, data_dir, tmp_path):
    here, gone = _new(capsys, data_dir), _new(capsys, data_dir)
    kept, lost = tmp_path / "Workshop report.pdf", tmp_path / "Old annex.pdf"
    kept.write_bytes(b"%PDF-1.7\n" + os.urandom(50_000))
    lost.write_bytes(b"%PDF-1.7\n" + os.urandom(40_000))
    for uid, source in ((here, kept), (gone, lost)):
        code, _out, err = cli(capsys, data_dir, "records", "attach", uid, source)
        assert code == 0, err
    (data_dir / "attachments" / hashlib.sha256(lost.read_bytes()).hexdigest()).unlink()  # not on this computer

    bundle = tmp_path / "usb" / "changes.fpb"
    code, out, err = cli(capsys, data_dir, "sync", "export-bundle", bundle)
    assert code == 0, err
    assert "1 attached file went into the bundle." in out
    assert "not on this computer" in err and "Old annex.pdf" in err and "Workshop report.pdf" not in err

    other = tmp_path / "other"
    code, out, err = cli(capsys, other, "sync", "import-bundle", bundle)
    assert code == 0, err
    assert "1 attached file stored on this computer (1 in the bundle, all checked)." in out
    assert (other / "attachments" / hashlib.sha256(kept.read_bytes()).hexdigest()).read_bytes() == kept.read_bytes()
    code, out, err = cli(capsys, other, "sync", "import-bundle", bundle)
    assert "0 attached files stored on this computer (1 in the bundle, all checked)." in out

    records = tmp_path / "usb" / "records.fpb"
    code, out, err = cli(capsys, data_dir, "sync", "export-records", records)
    assert code == 0, err
    # the records were never sent: no server copy, so no record and no file goes in
    assert "attached file" not in out + err
