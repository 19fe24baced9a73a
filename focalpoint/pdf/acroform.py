"""Fillable PDFs that take any script: a whole TrueType font in the form's resources.

reportlab writes AcroForm fields whose default appearance (``/DA``) names one of
the 14 standard PDF fonts, which hold Latin-1 only: Arabic, Chinese or Cyrillic
typed into such a field is stored (``/V`` is Unicode) but shown as nothing or as
boxes. After reportlab has written the form, this module

* embeds whole (not subset) TrueType fonts as Type0/Identity-H fonts with a
  complete ``/ToUnicode`` map and glyph widths — DejaVu Sans (Latin, Cyrillic,
  Arabic presentation forms) and, when a field is Chinese, Droid Sans Fallback —
  and adds them to ``/AcroForm /DR``;
* points each text field's ``/DA`` at the font for its language and right-aligns
  (``/Q 2``) Arabic fields;
* sets ``/NeedAppearances true`` so readers redraw typed values with that font;
* adds the hidden, read-only field ``fp:code`` holding the form code (also in the
  document's Keywords and the QR code on each page).

What each reader then shows is measured, not assumed: see ``docs/pdf.md``.

Any thread may call :func:`finish_fillable`.
"""

from __future__ import annotations

import io
import threading
import zlib
from typing import cast

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)
from reportlab.pdfbase.ttfonts import TTFontFile

from focalpoint.pdf.fieldnames import CODE_FIELD, split_name
from focalpoint.pdf.fonts import CJK, LATIN, fonts_dir
from focalpoint.pdf.widgets import Fillable

# Resource names of the embedded field fonts in /AcroForm /DR.
FIELD_FONTS = {"latin": ("FPSans", LATIN.regular_file), "cjk": ("FPCJK", CJK.regular_file)}
MULTILINE_FONT_SIZE = 9

_lock = threading.Lock()
_font_cache: dict[str, tuple[bytes, dict]] = {}


def field_font_key(lang: str) -> str:
    """Which embedded font a field in ``lang`` is drawn with."""
    return "cjk" if lang == "zh" else "latin"


