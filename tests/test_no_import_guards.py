"""FocalPoint's own modules are imported plainly: a guard that swallows an ImportError (or asks
``find_spec`` first) would make a feature vanish without a word when its module is broken."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "focalpoint"
#: third-party modules whose absence is a documented, handled case (optional system features)
ALLOWED = {"keyring", "PySide6.QtNetwork"}


def _guards(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Try):
            caught = {n.id for h in node.handlers if h.type is not None for n in ast.walk(h.type)
                      if isinstance(n, ast.Name)}
            if caught & {"ImportError", "ModuleNotFoundError"}:
                imported = {alias.name for stmt in node.body if isinstance(stmt, ast.Import | ast.ImportFrom)
                            for alias in stmt.names} | {stmt.module or "" for stmt in node.body
                                                        if isinstance(stmt, ast.ImportFrom)}
                if not imported or any(name.startswith("focalpoint") or name == "" for name in imported) \
                        or not imported <= ALLOWED | {n for n in imported if n.split(".")[0] in ALLOWED}:
                    found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
        if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("find_spec") and node.args \
                and isinstance(node.args[0], ast.Constant) and str(node.args[0].value).startswith("focalpoint"):
            found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} (find_spec)")
    return found


def test_no_guard_around_focalpoints_own_imports():
    found = [hit for path in sorted(PACKAGE.rglob("*.py")) for hit in _guards(path)]
    assert found == [], "guards on imports: " + ", ".join(found)
