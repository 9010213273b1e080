"""The dependency rule: shared_models imports nothing of ours; app and server never each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = {"shared_models", "field_app", "sync_server"}
ALLOWED = {
    "shared_models": {"shared_models"},
    "field_app": {"field_app", "shared_models"},
    "sync_server": {"sync_server", "shared_models"},
}


def imported_top_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out & OURS


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_layer_imports(package: str) -> None:
    files = list((ROOT / package).rglob("*.py"))
    assert files, f"{package} has no modules"
    for f in files:
        bad = imported_top_packages(f) - ALLOWED[package]
        assert not bad, f"{f.relative_to(ROOT)} imports {sorted(bad)}"


def test_shared_models_does_no_io() -> None:
    forbidden = {"sqlite3", "httpx", "requests", "socket", "open", "subprocess", "flet"}
    for f in (ROOT / "shared_models").rglob("*.py"):
        tree = ast.parse(f.read_text(encoding="utf-8"))
        names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
                 for a in n.names}
        names |= {n.module.split(".")[0] for n in ast.walk(tree)
                  if isinstance(n, ast.ImportFrom) and n.module}
        calls = {n.func.id for n in ast.walk(tree)
                 if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        assert not (names | calls) & forbidden, f"{f.name} does I/O: {(names | calls) & forbidden}"


def test_device_and_server_tables_never_share_a_registry() -> None:
    """Both sides use SQLModel; in one process (the tests) their tables must stay apart, or
    the server would try to migrate, reset or export the device's tables."""
    from field_app.store.schema import LocalBase
    from sync_server.tables import metadata as server_metadata

    device_tables = set(LocalBase.metadata.tables)
    assert device_tables and not device_tables & set(server_metadata.tables)
