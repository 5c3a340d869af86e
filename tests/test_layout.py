"""The package's folders follow the pipeline, and imports flow one way through them:

    types, errors, citation, models  <-  ingest  <-  index  <-  retrieve  <-  web, cli, render

A module may import from its own folder, the shared top-level modules and any stage
before its own, never from a later stage.
"""

from __future__ import annotations

import ast
from pathlib import Path

import peel_search

PACKAGE = Path(peel_search.__file__).parent
STAGES = ["ingest", "index", "retrieve", "web"]
SHARED = {"types", "errors", "citation", "models", "timing"}


def _stage(module: str) -> str:
    """``ingest`` for ``peel_search.ingest.parse``; ``top`` for shared and entry-point modules."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in STAGES else "top"


def _imports(path: Path) -> set[str]:
    module = "peel_search." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module.removesuffix(".__init__")
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.startswith("peel_search"):
                found.add(target)
                found.update(f"{target}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("peel_search"))
    return found


def test_every_stage_is_a_folder_with_modules() -> None:
    for stage in STAGES:
        assert len(list((PACKAGE / stage).glob("*.py"))) > 2, stage
    flat = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert flat <= SHARED | {"cli", "render"}, flat - SHARED


def test_imports_flow_one_way_through_the_stages() -> None:
    order = {stage: n for n, stage in enumerate(STAGES)}
    backwards = []
    for path in PACKAGE.rglob("*.py"):
        here = _stage("peel_search." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts))
        for target in _imports(path):
            there = _stage(target)
            if there == "top" or here == "top":
                if here != "top" and target.split(".")[1:2] in (["cli"], ["render"]):
                    backwards.append(f"{path.relative_to(PACKAGE)} -> {target}")
                continue
            if order[there] > order[here]:
                backwards.append(f"{path.relative_to(PACKAGE)} -> {target}")
    assert not backwards, backwards


def test_shared_modules_import_no_stage() -> None:
    for name in SHARED:
        stages = {_stage(t) for t in _imports(PACKAGE / f"{name}.py")}
        assert stages <= {"top"}, (name, stages)
