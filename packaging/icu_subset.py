"""Build a smaller ICU data library for the frozen bundle (Linux), keeping what FocalPoint's six languages need.

Qt 6 links ICU, whose data library (``libicudata.so.73`` in the PySide6 wheel, 32 MB) carries every
locale of CLDR, every legacy character-set table and the transliterators. FocalPoint speaks six
languages; the rest is dead weight on a slow download. This module reads the ICU *common data*
package out of the wheel's library, keeps

- the root data and everything that is not locale-specific (normalisation, properties, collation
  base, time zones, plurals, likely subtags, ...),
- every locale file of Arabic, English, Spanish, French, Russian and Chinese (all regions and
  scripts, e.g. ``zh_Hant_TW``, ``es_419``), in every tree (collation, currencies, names, units ...),
- the Chinese/Japanese word-break dictionary and all break rules,
- the single-byte character sets and the Chinese legacy ones (GB 18030, GBK, Big5),

drops the other locales, the transliterators, the Thai/Lao/Khmer/Burmese dictionaries and the
multi-byte legacy code pages, and writes a data-only shared library with the same soname and symbol
(``icudt73_dat``) through the C compiler. An ICU lookup of a dropped locale falls back to its parent
or root, which is ICU's documented behaviour for a locale it does not have.

The format (ICU ``udata``, "CmnD"): a header, then a table of contents (item count, then pairs of
name offset and data offset, both from the start of the table), the item names sorted by byte value
(ICU binary-searches them), then the items, each starting on a 16-byte boundary.

Usage: ``python packaging/icu_subset.py SOURCE.so OUT.so`` (``build.spec`` calls :func:`build`).
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

LANGS = frozenset({"ar", "en", "es", "fr", "ru", "zh"})
_LOCALE = re.compile(r"^([a-z]{2,3})(_[A-Za-z0-9]+)*$")
# names that look like a locale but are not one
_NOT_LOCALES = frozenset({"res_index"})
_KEEP_DICTS = frozenset({"cjdict"})
_SMALL_CONVERTER = 20_000  # bytes: single-byte tables are a few KB, the CJK multi-byte ones 100+ KB
# Chinese legacy encodings: GB 18030, GBK, Big5 and Big5-HKSCS
_KEEP_CONVERTERS = ("gb18030", "ibm-1386_", "ibm-1373_", "ibm-5471_")


class IcuDataError(RuntimeError):
    pass


def _symbol(lib: Path) -> tuple[str, int, int]:
    """The data symbol of an ICU data library: (name, file offset, size)."""
    out = subprocess.run(["objdump", "-T", "-h", str(lib)], capture_output=True, text=True, check=True).stdout
    sym = re.search(r"^([0-9a-f]+)\s+g\s+DO\s+(\S+)\s+([0-9a-f]+)\s+(icudt\d+_dat)\s*$", out, re.M)
    if not sym:
        raise IcuDataError(f"{lib}: no icudtNN_dat symbol")
    addr, section, size, name = int(sym.group(1), 16), sym.group(2), int(sym.group(3), 16), sym.group(4)
    sec = re.search(r"^\s*\d+\s+" + re.escape(section) + r"\s+[0-9a-f]+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)",
                    out, re.M)
    if not sec:
        raise IcuDataError(f"{lib}: section {section} not found")
    vma, file_off = int(sec.group(1), 16), int(sec.group(2), 16)
    return name, addr - vma + file_off, size


def read_package(blob: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """Split an ICU common data package into its header and its (name, bytes) items."""
    header_size, magic1, magic2 = struct.unpack_from("<HBB", blob, 0)
    if (magic1, magic2) != (0xDA, 0x27) or blob[12:16] != b"CmnD":
        raise IcuDataError("not an ICU common data package (little-endian CmnD)")
    toc = blob[header_size:]
    (count,) = struct.unpack_from("<I", toc, 0)
    entries = [struct.unpack_from("<II", toc, 4 + 8 * i) for i in range(count)]
    items = []
    for i, (name_off, data_off) in enumerate(entries):
        name = toc[name_off:toc.index(b"\0", name_off)].decode("ascii")
        end = entries[i + 1][1] if i + 1 < count else len(toc)
        items.append((name, toc[data_off:end]))
    return blob[:header_size], items


def write_package(header: bytes, items: list[tuple[str, bytes]]) -> bytes:
    if len(header) % 16:
        raise IcuDataError("header size is not a multiple of 16")
    items = sorted(items, key=lambda it: it[0].encode("ascii"))
    names = b"".join(name.encode("ascii") + b"\0" for name, _ in items)
    table = 4 + 8 * len(items)
    first = table + len(names)
    first += -first % 16
    offsets, body, pos = [], bytearray(), first
    name_pos = table
    for name, data in items:
        offsets.append((name_pos, pos))
        name_pos += len(name) + 1
        pad = -len(data) % 16
        body += data + b"\0" * pad
        pos += len(data) + pad
    toc = struct.pack("<I", len(items)) + b"".join(struct.pack("<II", n, d) for n, d in offsets) + names
    toc += b"\0" * (first - len(toc))
    return header + toc + bytes(body)


def wanted(name: str, size: int) -> bool:
    """Whether an item (e.g. ``icudt73l/coll/zh.res``) is kept."""
    parts = name.split("/")[1:]
    stem, _, ext = parts[-1].rpartition(".")
    if parts[0] == "translit":
        return False
    if ext == "dict":
        return stem in _KEEP_DICTS
    if ext == "cnv":
        return size < _SMALL_CONVERTER or stem.startswith(_KEEP_CONVERTERS)
    if ext == "res" and stem not in _NOT_LOCALES:
        m = _LOCALE.match(stem)
        if m:
            return m.group(1) in LANGS
    return True


def build(source: Path, out: Path, cc: str | None = None) -> dict:
    """Write a subset of ``source`` (an ICU data library) to ``out``; returns sizes for the build log."""
    cc = cc or shutil.which("cc") or shutil.which("gcc")
    if not cc:
        raise IcuDataError("no C compiler (cc/gcc) to build the ICU data library: install gcc")
    for tool in ("objdump", "readelf"):
        if shutil.which(tool) is None:
            raise IcuDataError(f"{tool} is missing (it reads the ICU data library): install binutils")
    symbol, offset, size = _symbol(source)
    blob = source.read_bytes()[offset:offset + size]
    header, items = read_package(blob)
    kept = [(n, d) for n, d in items if wanted(n, len(d))]
    package = write_package(header, kept)
    # the result must read back to the same items
    if read_package(package)[1] != sorted(kept, key=lambda it: it[0].encode("ascii")):
        raise IcuDataError("the subset package does not read back")
    soname = re.search(r"Library soname: \[([^\]]+)\]",
                       subprocess.run(["readelf", "-d", str(source)], capture_output=True, text=True,
                                      check=True).stdout)
    if not soname:
        raise IcuDataError(f"{source}: no soname")
    with tempfile.TemporaryDirectory() as tmp:
        dat = Path(tmp) / "icudt.dat"
        dat.write_bytes(package)
        asm = Path(tmp) / "icudt.S"
        asm.write_text(f"""\t.section .rodata
\t.globl {symbol}
\t.type {symbol}, @object
\t.balign 16
{symbol}:
\t.incbin "{dat}"
\t.size {symbol}, . - {symbol}
\t.section .note.GNU-stack,"",@progbits
""", encoding="ascii")
        tmp_out = Path(tmp) / soname.group(1)
        subprocess.run([cc, "-shared", "-nostdlib", "-Wl,-soname," + soname.group(1), "-Wl,-z,noexecstack",
                        "-o", str(tmp_out), str(asm)], check=True, capture_output=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tmp_out, out)
    return {"items": len(items), "kept": len(kept), "before": size, "after": len(package)}


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: icu_subset.py SOURCE.so OUT.so")
    print(build(Path(sys.argv[1]), Path(sys.argv[2])))
