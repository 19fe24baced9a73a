"""What ships: the wheel, and the PyInstaller bundle built from build.spec and run with no Python.

The bundle takes a minute or more to build (once per run of this module). It checks what a focal
point receiving the folder would notice: the app starts with the catalogue, prints an Arabic form,
says its version, and the folder carries none of the Qt parts the app does not use. Neither the
wheel nor the bundle carries test code (``tests/support`` is where the tests' helpers live); the
bundle's start-up checks run from ``tests/support/smoke.py``, loaded by path.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import types
import zipfile
from pathlib import Path

import pytest

from focalpoint import __version__

# the bundle's build (once per module, a minute or more, longer on a busy machine) counts
# towards the first test that uses it
pytestmark = pytest.mark.timeout(1800)
REPO = Path(__file__).resolve().parent.parent
SMOKE = REPO / "tests" / "support" / "smoke.py"  # run by the bundle from its file: it is not inside
LANGS = {"ar", "en", "es", "fr", "ru", "zh"}


# the tests' own modules and tools, and the names the package's test helpers had
TEST_PACKAGES = {"tests", "conftest", "pytest", "_pytest", "pytestqt", "pytest_timeout", "hypothesis"}
TEST_MODULE_NAMES = {"testing", "testkit", "pytest_plugin", "smoke", "poppler", "conftest"}


def _test_only(module: str) -> bool:
    """A module name that is test code: a test tool, or a FocalPoint module named like a test helper."""
    parts = module.split(".")
    if parts[0] in TEST_PACKAGES:
        return True
    return parts[0] == "focalpoint" and any(p in TEST_MODULE_NAMES or p.startswith(("test_", "tests")) for p in parts)


def _imports_pytest(code: types.CodeType) -> bool:
    """Whether compiled code (any function in it) imports pytest or its internals."""
    names = set(code.co_names)
    if any(n.split(".")[0] in {"pytest", "_pytest", "pytestqt"} for n in names):
        return True
    return any(_imports_pytest(c) for c in code.co_consts if isinstance(c, types.CodeType))


def test_wheel_carries_no_test_code(tmp_path):
    """The wheel built from this tree (a copy of it, so no build files land in the checkout)."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    shutil.copytree(REPO / "focalpoint", src / "focalpoint", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "out"),
                             str(src)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    (wheel,) = (tmp_path / "out").glob("focalpoint-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        sources = {n: archive.read(n) for n in archive.namelist() if n.endswith(".py")}
    modules = {n[:-3].removesuffix("/__init__").replace("/", ".") for n in sources}
    assert "focalpoint.ui.main_window" in modules and "focalpoint.hub.app" in modules  # the reader sees the app
    assert sorted(m for m in modules if _test_only(m)) == []
    importing = sorted(n for n, text in sources.items() if _imports_pytest(compile(ast.parse(text), n, "exec")))
    assert importing == [], importing


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    if shutil.which("pyinstaller", path=str(Path(sys.executable).parent)) is None:
        pytest.fail("PyInstaller is not installed: scripts/setup.sh --test installs it (the build extra)")
    root = tmp_path_factory.mktemp("frozen")
    result = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
         "--distpath", str(root / "dist"), "--workpath", str(root / "work"), str(REPO / "build.spec")],
        cwd=REPO, capture_output=True, text=True, timeout=1500)
    assert result.returncode == 0, result.stderr[-4000:]
    folder = root / "dist" / "FocalPoint"
    assert (folder / "FocalPoint").exists() and (folder / "focalpoint-cli").exists()
    return folder


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = "/usr/bin:/bin"  # no virtual environment, no Python of ours on the path
    env.update({"QT_QPA_PLATFORM": "offscreen", "FOCALPOINT_LANG": "en", **extra})
    return env


def test_bundle_carries_no_test_code(bundle):
    """The Python modules frozen into the executable, read back from it as the bootloader does."""
    from PyInstaller.archive.readers import CArchiveReader

    pyz = CArchiveReader(str(bundle / "FocalPoint")).open_embedded_archive("PYZ.pyz")
    modules = set(pyz.toc)
    assert "focalpoint.ui.main_window" in modules  # the reader sees the app
    assert sorted(m for m in modules if _test_only(m)) == []
    ours = sorted(m for m in modules if m == "focalpoint" or m.startswith("focalpoint."))
    importing = [m for m in ours if _imports_pytest(pyz.extract(m))]
    assert importing == [], importing
    # nor among the files beside it (the migrations are there as sources)
    files = [p.relative_to(bundle / "_internal").as_posix() for p in (bundle / "_internal").rglob("*")]
    assert [f for f in files if f.startswith("tests/")
            or (f.startswith("focalpoint/") and _test_only(f.removesuffix(".py").replace("/", ".")))] == []


