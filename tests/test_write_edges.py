"""One adapter at the edge (coordination/ui/widgets/writes.py, coordination/cli/__init__.py): no page,
widget or command opens a write session or answers a service's refusal itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ADAPTERS = {"ui": ROOT / "coordination/ui/widgets/writes.py", "cli": ROOT / "coordination/cli/__init__.py"}
ANSWERED = {"ValidationError", "ConflictError", "CoordinationError", "PermissionDenied", "NotFound",
            "AlreadySubmitted", "AlreadyMoved"}


def _modules(layer: str) -> list[Path]:
    return sorted(path for path in (ROOT / "coordination" / layer).rglob("*.py") if path != ADAPTERS[layer])


def _write_sessions(tree: ast.AST) -> list[int]:
    return [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) == "write_session"]


def _answered(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            names = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
            if any(getattr(name, "id", getattr(name, "attr", None)) in ANSWERED for name in names):
                lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("layer", ["ui", "cli"])
def test_only_the_adapter_opens_a_write_session_or_answers_a_refusal(layer):
    found = {}
    for path in _modules(layer):
        tree = ast.parse(path.read_text())
        lines = _write_sessions(tree) + _answered(tree)
        if lines:
            found[str(path.relative_to(ROOT))] = lines
    assert found == {}


@pytest.mark.parametrize("layer", ["ui", "cli"])
def test_the_adapter_is_where_writes_begin(layer):
    assert _write_sessions(ast.parse(ADAPTERS[layer].read_text()))
