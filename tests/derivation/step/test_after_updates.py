"""Values after N updates: NAME@N is NAME in the step after N updates — for every name of the step, one
sample or a full batch (checked against PyTorch) — with only the names asked kept and the work bounded
before any is done (issue 25: 100 lines w1@1..w1@100 on a 400-400-200 network ran out of memory at 3 GB;
one line E_total@100000 on it took 488 s)."""

import json
import subprocess
import sys

import pytest

import chainrule
from chainrule import Network, seed
from chainrule.derivation.step import after_updates
from chainrule.derivation.step.after_updates import AfterValues, Run, values_after
from chainrule.derivation.step.plain import PlainNetwork

from support.tiers import need

BATCH = {
    "layers": [2, 2, 2],
    "activation": "sigmoid",
    "learning_rate": 0.5,
    "weights": [[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]],
    "biases": [0.35, 0.6],
    "inputs": [[0.05, 0.1], [0.2, 0.3], [0.9, -0.4]],
    "targets": [[0.01, 0.99], [0.5, 0.5], [1, 0]],
}


def test_only_the_names_asked_are_kept():
    net = Network([30, 30, 10], "sigmoid", "half_sse", seed=3)
    x, t = [[0.1] * 30], [[0.5] * 10]
    wanted = {n: {"w1", "out_o2"} for n in range(1, 41)}
    after = AfterValues(Run(net, x, t, 0.5), wanted)
    assert set(after.values) <= {f"{name}@{n}" for n in range(0, 42) for name in ("w1", "out_o2")}
    assert after.get("w1", 40) is not None and after.get("out_h1", 40) is None


def test_the_bounds_refuse_before_any_work(monkeypatch):
    monkeypatch.setattr(after_updates, "MAX_RECORDED", 5 * 10)  # the seed: 8 weights and 2 biases, 5 distinct N
    monkeypatch.setattr(after_updates, "MAX_TRAINING", 100 * 10)
    run = Run(seed.seed_network(), seed.INPUT, seed.TARGET, 0.5)
    after = AfterValues(run, {n: {"E_total"} for n in (1, 2, 3, 4, 5, 6, 7, 500)})
    assert set(after.refused) == {6, 7, 500}
    assert "at most 5 of them" in after.refused[6] and "more than 100 updates" in after.refused[500]
    assert after.get("E_total", 5) is not None and after.get("E_total", 6) is None


@pytest.mark.parametrize("combine", ["sum", "mean"])
def test_every_name_after_n_full_batch_updates_against_pytorch(combine):
    torch = need("torch", "the independent oracle")
    spec = {**BATCH, "batch": combine}
    W1 = torch.tensor(BATCH["weights"][0], dtype=torch.float64, requires_grad=True)
    W2 = torch.tensor(BATCH["weights"][1], dtype=torch.float64, requires_grad=True)
    X, T = torch.tensor(BATCH["inputs"], dtype=torch.float64), torch.tensor(BATCH["targets"], dtype=torch.float64)
    b = torch.tensor(BATCH["biases"], dtype=torch.float64, requires_grad=True)  # shared, trained (the default)

    def forward():
        net_h = X @ W1.T + b[0]
        h = torch.sigmoid(net_h)
        net_o = h @ W2.T + b[1]
        o = torch.sigmoid(net_o)
        per_sample = (0.5 * (T - o) ** 2).sum(dim=1)
        return net_h, h, net_o, o, per_sample, per_sample.sum() if combine == "sum" else per_sample.mean()

    for _ in range(3):
        *_, E = forward()
        W1.grad = W2.grad = b.grad = None
        E.backward()
        with torch.no_grad():
            for p in (W1, W2, b):
                p -= 0.5 * p.grad
    net_h, h, net_o, o, per_sample, E = forward()
    # sample 3's own delta_h1: d(its E_total)/d(net_h1) on that sample alone
    delta = torch.autograd.grad(per_sample[2], net_h, retain_graph=True)[0][2, 0]
    W1.grad = W2.grad = b.grad = None
    E.backward()
    want = {
        "out_h1[2]@3": h[1, 0],
        "net_o2[1]@3": net_o[0, 1],
        "E_o1[3]@3": 0.5 * (T[2, 0] - o[2, 0]) ** 2,
        "w5@3": W2[0, 0],
        "E_total@3": E,
        "E_total[2]@3": per_sample[1],
        "dE_total/dw5@3": W2.grad[0, 0],
        "w5+@3": W2[0, 0] - 0.5 * W2.grad[0, 0],
    }
    want["delta_h1[3]@3"] = delta
    lines = "\n".join(f"{name} = {float(value.detach()):.12g}" for name, value in want.items())
    result = chainrule.check(lines + "\n", spec)
    assert [v.kind for v in result.verdicts] == ["ok"] * len(want), result.to_text()
    assert chainrule.check(lines.replace("\nw5@3 = ", "\nw5@3 = 1"), spec).count("wrong") == 1


