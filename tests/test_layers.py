"""The layers of govreport.*: core <- inference <- {annotations, training} <- cli.

Every import of every module (at module level and inside functions) may only reach its own layer or a
lower one; annotations and training do not import each other. An import inside a function must say why
on its line (``# lazy: ...``, e.g. keeping ``--help`` fast or torch out of torch-free code): never to
dodge a cycle. The old top-level names (``annotations``, ``inference``, ``training``) are not imported.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Longest matching prefix decides. govreport/__init__ and govreport.paths import nothing of govreport,
# so every layer may use them.
LAYERS: dict[str, int] = {
    "govreport": 0, "govreport.paths": 0, "govreport.core": 0,
    "govreport.inference": 1,
    "govreport.annotations": 2, "govreport.training": 2,
    "govreport.cli": 3,
}
OLD_TOP_LEVEL = ("annotations", "inference", "training")


def layer_of(module: str) -> tuple[str, int]:
    """(the LAYERS key, its rank) of a govreport module."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        key = ".".join(parts[:n])
        if key in LAYERS:
            return key, LAYERS[key]
    raise KeyError(module)


def package_roots() -> dict[str, Path]:
    """Import package -> source folder, as pyproject.toml maps them (only folders holding code)."""
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    roots = {"govreport": ROOT / "govreport"}
    roots |= {pkg: ROOT / d for pkg, d in cfg["package-dir"].items() if any((ROOT / d).glob("*.py"))}
    return roots


def modules() -> dict[str, Path]:
    """Every module of the package: dotted name -> file."""
    out: dict[str, Path] = {}
    for pkg, folder in package_roots().items():
        for f in sorted(folder.rglob("*.py")):
            rel = f.relative_to(folder).with_suffix("").parts
            rel = rel[:-1] if rel[-1] == "__init__" else rel
            out[".".join((pkg, *rel))] = f
    return out


def _imports(tree: ast.AST, module: str, is_package: bool):
    """(node, imported dotted names, inside a function?) for every import statement."""
    def visit(node: ast.AST, in_function: bool):
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.Import):
                yield child, [a.name for a in child.names], in_function
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:  # relative: resolve against the importing package
                    pkg = module.split(".") if is_package else module.split(".")[:-1]
                    pkg = pkg[: len(pkg) - (child.level - 1)]
                    base = ".".join([*pkg, base] if base else pkg)
                yield child, [f"{base}.{a.name}" for a in child.names] + [base], in_function
            yield from visit(child, inner)
    yield from visit(tree, False)


def violations(source: str, module: str, path: str, is_package: bool = False) -> list[str]:
    """Every import of ``module`` (source text) that breaks the layering, as "path:line: reason"."""
    own_key, own = layer_of(module)
    lines = source.splitlines()
    out = []
    for node, names, in_function in _imports(ast.parse(source), module, is_package):
        where = f"{path}:{node.lineno}"
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        project = [n for n in names if n == "govreport" or n.startswith("govreport.")]
        old = [n for n in names if n.split(".")[0] in OLD_TOP_LEVEL]
        if old:
            out.append(f"{where}: imports the old top-level name {old[0]!r} (use govreport.{old[0]})")
        if project:
            name = max(project, key=lambda n: (layer_of(n)[1], len(n)))
            key, rank = layer_of(name)
            if rank > own:
                out.append(f"{where}: {module} (layer {own_key}) imports {name} from a higher layer ({key})")
            elif rank == own == 2 and key != own_key:
                out.append(f"{where}: {module} imports {name}: annotations and training are independent")
        if project and in_function and "# lazy:" not in lines[node.lineno - 1]:
            out.append(f"{where}: {module} imports {project[-1]} inside a function without a '# lazy: why' "
                       "comment (an import is not hidden in a function to dodge a cycle)")
    return out


def test_every_module_imports_only_its_own_layer_or_lower():
    mods = modules()
    # the walk found the package (a wrong mapping must not make this test pass on nothing)
    assert {"govreport.cli", "govreport.core.schema", "govreport.inference.assemble",
            "govreport.annotations.evaluate", "govreport.training.synth.corpus"} <= set(mods)
    problems = []
    for name, f in mods.items():
        problems += violations(f.read_text(encoding="utf-8"), name, str(f.relative_to(ROOT)),
                               is_package=f.name == "__init__.py")
    assert not problems, "\n".join(problems)


def test_the_check_names_file_and_line_of_an_upward_import_even_inside_a_function():
    source = ("from govreport.core import schema\n"
              "from . import labels\n"
              "def f():\n"
              "    from govreport.inference.assemble import assemble\n"
              "    return assemble\n")
    problems = violations(source, "govreport.core.checks", "govreport/core/checks.py")
    assert len(problems) == 2
    assert problems[0].startswith("govreport/core/checks.py:4: ")
    assert "higher layer (govreport.inference)" in problems[0]
    assert "inside a function without" in problems[1]
    assert violations("from ..annotations import formats\n", "govreport.training.train", "t.py")[0] \
        .endswith("annotations and training are independent")
    old = violations("import inference.tagger\n", "govreport.cli", "c.py")
    assert old == ["c.py:1: imports the old top-level name 'inference.tagger' (use govreport.inference.tagger)"]
    assert violations("def f():\n    from govreport.inference import batch  # lazy: keeps --help fast\n",
                      "govreport.cli", "c.py") == []
