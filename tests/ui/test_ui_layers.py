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


#: What draws screens: the views and the parts of the scaffold they are built with. They see
#: the session only as ``ui.context.ViewContext``: never the ``App`` class nor the Flet page.
VIEW_LAYER = sorted([*(APP / "ui" / "views").rglob("*.py"),
                     *(APP / "ui" / name for name in ("context.py", "screen.py", "shell.py",
                                                      "sync_indicator.py"))])


def _reaches_past_the_context(source: str) -> set[str]:
    """What in ``source`` goes around the view context: imports of ``field_app.ui.app``
    (also under ``TYPE_CHECKING``) and any ``.page`` (the session's or a control's)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name == "field_app.ui.app"}
        elif isinstance(node, ast.ImportFrom):
            if node.module == "field_app.ui.app":
                found.add(node.module)
            elif node.module == "field_app.ui" and any(a.name == "app" for a in node.names):
                found.add("field_app.ui.app")
        elif isinstance(node, ast.Attribute) and node.attr == "page":
            found.add(".page")
    return found


def test_the_check_finds_what_goes_around_the_context() -> None:
    assert _reaches_past_the_context(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from field_app.ui.app import App\n") == {"field_app.ui.app"}
    assert _reaches_past_the_context("from field_app.ui import app, theme\n") == {
        "field_app.ui.app"}
    assert _reaches_past_the_context("def f(app):\n    app.page.update()\n") == {".page"}
    assert _reaches_past_the_context("def f(e):\n    e.control.page.update()\n") == {".page"}
    assert _reaches_past_the_context("def f(app):\n    app.update()\n") == set()


@pytest.mark.parametrize("path", VIEW_LAYER, ids=lambda p: p.name)
def test_views_see_only_the_view_context(path: Path) -> None:
    assert _reaches_past_the_context(path.read_text(encoding="utf-8")) == set()
