"""The explanation's numbers against an independent autograd: PyTorch, float64, to 1e-12."""

import json

import numpy as np
import pytest

from support.tiers import need  # noqa: E402  (test tiers: skip with a reason when missing)

need("torch", "PyTorch is the independent oracle")

import torch

import chainrule

SPEC = {
    "layers": [3, 4, 3, 2],
    "activation": ["tanh", "relu", "softmax"],
    "loss": "cross_entropy",
    "learning_rate": 0.3,
    "weights": [
        [[0.2, -0.4, 0.6], [-0.3, 0.5, 0.1], [0.7, 0.2, -0.6], [0.05, -0.25, 0.45]],
        [[0.3, -0.2, 0.5, 0.4], [-0.6, 0.1, 0.2, -0.3], [0.25, 0.35, -0.45, 0.15]],
        [[0.5, -0.4, 0.3], [-0.2, 0.6, 0.1]],
    ],
    "biases": [[0.1, -0.1, 0.05, 0.0], [0.2, 0.3, -0.1], [0.05, -0.05]],
    "train_biases": True,
    "input": [0.5, -0.8, 0.3],
    "target": [0.0, 1.0],
}


def _torch_step(spec):
    x = torch.tensor([spec["input"]], dtype=torch.float64)
    t = torch.tensor([spec["target"]], dtype=torch.float64)
    ws = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in spec["weights"]]
    bs = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in spec["biases"]]
    nets, outs = [], [x]
    acts = [torch.tanh, torch.relu, lambda z: torch.softmax(z, dim=1)]
    out = x
    for w, b, f in zip(ws, bs, acts):
        net = out @ w.T + b
        net.retain_grad()
        out = f(net)
        out.retain_grad()
        nets.append(net)
        outs.append(out)
    loss = -(t * torch.log_softmax(nets[-1], dim=1)).sum()
    loss.backward()
    eta = spec["learning_rate"]
    new_ws = [w.detach() - eta * w.grad for w in ws]
    new_bs = [b.detach() - eta * b.grad for b in bs]
    with torch.no_grad():
        out = x
        for w, b, f in zip(new_ws, new_bs, acts):
            net = out @ w.T + b
            out = f(net)
        after = -(t * torch.log_softmax(net, dim=1)).sum()
    return loss, nets, outs, ws, bs, new_ws, new_bs, after, out


def test_3_4_3_2_tanh_relu_softmax_matches_pytorch_float64():
    values = json.loads(chainrule.explain(SPEC, format="json"))["values"]
    loss, nets, outs, ws, bs, new_ws, new_bs, after, out_after = _torch_step(SPEC)
    names = [["h1_1", "h1_2", "h1_3", "h1_4"], ["h2_1", "h2_2", "h2_3"], ["o1", "o2"]]
    checked = 0

    def same(name, expected):
        nonlocal checked
        expected = expected.detach() if hasattr(expected, "detach") else expected
        assert values[name] == pytest.approx(float(expected), abs=1e-12), name
        checked += 1

    same("E_total", loss.item())
    k = 1
    for l, layer in enumerate(names):
        for j, n in enumerate(layer):
            same(f"net_{n}", nets[l][0, j])
            same(f"out_{n}", outs[l + 1][0, j])
            same(f"delta_{n}", nets[l].grad[0, j])  # delta = dE/dnet
            if l < len(names) - 1:
                same(f"dE_total/dout_{n}", outs[l + 1].grad[0, j])
            same(f"dE_total/db_{n}", bs[l].grad[j])
            same(f"b_{n}+", new_bs[l][j])
            for s in range(ws[l].shape[1]):
                same(f"dE_total/dw{k}", ws[l].grad[j, s])
                same(f"w{k}+", new_ws[l][j, s])
                k += 1
    same("E_total@1", after.item())
    same("out_o1@1", out_after[0, 0])
    assert k - 1 == 12 + 12 + 6 and checked > 100
    # the ReLU layer has a neuron in each regime, so both branches of its derivative are exercised
    assert (nets[1] > 0).any() and (nets[1] < 0).any()
    assert np.isfinite(list(values.values())).all()


def test_softmax_outputs_have_per_output_names_that_pytorch_agrees_with():
    """dE_oK/dout_hX exist for a softmax output layer too: each output's own error, through the
    softmax Jacobian, by PyTorch's autograd of E_oK alone."""
    import torch

    spec = {
        "layers": [3, 2, 2],
        "activation": ["sigmoid", "softmax"],
        "loss": "cross_entropy",
        "weights": [[[0.2, -0.3, 0.4], [-0.5, 0.1, 0.2]], [[0.3, 0.4], [-0.1, 0.2]]],
        "biases": [0.5, 0.1],
        "input": [1, 2, -1],
        "target": [0.3, 0.7],
    }
    v = chainrule.explain(spec).values
    W1 = torch.tensor(spec["weights"][0], dtype=torch.float64)
    W2 = torch.tensor(spec["weights"][1], dtype=torch.float64)
    x = torch.tensor(spec["input"], dtype=torch.float64)
    t = torch.tensor(spec["target"], dtype=torch.float64)
    for k in range(2):
        h = torch.sigmoid(W1 @ x + 0.5).detach().requires_grad_(True)
        z = W2 @ h + 0.1
        z.retain_grad()
        out = torch.softmax(z, dim=0)
        (-t[k] * torch.log(out[k])).backward()
        for j in range(2):
            assert v[f"dE_o{k + 1}/dout_h{j + 1}"] == pytest.approx(h.grad[j].item(), rel=1e-12, abs=1e-15)
            assert v[f"dE_o{k + 1}/dnet_o{j + 1}"] == pytest.approx(z.grad[j].item(), rel=1e-12, abs=1e-15)
    assert chainrule.check(f"dE_o1/dout_h2 = {v['dE_o1/dout_h2']:.9f}\n", spec).ok