def _to_unicode_cmap(gid_to_char: dict[int, int]) -> bytes:
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
             "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    items = sorted(gid_to_char.items())
    for start in range(0, len(items), 100):
        chunk = items[start:start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        for gid, code in chunk:
            if code > 0xFFFF:
                code -= 0x10000
                uni = f"{0xD800 + (code >> 10):04X}{0xDC00 + (code & 0x3FF):04X}"
            else:
                uni = f"{code:04X}"
            lines.append(f"<{gid:04X}> <{uni}>")
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


def _font_parts(filename: str) -> tuple[bytes, dict]:
    """The font program and what a Type0 font dictionary needs about it (cached)."""
    with _lock:
        cached = _font_cache.get(filename)
        if cached is not None:
            return cached
    path = fonts_dir() / filename
    data = path.read_bytes()
    ttf = TTFontFile(str(path))
    scale = 1000.0 / ttf.unitsPerEm
    gid_to_char: dict[int, int] = {}
    for code, gid in sorted(ttf.charToGlyph.items()):
        if gid and gid < 0xFFFF and gid not in gid_to_char:
            gid_to_char[gid] = code
    widths = [round(adv * scale) for adv, _lsb in ttf.hmetrics]
    widths += [widths[-1]] * (ttf.numGlyphs - len(widths))
    info = {
        "name": ttf.name.decode("latin-1") if isinstance(ttf.name, bytes) else str(ttf.name),
        "bbox": [round(v) for v in ttf.bbox], "ascent": round(ttf.ascent), "descent": round(ttf.descent),
        "cap_height": round(ttf.capHeight), "stem_v": round(ttf.stemV), "flags": 32,
        "widths": widths, "to_unicode": zlib.compress(_to_unicode_cmap(gid_to_char), 6),
        "font_file": zlib.compress(data, 6), "length1": len(data),
    }
    with _lock:
        _font_cache[filename] = (data, info)
    return data, info


def _flate_stream(writer: PdfWriter, compressed: bytes, extra: dict | None = None):
    stream = StreamObject()
    stream._data = compressed
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    for key, value in (extra or {}).items():
        stream[NameObject(key)] = value
    return writer._add_object(stream)


def _type0_font(writer: PdfWriter, filename: str):
    """Add a whole TrueType font as a Type0 (Identity-H) font; returns its reference."""
    _data, info = _font_parts(filename)
    base = NameObject("/" + info["name"].replace(" ", ""))
    font_file = _flate_stream(writer, info["font_file"], {"/Length1": NumberObject(info["length1"])})
    descriptor = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/FontDescriptor"),
        NameObject("/FontName"): base,
        NameObject("/Flags"): NumberObject(info["flags"]),
        NameObject("/FontBBox"): ArrayObject([NumberObject(v) for v in info["bbox"]]),
        NameObject("/ItalicAngle"): NumberObject(0),
        NameObject("/Ascent"): NumberObject(info["ascent"]),
        NameObject("/Descent"): NumberObject(info["descent"]),
        NameObject("/CapHeight"): NumberObject(info["cap_height"]),
        NameObject("/StemV"): NumberObject(info["stem_v"]),
        NameObject("/FontFile2"): font_file,
    }))
    widths = ArrayObject([NumberObject(0), ArrayObject([NumberObject(w) for w in info["widths"]])])
    cid_font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/CIDFontType2"),
        NameObject("/BaseFont"): base,
        NameObject("/CIDSystemInfo"): DictionaryObject({
            NameObject("/Registry"): TextStringObject("Adobe"),
            NameObject("/Ordering"): TextStringObject("Identity"),
            NameObject("/Supplement"): NumberObject(0)}),
        NameObject("/FontDescriptor"): descriptor,
        NameObject("/DW"): NumberObject(1000),
        NameObject("/W"): widths,
        NameObject("/CIDToGIDMap"): NameObject("/Identity"),
    }))
    to_unicode = _flate_stream(writer, info["to_unicode"])
    return writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/Type0"),
        NameObject("/BaseFont"): base,
        NameObject("/Encoding"): NameObject("/Identity-H"),
        NameObject("/DescendantFonts"): ArrayObject([cid_font]),
        NameObject("/ToUnicode"): to_unicode,
    }))


def _field_lang(name: str, default: str) -> str:
    parts, _term, custom_lang = split_name(name)
    if custom_lang:
        return custom_lang
    last = parts[-1] if parts else None
    return last if isinstance(last, str) and len(last) == 2 and last.islower() else default