def test_frozen_cli_reports_its_version(bundle):
    out = subprocess.run([str(bundle / "focalpoint-cli"), "--version"], capture_output=True, text=True,
                         env=_env(), timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"FocalPoint {__version__}"


def test_frozen_app_opens_the_main_window_with_the_catalogue(bundle, tmp_path):
    data = tmp_path / "data"
    out = subprocess.run([str(bundle / "FocalPoint"), "--data-dir", str(data)], capture_output=True, text=True,
                         env=_env(FOCALPOINT_UI_HOOK=f"{SMOKE}:catalog_then_quit"), timeout=180)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "FOCALPOINT_CATALOG 110 " in out.stdout, out.stdout
    import sqlean

    conn = sqlean.connect(str(data / "focalpoint.sqlite3"))
    try:
        assert conn.execute("SELECT count(*) FROM catalog_activity").fetchone()[0] == 110
    finally:
        conn.close()


def test_frozen_cli_prints_an_arabic_form_with_embedded_fonts(bundle, tmp_path):
    pdf = tmp_path / "ar.pdf"
    out = subprocess.run([str(bundle / "focalpoint-cli"), "--data-dir", str(tmp_path / "d"), "print", "--form",
                          "capacityNeedsAssessment", "--lang", "ar", "-o", str(pdf)],
                         capture_output=True, text=True, env=_env(), timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(" yes " in row for row in rows), fonts
    assert any("Arabic" in row for row in rows), fonts
    text = subprocess.run(["pdftotext", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    import unicodedata

    assert "تقييم" in unicodedata.normalize("NFKC", text)


def test_bundle_leaves_out_what_the_app_does_not_use(bundle):
    names = [p.relative_to(bundle).as_posix() for p in bundle.rglob("*")]
    for unwanted in ("webengine", "qt6quick", "qt6qml", "qml/", "virtualkeyboard", "qt63d", "libqgtk3",
                     "qtopengl.abi3", "libavif"):
        assert not [n for n in names if unwanted in n.lower()], unwanted
    import re

    qt_translations = {m.group(1) for n in names
                       if (m := re.search(r"/Qt/translations/[a-z]+_([a-z]+)(_[A-Za-z]+)?\.qm$", n))}
    assert qt_translations and qt_translations <= LANGS, qt_translations
    babel = {n.rsplit("/", 1)[-1].split(".")[0].split("_")[0] for n in names if "babel/locale-data/" in n}
    assert babel <= LANGS | {"root"}, sorted(babel - LANGS)[:10]
    assert any(n.endswith("resources/action_plan/action_plan.json") for n in names)
    assert any(n.endswith(".ttf") and "resources/fonts" in n for n in names)


def test_frozen_app_upgrades_a_data_directory_of_the_previous_release(bundle, previous_release_data_dir):
    from conftest import PREVIOUS_RELEASE_RECORDS

    data = previous_release_data_dir
    out = subprocess.run([str(bundle / "FocalPoint"), "--data-dir", str(data)], capture_output=True, text=True,
                         env=_env(FOCALPOINT_UI_HOOK=f"{SMOKE}:catalog_then_quit"), timeout=180)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "FOCALPOINT_CATALOG 110 " in out.stdout, out.stdout
    backups = list((data / "backups").glob("*.sqlite3"))
    assert len(backups) == 1 and "0002_records" in backups[0].name, backups
    listed = subprocess.run([str(bundle / "focalpoint-cli"), "--data-dir", str(data), "records", "list"],
                            capture_output=True, text=True, env=_env(), timeout=120)
    assert listed.returncode == 0, listed.stderr
    for identifier in PREVIOUS_RELEASE_RECORDS:
        assert identifier in listed.stdout
    assert "تقييم احتياجات القدرات الوطنية" in listed.stdout


def test_frozen_app_refuses_a_database_from_a_newer_build_and_leaves_it_alone(bundle, tmp_path):
    data = tmp_path / "data"
    made = subprocess.run([str(bundle / "focalpoint-cli"), "--data-dir", str(data), "records", "list"],
                          capture_output=True, text=True, env=_env(), timeout=120)
    assert made.returncode == 0, made.stderr
    import sqlean

    conn = sqlean.connect(str(data / "focalpoint.sqlite3"))
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_a_newer_build'")
    conn.close()
    before = (data / "focalpoint.sqlite3").read_bytes()
    out = subprocess.run([str(bundle / "FocalPoint"), "--data-dir", str(data)], capture_output=True, text=True,
                         env=_env(FOCALPOINT_LANG="fr"), timeout=120)
    assert out.returncode == 4, (out.returncode, out.stderr[-2000:])
    assert "version plus récente de FocalPoint" in out.stderr, out.stderr  # said in the person's language
    assert (data / "focalpoint.sqlite3").read_bytes() == before
    assert not (data / "backups").exists()


@pytest.mark.parametrize("lang", ["zh", "ar"])
def test_frozen_app_shows_every_tab_the_editor_and_the_dialogs(bundle, tmp_path, lang):
    """Every part of the window loads in the frozen build (a module left out of it would fail here)."""
    out = subprocess.run([str(bundle / "FocalPoint"), "--data-dir", str(tmp_path / "data")], capture_output=True,
                         text=True, env=_env(FOCALPOINT_LANG=lang, FOCALPOINT_UI_HOOK=f"{SMOKE}:tour_then_quit"),
                         timeout=180)
    assert out.returncode == 0, out.stderr[-3000:]
    line = next((l for l in out.stdout.splitlines() if l.startswith("FOCALPOINT_TOUR ")), "")
    steps = line.split()[1:]
    assert {"tab0", "tab1", "tab2-reviewQueue", "tab3-dashboard", "editor", "print", "import", "sign-in"} <= set(steps), \
        out.stdout + out.stderr[-2000:]


def test_frozen_cli_adds_the_app_to_the_applications_menu(bundle, tmp_path):
    from test_desktop_entry import _exec_argv, _read

    share = tmp_path / "share"
    out = subprocess.run([str(bundle / "focalpoint-cli"), "desktop-entry", "install"], capture_output=True,
                         text=True, env=_env(XDG_DATA_HOME=str(share)), timeout=120)
    assert out.returncode == 0, out.stderr
    section = _read(share / "applications" / "org.focalpoint.FocalPoint.desktop")
    argv = _exec_argv(section["Exec"])
    assert argv == [str((bundle / "FocalPoint").resolve())]
    started = subprocess.run([*argv, "--version"], capture_output=True, text=True, env=_env(), timeout=120)
    assert started.stdout.strip() == f"FocalPoint {__version__}"
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / "org.focalpoint.FocalPoint.svg").exists()
