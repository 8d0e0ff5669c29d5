"""DESIGN.md's rule: imports point down the list core → training → derivation → data/io → interop →
viz/web → cli (the API facade and the package root sit on top); inside derivation, notation ← step ←
rendering ← checking ← exercises.  No package folder holds more than 15 modules, and no two modules
outside cli/ share a file name.  Checked on the source."""

import ast

import pytest

LEVEL = {
    "errors": 0,
    "core": 1,
    "seed": 2,
    "training": 2,
    "derivation": 3,
    "example": 3,
    "data": 4,
    "io": 4,
    "interop": 5,
    "sklearn": 5,
    "viz": 6,
    "web": 6,
    "api": 7,
    "classroom": 7,
    "cli": 8,
    "__init__": 9,
    "__main__": 9,
}


def _imports(path, parts):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(parts[:-1])[: len(parts) - node.level]
                yield base + (node.module.split(".") if node.module else [a.name for a in node.names][:1])
            elif node.module and node.module.split(".")[0] == "chainrule":
                yield node.module.split(".")[1:]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("chainrule."):
                    yield alias.name.split(".")[1:]


def test_imports_point_down_only(root):
    package = root / "chainrule"
    wrong = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package).with_suffix("").parts
        top = parts[0]
        assert top in LEVEL, f"{path}: a new top-level module; give it a level in this test"
        for target in _imports(path, parts):
            if not target or target[0].startswith("__") or target[0] == top:
                continue  # the same layer, or the package's own dunders (__version__)
            if LEVEL.get(target[0], 99) > LEVEL[top]:
                wrong.append(f"{path.relative_to(root)} imports chainrule.{'.'.join(target)}")
    assert not wrong, "\n".join(wrong)


def test_the_check_sees_a_violation(tmp_path):
    bad = tmp_path / "core" / "bad.py"
    bad.parent.mkdir()
    bad.write_text("from ..cli import main\n")
    targets = list(_imports(bad, ("core", "bad")))
    assert targets == [["cli", "main"]] or targets == [["cli"]]
    assert LEVEL[targets[0][0]] > LEVEL["core"]


# ----------------------------------------------------------------------------- inside derivation/
# notation ← step ← rendering ← checking ← exercises: a module imports from its own room and those to its left
DERIVATION_ROOMS = {"notation": 0, "step": 1, "rendering": 2, "checking": 3, "exercises": 4}
MAX_MODULES = 15  # in one package folder, its __init__.py not counted


def _sideways_in_derivation(package):
    """``path imports chainrule.derivation.ROOM...`` for each import of a room to the importer's right."""
    wrong = []
    for path in sorted((package / "derivation").rglob("*.py")):
        parts = path.relative_to(package).with_suffix("").parts  # ("derivation", "rendering", "explanation")
        if parts == ("derivation", "__init__"):
            continue
        room = parts[1]
        assert room in DERIVATION_ROOMS, f"{path}: a module outside derivation's rooms; give it one"
        for target in _imports(path, parts):
            if target[:1] == ["derivation"] and DERIVATION_ROOMS.get(target[1], -1) > DERIVATION_ROOMS[room]:
                wrong.append(f"{path.relative_to(package)} imports chainrule.{'.'.join(target)}")
    return wrong


def _crowded_folders(package):
    """``folder: N modules`` for each package folder holding more than MAX_MODULES."""
    counts = {}
    for path in package.rglob("*.py"):
        if path.name != "__init__.py":
            counts[path.parent] = counts.get(path.parent, 0) + 1
    return [f"{folder.relative_to(package)}: {n} modules" for folder, n in sorted(counts.items()) if n > MAX_MODULES]


def _shared_file_names(package):
    """``name.py: path, path`` for each file name that two modules outside cli/ share."""
    where = {}
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if path.name != "__init__.py" and relative.parts[0] != "cli":
            where.setdefault(path.name, []).append(str(relative))
    return [f"{name}: {', '.join(paths)}" for name, paths in where.items() if len(paths) > 1]


def test_derivation_rooms_import_leftwards_only(root):
    wrong = _sideways_in_derivation(root / "chainrule")
    assert not wrong, "\n".join(wrong)


def test_the_derivation_check_sees_a_violation(tmp_path):
    for room in DERIVATION_ROOMS:
        (tmp_path / "derivation" / room).mkdir(parents=True)
    (tmp_path / "derivation" / "step" / "fine.py").write_text("from ..notation.names import Notation\n")
    (tmp_path / "derivation" / "notation" / "bad.py").write_text(
        "from ..rendering.explanation import Explanation\n\n\ndef late():\n    from ..step import trace\n"
    )
    assert _sideways_in_derivation(tmp_path) == [
        "derivation/notation/bad.py imports chainrule.derivation.rendering.explanation",
        "derivation/notation/bad.py imports chainrule.derivation.step",  # inside a function too
    ]


def test_no_package_folder_holds_more_than_15_modules(root, tmp_path):
    crowded = _crowded_folders(root / "chainrule")
    assert not crowded, "\n".join(crowded)
    for k in range(MAX_MODULES + 1):  # the check counts what it should
        (tmp_path / "room" / f"m{k}.py").parent.mkdir(exist_ok=True)
        (tmp_path / "room" / f"m{k}.py").write_text("")
    (tmp_path / "room" / "__init__.py").write_text("")
    assert _crowded_folders(tmp_path) == [f"room: {MAX_MODULES + 1} modules"]


def test_no_two_modules_outside_cli_share_a_file_name(root, tmp_path):
    shared = _shared_file_names(root / "chainrule")
    assert not shared, "\n".join(shared)
    for folder in ("cli", "core", "viz", "web"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "__init__.py").write_text("")
    for path in ("cli/plot.py", "viz/plot.py", "core/lines.py", "web/lines.py"):
        (tmp_path / path).write_text("")
    assert _shared_file_names(tmp_path) == ["lines.py: core/lines.py, web/lines.py"]  # cli/plot.py is cli's


@pytest.mark.parametrize("module", ["chainrule.core.network", "chainrule.core.activations", "chainrule.core.losses"])
def test_core_loads_nothing_but_numpy(module):
    import subprocess
    import sys

    code = (
        f"import sys, {module}; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('torch', 'sklearn', 'matplotlib', 'fastapi', 'tqdm', 'scipy', 'pandas')]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


MAX_FUNCTION_LINES = 60


def _long_functions(package) -> list[str]:
    """Functions (methods included) longer than MAX_FUNCTION_LINES, from ``def`` to their last line."""
    found = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    found.append(f"{path.relative_to(package.parent)}:{node.lineno} {node.name} ({lines} lines)")
    return found


def test_no_function_is_longer_than_sixty_lines(root):
    long = _long_functions(root / "chainrule")
    assert not long, "split these into functions that read like the steps they take:\n" + "\n".join(long)


def test_the_length_check_sees_a_long_function(tmp_path):
    package = tmp_path / "chainrule"
    package.mkdir()
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES))
    (package / "long.py").write_text(f"def long():\n{body}")
    (package / "short.py").write_text("def short():\n    return 1\n")
    assert [line.split(" ")[1] for line in _long_functions(package)] == ["long"]
