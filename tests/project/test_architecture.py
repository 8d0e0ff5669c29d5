"""DESIGN.md's rule: imports point down the list core → training → derivation → data/io → interop →
viz/web → cli (the API facade and the package root sit on top).  Checked on the source."""

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
