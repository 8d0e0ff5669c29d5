"""A release a stranger can install: ``python -m build`` makes an sdist and a wheel, ``twine check``
passes, and the wheel installed into a fresh virtual environment runs ``chainrule example`` from
there — not from this source tree."""

import os
import re
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

import chainrule

from support.paths import ROOT
from support.tiers import need  # test tiers: skip with a reason when missing (never under CI=true)


def run(args, **kwargs):
    done = subprocess.run(args, capture_output=True, text=True, timeout=900, **kwargs)
    assert done.returncode == 0, f"{' '.join(map(str, args))}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def test_the_version_is_in_one_place():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject and 'attr = "chainrule.__version__"' in pyproject
    project = pyproject.split("[project]", 1)[1].split("\n[", 1)[0]
    assert not re.search(r"(?m)^version\s*=", project)
    assert re.fullmatch(r"\d+\.\d+\.\d+", chainrule.__version__)
    assert f"## {chainrule.__version__}" in (ROOT / "CHANGELOG.md").read_text()
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


@pytest.mark.slow
@pytest.mark.subprocess
def test_built_wheel_installs_and_runs_the_example_in_a_fresh_environment(tmp_path):
    need("build", "the release test needs build")
    need("twine", "the release test needs twine")
    dist = tmp_path / "dist"
    # --no-isolation: the build backend (setuptools) of this environment, no download during the test
    built = run(
        [sys.executable, "-m", "build", "--sdist", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)]
    )
    assert "deprecated" not in (built.stdout + built.stderr).lower(), "the build warns: see its output"
    wheels, sdists = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    assert [w.name for w in wheels] == [f"chainrule-{chainrule.__version__}-py3-none-any.whl"]
    assert [s.name for s in sdists] == [f"chainrule-{chainrule.__version__}.tar.gz"]
    run([sys.executable, "-m", "twine", "check", "--strict", *map(str, wheels + sdists)])

    names = zipfile.ZipFile(wheels[0]).namelist()
    assert "chainrule/core/network.py" in names and any(n.startswith("chainrule/web/static/") for n in names)
    examples = sorted(p.name for p in (ROOT / "chainrule" / "examples").iterdir())
    assert [n.removeprefix("chainrule/examples/") for n in names if n.startswith("chainrule/examples/")] == examples
    assert not any(n.startswith(("tests/", "bench/", "docs/")) for n in names)
    assert any(n.endswith("licenses/LICENSE") or n.endswith("/LICENSE") for n in names)
    metadata = zipfile.ZipFile(wheels[0]).read(f"chainrule-{chainrule.__version__}.dist-info/METADATA").decode()
    assert re.search(r"(?m)^Requires-Dist: numpy>=", metadata)
    assert re.search(r"(?m)^Requires-Dist: torch.*extra == .test.", metadata)
    assert re.search(r"(?m)^License-Expression: MIT$", metadata)  # PEP 639: an SPDX expression
    assert not re.search(r"(?m)^Classifier: License ::", metadata)  # and no license classifier beside it
    with tarfile.open(sdists[0]) as sdist:
        assert any(n.endswith("/LICENSE") for n in sdist.getnames())
        assert any(n.endswith("/chainrule/examples/net.json") for n in sdist.getnames())

    # a fresh environment that sees this machine's NumPy (the only dependency) and nothing else of it
    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    python = env_dir / "bin" / "python"
    numpy_dir = Path(__import__("numpy").__file__).parent.parent
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "-q", str(wheels[0])],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    numpy_path = outside / "numpy_only"
    numpy_path.mkdir()
    (numpy_path / "numpy").symlink_to(numpy_dir / "numpy")
    for libs in numpy_dir.glob("numpy.libs"):
        (numpy_path / "numpy.libs").symlink_to(libs)
    env["PYTHONPATH"] = str(numpy_path)
    where = run([str(python), "-c", "import chainrule; print(chainrule.__file__)"], cwd=outside, env=env)
    assert where.stdout.strip().startswith(str(env_dir)), where.stdout
    example = run([str(env_dir / "bin" / "chainrule"), "example"], cwd=outside, env=env)
    assert "w5+ = w5 - eta * dE_total/dw5 = 0.4 - 0.5 * 0.082167041 = 0.358916480" in example.stdout
    assert "E_total@10000 = 0.0000351019" in example.stdout
    version = run([str(env_dir / "bin" / "chainrule"), "--version"], cwd=outside, env=env)
    assert chainrule.__version__ in version.stdout
    run([str(env_dir / "bin" / "chainrule"), "examples"], cwd=outside, env=env)  # the README's files, from the wheel
    explained = run(
        [str(env_dir / "bin" / "chainrule"), "explain", "examples/net.json", "--only", "w5"], cwd=outside, env=env
    )
    assert "0.358916480" in explained.stdout
