"""``chainrule check``'s rule by significant figures, expressions on the left, and notation profiles."""

import json

import pytest

import chainrule
from chainrule.cli import main
from chainrule.derivation.checking.tolerance import Rule, significant_digits
from chainrule.derivation.notation.expressions import parse, write

from support.tiers import need  # test tiers: skip with a reason when missing (never under CI=true)


def _one(text, **kw):
    (v,) = chainrule.check(text, **kw).verdicts
    return v


@pytest.mark.parametrize(
    "line",
    [
        "w1+ = 0",
        "w5+ = 1",
        "E_total = 0",
        "dE_total/dw5 = 0",
        "out_o1 = 1",
        "out_h1 = 0.6",
        "w1+ = 0.0",
        "E_total = 0.3",
    ],
)
def test_fewer_than_two_digits_is_never_ok_unless_exact(line):
    v = _one(line)
    assert not v.ok and v.kind == "too_few_digits" and "begins" in v.hint


@pytest.mark.parametrize("line", ["w5 = 0.4", "dnet_h1/dw2 = 0.1", "w1 = 0.15"])
def test_exact_short_values_are_ok(line):
    assert _one(line).ok


def test_rounded_or_truncated_give_or_take_one_carried_unit():
    """out_h1 = 0.593269992…: rounded to five places 0.59327, truncated 0.59326; one unit either side of
    those is right (0.59325 to 0.59328), two units is not."""
    for right in ("0.5933", "0.59327", "0.59326", "0.59328", "0.59325", "0.593270", "0.5932700"):
        assert _one(f"out_h1 = {right}").ok, right
    for wrong in ("0.59324", "0.59329", "0.593272", "0.593270100"):
        assert _one(f"out_h1 = {wrong}").kind == "wrong", wrong
    assert _one("dE_total/dw1 = 0.000438567").ok  # exact 0.00043856773: truncated
    assert _one("dE_total/dw1 = 0.000438566").ok  # truncated, one unit carried
    assert not _one("dE_total/dw1 = 0.000438565").ok
    assert _one("E_o2 = 0.0235600257").ok  # exact 0.02356002558: rounded 0.0235600256, one unit carried
    assert not _one("E_o2 = 0.0235600258").ok
    assert significant_digits("0.0500") == 3 and significant_digits("0.00") == 0 and significant_digits("12") == 2


def test_negative_values_round_and_truncate_towards_the_same_digits():
    # dE_o2/dout_h1 = -0.019049118258…: rounded -0.01904912, truncated (towards zero) -0.01904911
    for right in ("-0.01904910", "-0.01904911", "-0.01904912", "-0.01904913"):
        assert _one(f"dE_o2/dout_h1 = {right}").ok, right
    for wrong in ("-0.01904909", "-0.01904914", "0.01904912"):
        assert _one(f"dE_o2/dout_h1 = {wrong}").kind == "wrong", wrong


def test_a_teacher_sets_the_rule(capsys):
    assert _one("out_h1 = 0.59", digits=2).ok and _one("out_h1 = 0.6", digits=1).ok
    assert _one("out_h1 = 0.5", digits=2).kind == "too_few_digits"
    assert _one("out_h1 = 0.6", abs=0.01).ok and not _one("out_h1 = 0.6", abs=0.001).ok
    assert _one("out_h1 = 0.6", rel=0.02).ok and not _one("out_h1 = 0.6", rel=0.001).ok
    with pytest.raises(chainrule.ConfigError):
        Rule(digits=2, abs=0.1)


