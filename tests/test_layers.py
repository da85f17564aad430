"""Layers depend downward only.

accounts (people, roles, login, scope) and outbox → checklists → audits →
reports → actions and appeals → front pages and the phone app. An app may
import itself and the apps of the layers below; not its neighbours in its own
layer, nor anything above. `backend` (the project: settings, errors, URLs) is
outside the layers. Every import counts, those inside functions too: a
deferred import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"accounts", "outbox"}),
    frozenset({"checklists"}),
    frozenset({"audits"}),
    frozenset({"reports"}),
    frozenset({"actions", "appeals"}),
    frozenset({"front", "mobile"}),
)
LEVEL = {app: level for level, apps in enumerate(LAYERS) for app in apps}


def imported_packages(path: Path) -> set[str]:
    """Top-level packages `path` imports absolutely (a relative import stays in its package)."""
    packages = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            packages |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            packages.add(node.module.split(".")[0])
    return packages


def imports_not_below(app: str) -> list[str]:
    return sorted(
        f"{path.relative_to(ROOT)} imports {package}"
        for path in (ROOT / app).rglob("*.py")
        for package in imported_packages(path)
        if package != app and LEVEL.get(package, -1) >= LEVEL[app]
    )


@pytest.mark.parametrize("app", sorted(LEVEL))
def test_an_app_imports_only_itself_and_the_layers_below_it(app):
    assert imports_not_below(app) == []
