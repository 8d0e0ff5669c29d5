"""Every ```bash and ```python block in README.md and docs/ runs as written (the snippet rule).

Each page runs in its own copy of the repository, with the ``chainrule`` of the Python running the
tests first on PATH; a block marked ``<!-- snippet: skip (reason) -->`` is skipped with its reason.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import snippets
from support.tiers import need  # test tiers: skip with a reason when missing (never under CI=true)

need("sklearn", "the snippets use scikit-learn's bundled datasets")
need("matplotlib", "the snippets draw plots")

from support.paths import ROOT

PAGES = snippets.pages(ROOT)
WITH_BLOCKS = [p for p in PAGES if any(b.skip is None for b in snippets.blocks(p, ROOT))]  # the rest: nothing to run
SKIPPABLE = re.compile(r"\b(server|install|benchmark)", re.I)
IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "site",
    ".cache",
    "__pycache__",
    "*.egg-info",
    ".hypothesis",
    ".pytest_cache",
    "build",
    "dist",
    "out",
)


def repository_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(ROOT, copy, ignore=IGNORE)
    return copy


def environment(tmp_path: Path) -> dict:
    """PATH starts with a ``chainrule`` that runs this interpreter on this source tree."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    launcher = bin_dir / "chainrule"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m chainrule "$@"\n')
    launcher.chmod(0o755)
    (bin_dir / "python").symlink_to(sys.executable)
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["MPLBACKEND"] = "Agg"
    env.pop("CHAINRULE_SCREENSHOTS", None)
    return env


def test_every_page_has_been_found_and_skips_give_reasons():
    names = {str(p.relative_to(ROOT)) for p in PAGES}
    assert {"README.md", "docs/index.md", "docs/getting-started.md", "docs/training.md"} <= names
    found = [b for p in PAGES for b in snippets.blocks(p, ROOT)]  # raises on a skip without a reason
    assert sum(b.skip is None for b in found) >= 10
    assert all(b.skip.strip() for b in found if b.skip is not None)
    # only a server, an install or a benchmark may be skipped; everything else runs
    odd = [f"{b.where}: {b.skip}" for b in found if b.skip is not None and not SKIPPABLE.search(b.skip)]
    assert not odd, f"skipped blocks that are no server, install or benchmark: {odd}"


def test_a_skip_marker_applies_to_the_next_block_only(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "<!-- snippet: skip (a server) -->\n```bash\nchainrule serve\n```\n\n"
        "```bash\nchainrule example\n```\n\n```text\nnot run\n```\n"
    )
    found = snippets.blocks(page, tmp_path)
    assert [(b.line, b.skip) for b in found] == [(2, "a server"), (6, None)]
    page.write_text("<!-- snippet: skip -->\n```python\nprint(1)\n```\n")
    with pytest.raises(ValueError, match="needs its reason"):
        snippets.blocks(page, tmp_path)


@pytest.mark.slow
@pytest.mark.subprocess
@pytest.mark.parametrize("page", WITH_BLOCKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_snippets_run_as_written(page, tmp_path):
    run = [b for b in snippets.blocks(page, ROOT) if b.skip is None]
    copy = repository_copy(tmp_path)
    spec = tmp_path / "blocks.json"
    spec.write_text(json.dumps([{"where": b.where, "lang": b.lang, "code": b.code} for b in run]))
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "support" / "run_snippets.py"), str(spec)],
        cwd=copy,
        env=environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    assert done.stdout.count("--- ") == len(run)