def test_json_carries_the_verdict_kind(tmp_path, capsys):
    sheet = tmp_path / "s.txt"
    sheet.write_text("out_h1 = 0.593269992\nout_h1 = 0.6\nout_h1 = 0.7\nfoo = 1.5\n")
    assert main(["check", str(sheet), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert [line["verdict"] for line in doc["lines"]] == ["ok", "too_few_digits", "too_few_digits", "unknown"]
    assert main(["check", str(sheet), "--abs", "0.01"]) == 1
    assert "ok     line 2" in capsys.readouterr().out


@pytest.mark.parametrize(
    "left,expected",
    [
        ("eta*dE_total/dw5", 0.5 * 0.08216704056423078),
        ("η·∂E_total/∂w5", 0.5 * 0.08216704056423078),
        ("w5 - w5+", 0.5 * 0.08216704056423078),
        ("Δw5", -0.5 * 0.08216704056423078),
        ("delta_w5", -0.5 * 0.08216704056423078),
        ("1 - out_o2", 1 - 0.7729284653214625),
        ("out_h1*(1-out_h1)", 0.5932699921071872 * (1 - 0.5932699921071872)),
        ("E_total@1 - E_total", 0.29102777369359933 - 0.2983711087600027),
    ],
)
def test_expressions_on_the_left(left, expected):
    v = _one(f"{left} = {expected:.9f}")
    assert v.expected == pytest.approx(expected, abs=1e-15) and v.ok, v


def test_the_parser_reads_and_refuses_without_eval():
    assert write(parse("eta*dE_total/dw5")) == "eta * dE_total/dw5"
    assert write(parse("w5+ - w5")) == "w5+ - w5"
    assert write(parse("w5+w4")) == "w5 + w4"
    v = _one("__import__('os') = 1.5")
    assert v.kind == "unreadable" and "cannot read" in v.hint


HAN_KAMBER = {
    "layers": [3, 2, 1],
    "activation": "sigmoid",
    "learning_rate": 0.9,
    "weights": [[[0.2, 0.4, -0.5], [-0.3, 0.1, 0.2]], [[-0.3, -0.2]]],
    "biases": [[-0.4, 0.2], [0.1]],
    "input": [1, 0, 1],
    "target": [1],
}


def test_a_book_notation_is_read_and_detected():
    r = chainrule.check("I_4 = -0.7\nO_4 = 0.332\nErr_6 = 0.1311\nw_46+ = -0.261\nθ_6 = 0.1\n", HAN_KAMBER)
    assert r.notation == "han-kamber" and "detected" in r.notation_note
    assert [v.canonical for v in r.verdicts] == ["net_h1", "out_h1", "-delta_o1", "w7+", "b_o1"]
    assert r.ok, r.to_text()
    v = _one("Err_6 = -0.1311", network=HAN_KAMBER, notation="han-kamber")  # the seed's sign: wrong here
    assert not v.ok and "sign" in v.hint


def test_nielsen_and_ng_read_layers():
    net = chainrule.check(
        "z^2_1 = 0.3775\na^3_1 = 0.75136507\nw^3_12 = 0.45\nδ^3_1 = 0.138498562\n", notation="nielsen"
    )
    assert [v.canonical for v in net.verdicts] == ["net_h1", "out_o1", "w6", "delta_o1"] and net.ok
    ng = chainrule.check("Z^[1]_1 = 0.3775\nA^[2]_2 = 0.772928465\ndW^[2]_11 = 0.082167041\n", notation="ng")
    assert [v.canonical for v in ng.verdicts] == ["net_h1", "out_o2", "dE_total/dw5"] and ng.ok


@pytest.mark.parametrize("book", ["han-kamber", "mitchell", "nielsen", "ng", "bishop", "javatpoint"])
def test_explain_writes_a_book_notation_that_check_reads_back(book):
    """Every line explain writes in a book's names, read back by check in that notation, is right."""
    for network in (HAN_KAMBER, None):
        text = chainrule.explain(network, notation=book, format="text")
        sheet = []
        for line in text.splitlines():
            parts = [p.strip() for p in line.split("    (")[0].split(" = ")]
            if len(parts) >= 2 and not parts[0].startswith(("A ", "Inputs", "Layer")) and "rounding" not in parts[-1]:
                try:
                    float(parts[-1])
                except ValueError:
                    continue
                sheet.append(f"{parts[0]} = {parts[-1]}")
        assert len(sheet) > 30
        result = chainrule.check("\n".join(sheet), network, notation=book)
        assert result.ok, result.to_text()


def test_explain_in_han_kamber_names():
    text = chainrule.explain(HAN_KAMBER, notation="han-kamber", format="text")
    assert "I_4 = w_14 * x_1 + w_24 * x_2 + w_34 * x_3 + θ_4 * 1" in text
    assert "-Err_6 = dE/dO_6 * dO_6/dI_6" in text  # Err_j = -delta_j: the line stays true
    assert main(["explain", "--notation", "nielsen", "--only", "w5"]) == 0


BATCH = {
    "layers": [2, 2, 2],
    "activation": "sigmoid",
    "learning_rate": 0.5,
    "weights": [[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]],
    "biases": [0.35, 0.6],
    "inputs": [[0.05, 0.1], [0.2, 0.3], [0.9, -0.4]],
    "targets": [[0.01, 0.99], [0.5, 0.5], [1, 0]],
}


@pytest.mark.parametrize("combine", ["sum", "mean"])
def test_a_full_batch_step_against_pytorch(combine):
    torch = need("torch", "check rules")
    spec = {**BATCH, "batch": combine}
    exp = chainrule.explain(spec)
    v = exp.values
    W1 = torch.tensor(BATCH["weights"][0], dtype=torch.float64, requires_grad=True)
    W2 = torch.tensor(BATCH["weights"][1], dtype=torch.float64, requires_grad=True)
    b = torch.tensor(BATCH["biases"], dtype=torch.float64, requires_grad=True)
    X = torch.tensor(BATCH["inputs"], dtype=torch.float64)
    T = torch.tensor(BATCH["targets"], dtype=torch.float64)
    out = torch.sigmoid(torch.sigmoid(X @ W1.T + b[0]) @ W2.T + b[1])
    per_sample = (0.5 * (T - out) ** 2).sum(dim=1)
    E = per_sample.sum() if combine == "sum" else per_sample.mean()
    E.backward()
    assert v["E_total"] == pytest.approx(E.item(), rel=1e-12)
    assert v["E_total[2]"] == pytest.approx(per_sample[1].item(), rel=1e-12)
    assert v["out_o2[3]"] == pytest.approx(out[2, 1].item(), rel=1e-12)
    assert v["dE_total/dw5"] == pytest.approx(W2.grad[0, 0].item(), rel=1e-12)
    assert v["dE_total/dw2"] == pytest.approx(W1.grad[0, 1].item(), rel=1e-12)
    assert v["dE_total/db1"] == pytest.approx(b.grad[0].item(), rel=1e-12)
    assert v["w5+"] == pytest.approx(0.4 - 0.5 * W2.grad[0, 0].item(), rel=1e-12)
    sheet = "\n".join(
        f"{n} = {v[n]:.9g}"
        for n in (
            "E_total",
            "E_total[1]",
            "out_o1[2]",
            "delta_h1[3]",
            "dE_total/dw5",
            "w5+",
            "b2+",
            "E_total@1",
            "out_o1[1]@1",
        )
    )
    assert chainrule.check(sheet, spec).ok
    assert chainrule.check(sheet.replace("E_total = ", "E_total = 1"), spec).wrong
    text = exp.to_text()
    assert "sample 3" in text.lower() and ("E_total[1] + E_total[2] + E_total[3]" in text)
    assert json.loads(exp.to_json())["batch"] == combine


def test_batch_from_the_command_line(tmp_path, capsys):
    import json as _json

    path = tmp_path / "net.json"
    path.write_text(_json.dumps(BATCH))
    assert main(["explain", str(path), "--batch", "mean", "--only", "w5"]) == 0
    assert "dE_total/dw5 = (dE_total/dw5[1] + dE_total/dw5[2] + dE_total/dw5[3]) / 3" in capsys.readouterr().out
    sheet = tmp_path / "s.txt"
    sheet.write_text("out_o1[2] = 0.754424636\n")
    assert main(["check", str(sheet), "--network", str(path), "--batch", "sum"]) == 0


def test_any_left_side_is_a_verdict_or_one_clear_error():
    """Random left sides (pieces of names, operators, brackets, suffixes) never raise anything but the
    library's own error, in any notation."""
    import random

    rng = random.Random(5)
    pieces = list("wdEhoutne_/+-*()^.0123456789 @[]Δηθ∂·×xyzIOT") + [
        "dE_total/dw5",
        "out_h1",
        "w5+",
        "@1",
        "[2]",
        "e^",
        "Err_6",
        "@100001",
        "(",
        ")",
        "z^2_1",
        "W^[1]_11",
    ]
    for _ in range(400):
        left = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        try:
            result = chainrule.check(f"{left} = 0.5\n", notation=rng.choice(["auto", "han-kamber", "nielsen", "ng"]))
        except chainrule.ChainruleError:
            continue
        assert result.to_text() and result.to_dict()["lines"][0]["verdict"] in (
            "ok",
            "wrong",
            "too_few_digits",
            "unknown",
            "unreadable",
        )


def test_a_flipped_sign_is_named_even_when_the_value_is_also_rounded():
    v = _one("dE_total/dw5 = -0.0821672")  # exact 0.08216704: both the sign and the last digits off
    assert v.kind == "wrong" and v.hint.startswith("the sign is wrong") and "rounded" in v.hint


def test_ng_batch_names_read_an_example_of_the_batch():
    spec = {**BATCH, "batch": "mean"}  # Ng's cost J is the mean over the m examples
    v = chainrule.explain(spec).values
    sheet = (
        f"Z^[1](2)_1 = {v['net_h1[2]']:.9f}\nA^[2](3)_2 = {v['out_o2[3]']:.9f}\n"
        f"dW^[2]_11 = {v['dE_total/dw5']:.9f}\nJ = {v['E_total']:.9f}\n"
    )
    result = chainrule.check(sheet, spec)
    assert result.notation == "ng" and result.ok, result.to_text()
    assert [x.canonical for x in result.verdicts] == ["net_h1[2]", "out_o2[3]", "dE_total/dw5", "E_total"]


def test_the_rule_agrees_with_its_independent_statement_on_random_numbers():
    """Rule() against the rule written out again in rational arithmetic (tests/support/published.py), on
    numbers written near random exact values: rounded, truncated, a few units off, short, long, signed."""
    import random
    from decimal import Decimal

    from chainrule.derivation.checking.tolerance import DEFAULT

    from support.published import independent_verdict

    rng = random.Random(21)
    seen = set()
    for _ in range(4000):
        exact = rng.choice([1, -1]) * 10 ** rng.uniform(-8, 4) * (rng.random() if rng.random() < 0.1 else 1)
        places = rng.randint(-2, 17)
        unit = Decimal(1).scaleb(-places)
        base = Decimal(exact).quantize(unit, rounding=rng.choice(["ROUND_HALF_UP", "ROUND_DOWN", "ROUND_HALF_EVEN"]))
        text = str(base + rng.randint(-3, 3) * unit)
        if "E" in text or "e" in text:
            text = format(Decimal(text), "f")
        want = independent_verdict(text, exact)
        assert DEFAULT.verdict(text, exact) == want, (text, exact)
        seen.add(want)
    assert seen == {"ok", "wrong", "too_few_digits"}