def finish_fillable(pdf: bytes, fill: Fillable, *, code: str, languages: list[str]) -> bytes:
    """Give reportlab's fillable PDF fonts for every script, the form code, NeedAppearances."""
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    specs = {spec.name: spec for spec in fill.fields}
    needed = {field_font_key(_field_lang(s.name, s.lang)) for s in fill.fields if s.kind == "text"}
    needed.add("latin")
    acro = cast(DictionaryObject, writer._root_object["/AcroForm"])  # pypdf resolves what [] returns
    resources = DictionaryObject()
    font_dict = DictionaryObject()
    for key in sorted(needed):
        res_name, filename = FIELD_FONTS[key]
        font_dict[NameObject("/" + res_name)] = _type0_font(writer, filename)
    # keep reportlab's Helvetica (check marks use ZapfDingbats from the appearance streams)
    old_dr = acro.get("/DR")
    if old_dr is not None:
        old_fonts = old_dr.get_object().get("/Font")
        if old_fonts is not None:
            for k, v in old_fonts.get_object().items():
                font_dict.setdefault(NameObject(k), v)
    resources[NameObject("/Font")] = font_dict
    acro[NameObject("/DR")] = resources
    acro[NameObject("/DA")] = TextStringObject(f"/{FIELD_FONTS['latin'][0]} 0 Tf 0 g")
    acro[NameObject("/NeedAppearances")] = BooleanObject(True)

    for page in writer.pages:
        for annot_ref in page.get("/Annots", []) or []:
            annot = annot_ref.get_object()
            name = annot.get("/T")
            if name is None or annot.get("/FT") != "/Tx":
                continue
            spec = specs.get(str(name))
            lang = _field_lang(str(name), spec.lang if spec else languages[0])
            font = FIELD_FONTS[field_font_key(lang)][0]
            size = MULTILINE_FONT_SIZE if spec is not None and spec.multiline else 0
            annot[NameObject("/DA")] = TextStringObject(f"/{font} {size} Tf 0 g")
            if lang == "ar":
                annot[NameObject("/Q")] = NumberObject(2)
            # reportlab's empty appearance references a non-embedded Helvetica; give the empty
            # field an appearance of just its background (readers redraw it when filled)
            annot[NameObject("/AP")] = DictionaryObject({NameObject("/N"): _background_ap(writer, annot)})
    _add_code_field(writer, code)
    writer.add_metadata({"/Keywords": code, "/Subject": code})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _background_ap(writer: PdfWriter, annot: DictionaryObject):
    """An appearance stream that only paints the field's background colour (/MK /BG)."""
    x0, y0, x1, y1 = [float(v) for v in cast(ArrayObject, annot["/Rect"])]
    width, height = abs(x1 - x0), abs(y1 - y0)
    ops = b""
    mk = annot.get("/MK")
    bg = mk.get_object().get("/BG") if mk is not None else None
    if bg is not None and len(bg) == 3:
        r, g, b = (float(v) for v in bg)
        ops = f"q {r:.3f} {g:.3f} {b:.3f} rg 0 0 {width:.2f} {height:.2f} re f Q".encode()
    stream = DecodedStreamObject()
    stream.set_data(b"/Tx BMC " + ops + b" EMC")
    stream[NameObject("/Type")] = NameObject("/XObject")
    stream[NameObject("/Subtype")] = NameObject("/Form")
    stream[NameObject("/BBox")] = ArrayObject([FloatObject(0), FloatObject(0), FloatObject(width),
                                               FloatObject(height)])
    return writer._add_object(stream)


def _add_code_field(writer: PdfWriter, code: str) -> None:
    """A hidden, read-only text field on page 1 holding the form code."""
    page = writer.pages[0]
    empty_ap = DecodedStreamObject()
    empty_ap.set_data(b"")
    empty_ap[NameObject("/Type")] = NameObject("/XObject")
    empty_ap[NameObject("/Subtype")] = NameObject("/Form")
    empty_ap[NameObject("/BBox")] = ArrayObject([FloatObject(0), FloatObject(0), FloatObject(1), FloatObject(1)])
    field = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/Widget"),
        NameObject("/FT"): NameObject("/Tx"),
        NameObject("/T"): TextStringObject(CODE_FIELD),
        NameObject("/V"): TextStringObject(code),
        NameObject("/DV"): TextStringObject(code),
        NameObject("/Rect"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(1), FloatObject(1)]),
        NameObject("/F"): NumberObject(2),      # hidden
        NameObject("/Ff"): NumberObject(1),     # read-only
        NameObject("/DA"): TextStringObject(f"/{FIELD_FONTS['latin'][0]} 0 Tf 0 g"),
        NameObject("/P"): page.indirect_reference,
        NameObject("/AP"): DictionaryObject({NameObject("/N"): writer._add_object(empty_ap)}),
    })
    ref = writer._add_object(field)
    annots = page.get("/Annots")
    if annots is None:
        page[NameObject("/Annots")] = ArrayObject([ref])
    else:
        annots.get_object().append(ref)
    acro = cast(DictionaryObject, writer._root_object["/AcroForm"])
    cast(ArrayObject, acro["/Fields"]).append(ref)
