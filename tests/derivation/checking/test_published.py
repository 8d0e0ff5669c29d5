"""Published worked examples from sources other than the seeds, every number they print, checked.

For each source in tests/support/published_examples/ (its address in the .json), ``chainrule check`` reads the
sheet in the source's own names and must:

* name every published number (a line marked ``# n/e`` names nothing this network computes, and
  must be refused as unknown or unreadable — never judged);
* read each name as the hand-written meaning beside it says;
* give the same verdict as an independent computation: PyTorch float64 autograd for the exact
  value (tests/support/published.py), the marking rule written out again, and follow-through
  marking written out again (tests/support/follow_oracle.py: each quantity's formula in plain
  Python, the sheet's earlier lines in place of its inputs) — ok, carried (from the same lines), wrong;
* never call "ok" a value written with fewer than two significant digits unless it is exact.
"""

import math
import re
from decimal import Decimal

import pytest

import chainrule

from support.tiers import need  # noqa: E402  (test tiers: skip with a reason when missing)

need("torch", "PyTorch is the independent oracle")

from support.follow_oracle import mark
from support.published import after, evaluate, gradient_check, independent_verdict, load, meanings, names, oracle

SOURCES = names()


def test_at_least_fourteen_sources_with_addresses():
    """Nine from before and five added with follow-through marking: among them a run of 10,000 full-batch
    updates (trask-basic-network), a gradient check (saito-gradient-check), a one-step full batch
    (or-gate-batch), weights numbered by sending unit and a 3-output softmax (cs231n-two-layer)."""
    assert len(SOURCES) >= 14
    assert {"trask-basic-network", "saito-gradient-check", "or-gate-batch", "cs231n-two-layer"} <= set(SOURCES)
    for name in SOURCES:
        meta, sheet = load(name)
        assert len(meta["source"]) > 40 and meaning_lines(sheet) >= 10, name


def meaning_lines(sheet):
    return len(meanings(sheet))


def _flat(text):
    return text.replace(" ", "").replace("(", "").replace(")", "")


@pytest.mark.parametrize("name", SOURCES)
def test_every_published_number_is_named_and_judged_as_an_independent_computation(name):
    meta, sheet = load(name)
    result = chainrule.check(sheet, meta["network"], notation=meta["notation"])
    meaning = meanings(sheet)
    values = _oracle_values(meta["network"], meaning.values())
    assert len(result.verdicts) == len(meaning), "every line has its meaning written beside it"
    lines = [(v.line, meaning[v.line], v.given_text) for v in result.verdicts]
    marks = mark(lines, meta["network"], values, evaluate)
    for v in result.verdicts:
        want = meaning[v.line]
        where = f"{name} line {v.line}: {v.name} = {v.given_text}"
        if want == "n/e":
            assert v.kind in ("unknown", "unreadable"), where
            continue
        assert v.kind != "unknown", f"{where}: {v.hint}"
        assert _flat(v.canonical) == _flat(want), where
        exact = evaluate(want, values)
        # a central difference divides float64's rounding of E_total by 2 eps: agreement to 1e-9, not 1e-12
        tolerance = dict(rel=1e-9, abs=1e-12) if "numgrad" in want or "relerr" in want else dict(rel=1e-12, abs=1e-15)
        assert v.expected == pytest.approx(exact, **tolerance), where
        carried_from = v.carried_from if v.kind == "carried" else ()
        assert (v.kind, carried_from) == marks[v.line], f"{where}: {v.kind}, exact {exact!r}"
        if v.kind in ("ok", "too_few_digits") and not v.follow_through:
            assert v.kind == independent_verdict(v.given_text, exact), where
        digits = len("".join(map(str, Decimal(v.given_text).as_tuple().digits)).lstrip("0"))
        if digits < 2 and v.ok:
            assert math.isclose(float(Decimal(v.given_text)), exact, rel_tol=0, abs_tol=1e-12), where


def _oracle_values(spec, meanings):
    """The oracle's values of every name the meanings use: the step's, after N updates, a gradient check's."""
    values = oracle(spec)
    for n in sorted({int(m) for meaning in meanings for m in re.findall(r"@(\d+)", meaning)}):
        values.update(after(spec, n))
    for kind, parameter, eps in {
        m for meaning in meanings for m in re.findall(r"(numgrad|relerr)\((\w+),([^()]+)\)", meaning)
    }:
        values[f"{kind}({parameter},{eps})"] = gradient_check(spec, kind, parameter, float(eps))
    return values


def test_a_book_notation_is_detected_on_a_published_sheet():
    meta, sheet = load("han-kamber")
    result = chainrule.check(sheet, meta["network"])  # no notation given
    assert result.notation == "han-kamber" and "detected" in result.notation_note
