"""A teacher's choices of an exercise (Shape): each does what it says, the sheet's names read back in
their notation, the answer key passes its own check, and a bad choice is one ConfigError line."""

import re

import pytest

import chainrule
from chainrule.derivation.exercises.exercise import Shape, make_exercise
from chainrule.derivation.notation.profiles import PROFILES
from chainrule.errors import ConfigError


def _filled(ex, decimals=9):
    """The sheet filled in from the engine's exact values (after N updates: the check's own value)."""
    key = chainrule.explain(ex.spec).values
    lines = []
    for name in ex.asked:
        value = key[name] if name in key else chainrule.check(f"{name} = 0\n", ex.spec).verdicts[0].expected
        lines.append(f"{ex.written(name)} = {value:.{decimals}f}")
    return "\n".join(lines) + "\n"


def test_a_default_shape_draws_what_no_shape_draws():
    for seed in range(12):
        assert make_exercise(seed, shape=Shape()).files() == chainrule.exercise(seed).files()


@pytest.mark.parametrize("seed", range(6))
def test_each_choice_is_kept(seed):
    ex = make_exercise(seed, shape=Shape(hidden_layers=(2, 2), neurons=(4, 4), activations=("tanh",), loss="mse"))
    assert len(ex.spec["layers"]) == 4 and ex.spec["layers"][1:3] == [4, 4]
    assert ex.spec["activation"][:2] == ["tanh", "tanh"] and ex.spec["activation"][2] in ("sigmoid", "identity")
    assert ex.spec["loss"] == "mse"
    ce = make_exercise(seed, shape=Shape(loss="cross_entropy", hidden_layers=(1, 3), neurons=(1, 2)))
    assert ce.spec["activation"][-1] == "softmax" and 3 <= len(ce.spec["layers"]) <= 5
    assert all(1 <= n <= 2 for n in ce.spec["layers"][1:-1])
    drawn = {make_exercise(s, shape=Shape(activations=("relu", "leaky_relu"))).spec["activation"][0] for s in range(30)}
    assert drawn == {"relu", "leaky_relu"}


def test_what_is_asked():
    forward = make_exercise(3, shape=Shape(quantities="forward", decimals=4))
    assert all(re.fullmatch(r"(net|out)_\w+|E_total", a) for a in forward.asked) and "E_total" in forward.asked
    assert "Work to 4 decimal places" in forward.questions
    step = make_exercise(3)
    assert step.asked[: len(forward.asked)] == forward.asked and "E_total@1" in step.asked
    updates = make_exercise(3, shape=Shape(quantities="updates", updates=5))
    assert updates.asked[: len(step.asked)] == step.asked
    assert [a for a in updates.asked if a.endswith("@5")][-1] == "E_total@5"
    result = chainrule.check(_filled(updates), network=updates.spec)
    assert result.ok and len(result.verdicts) == len(updates.asked)


@pytest.mark.parametrize("notation", list(PROFILES))
def test_a_sheet_in_a_books_notation_reads_back_and_its_key_passes(notation):
    for seed in (1, 5, 8):
        ex = make_exercise(seed, shape=Shape(notation=notation, hidden_layers=(2, 2), quantities="updates"))
        blank = [line.split(" = ")[0] for line in ex.sheet.splitlines() if not line.startswith("#")]
        assert blank == [ex.written(a) for a in ex.asked]
        result = chainrule.check(_filled(ex), network=ex.spec, notation=notation)
        assert result.ok, result.to_text()
        if notation != "seed":
            assert f"--notation {notation}" in ex.questions


@pytest.mark.parametrize(
    "shape, words",
    [
        (Shape(hidden_layers=(0, 2)), "hidden_layers must lie within 1 to 3"),
        (Shape(hidden_layers=(2, 1)), "lowest first"),
        (Shape(neurons=(1, 9)), "neurons must lie within 1 to 5"),
        (Shape(neurons=[2, 3]), "a range of two whole numbers"),
        (Shape(activations=("softmax",)), "activation must be one of"),
        (Shape(activations=()), "name at least one"),
        (Shape(loss="hinge"), "hinge"),
        (Shape(quantities="everything"), "quantities must be one of"),
        (Shape(updates=1), "updates must be a whole number from 2"),
        (Shape(decimals=0), "decimals must be a whole number from 1"),
        (Shape(notation="klingon"), "unknown notation"),
    ],
)
def test_a_bad_choice_is_one_line(shape, words):
    with pytest.raises(ConfigError, match=re.escape(words)) as caught:
        make_exercise(1, shape=shape)
    assert "\n" not in str(caught.value)
