"""Put FocalPoint in the applications menu of a Linux desktop, for this person only (no root).

A focal point unpacks the folder anywhere (their home, a USB stick copied to disk) and runs
``focalpoint-cli desktop-entry install``: a freedesktop.org ``.desktop`` file naming the program by
its absolute path, in the six languages, and the icon, go under ``$XDG_DATA_HOME`` (default
``~/.local/share``). ``remove`` takes them away again. Files are written atomically. Any thread.
"""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from focalpoint.fileio import write_atomic
from focalpoint.i18n import N_, gettext_for
from focalpoint.resources import resource_path

APP_ID = "org.focalpoint.FocalPoint"
LANGS = ("ar", "en", "es", "fr", "ru", "zh")
COMMENT = N_("The CBD capacity-building action plan, capacity needs assessments and clearing-house "
             "records, offline")
GENERIC_NAME = N_("Capacity-building records")


@dataclass(frozen=True)
class DesktopEntry:
    entry: Path
    icons: tuple[Path, ...]


def data_home() -> Path:
    value = os.environ.get("XDG_DATA_HOME")
    return Path(value) if value and os.path.isabs(value) else Path.home() / ".local" / "share"


def launch_command() -> list[str]:
    """How to start this copy of FocalPoint: the frozen executable, or this Python with ``-m focalpoint``."""
    if getattr(sys, "frozen", False):
        exe = Path(sys.executable).resolve()
        gui = exe.with_name("FocalPoint")
        return [str(gui if gui.exists() else exe)]
    return [str(Path(sys.executable).absolute()), "-m", "focalpoint"]


def _exec_quote(arg: str) -> str:
    """Quote one argument of an ``Exec`` key (Desktop Entry Specification, "The Exec key")."""
    if arg and not any(c in arg for c in ' \t\n"\'\\><~|&;$*?#()`%'):
        return arg
    escaped = arg.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace("$", "\\$")
    return '"' + escaped.replace("%", "%%") + '"'


def _string(text: str) -> str:
    """A value of type string: backslash, newline and tab escaped ("Possible value types")."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def render(command: list[str]) -> str:
    lines = ["[Desktop Entry]", "Type=Application", "Version=1.4", "Name=FocalPoint",
             f"GenericName={_string(gettext_for('en', GENERIC_NAME))}"]
    lines += [f"GenericName[{lang}]={_string(gettext_for(lang, GENERIC_NAME))}" for lang in LANGS if lang != "en"]
    lines.append(f"Comment={_string(gettext_for('en', COMMENT))}")
    lines += [f"Comment[{lang}]={_string(gettext_for(lang, COMMENT))}" for lang in LANGS if lang != "en"]
    lines += [
        # the quoting of the Exec key comes first, then the string escaping of the whole value
        "Exec=" + _string(" ".join(_exec_quote(a) for a in command)),
        f"TryExec={_string(command[0])}",
        "Icon=" + APP_ID,
        "Terminal=false",
        "Categories=Office;",
        "StartupWMClass=FocalPoint",
        "Keywords=CBD;biodiversity;capacity;clearing-house;CHM;",
    ]
    return "\n".join(lines) + "\n"


def paths(home: Path | None = None) -> DesktopEntry:
    base = home or data_home()
    icons = base / "icons" / "hicolor"
    return DesktopEntry(entry=base / "applications" / f"{APP_ID}.desktop",
                        icons=(icons / "256x256" / "apps" / f"{APP_ID}.png",
                               icons / "scalable" / "apps" / f"{APP_ID}.svg"))


def install(home: Path | None = None, command: list[str] | None = None) -> DesktopEntry:
    target = paths(home)
    sources = (resource_path("icons", "focalpoint.png"), resource_path("icons", "focalpoint.svg"))
    for source, dest in zip(sources, target.icons, strict=True):
        write_atomic(dest, source.read_bytes())
    write_atomic(target.entry, render(command or launch_command()).encode("utf-8"))
    os.chmod(target.entry, 0o644)
    return target


def remove(home: Path | None = None) -> list[Path]:
    removed = []
    target = paths(home)
    for path in (target.entry, *target.icons):
        try:
            path.unlink()
            removed.append(path)
        except FileNotFoundError:
            pass
    return removed


def describe(command: list[str]) -> str:
    return shlex.join(command)
