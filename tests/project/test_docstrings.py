"""Every public name (``chainrule.__all__``) has a numpydoc docstring a newcomer can learn from:
Parameters, Returns, Raises and Examples where they apply, every public method documented, no raw
Sphinx role (the reference renders Markdown), and the Examples run as written."""

import doctest
import inspect
import re

import pytest

import chainrule

from support.tiers import need  # test tiers: skip with a reason when missing (never under CI=true)

PUBLIC = [name for name in chainrule.__all__ if not name.startswith("__")]
ROLE = re.compile(r":(?:class|func|meth|attr|mod|exc|data|obj|py:\w+):`|`~chainrule\.")
NEEDS = {"to_torch": "torch", "from_torch": "torch", "widget": "anywidget"}  # the extra a name's example needs


def _sections(doc: str) -> set[str]:
    return set(re.findall(r"^(\w[\w ]*)\n-{3,}$", doc, re.M))


def _object(name: str):
    if name in NEEDS:
        need(NEEDS[name], f"{name}'s example needs it")
    return getattr(chainrule, name)


def _parameters(function) -> list[str]:
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return []
    return [p for p in signature.parameters if p not in ("self", "cls")]


@pytest.mark.parametrize("name", PUBLIC)
def test_a_public_name_has_the_numpydoc_sections_that_apply(name):
    obj = _object(name)
    doc = inspect.getdoc(obj) or ""
    sections = _sections(doc)
    assert doc.split("\n", 1)[0].strip(), f"{name}: no summary line"
    assert "Examples" in sections, f"{name}: no Examples section"
    if inspect.isclass(obj) and issubclass(obj, BaseException):
        return
    if _parameters(obj.__init__ if inspect.isclass(obj) else obj):
        assert "Parameters" in sections, f"{name}: no Parameters section"
    if not inspect.isclass(obj):
        assert "Returns" in sections, f"{name}: no Returns section"
    assert "Raises" in sections, f"{name}: no Raises section (which error, when)"


def _public_methods(cls):
    for attribute, value in vars(cls).items():
        if attribute.startswith("_") or not (callable(value) or isinstance(value, (property, classmethod))):
            continue
        yield attribute, value


@pytest.mark.parametrize("name", [n for n in PUBLIC if inspect.isclass(getattr(chainrule, n, None))])
def test_every_public_method_and_property_of_a_public_class_is_documented(name):
    cls = _object(name)
    undocumented = [attribute for attribute, value in _public_methods(cls) if not inspect.getdoc(value)]
    assert not undocumented, f"{name}: {undocumented} have no docstring"


@pytest.mark.parametrize("name", PUBLIC)
def test_no_raw_sphinx_role_reaches_the_reference(name):
    obj = _object(name)
    docs = [inspect.getdoc(obj) or ""]
    if inspect.isclass(obj):
        docs += [inspect.getdoc(value) or "" for _, value in _public_methods(obj)]
    found = [m.group(0) for doc in docs for m in ROLE.finditer(doc)]
    assert not found, f"{name}: {found} would show literally on the reference page"


@pytest.mark.parametrize("name", PUBLIC)
def test_the_examples_run_as_written(name, tmp_path, monkeypatch):
    need("sklearn", "the examples load scikit-learn's bundled datasets")
    obj = _object(name)
    monkeypatch.chdir(tmp_path)  # an example that writes a file writes it here
    finder = doctest.DocTestFinder(recurse=inspect.isclass(obj))
    tests = [t for t in finder.find(obj, name, globs={"chainrule": chainrule}) if t.examples]
    assert tests, f"{name}: no example to run"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in tests:
        runner.run(test)
    assert runner.failures == 0, f"{name}: {runner.failures} of {runner.tries} example lines failed (see the output)"
