"""A stranger's install has only NumPy: every feature that needs an extra says which, in one line.

Each case runs in a fresh interpreter where the extra's package cannot be imported (its entry in
``sys.modules`` is None, which makes ``import`` raise ImportError, as when it is not installed).
"""

import subprocess
import sys

import pytest

from support.paths import ROOT

CLI = "from chainrule.cli import main; sys.exit(main({argv!r}))"
LIB = (
    "from chainrule.errors import ChainruleError\n"
    "try:\n    {code}\nexcept ChainruleError as exc:\n    print(type(exc).__name__, exc, file=sys.stderr); sys.exit(2)"
)

CASES = [  # (what is missing, the program, the extra its message must name)
    (
        "matplotlib",
        CLI.format(argv=["diagram", str(ROOT / "chainrule" / "examples" / "net.json"), "-o", "{tmp}/net.png"]),
        "plot",
    ),
    ("matplotlib", CLI.format(argv=["plot", "{tmp}/history.json", "-o", "{tmp}/loss.svg"]), "plot"),
    ("uvicorn", CLI.format(argv=["serve", "--port", "0"]), "web"),
    ("fastapi", CLI.format(argv=["serve", "--port", "0"]), "web"),
    ("sklearn", CLI.format(argv=["train", "--data", "digits", "--layers", "64,8,10", "--epochs", "1"]), "sklearn"),
    ("anywidget", LIB.format(code="import chainrule; chainrule.widget()"), "widget"),
    ("fastapi", LIB.format(code="import chainrule; chainrule.widget()"), "widget"),
    ("torch", LIB.format(code="import chainrule; chainrule.to_torch(chainrule.seed_network())"), "torch"),
    ("sklearn", LIB.format(code="from chainrule.interop.sklearn import MLPClassifier"), "sklearn"),
]


@pytest.mark.parametrize("missing, program, extra", CASES, ids=[f"{m}-{e}-{i}" for i, (m, _, e) in enumerate(CASES)])
def test_a_missing_extra_is_one_line_naming_it(tmp_path, missing, program, extra):
    (tmp_path / "history.json").write_text('{"unit": "epoch", "loss": [1.0, 0.5]}')
    program = program.replace("{tmp}", str(tmp_path))
    code = f"import sys\nsys.modules[{missing!r}] = None\n{program}"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert f"pip install 'chainrule[{extra}]'" in lines[0]
    assert not (tmp_path / "net.png").exists() and not (tmp_path / "loss.svg").exists()


INTROSPECT = """
import contextlib, inspect, io, sys
for name in ("anywidget", "fastapi", "torch", "sklearn", "matplotlib"):
    sys.modules[name] = None
import chainrule
with contextlib.redirect_stdout(io.StringIO()) as text:
    help(chainrule)
assert "widget" in text.getvalue()
namespace = {}
exec("from chainrule import *", namespace)
assert set(chainrule.__all__) <= set(namespace)
assert hasattr(chainrule, "widget") and callable(chainrule.widget)
members = dict(inspect.getmembers(chainrule))
assert set(chainrule.__all__) <= set(members)
try:
    chainrule.widget()
except chainrule.ConfigError as error:
    print(error)
"""


def test_the_package_can_be_introspected_without_the_extras():
    """help(), a star import, hasattr and inspect.getmembers work on a NumPy-only install; the
    widget, whose module needs its extra, says which when it is called."""
    proc = subprocess.run([sys.executable, "-c", INTROSPECT], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("pip install 'chainrule[widget]'"), proc.stdout
