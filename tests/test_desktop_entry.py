"""FocalPoint in the Linux applications menu: ``focalpoint desktop-entry install|remove``."""

from __future__ import annotations

import configparser
import re
import subprocess
import sys

from focalpoint import __version__, desktop_entry


def _cli(tmp_path, *args: str, lang: str = "en") -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(tmp_path / "share"),
           "FOCALPOINT_LANG": lang}
    return subprocess.run([sys.executable, "-m", "focalpoint", *args], capture_output=True, text=True, env=env,
                          timeout=60)


def _read(path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def _exec_argv(value: str) -> list[str]:
    """Read an Exec value as a launcher does (Desktop Entry Specification 1.5): string escapes first,
    then the arguments, with double quotes and backslash escapes inside them, then %% -> %."""
    text = re.sub(r"\\(.)", lambda m: {"s": " ", "n": "\n", "t": "\t", "r": "\r"}.get(m.group(1), m.group(1)), value)
    args, cur, quoted, i, started = [], "", False, 0, False
    while i < len(text):
        c = text[i]
        if quoted:
            if c == "\\" and i + 1 < len(text):
                i += 1
                cur += text[i]
            elif c == '"':
                quoted = False
            else:
                cur += c
        elif c == '"':
            quoted, started = True, True
        elif c == " ":
            if started or cur:
                args.append(cur)
            cur, started = "", False
        else:
            cur += c
        i += 1
    if started or cur:
        args.append(cur)
    return [a.replace("%%", "%") for a in args]


def test_install_puts_a_launcher_that_starts_this_copy_into_the_menu(tmp_path):
    out = _cli(tmp_path, "desktop-entry", "install")
    assert out.returncode == 0, out.stderr
    entry = tmp_path / "share" / "applications" / "org.focalpoint.FocalPoint.desktop"
    assert str(entry) in out.stdout
    section = _read(entry)
    assert section["Type"] == "Application" and section["Name"] == "FocalPoint"
    assert section["Icon"] == "org.focalpoint.FocalPoint"
    assert "能力建设行动计划" in section["Comment[zh]"]
    assert "القدرات" in section["Comment[ar]"]
    png = tmp_path / "share" / "icons" / "hicolor" / "256x256" / "apps" / "org.focalpoint.FocalPoint.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the file is valid for the freedesktop.org tools
    validated = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
    assert validated.returncode == 0 and "error" not in validated.stdout, validated.stdout
    # the launcher starts this very copy of FocalPoint
    started = subprocess.run([*_exec_argv(section["Exec"]), "--version"], capture_output=True, text=True, timeout=60)
    assert started.stdout.strip() == f"FocalPoint {__version__}"


def test_remove_takes_it_away_and_says_so_in_the_persons_language(tmp_path):
    assert _cli(tmp_path, "desktop-entry", "install").returncode == 0
    out = _cli(tmp_path, "desktop-entry", "remove", lang="fr")
    assert out.returncode == 0 and "retiré du menu des applications" in out.stdout
    assert not list((tmp_path / "share").rglob("org.focalpoint.FocalPoint*"))
    again = _cli(tmp_path, "desktop-entry", "remove", lang="fr")
    assert again.returncode == 0 and "rien à faire" in again.stdout


def test_a_folder_with_spaces_and_shell_characters_is_quoted_for_the_launcher(tmp_path):
    odd = ["/home/ana/My Apps/$FocalPoint \"2026\"/100% `x`/back\\slash/FocalPoint"]
    text = desktop_entry.render(odd)
    line = next(l for l in text.splitlines() if l.startswith("Exec="))
    assert _exec_argv(line[len("Exec="):]) == odd


def test_a_folder_that_cannot_be_written_gives_a_clear_error(tmp_path):
    (tmp_path / "share").write_text("not a folder")
    out = _cli(tmp_path, "desktop-entry", "install")
    assert out.returncode != 0
    assert "Cannot add FocalPoint to the applications menu" in out.stderr
