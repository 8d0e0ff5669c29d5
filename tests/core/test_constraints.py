"""One table of what each parameter accepts (core/constraints.py), read by every front end."""

import math

import pytest

from chainrule.core.constraints import CONSTRAINTS, check, limits
from chainrule.errors import ConfigError


def _inside(value, bounds):
    return all({"ge": value >= b, "gt": value > b, "le": value <= b, "lt": value < b}[k] for k, b in bounds.items())


@pytest.mark.parametrize("name", [n for n, c in CONSTRAINTS.items() if c.limits()])
def test_a_constraints_limits_say_what_it_accepts(name):
    """Just inside each stated limit is accepted, just outside is one ConfigError line: the limits
    other front ends (the page's schema) are built from state exactly what the table checks."""
    constraint = CONSTRAINTS[name]
    bounds = constraint.limits()
    step = 1 if type(constraint).__name__ == "Whole" else 1e-9
    for key, bound in bounds.items():
        outward = -step if key in ("ge", "gt") else step
        inside, outside = (bound, bound + outward) if key in ("ge", "le") else (bound - outward, bound)
        assert _inside(inside, bounds) and not _inside(outside, bounds)
        assert check({name: inside}) == {name: inside}
        with pytest.raises(ConfigError) as err:
            check({name: outside})
        assert "\n" not in str(err.value) and repr(outside) in str(err.value)


def test_a_front_end_may_narrow_a_range_but_never_widen_it():
    assert limits("l2", le=1) == {"ge": 0, "le": 1}
    assert limits("test_size", le=0.8) == {"ge": 0, "le": 0.8}  # replaces the table's lt=1
    with pytest.raises(ValueError):
        limits("learning_rate", ge=-1)
    with pytest.raises(ValueError):
        limits("momentum", le=2)


def test_the_pages_schema_states_the_tables_ranges():
    """The page's request models (FastAPI/pydantic) read their ranges from the table: the JSON Schema
    the server publishes carries the table's minimum for every trainer option it accepts."""
    pytest.importorskip("fastapi")
    from chainrule.web.schemas import DatasetRequest, EditRequest

    for model in (DatasetRequest, EditRequest):
        props = model.model_json_schema()["properties"]
        for field, name in (("batch_size", "batch_size"), ("l1", "l1"), ("l2", "l2"), ("seed", "seed")):
            schema = props[field]
            numeric = next(s for s in schema.get("anyOf", [schema]) if s.get("type") in ("integer", "number"))
            table = CONSTRAINTS[name].limits()
            key, bound = next(iter(table.items()))
            assert numeric[{"ge": "minimum", "gt": "exclusiveMinimum"}[key]] == bound, (model.__name__, field)
            assert not math.isinf(numeric.get("maximum", 0))


BAD_RATES = [float("nan"), float("inf"), -0.5, 0.0, "0.5", True]


@pytest.mark.parametrize("rate", BAD_RATES, ids=repr)
def test_every_way_into_an_update_checks_the_learning_rate(rate):
    """The engine's own update (``apply_gradients``, ``train_step``), the seed's loop (``train_online``,
    both its written-out path and NumPy's) and the trace refuse a learning rate outside the table's
    range with the table's one line, before any weight changes (a NaN rate once turned every weight NaN)."""
    from chainrule import seed
    from chainrule.derivation.step.trace import trace_step
    from chainrule.training.online import train_online

    two_samples = ([[0.05, 0.1], [0.2, 0.3]], [[0.01, 0.99], [0.5, 0.5]])
    for run in (
        lambda net: net.apply_gradients(net.backward(net.forward(seed.INPUT), seed.TARGET), rate),
        lambda net: net.train_step(seed.INPUT, seed.TARGET, rate),
        lambda net: train_online(net, seed.INPUT, seed.TARGET, rate, 3),
        lambda net: train_online(net, *two_samples, rate, 3),
        lambda net: trace_step(net, seed.INPUT, seed.TARGET, rate),
    ):
        net = seed.seed_network()
        weights = [layer.weights.copy() for layer in net.layers]
        with pytest.raises(ConfigError) as err:
            run(net)
        assert str(err.value).startswith("learning rate must be ") and "\n" not in str(err.value)
        assert all((w == layer.weights).all() for w, layer in zip(weights, net.layers))


@pytest.mark.parametrize("iterations", [-1, 2.5, "10", None])
def test_the_seeds_loop_checks_its_iterations(iterations):
    from chainrule import seed
    from chainrule.training.online import train_online

    with pytest.raises(ConfigError, match="^iterations must be a whole number"):
        train_online(seed.seed_network(), seed.INPUT, seed.TARGET, 0.5, iterations)
