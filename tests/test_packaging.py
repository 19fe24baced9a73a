"""The PyInstaller bundle: built from build.spec in a clean work folder, then run with no Python.

Slow (a few minutes): it is the only test that builds. It checks what a focal point receiving the
folder would notice: the app starts with the catalogue, prints an Arabic form, says its version,
and the folder carries none of the Qt parts the app does not use.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from focalpoint import __version__

REPO = Path(__file__).resolve().parent.parent
LANGS = {"ar", "en", "es", "fr", "ru", "zh"}


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


def test_frozen_cli_reports_its_version(bundle):
    out = subprocess.run([str(bundle / "focalpoint-cli"), "--version"], capture_output=True, text=True,
                         env=_env(), timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"FocalPoint {__version__}"


def test_frozen_app_opens_the_main_window_with_the_catalogue(bundle, tmp_path):
    data = tmp_path / "data"
    out = subprocess.run([str(bundle / "FocalPoint"), "--data-dir", str(data)], capture_output=True, text=True,
                         env=_env(FOCALPOINT_UI_HOOK="focalpoint.ui.smoke:catalog_then_quit"), timeout=180)
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
                         env=_env(FOCALPOINT_UI_HOOK="focalpoint.ui.smoke:catalog_then_quit"), timeout=180)
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
                         text=True, env=_env(FOCALPOINT_LANG=lang, FOCALPOINT_UI_HOOK="focalpoint.ui.smoke:tour_then_quit"),
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
