"""The documentation site builds in strict mode (a broken link or a missing reference fails), the
built site has no dead link (notebooks included) and no raw Sphinx role, the tutorial notebooks run
from top to bottom and show their figures, and the pages read as user docs (no issue numbers or
commit hashes; the lists of data sets agree)."""

import json
import os
import posixpath
import re
import subprocess
import sys
from html.parser import HTMLParser
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
    assert dead_links(site) == []
    roles = {
        str(page.relative_to(site)): found
        for page in (site / "reference").rglob("*.html")
        if (found := ROLE.findall(page.read_text()))
    }
    assert roles == {}, f"raw Sphinx roles on the reference pages: {roles}"


ROLE = re.compile(r":(?:class|func|meth|attr|mod|exc|data|obj):`?|~chainrule\.")


class _Links(HTMLParser):
    """The relative links (href, src) of one HTML page and the ids it defines."""

    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.ids.update(v for k, v in attrs.items() if k == "id" or (tag == "a" and k == "name"))
        for key in ("href", "src"):
            value = attrs.get(key)
            if value and not re.match(r"^([a-z][a-z0-9+.-]*:|//)", value):
                self.links.append(value)


def dead_links(site: Path) -> list[str]:
    """``page: link`` for each relative link of the built site whose file (or anchor) is missing."""
    pages = {}
    for page in site.rglob("*.html"):
        parser = _Links()
        parser.feed(page.read_text(errors="replace"))
        pages[page] = parser
    dead = []
    for page, parser in pages.items():
        for link in parser.links:
            path, _, anchor = link.partition("#")
            path = path.split("?")[0]
            base = site if path.startswith("/") else page.parent  # 404.html links from the site's root
            target = page if not path else Path(posixpath.normpath(base / path.lstrip("/")))
            if path.endswith("/") or target.is_dir():
                target = target / "index.html"
            if not target.exists():
                dead.append(f"{page.relative_to(site)}: {link}")
            elif anchor and target in pages and anchor not in pages[target].ids:
                dead.append(f"{page.relative_to(site)}: {link} (no such anchor)")
    return sorted(set(dead))


def test_the_dead_link_check_sees_a_dead_link_and_a_missing_anchor(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text(
        '<a href="a/">ok</a><a href="a/#x">ok</a><img src="b.png"><a href="a/#y">no</a><a href="https://x.org/">ok</a>'
    )
    (tmp_path / "a" / "index.html").write_text('<h2 id="x">x</h2><a href="../index.html">ok</a>')
    assert dead_links(tmp_path) == ["index.html: a/#y (no such anchor)", "index.html: b.png"]


def test_the_pages_link_their_pictures_so_github_shows_them_too():
    """A picture is linked by its path from the page's own folder (the site's hook rewrites raw HTML)."""
    for page in (ROOT / "docs").rglob("*.md"):
        for src in re.findall(r'<img src="([^"]+)"', page.read_text()):
            assert (page.parent / src).is_file(), f"{page.relative_to(ROOT)}: {src}"


ISSUE = re.compile(
    r"\bissues? #?\d+|\bcommit [0-9a-f]{7,40}\b|(?<![\w.])(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{7,40}\b(?![.+-])"
)


def test_the_docs_cite_no_issue_numbers_or_commit_hashes():
    """User docs, not a lab notebook: the CHANGELOG may cite issues and commits, the docs do not."""
    found = []
    for page in sorted((ROOT / "docs").rglob("*")):
        if page.suffix in (".md", ".ipynb"):
            found += [f"{page.relative_to(ROOT)}: {m.group(0)}" for m in ISSUE.finditer(page.read_text())]
    assert not found, found
    assert len(ISSUE.findall("as issue 11 says, since 77e7be1; commit 48804a1")) == 3
    assert not ISSUE.findall("w5+ = 0.358916480, 3.510855e-05, ab12cd3e-05")


def test_the_lists_of_data_sets_agree():
    """training.md, train --help, load_dataset's docstring and TrainingRun's name every built-in set."""
    import chainrule
    from chainrule.cli import build_parser
    from chainrule.data.datasets import builtin_names

    sub = next(a for a in build_parser("train")._actions if a.dest == "command").choices["train"]
    data_help = next(a.help for a in sub._actions if a.dest == "data")
    training = (ROOT / "docs" / "training.md").read_text().split("**Data.**", 1)[1].split("\n\n", 1)[0]
    for where, text in {
        "train --help": data_help,
        "load_dataset": chainrule.load_dataset.__doc__,
        "TrainingRun": chainrule.TrainingRun.__doc__,
        "docs/training.md": training,
    }.items():
        missing = [name for name in builtin_names() if not re.search(rf"\b{name}\b", text)]
        assert not missing, f"{where} does not name {missing}"


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
def test_notebook_runs(notebook, tmp_path, monkeypatch):
    nbformat = need("nbformat", "the notebooks need nbformat")
    nbclient = need("nbclient", "the notebooks need nbclient")
    need("ipykernel", "the notebooks need ipykernel")
    need("sklearn", "the notebooks use scikit-learn's bundled datasets")
    need("matplotlib", "the notebooks draw plots")
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's own inline backend, as in Jupyter
    book = nbformat.read(notebook, as_version=4)
    assert not any(c.get("outputs") for c in book.cells if c.cell_type == "code"), "store notebooks without outputs"
    client = nbclient.NotebookClient(
        book, timeout=600, kernel_name="python3", allow_errors=False, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, when one fails
    assert all(c.get("execution_count") for c in book.cells if c.cell_type == "code")
    # a cell that draws a figure shows it (in Jupyter, and on the site that executes the notebook)
    for cell in book.cells:
        if cell.cell_type == "code" and re.search(r"plt\.(subplots|figure)\(", cell.source):
            shown = [o for o in cell.outputs if "image/png" in o.get("data", {})]
            assert shown, f"{notebook.name}: a cell draws a figure and shows none:\n{cell.source[:200]}"


def test_no_notebook_hides_its_figures():
    """The Agg backend draws nothing in Jupyter (nor on the site): no notebook selects it."""
    for notebook in NOTEBOOKS:
        sources = ["".join(c["source"]) for c in json.loads(notebook.read_text())["cells"]]
        assert not any(re.search(r"""use\(["']agg""", s, re.I) for s in sources), notebook.name
