"""Reading PDFs back with poppler-utils: text, fonts, a rendered page (tests, benchmarks, checks).

poppler is what Evince, Okular and many Linux viewers use, so "pdftotext finds
the label" and "pdffonts shows every font embedded" are what a reader sees.
These helpers raise :class:`PopplerMissing` with an installation hint when the
tools are absent (tests must fail then, not skip).

Also here: :func:`logical_arabic`, the normalization that makes pdftotext's
output of right-to-left text comparable with the logical text that was printed.

Any thread may call these functions.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

TOOLS = ("pdftotext", "pdffonts", "pdftoppm", "pdfinfo")
_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), None)


class PopplerMissing(RuntimeError):
    pass


def require_poppler() -> None:
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        raise PopplerMissing(
            "poppler-utils is not installed (missing: " + ", ".join(missing) + "). "
            "Install it: apt-get install poppler-utils (Debian/Ubuntu), brew install poppler (macOS).")


def _run(args: list[str]) -> bytes:
    require_poppler()
    return subprocess.run(args, check=True, capture_output=True).stdout


def pdf_text(path: Path | str, *, first: int | None = None, last: int | None = None, raw: bool = False) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if raw:
        args.append("-raw")
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    return _run(args + [str(path), "-"]).decode("utf-8")


@dataclass(frozen=True)
class FontRow:
    name: str
    type: str
    embedded: bool
    subset: bool


def pdf_fonts(path: Path | str) -> list[FontRow]:
    """pdffonts' table: one row per font (name, type, emb, sub)."""
    out = _run(["pdffonts", str(path)]).decode("utf-8", "replace").splitlines()
    rows = []
    for line in out[2:]:
        cols = line.split()
        if len(cols) < 7:
            continue
        # name type [type…] encoding emb sub uni object ID: read the flags from the right
        emb, sub = cols[-5], cols[-4]
        rows.append(FontRow(name=cols[0], type=" ".join(cols[1:-6]), embedded=emb == "yes", subset=sub == "yes"))
    return rows


def page_count(path: Path | str) -> int:
    for line in _run(["pdfinfo", str(path)]).decode("utf-8", "replace").splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise ValueError("pdfinfo gave no page count")


def render_gray(path: Path | str, page: int = 1, dpi: int = 50) -> tuple[int, int, bytes]:
    """(width, height, 8-bit gray pixels) of one page, rendered by pdftoppm."""
    with tempfile.TemporaryDirectory() as tmp:
        stem = Path(tmp) / "page"
        _run(["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
              str(path), str(stem)])
        data = (stem.with_suffix(".pgm")).read_bytes()
    return parse_pgm(data)


def parse_pgm(data: bytes) -> tuple[int, int, bytes]:
    """A binary PGM (P5) as (width, height, pixels)."""
    fields: list[bytes] = []
    pos = 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P5":
        raise ValueError("not a binary PGM")
    width, height, maxval = int(fields[1]), int(fields[2]), int(fields[3])
    if maxval > 255:
        raise ValueError("16-bit PGM not supported")
    pixels = data[pos + 1:pos + 1 + width * height]
    return width, height, pixels


def ink_ratio(path: Path | str, page: int = 1, dpi: int = 50, threshold: int = 200) -> float:
    """The share of a rendered page's pixels darker than ``threshold`` (0 for a blank page)."""
    width, height, pixels = render_gray(path, page, dpi)
    dark = sum(1 for p in pixels if p < threshold)
    return dark / float(width * height)


def visual_arabic(line: str) -> str:
    """pdftotext's line as it appears on the page, left to right, letters folded (NFKC).

    pdftotext writes a line left to right, wrapping each right-to-left run in
    RLE … PDF marks with its letters back in logical order; applying the bidi
    algorithm to that line gives the visual order again.
    """
    from bidi.algorithm import get_display

    return unicodedata.normalize("NFKC", get_display(line, base_dir="L")).translate(_MARKS)


def visual_of_logical(text: str, base: str = "R") -> str:
    """How logical ``text`` appears on a page (reshaped, visual order), letters folded (NFKC)."""
    import arabic_reshaper
    from bidi.algorithm import get_display

    return unicodedata.normalize("NFKC", get_display(arabic_reshaper.reshape(text), base_dir=base)).translate(_MARKS)


def logical_arabic(line: str) -> str:
    """pdftotext's line with the marks removed and presentation forms folded (NFKC).

    For a line that is all Arabic (no Latin words or digits), this is the logical
    text that was printed; mixed lines are compared with :func:`visual_arabic`.
    """
    return unicodedata.normalize("NFKC", line).translate(_MARKS)
