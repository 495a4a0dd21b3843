"""The shape of the code that import-linter cannot see: every read in a selector, every write in a
service. Views, forms, filters, tasks, template tags and context processors never touch a model
manager (`.objects`) nor save or delete a model themselves."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
THIN_MODULES = ("views", "forms", "filters", "tasks", "context_processors", "urls", "api", "serializers")


def thin_modules():
    for app in ("bases", "reviews", "targets", "portal"):
        for name in THIN_MODULES:
            path = ROOT / app / f"{name}.py"
            if path.exists():
                yield path
        yield from (ROOT / app / "templatetags").glob("*.py")


def offences(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in ("objects", "_base_manager", "_default_manager"):
            found.append(f"{path.relative_to(root)}:{node.lineno} .{node.attr}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("save", "delete", "update", "bulk_create", "bulk_update")
            and not any(k.arg == "commit" and getattr(k.value, "value", True) is False for k in node.keywords)
        ):  # a ModelForm's save(commit=False) only builds the instance
            found.append(f"{path.relative_to(root)}:{node.lineno} .{node.func.attr}()")
    return found


@pytest.mark.parametrize("path", list(thin_modules()), ids=lambda p: str(p.relative_to(ROOT)))
def test_thin_module_neither_queries_managers_nor_writes(path):
    assert offences(path) == []


def test_offences_finds_a_manager_query_and_a_save(tmp_path):
    planted = tmp_path / "views.py"
    planted.write_text(
        "def view(request):\n    Thing.objects.all()\n    thing.save()\n    form.save(commit=False)\n", encoding="utf-8"
    )

    assert sorted(offences(planted, root=tmp_path)) == ["views.py:2 .objects", "views.py:3 .save()"]
