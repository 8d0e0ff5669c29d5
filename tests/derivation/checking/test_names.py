"""Names sources use that check reads: one output's own derivatives, weights by their endpoints, weights
numbered by sending neuron and biases as weights from a constant input, a gradient check's numbers (against
PyTorch); the hints for a delta written as for another output, one from a rounded 1 − 0.9997 and a value of
the wrong neuron of a 3-output softmax."""

import math

import pytest

import chainrule

from support.tiers import need

SOFTMAX = {  # a 2-2-3 network, ReLU then softmax with cross-entropy (the cs231n two-layer example's shape)
    "layers": [2, 2, 3],
    "activation": ["sigmoid", "softmax"],
    "loss": "cross_entropy",
    "input": [0.5, -0.6],
    "target": [0, 0, 1],
    "weights": [[[0.18, 0.1], [0.04, 0.22]], [[0.19, -0.02], [-0.1, -0.01], [0.1, 0.04]]],
    "biases": [[0.1, 0.2], [0.05, -0.1, 0.2]],
}


def _one(line, network=None, **kw):
    (v,) = chainrule.check(line + "\n", network, **kw).verdicts
    return v


def test_one_outputs_own_derivatives_are_read():
    v = chainrule.explain().values
    own = _one(f"dE_o1/dout_o1 = {v['dE_total/dout_o1']:.9f}")
    assert own.ok and own.canonical == "dE_total/dout_o1"
    assert _one(f"dE_o2/dout_o2 = {v['dE_total/dout_o2']:.9f}").ok
    bce = {"layers": [2, 1], "activation": "sigmoid", "loss": "bce", "input": [1, 0], "target": [1]}
    delta = chainrule.explain(bce).values["delta_o1"]
    fused = _one(f"dE_o1/dnet_o1 = {delta:.9f}", bce)  # no such step after a fused loss: it is delta_o1
    assert fused.ok and fused.canonical == "delta_o1"


@pytest.mark.parametrize(
    "left,seed_name",
    [
        ("w(h1,o1)", "w5"),
        ("w(o1,h1)", "w5"),
        ("w_{o1,h2}", "w6"),
        ("w(i2→h1)", "w2"),
        ("w(x1,h2)", "w3"),
        ("w(h2->o2)+", "w8+"),
        ("dE_total/dw(h1,o2)", "dE_total/dw7"),
        ("Δw(i1,h1)", "w1+ - w1"),
        ("w(0,h1)", "b1"),
        ("w(x0,o2)", "b2"),
    ],
)
def test_a_weight_by_its_endpoints_in_either_order(left, seed_name):
    v = _one(f"{left} = 0.5")
    assert v.canonical == seed_name


def test_endpoints_in_a_books_notation_and_units_it_does_not_have():
    net = {
        "layers": [3, 2, 1],
        "activation": "sigmoid",
        "learning_rate": 0.9,
        "weights": [[[0.2, 0.4, -0.5], [-0.3, 0.1, 0.2]], [[-0.3, -0.2]]],
        "biases": [[-0.4, 0.2], [0.1]],
        "input": [1, 0, 1],
        "target": [1],
    }
    assert _one("w(4,6) = -0.3", net, notation="han-kamber").canonical == "w7"  # units by Han & Kamber's numbers
    assert _one("w(h1,o1) = -0.3", net, notation="han-kamber").ok
    assert _one("w(h3,o1) = 1", net).kind == "unknown" and _one("w(i1,o1) = 1", net).kind == "unknown"


def test_weights_numbered_by_sending_neuron():
    """A table with "weights": "sender-major" numbers w1 i1→h1, w2 i1→h2, w3 i2→h1, ... (one row per
    sending neuron): w2 is the seed's w3 (0.25), w6 the seed's w7 (0.5)."""
    table = {"name": "by-sender", "index": None, "weights": "sender-major", "read": [["W(\\d+)", "name:w{1}"]]}
    r = chainrule.check("w2 = 0.25\nW6 = 0.50\nw3+ = 0.19956143\n", notation=table)
    assert [v.canonical for v in r.verdicts] == ["w3", "w7", "w2+"] and r.ok, r.to_text()
    assert not chainrule.check("w2 = 0.25\n").ok  # the seed's own numbering: w2 is 0.20


def test_a_bias_written_as_the_weight_of_a_constant_input():
    table = {"name": "x0", "index": "unit", "read": [["w_?(\\d)0", "bias:{1}"], ["w_?(\\d)(\\d)", "weight:{2},{1}"]]}
    net = {"layers": [2, 2, 1], "activation": "sigmoid", "input": [1, 0], "target": [1]}
    net["weights"], net["biases"] = [[[0.1, 0.2], [0.3, 0.4]], [[0.5, 0.6]]], [[0.7, 0.8], [0.9]]
    r = chainrule.check("w30 = 0.7\nw40 = 0.8\nw50 = 0.9\nw31 = 0.1\nw53 = 0.5\n", net, notation=table)
    assert [v.canonical for v in r.verdicts] == ["b_h1", "b_h2", "b_o1", "w1", "w5"] and r.ok


