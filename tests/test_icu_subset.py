"""The smaller ICU data library the Linux bundle ships (packaging/icu_subset.py).

Built from the PySide6 wheel's own libicudata with the C compiler, then loaded by a real Qt in a
child process in place of the full one: Chinese, Arabic, Russian, French and Spanish still sort the
way their readers expect, the Chinese and Arabic legacy encodings are still there, time zone names
still come in French, and a language that was left out falls back to ICU's root order instead of
failing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "packaging"))

import icu_subset  # noqa: E402

PROBE = r"""
import functools, json, sys
from PySide6.QtCore import QCollator, QDateTime, QLocale, QStringDecoder, QTimeZone
samples = {"zh_CN": ["张", "安", "北", "中", "阿"], "ar": ["ياء", "باء", "ألف"], "ru": ["яма", "ёж", "ель", "арбуз"],
           "fr": ["côté", "côte", "coté", "cote"], "es": ["oso", "ñu", "nube"], "sv": ["ö", "z", "a"]}
out = {loc: sorted(words, key=functools.cmp_to_key(QCollator(QLocale(loc)).compare)) for loc, words in samples.items()}
out["codecs"] = {name: QStringDecoder(name).isValid() for name in ("GB18030", "GBK", "Big5", "windows-1256", "KOI8-R")}
tz = QTimeZone(b"Pacific/Fiji")
out["tz"] = tz.displayName(QDateTime(2026, 1, 15, 12, 0, 0), QTimeZone.NameType.LongName, QLocale("fr"))
print(json.dumps(out, ensure_ascii=False))
"""


def _wheel_icu() -> Path:
    import PySide6

    libs = sorted((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))
    if not libs:
        pytest.fail("the PySide6 wheel carries no libicudata (the bundle's ICU step would have nothing to shrink)")
    return libs[0]


@pytest.fixture(scope="module")
def small_icu(tmp_path_factory) -> tuple[Path, dict]:
    source = _wheel_icu()
    out = tmp_path_factory.mktemp("icu") / source.name
    info = icu_subset.build(source, out)
    return out, info


def _probe(lib_dir: Path | None) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    if lib_dir is not None:
        env["LD_LIBRARY_PATH"] = str(lib_dir)  # searched before the Qt libraries' own RUNPATH
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_subset_is_a_fraction_of_the_full_data(small_icu):
    lib, info = small_icu
    assert info["after"] < info["before"] / 3, info
    assert lib.stat().st_size < 12_000_000


def test_qt_on_the_subset_sorts_and_decodes_the_six_languages_as_on_the_full_data(small_icu):
    lib, _ = small_icu
    full, small = _probe(None), _probe(lib.parent)
    assert small["zh_CN"] == ["阿", "安", "北", "张", "中"]  # pinyin order: a, an, bei, zhang, zhong
    assert small["ar"] == ["ألف", "باء", "ياء"]
    assert small["ru"] == ["арбуз", "ёж", "ель", "яма"]
    assert small["fr"] == ["cote", "coté", "côte", "côté"]
    assert small["es"] == ["nube", "ñu", "oso"]
    for lang in ("zh_CN", "ar", "ru", "fr", "es"):
        assert small[lang] == full[lang], lang
    assert all(small["codecs"].values()), small["codecs"]
    assert small["tz"] == full["tz"] and "Fidji" in small["tz"]
    # Swedish is not one of ours: root order (ö after o), not an error
    assert full["sv"] == ["a", "z", "ö"] and small["sv"] == ["a", "ö", "z"]


def test_items_are_chosen_by_language():
    assert icu_subset.wanted("icudt73l/coll/zh.res", 700_000)
    assert icu_subset.wanted("icudt73l/zh_Hant_TW.res", 100)
    assert icu_subset.wanted("icudt73l/curr/es_419.res", 100)
    assert icu_subset.wanted("icudt73l/res_index.res", 100)
    assert icu_subset.wanted("icudt73l/root.res", 100)
    assert icu_subset.wanted("icudt73l/supplementalData.res", 240_000)
    assert not icu_subset.wanted("icudt73l/coll/ko.res", 290_000)
    assert not icu_subset.wanted("icudt73l/de.res", 100)
    assert not icu_subset.wanted("icudt73l/translit/root.res", 1_000_000)
    assert not icu_subset.wanted("icudt73l/brkitr/khmerdict.dict", 450_000)
    assert icu_subset.wanted("icudt73l/brkitr/cjdict.dict", 2_000_000)


def test_a_file_that_is_not_icu_data_is_refused(tmp_path):
    with pytest.raises(icu_subset.IcuDataError, match="not an ICU common data package"):
        icu_subset.read_package(b"\x00" * 64)
