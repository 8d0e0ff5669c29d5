"""The documentation site builds in strict mode (a broken link or a missing reference fails), and
the tutorial notebooks run from top to bottom."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.paths import ROOT
from support.tiers import need  # test tiers: skip with a reason when missing (never under CI=true)

NOTEBOOKS = sorted((ROOT / "docs" / "notebooks").glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.subprocess
def test_mkdocs_build_strict(tmp_path):
    for module in ("mkdocs", "material", "mkdocstrings_handlers.python", "mkdocs_jupyter"):
        need(module, "the docs build needs the docs tools")
    env = dict(os.environ, CHAINRULE_DOCS_EXECUTE="false", NO_MKDOCS_2_WARNING="1")  # the notebooks run below
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    # nbconvert's templates, where a virtual environment that sees the system's packages finds them
    shared = [str(Path(prefix) / "share" / "jupyter") for prefix in (sys.prefix, sys.base_prefix)]
    env["JUPYTER_PATH"] = os.pathsep.join([*filter(None, [env.get("JUPYTER_PATH")]), *shared])
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-6000:]
    for page in (
        "index.html",
        "getting-started/index.html",
        "worked-example/index.html",
        "training/index.html",
        "reference/index.html",
        "notebooks/seed-step-by-step/index.html",
    ):
        assert (site / page).is_file(), page
    # the reference is generated from the docstrings of the public names
    core = (site / "reference" / "core" / "index.html").read_text()
    assert "apply_gradients" in core and "seed_network" in core


def test_every_page_of_the_docs_folder_is_in_the_nav():
    yaml = (ROOT / "mkdocs.yml").read_text()
    docs = ROOT / "docs"
    pages = [p.relative_to(docs).as_posix() for p in docs.rglob("*") if p.suffix in (".md", ".ipynb")]
    missing = [p for p in pages if f": {p}" not in yaml]
    assert not missing, f"pages not in mkdocs.yml's nav: {missing}"
    assert len(NOTEBOOKS) >= 3


@pytest.mark.slow
@pytest.mark.subprocess
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(notebook, tmp_path):
    nbformat = need("nbformat", "the notebooks need nbformat")
    nbclient = need("nbclient", "the notebooks need nbclient")
    need("ipykernel", "the notebooks need ipykernel")
    need("sklearn", "the notebooks use scikit-learn's bundled datasets")
    need("matplotlib", "the notebooks draw plots")
    book = nbformat.read(notebook, as_version=4)
    assert not any(c.get("outputs") for c in book.cells if c.cell_type == "code"), "store notebooks without outputs"
    client = nbclient.NotebookClient(
        book, timeout=600, kernel_name="python3", allow_errors=False, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, when one fails
    assert all(c.get("execution_count") for c in book.cells if c.cell_type == "code")