def test_a_gradient_checks_numbers_against_pytorch():
    torch = need("torch", "the independent oracle")
    W1 = torch.tensor([[0.15, 0.2], [0.25, 0.3]], dtype=torch.float64)
    W2 = torch.tensor([[0.4, 0.45], [0.5, 0.55]], dtype=torch.float64, requires_grad=True)
    x, t = torch.tensor([0.05, 0.1], dtype=torch.float64), torch.tensor([0.01, 0.99], dtype=torch.float64)

    def loss(W2):
        return (0.5 * (t - torch.sigmoid(W2 @ torch.sigmoid(W1 @ x + 0.35) + 0.6)) ** 2).sum()

    loss(W2).backward()
    g = W2.grad[1, 0].item()  # w7: h1 → o2
    lines = []
    for eps in (1e-2, 1e-4):
        up, down = W2.detach().clone(), W2.detach().clone()
        up[1, 0] += eps
        down[1, 0] -= eps
        n = ((loss(up) - loss(down)) / (2 * eps)).item()
        lines += [f"numgrad(w7, {eps}) = {n:.10g}", f"relerr(w(h1,o2), {eps}) = {abs(g - n) / (abs(g) + abs(n)):.4g}"]
    r = chainrule.check("\n".join(lines) + "\n")
    assert r.ok, r.to_text()
    assert [v.canonical for v in r.verdicts][:2] == ["numgrad(w7,0.01)", "relerr(w7,0.01)"]
    assert not chainrule.check(f"numgrad(w7, 1e-2) = {g:.10g}\n").ok  # the exact gradient is not the estimate
    assert _one("numgrad(w7, 0) = 1").kind == "unknown" and _one("numgrad(out_h1, 1e-4) = 1").kind == "unknown"


def test_a_gradient_check_of_a_full_batch():
    net = {"layers": [2, 1], "activation": "sigmoid", "batch": "mean", "inputs": [[0, 0], [0, 1], [1, 0], [1, 1]]}
    net.update({"targets": [[0], [1], [1], [1]], "weights": [[[0.1, 0.6]]], "biases": [[0.0]], "learning_rate": 1})
    g = chainrule.explain(net).values["dE_total/dw1"]
    assert _one(f"numgrad(w1, 1e-5) = {g:.8f}", net).ok  # the estimate agrees with the backward pass to 8 places


def test_unknown_names_are_counted_as_unknown():
    r = chainrule.check("foo = 1.5\nbar = 2.5\nnet_h1 = 0.3775\n")
    assert "3 lines checked: 1 right, 0 wrong, 2 unknown" in r.to_text()
    assert r.to_dict()["counts"]["unknown"] == 2 and r.to_dict()["counts"]["wrong"] == 0


def test_a_delta_written_as_for_another_output():
    mse = {"layers": [2, 1], "activation": "sigmoid", "loss": "mse", "input": [1, -2], "target": [0.2]}
    mse.update({"weights": [[[0.5, 0.6]]], "biases": [[0.1]]})
    v = chainrule.explain(mse).values
    as_identity = _one(f"delta_o1 = {v['net_o1'] - 0.2:.6f}", mse)  # Ng's dZ = Z - Y
    assert as_identity.kind == "wrong" and "net_o1 - target_o1" in as_identity.hint and "identity" in as_identity.hint
    as_fused = _one(f"delta_o1 = {v['out_o1'] - 0.2:.6f}", mse)
    assert "out_o1 - target_o1" in as_fused.hint and "fused" in as_fused.hint


def test_a_delta_from_a_rounded_output_near_one():
    net = {
        "layers": [1, 1],
        "activation": "sigmoid",
        "input": [1],
        "target": [0],
        "weights": [[[8.1]]],
        "biases": [[0]],
    }
    out = 0.9997  # out_o1 = 0.99969655... rounded to four digits: 1 - out keeps one
    v = _one(f"delta_o1 = {out * out * (1 - out):.7f}", net)
    assert v.kind == "wrong" and "out_o1 rounded to 0.9997 (4 significant digits)" in v.hint
    assert "keeps only 1 significant digit" in v.hint


def test_the_right_value_of_the_wrong_neuron_of_a_three_output_softmax():
    v = chainrule.explain(SOFTMAX).values
    outputs = ("o1", "o2", "o3")
    for name in [n for n in v if any(o in n for o in outputs) and "@" not in n and not n.startswith("target")]:
        for o in [o for o in outputs if o in name]:
            for other_o in [x for x in outputs if x != o]:
                other = name.replace(o, "#").replace(other_o, o).replace("#", other_o)  # o1 <-> o2
                if other in v and v[other] != 0 and not math.isclose(v[other], v[name], rel_tol=1e-6):
                    verdict = _one(f"{name} = {v[other]:.9f}", SOFTMAX)
                    assert verdict.kind == "wrong" and other_o in verdict.hint, (name, other, verdict.hint)
    after = _one(f"out_o1@1 = {chainrule.check('out_o2@1 = 0.5', SOFTMAX).verdicts[0].expected:.9f}", SOFTMAX)
    assert after.hint == "that is out_o2@1: a wrong neuron, weight or index"
