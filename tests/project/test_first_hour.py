"""A stranger's first hour: ``pip install chainrule`` and every page of the docs.

The wheel is built, then installed into a new virtual environment that sees nothing of this
machine's packages (pip fetches the dependencies from the package index), with the extras the
blocks need; every ``bash`` and ``python`` block of the README and of docs/ then runs as written,
page by page, each page from its own empty folder outside the repository (a page's blocks in
order, its python blocks sharing one namespace; only servers, installs and benchmarks are marked
to be skipped). A second environment, holding only the wheel and NumPy (what the README's set-up
installs), runs the README's commands and Python block, and must be safe to introspect:
``help(chainrule)``, a star import, ``hasattr(chainrule, "widget")``, ``inspect.getmembers(chainrule)``.

PyTorch is asked for by version (the test extra's pin, ``torch==2.13.0``), so that an index that
holds the CPU-only build (PyTorch's own, or a local one) gives that; the docs tell users to
install it from https://download.pytorch.org/whl/cpu first. Without the package index the test
skips with the reason (never under ``CI=true``). On the 2-core development machine the user
environment takes about a minute and a half to install, and the pages a few minutes to run.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

import chainrule

from support import snippets
from support.paths import ROOT
from support.tiers import CI, need

pytestmark = [pytest.mark.slow, pytest.mark.subprocess]

RUNNABLE = {page: [b for b in snippets.blocks(page, ROOT) if b.skip is None] for page in snippets.pages(ROOT)}
PAGES = [page for page, blocks in RUNNABLE.items() if blocks]  # the others hold no bash or python block to run
# What the blocks need, and nothing else: plot (chainrule plot, the figures), sklearn (iris, digits,
# the estimators), dask (scaling-out.md), torch (to_torch, from_torch), onnx (skl2onnx's to_onnx run
# in onnxruntime), widget (the widget and the
# page's HTTP API through FastAPI's test client). web (uvicorn) and progress only serve what no
# block runs: a server, and a bar drawn on a terminal.
EXTRAS = "plot,sklearn,dask,torch,onnx,widget"
TORCH = "torch==2.13.0"
OFFLINE = re.compile(r"NewConnectionError|Temporary failure in name resolution|Network is unreachable|ConnectionError")


def _env(env_dir: Path) -> dict:
    """The environment of a user's shell in which ``env_dir`` is active, and nothing of the tests'."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "MPLBACKEND")}
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["MPLBACKEND"] = "Agg"  # no display: plt.show() draws nowhere
    return env


def _fresh_environment(env_dir: Path, *requirements: str) -> Path:
    """A new virtual environment (no system site packages) with ``requirements`` installed by pip."""
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    python = env_dir / "bin" / "python"
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", *requirements],
        capture_output=True,
        text=True,
        timeout=1800,
        env=_env(env_dir),
    )
    if done.returncode != 0 and OFFLINE.search(done.stdout + done.stderr) and not CI:
        pytest.skip("needs the package index to install the wheel's dependencies (pip could not reach it)")
    assert done.returncode == 0, done.stderr[-4000:]
    return python


def test_the_pages_hold_the_blocks_a_stranger_runs():
    assert {"README.md", "docs/getting-started.md", "docs/training.md"} <= {str(p.relative_to(ROOT)) for p in PAGES}
    assert sum(len(RUNNABLE[page]) for page in PAGES) >= 40


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    need("build.__main__", "the first-hour test builds the wheel")  # not a build/ folder in the current directory
    dist = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert built.returncode == 0, built.stderr[-4000:]
    (found,) = dist.glob("*.whl")
    return found


