"""FocalPoint's own modules are imported plainly: a guard that swallows an ImportError (or asks
``find_spec`` first) would make a feature vanish without a word when its module is broken."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "focalpoint"


def _guards(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Try):
            caught = {n.id for h in node.handlers if h.type is not None for n in ast.walk(h.type)
                      if isinstance(n, ast.Name)}
            reraised = all(any(isinstance(n, ast.Raise) for n in h.body) for h in node.handlers)
            # a handler that raises (a clearer error naming what is missing) hides nothing
            if caught & {"ImportError", "ModuleNotFoundError"} and not reraised:
                modules = {alias.name for stmt in node.body if isinstance(stmt, ast.Import) for alias in stmt.names}
                modules |= {("." * stmt.level) + (stmt.module or "") for stmt in node.body
                            if isinstance(stmt, ast.ImportFrom)}
                # a guard around a third-party optional module is fine (QtPdf, a keyring backend);
                # around FocalPoint's own (or around no import at all) it hides a broken feature
                if not modules or any(m.startswith(("focalpoint", ".")) for m in modules):
                    found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
        if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("find_spec") and node.args \
                and isinstance(node.args[0], ast.Constant) and str(node.args[0].value).startswith("focalpoint"):
            found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} (find_spec)")
    return found


def test_no_guard_around_focalpoints_own_imports():
    found = [hit for path in sorted(PACKAGE.rglob("*.py")) for hit in _guards(path)]
    assert found == [], "guards on imports: " + ", ".join(found)
