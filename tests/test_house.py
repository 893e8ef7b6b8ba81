"""The house by stage: the folder listing is the map, and imports only go down it.

    cli -> preview, check -> pack -> output, page -> load -> text -> leaves

A module may import from its own stage or from a stage below, never from one above or beside
it; other stages reach a stage only through the modules its `__init__` offers in `__all__`; no
name starting with `_` is used outside its module; there is no import cycle. Each rule fails
with the file, line and import that breaks it (RenderCV tests its own layout the same way).
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import makecase

PACKAGE = Path(makecase.__file__).resolve().parent

# A stage may import the stages with a lower rank. Stages of one rank do not import each other.
RANKS = {"leaves": 0, "text": 1, "load": 2, "page": 3, "output": 3, "pack": 4, "check": 5, "preview": 5, "cli": 6}
LEAVES = {"errors", "limits", "contain", "resources", "version", "tool_versions"}


def stage_of(module: str) -> str:
    """'makecase.load.model' -> 'load'; a leaf module -> 'leaves'; the package face -> ''."""
    parts = module.split(".")
    if len(parts) == 1:
        return ""
    if parts[1] in LEAVES or parts[1] in ("__main__",):
        return "leaves" if parts[1] in LEAVES else ""
    return parts[1]


def module_name(path: Path, package: Path) -> str:
    relative = path.relative_to(package.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, package: Path):
    """(line, imported module, names taken, at module level?) for every makecase import in a file."""
    name = module_name(path, package)
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    top_level = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = name.split(".")
                if path.name != "__init__.py":
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "makecase":
                continue
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                if (package.parent / (submodule.replace(".", "/") + ".py")).exists() or \
                        (package.parent / submodule.replace(".", "/")).is_dir():
                    yield node.lineno, submodule, [], id(node) in top_level
                else:
                    yield node.lineno, target, [alias.name], id(node) in top_level
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "makecase":
                    yield node.lineno, alias.name, [], id(node) in top_level


def house_problems(package: Path) -> list[str]:
    problems = []
    edges: dict[str, set[str]] = {}
    for path in sorted(package.rglob("*.py")):
        here = module_name(path, package)
        here_stage = stage_of(here)
        where = f"{path.relative_to(package.parent)}"
        for line, target, names, top in imports_of(path, package):
            there_stage = stage_of(target)
            shown = f"{where}:{line}: imports {target}" + (f" ({', '.join(names)})" if names else "")
            if top:
                edges.setdefault(here, set()).add(target)
            for name in names:
                if name.startswith("_") and not name.startswith("__"):
                    problems.append(f"{shown}: '{name}' is private to {target}")
            if not here_stage or not there_stage or here_stage == there_stage:
                continue  # the package face (makecase/__init__, __main__) and a stage's own modules
            if RANKS[there_stage] >= RANKS[here_stage]:
                problems.append(f"{shown}: the {here_stage} stage may not import from the "
                                f"{there_stage} stage (imports go down: {' -> '.join(RANKS)} reversed)")
                continue
            if there_stage != "leaves":
                init = package / there_stage / "__init__.py"
                offered = ast.literal_eval(next(
                    n.value for n in ast.parse(init.read_text()).body
                    if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "__all__"))
                leaf = target.split(".")[2] if len(target.split(".")) > 2 else ""
                if leaf not in offered:
                    problems.append(f"{shown}: {there_stage}/__init__.py does not offer '{leaf}' to other stages")
        problems += private_attributes(path, package, where)
    problems += cycles(edges)
    return problems


def private_attributes(path: Path, package: Path, where: str) -> list[str]:
    """`module._name` where module is one of ours imported under a name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    ours = set()
    for line, target, names, _ in imports_of(path, package):
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and node.lineno == line:
                ours.update(a.asname or a.name.split(".")[-1] for a in node.names if not names)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ours \
                and node.attr.startswith("_") and not node.attr.startswith("__"):
            found.append(f"{where}:{node.lineno}: uses {node.value.id}.{node.attr}, private to that module")
    return found


def cycles(edges: dict[str, set[str]]) -> list[str]:
    found, done, stack = [], set(), []

    def visit(module: str) -> None:
        if module in stack:
            found.append("import cycle: " + " -> ".join(stack[stack.index(module):] + [module]))
            return
        if module in done:
            return
        stack.append(module)
        for target in sorted(edges.get(module, ())):
            visit(target)
        stack.pop()
        done.add(module)

    for module in sorted(edges):
        visit(module)
    return found


def test_the_folder_listing_shows_the_stages():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(RANKS) - {"leaves"}
    # The newcomer's two questions, each answered by one folder name.
    assert (PACKAGE / "page" / "fit.py").exists()  # where is the page fitted to one A4?
    assert (PACKAGE / "output" / "publish.py").exists()  # where are stale files removed?
    assert "stale" in (PACKAGE / "output" / "__init__.py").read_text()


def test_imports_go_down_the_stages_with_no_cycle_and_no_private_name():
    problems = house_problems(PACKAGE)
    assert not problems, "\n".join(problems)


def test_a_planted_upward_import_is_named(tmp_path):
    copy = tmp_path / "makecase"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "templates", "content"))
    model = copy / "load" / "model.py"
    model.write_text(model.read_text() + "\nfrom makecase.cli.commands import cli  # planted\n")
    private = copy / "page" / "render.py"
    private.write_text(private.read_text() + "\nfrom makecase.page.templating import _bounded  # planted\n")
    hidden = copy / "cli" / "explain.py"
    hidden.write_text(hidden.read_text() + "\nimport makecase.pack.cache  # planted\n")
    problems = "\n".join(house_problems(copy))
    assert "makecase/load/model.py" in problems and "imports makecase.cli.commands" in problems
    assert "the load stage may not import from the cli stage" in problems
    assert "'_bounded' is private to makecase.page.templating" in problems
    assert "pack/__init__.py does not offer 'cache'" in problems