@pytest.fixture(scope="module")
def user_env(wheel, tmp_path_factory) -> Path:
    env_dir = tmp_path_factory.mktemp("user-env")
    _fresh_environment(env_dir, f"{wheel}[{EXTRAS}]", TORCH)
    return env_dir


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_block_runs_from_an_empty_folder_with_the_installed_wheel(page, user_env, tmp_path):
    run = RUNNABLE[page]
    folder = tmp_path / "empty"
    folder.mkdir()
    env = _env(user_env)
    where = subprocess.run(
        ["python", "-c", "import chainrule, shutil; print(chainrule.__file__, shutil.which('chainrule'))"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(p.startswith(str(user_env)) for p in where), where  # the wheel's, not this source tree's
    done = _run_blocks(run, folder, user_env, tmp_path)
    assert done.returncode == 0, f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    assert done.stdout.count("--- ") == len(run)


INTROSPECT = """
import contextlib, inspect, io, sys
import chainrule
assert chainrule.__file__.startswith(sys.prefix), chainrule.__file__
with contextlib.redirect_stdout(io.StringIO()) as text:
    help(chainrule)
namespace = {}
exec("from chainrule import *", namespace)
assert set(chainrule.__all__) <= set(namespace), set(chainrule.__all__) - set(namespace)
assert hasattr(chainrule, "widget")
members = dict(inspect.getmembers(chainrule))
assert set(chainrule.__all__) <= set(members)
try:
    chainrule.widget()
except chainrule.ConfigError as error:
    print(error)
print(len(text.getvalue().splitlines()), "lines of help")
"""


@pytest.fixture(scope="module")
def numpy_only_env(wheel, tmp_path_factory) -> Path:
    env_dir = tmp_path_factory.mktemp("numpy-only")
    _fresh_environment(env_dir, str(wheel))
    return env_dir


def _run_blocks(blocks, folder: Path, env_dir: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run ``blocks`` in order in ``folder`` with the environment's Python, as run_snippets.py does."""
    runner = tmp_path / "run_snippets.py"  # the runner too comes from outside the repository
    shutil.copy(ROOT / "tests" / "support" / "run_snippets.py", runner)
    spec = tmp_path / "blocks.json"
    spec.write_text(json.dumps([{"where": b.where, "lang": b.lang, "code": b.code} for b in blocks]))
    return subprocess.run(
        ["python", str(runner), str(spec)], cwd=folder, env=_env(env_dir), capture_output=True, text=True, timeout=900
    )


def test_the_readme_works_for_someone_who_installed_only_numpy(numpy_only_env, tmp_path):
    """The README's set-up installs the package alone: its commands and Python block run with that;
    the one block that says it needs the plot extra says so in one line when it is missing."""
    blocks = RUNNABLE[ROOT / "README.md"]
    plot = [b for b in blocks if "chainrule plot" in b.code]
    assert len(plot) == 1 and len(blocks) >= 3
    folder = tmp_path / "empty"
    folder.mkdir()
    done = _run_blocks([b for b in blocks if b not in plot], folder, numpy_only_env, tmp_path)
    assert done.returncode == 0, f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    assert {"step.html", "net.svg", "iris.json", "circles-model.json"} <= {p.name for p in folder.iterdir()}
    missing = _run_blocks(plot, folder, numpy_only_env, tmp_path)
    assert missing.returncode == 1 and "needs matplotlib: pip install 'chainrule[plot]'" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_a_numpy_only_install_can_be_introspected(numpy_only_env, tmp_path):
    env_dir = numpy_only_env
    python = env_dir / "bin" / "python"
    listed = subprocess.run([str(python), "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True)
    names = {line.split("==")[0].lower() for line in listed.stdout.split()}
    assert names - {"pip", "setuptools", "wheel"} == {"chainrule", "numpy"}, names
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    done = subprocess.run(
        [str(python), "-c", INTROSPECT], cwd=outside, env=_env(env_dir), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-4000:]
    lines = done.stdout.strip().splitlines()
    assert lines[0].endswith("pip install 'chainrule[widget]'"), lines
    assert int(lines[1].split()[0]) > 100  # help() wrote the package's documentation
    assert chainrule.__version__  # the version the wheel was built with