def test_a_sample_of_a_full_batch_reads_names_without_k_as_that_samples(tmp_path, capsys):
    from chainrule.cli import main

    spec = {**BATCH, "batch": "sum"}
    v = chainrule.explain(spec).values
    path, sheet = tmp_path / "net.json", tmp_path / "s.txt"
    path.write_text(json.dumps(spec))
    sheet.write_text(f"out_o1 = {v['out_o1[2]']:.9f}\nE_total = {v['E_total[2]']:.9f}\nw5+ = {v['w5+']:.9f}\n")
    assert main(["check", str(sheet), "--network", str(path), "--sample", "2", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [line["canonical"] for line in doc["lines"]] == ["out_o1[2]", "E_total[2]", "w5+"]
    assert main(["check", str(sheet), "--network", str(path), "--sample", "4"]) == 2
    assert "there is no sample 4" in capsys.readouterr().err


def test_the_seed_after_n_updates_on_python_floats_equals_the_engines():
    wanted = {n: {"E_total", "out_o1", "delta_h1", "dE_total/dw5", "w5+", "w1"} for n in (1, 7, 250)}
    plain = values_after(Run(PlainNetwork.from_spec(seed.SPEC), seed.INPUT, seed.TARGET, 0.5), wanted)
    engine = values_after(Run(seed.seed_network(), seed.INPUT, seed.TARGET, 0.5), wanted)
    assert plain.keys() == engine.keys() and len(plain) == 18
    assert all(plain[k] == pytest.approx(engine[k], rel=1e-12, abs=1e-15) for k in plain)
    assert plain["w5+@7"] == pytest.approx(
        values_after(Run(seed.seed_network(), seed.INPUT, seed.TARGET, 0.5), {8: {"w5"}})["w5@8"], rel=1e-12
    )


@pytest.mark.slow
def test_the_reported_sheets_on_a_400_400_200_network_are_bounded(tmp_path):
    """Issue 25's two reproductions, as one sheet, in a process limited to 2.5 GB of address space: the
    smallest 83 N are computed (83 × 240,600 parameters is the bound), the rest and E_total@100000
    (207 updates at most) refused, each with its reason."""
    spec = {"layers": [400, 400, 200], "activation": "sigmoid", "seed": 1, "input": [0.1] * 400, "target": [0.5] * 200}
    net, sheet = tmp_path / "big.json", tmp_path / "s.txt"
    net.write_text(json.dumps(spec))
    sheet.write_text("".join(f"w1@{n} = 0.0100\n" for n in range(1, 101)) + "E_total@100000 = 1\n")
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (2_500_000_000, 2_500_000_000))"
    code = f"{limit}\nimport sys\nfrom chainrule.cli import main\nsys.exit(main(sys.argv[1:]))"
    proc = subprocess.run(
        [sys.executable, "-c", code, "check", str(sheet), "--network", str(net), "--json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 1, proc.stderr
    lines = json.loads(proc.stdout)["lines"]
    assert [line["verdict"] for line in lines[:83]] == ["wrong"] * 83
    assert all("at most 83 of them" in line["hint"] for line in lines[83:100])
    assert lines[100]["verdict"] == "unknown" and "more than 207 updates" in lines[100]["hint"]
