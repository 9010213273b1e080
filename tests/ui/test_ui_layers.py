"""Views go through the service layer; the service layer knows nothing of Flet."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import field_app

APP = Path(field_app.__file__).parent
#: What views may not import: storage, HTTP and the store/sync packages (services wrap them).
NOT_IN_VIEWS = {"sqlite3", "sqlalchemy", "sqlmodel", "httpx", "urllib", "requests",
                "field_app.store", "field_app.sync", "sync_server"}
NOT_IN_SERVICES = {"flet", "flet_web"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module)
    return out


def _hits(names: set[str], forbidden: set[str]) -> set[str]:
    return {n for n in names for f in forbidden if n == f or n.startswith(f + ".")}


@pytest.mark.parametrize("path", sorted((APP / "ui").rglob("*.py")), ids=lambda p: p.name)
def test_views_use_services_only(path: Path) -> None:
    assert _hits(_imports(path), NOT_IN_VIEWS) == set()


@pytest.mark.parametrize("path", sorted((APP / "services").rglob("*.py")), ids=lambda p: p.name)
def test_services_do_not_import_flet(path: Path) -> None:
    assert _hits(_imports(path), NOT_IN_SERVICES) == set()


def test_i18n_and_paths_do_not_import_flet() -> None:
    for name in ("i18n.py", "paths.py", "dates.py"):
        assert _hits(_imports(APP / name), NOT_IN_SERVICES) == set(), name
