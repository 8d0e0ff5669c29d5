"""``chainrule explain``: the seed's derivation in order, any network, every format, --only, large networks."""

import importlib
import json
import re
import subprocess
import sys

import numpy as np
import pytest

import chainrule
from chainrule.cli import main
from chainrule.core.network import Network
from chainrule.derivation.rendering.explanation import Explanation
from chainrule.derivation.rendering.mathml import to_mathml
from chainrule.derivation.step.trace import trace_step

SEED_LINES_IN_ORDER = [
    "net_h1 = w1 * i1 + w2 * i2 + b1 * 1 = 0.15 * 0.05 + 0.2 * 0.1 + 0.35 * 1 = 0.3775",
    "out_h1 = 1 / (1 + e^(-net_h1)) = 1 / (1 + e^(-0.3775)) = 0.593269992",
    "out_h2 = 1 / (1 + e^(-net_h2)) = 1 / (1 + e^(-0.3925)) = 0.596884378",
    "net_o1 = w5 * out_h1 + w6 * out_h2 + b2 * 1 = 0.4 * 0.593269992 + 0.45 * 0.596884378 + 0.6 * 1 = 1.105905967",
    "out_o1 = 1 / (1 + e^(-net_o1)) = 1 / (1 + e^(-1.105905967)) = 0.751365070",
    "out_o2 = 1 / (1 + e^(-net_o2)) = 1 / (1 + e^(-1.224921404)) = 0.772928465",
    "E_o1 = 1/2 * (target_o1 - out_o1)^2 = 1/2 * (0.01 - 0.751365070)^2 = 0.274811083",
    "E_o2 = 1/2 * (target_o2 - out_o2)^2 = 1/2 * (0.99 - 0.772928465)^2 = 0.023560026",
    "E_total = E_o1 + E_o2 = 0.274811083 + 0.023560026 = 0.298371109",
    "dE_total/dout_o1 = -(target_o1 - out_o1) = -(0.01 - 0.751365070) = 0.741365070",
    "dout_o1/dnet_o1 = out_o1 * (1 - out_o1) = 0.751365070 * (1 - 0.751365070) = 0.186815602",
    "dnet_o1/dw5 = out_h1 = 0.593269992",
    "dE_total/dw5 = dE_total/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5 = "
    "0.741365070 * 0.186815602 * 0.593269992 = 0.082167041",
    "w5+ = w5 - eta * dE_total/dw5 = 0.4 - 0.5 * 0.082167041 = 0.358916480",
    "w6+ = w6 - eta * dE_total/dw6 = 0.45 - 0.5 * 0.082667628 = 0.408666186",
    "w7+ = w7 - eta * dE_total/dw7 = 0.5 - 0.5 * -0.022602540 = 0.511301270",
    "w8+ = w8 - eta * dE_total/dw8 = 0.55 - 0.5 * -0.022740242 = 0.561370121",
    "dE_o1/dnet_o1 = dE_total/dout_o1 * dout_o1/dnet_o1 = 0.741365070 * 0.186815602 = 0.138498562",
    "dnet_o1/dout_h1 = w5 = 0.4",
    "dE_o1/dout_h1 = dE_o1/dnet_o1 * dnet_o1/dout_h1 = 0.138498562 * 0.4 = 0.055399425",
    "dE_o2/dout_h1 = dE_o2/dnet_o2 * dnet_o2/dout_h1 = -0.038098237 * 0.5 = -0.019049118",
    "dE_total/dout_h1 = dE_o1/dout_h1 + dE_o2/dout_h1 = 0.055399425 + -0.019049118 = 0.036350306",
    "dout_h1/dnet_h1 = out_h1 * (1 - out_h1) = 0.593269992 * (1 - 0.593269992) = 0.241300709",
    "dnet_h1/dw1 = i1 = 0.05",
    "dE_total/dw1 = dE_total/dout_h1 * dout_h1/dnet_h1 * dnet_h1/dw1 = 0.036350306 * 0.241300709 * 0.05 = 0.000438568",
    "w1+ = w1 - eta * dE_total/dw1 = 0.15 - 0.5 * 0.000438568 = 0.149780716",
    "w2+ = w2 - eta * dE_total/dw2 = 0.2 - 0.5 * 0.000877135 = 0.199561432",
    "w3+ = w3 - eta * dE_total/dw3 = 0.25 - 0.5 * 0.000497713 = 0.249751144",
    "w4+ = w4 - eta * dE_total/dw4 = 0.3 - 0.5 * 0.000995425 = 0.299502287",
    "E_total@1 = 0.291027774",
]


def _in_order(text, lines):
    pos = 0
    for line in lines:
        found = text.find(line, pos)
        assert found >= 0, line
        pos = found + len(line)


def test_explain_without_a_file_reproduces_the_seed_in_order(capsys):
    assert main(["explain"]) == 0
    _in_order(capsys.readouterr().out, SEED_LINES_IN_ORDER)


def test_markdown_writes_the_seeds_latex(capsys):
    assert main(["explain", "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    _in_order(
        md,
        [
            r"$$\begin{aligned} net_{h1} &= w_{1} \cdot i_{1} + w_{2} \cdot i_{2} + b_{1} \cdot 1 \\ "
            r"&= 0.15 \cdot 0.05",
            r"out_{h1} &= \frac{1}{1+e^{-net_{h1}}}",
            r"\frac{1}{1+e^{-0.3775}} = 0.593269992",
            r"E_{total} &= E_{o1} + E_{o2} \\ &= 0.274811083 + 0.023560026 = 0.298371109 \end{aligned}$$",
            r"\frac{\partial E_{total}}{\partial w_{5}} &= \frac{\partial E_{total}}{\partial out_{o1}} \cdot",
            r"w_{5}^{+} &= w_{5} - \eta \cdot \frac{\partial E_{total}}{\partial w_{5}} \\ "
            r"&= 0.4 - 0.5 \cdot 0.082167041 = 0.358916480",
            r"0.055399425 + (-0.019049118) = 0.036350306",
        ],
    )
    assert md.count("$$") % 2 == 0 and "## The backward pass: hidden layers" in md


def test_html_is_self_contained_mathml(tmp_path):
    out = tmp_path / "seed.html"
    assert main(["explain", "--format", "html", "-o", str(out)]) == 0
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # nothing fetched from a network
    assert "<script" not in html
    assert html.count('<math display="block">') == len(chainrule.explain().lines())
    assert "<mfrac>" in html and "<mn>0.593269992</mn>" in html


def test_mathml_structure():
    m = to_mathml(r"\frac{\partial E_{total}}{\partial w_{5}} = 0.4 \cdot x^{2}")
    assert m.startswith('<math display="block">') and m.count("<mfrac>") == 1
    assert "<msub><mi>E</mi><mrow><mi>total</mi></mrow></msub>" in m
    assert "<msup><mi>x</mi><mrow><mn>2</mn></mrow></msup>" in m
    table = to_mathml(r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}")
    assert table.count("<mtr>") == 2 and table.count("<mtd>") == 4


def test_latex_is_a_document():
    tex = chainrule.explain(format="latex")
    assert tex.startswith(r"\documentclass") and tex.rstrip().endswith(r"\end{document}")
    assert tex.count(r"\begin{align*}") == tex.count(r"\end{align*}") == len(chainrule.explain().lines())
    body = tex.replace(r"\{", "").replace(r"\}", "")
    assert body.count("{") == body.count("}")
    assert r"\section*{The forward pass}" in tex and "0.358916480" in tex
    assert "_" not in re.sub(r"\\begin\{align\*\}.*?\\end\{align\*\}", "", tex, flags=re.S).replace(r"\_", "")


def test_json_values_and_steps(capsys):
    assert main(["explain", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["values"]["w5+"] == pytest.approx(0.35891648, abs=1e-9)
    assert [s["name"] for s in doc["steps"]][:2] == ["net_h1", "out_h1"]
    assert set(s["name"] for s in doc["steps"]) <= set(doc["values"])


def test_only_limits_the_derivation_to_what_the_gradients_need():
    exp = chainrule.explain(only="w5,w1")
    names = [s.name for s in exp.steps]
    for needed in [
        "net_h1",
        "out_h1",
        "net_h2",
        "out_h2",
        "net_o1",
        "out_o1",
        "net_o2",
        "out_o2",
        "dE_total/dout_o1",
        "dout_o1/dnet_o1",
        "dE_total/dw5",
        "w5+",
        "dE_o2/dout_h1",
        "dE_total/dout_h1",
        "dout_h1/dnet_h1",
        "dE_total/dw1",
        "w1+",
        "E_total",
    ]:
        assert needed in names, needed
    for not_needed in ["dE_total/dw6", "w6+", "dE_total/dw2", "dout_h2/dnet_h2", "dE_total/dw8", "w8+"]:
        assert not_needed not in names, not_needed
    text = exp.to_text()
    assert "w2+" not in text and "Only what w5, w1 need is shown." in text
    assert names == [s.name for s in exp.trace.steps if s.name in set(names)]  # the seed's order kept


def test_only_unknown_name_suggests(capsys):
    assert main(["explain", "--only", "w55"]) == 2
    err = capsys.readouterr().err
    assert "no neuron, weight or quantity named 'w55'" in err and err.count("\n") == 1


def _big_network():
    return Network([784, 32, 10], "sigmoid", "cross_entropy" if False else "half_sse", seed=1)


def test_large_network_is_summarised_by_layer_and_says_how_to_see_a_neuron():
    net = _big_network()
    rng = np.random.default_rng(0)
    x, t = rng.random(784), np.eye(10)[3]
    exp = Explanation(trace_step(net, x, t, 0.1))
    text = exp.to_text()
    assert exp.summary and len(text.splitlines()) < 60 and max(map(len, text.splitlines())) < 500
    assert "--neuron h12" in text and "W1 (32x784)" in text
    assert "dE_total/dW1 = delta_h · iᵀ" in text
    assert len(exp.values) > 3 * 25_000  # every weight, gradient and update is still in the values
    md, html = exp.to_markdown(), exp.to_html()
    assert r"\begin{bmatrix}" in md and "<mtable>" in html
    one = Explanation(trace_step(net, x, t, 0.1), only=["h12"])
    names = {s.name for s in one.steps}
    assert {"net_h12", "out_h12", "delta_h12", "dE_total/dw8812", "w8812+"} <= names
    assert "dE_total/dw9409" not in names and "delta_h13" not in names  # w9409 is h13's first weight
    text = one.to_text()
    assert "net_h13 = " in text and max(len(l) for l in text.splitlines() if l.startswith("net_h13")) < 80


def test_summary_numbers_are_the_traces():
    exp = chainrule.explain(detail="summary")
    text = exp.to_text()
    assert "net_h = W1 · i + b1 = [0.3775, 0.3925]" in text
    assert "out_o@1 = forward pass with the updated weights = [" in text
    assert "E_total@1 = 0.291027774" in text


def test_several_samples_sample_k(tmp_path, capsys):
    path = tmp_path / "two.json"
    path.write_text(
        json.dumps(
            {
                "layers": [2, 2, 1],
                "weights": [[[0.1, 0.2], [0.3, 0.4]], [[0.5, 0.6]]],
                "inputs": [[1, 0], [0, 1]],
                "targets": [[1], [0]],
                "learning_rate": 1,
            }
        )
    )
    assert main(["explain", str(path), "--format", "json", "--sample", "2"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["sample"] == 2 and doc["n_samples"] == 2
    assert doc["values"]["i1"] == 0 and doc["values"]["i2"] == 1
    # the step on sample 2 alone is the engine's step on that one row
    net = chainrule.read_network_file(path).network
    fwd = net.forward([[0, 1]])
    g = net.backward(fwd, [[0]])
    assert doc["values"]["dE_total/dw1"] == g.dW[0][0, 0]
    assert main(["explain", str(path)]) == 0
    assert "this is the step on sample 1 alone" in capsys.readouterr().out
    assert main(["explain", str(path), "--sample", "3"]) == 2


def test_python_api_and_rich_display():
    exp = chainrule.explain()
    assert isinstance(exp, chainrule.Explanation)
    assert exp.values["w5+"] == pytest.approx(0.35891648, abs=1e-9)
    assert exp._repr_markdown_().startswith("# One step")
    assert exp._repr_html_().startswith('<div class="chainrule-explanation">')
    assert chainrule.explain(format="json").startswith("{")
    assert chainrule.explain_network is chainrule.api.explain_network
    importlib.import_module("chainrule.derivation.step.trace")  # the subpackage never shadows the function
    assert chainrule.explain is chainrule.api.explain and callable(chainrule.explain)
    assert chainrule.derivation.step.trace.trace_step is chainrule.trace_step
    spec = {"layers": [2, 1], "activation": "identity", "weights": [[[1.0, 2.0]]], "input": [1, 1], "target": [0]}
    assert chainrule.explain(spec).values["out_o1"] == 3.0


def test_api_in_a_fresh_interpreter():
    code = (
        "import chainrule; e = chainrule.explain(only=['w5']); import chainrule.derivation.rendering.render_text; "
        "print(type(chainrule.explain).__name__, round(e.values['w5+'], 9))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.split() == ["function", "0.35891648"], proc.stderr


def test_latex_breaks_long_sums_outside_braces():
    from chainrule.derivation.rendering.latex_forms import _top_level_terms

    assert _top_level_terms(r"a + \frac{1}{1 + e} + \left(b + c\right) + d") == [
        "a",
        r"\frac{1}{1 + e}",
        r"\left(b + c\right)",
        "d",
    ]
    spec = {
        "layers": [6, 1],
        "activation": "identity",
        "weights": [[[0.123456, -0.2, 0.3, -0.4, 0.5, -0.6]]],
        "input": [0.11, 0.22, 0.33, 0.44, 0.55, 0.66],
        "target": [0.5],
    }
    tex = chainrule.explain(spec, format="latex")
    net_line = next(line for line in tex.splitlines() if line.startswith("net_{o1}"))
    assert net_line.count(r"\\ &\quad + ") >= 2  # formula and numbers each broken
    assert net_line.count("{") == net_line.count("}")


def test_an_explain_format_is_one_registered_renderer():
    from chainrule.cli import build_parser
    from chainrule.derivation.rendering import formats

    formats.register_format("shout", lambda exp: exp.to_text().upper(), "loud")
    try:
        assert chainrule.explain(format="loud").startswith("A 2-2-2 NETWORK")
        assert "shout" in build_parser()._subparsers._group_actions[0].choices["explain"].format_help()
        with pytest.raises(chainrule.ConfigError, match="shout"):  # the error lists what is registered
            chainrule.explain(format="nope")
    finally:
        formats.FORMATS.pop("shout")
        formats.ALIASES.pop("loud")


def test_explain_takes_a_fitted_estimator_by_its_network_():
    net = chainrule.seed_network()

    class Fitted:  # the duck type a scikit-learn-style estimator offers once fitted
        network_ = net

    exp = chainrule.explain(Fitted(), x=[0.05, 0.10], target=[0.01, 0.99])
    assert exp.values["w5+"] == chainrule.explain().values["w5+"]


def test_explain_cosmetics_negative_nets_rounding_zeros_and_softmax_notes():
    spec = {"layers": [1, 1], "activation": "sigmoid", "weights": [[[0.7]]], "input": [-1], "target": [0]}
    text = chainrule.explain(spec).to_text()
    assert "e^(-(-0.7))" in text and "e^(--" not in text
    soft = {
        "layers": [2, 2],
        "activation": "softmax",
        "loss": "half_sse",
        "weights": [[[0.1, 0.2], [0.3, -0.4]]],
        "input": [1, 1],
        "target": [1, 0],
    }
    line = next(l for l in chainrule.explain(soft).to_text().splitlines() if l.startswith("dout_o1/dnet_o1"))
    assert "diagonal" not in line  # the remark is the step's note, not repeated in the numbers
    assert "diagonal of the Jacobian" in chainrule.explain(soft).trace.step("dout_o1/dnet_o1").note
    # a net input that is 0 up to float64 rounding is written as 0, with the residue named
    zero = {
        "layers": [2, 1],
        "activation": "identity",
        "weights": [[[0.1, 0.2]]],
        "biases": [[-0.3]],
        "input": [1, 1],
        "target": [0],
    }
    exp = chainrule.explain(zero)
    residue = exp.values["net_o1"]  # 0.1 + 0.2 - 0.3 leaves 5.6e-17 or 2.8e-17 in float64, in any order of the sum
    assert residue != 0 and abs(residue) < 1e-16
    net_line = next(l for l in exp.to_text().splitlines() if l.startswith("net_o1"))
    assert net_line == (
        "net_o1 = w1 * i1 + w2 * i2 + b_o1 * 1 = 0.1 * 1 + 0.2 * 1 + -0.3 * 1 = "
        f"0 (float64 rounding leaves {residue:.3g})"
    )


def test_a_file_without_weights_draws_them_with_seed_0_and_says_so(tmp_path):
    """Issue 10: no weights and no "seed" gives the same numbers on every run (seed 0), and the
    explanation's header names the seed used; a file that gives its weights says nothing of seeds."""
    import chainrule

    spec = {"layers": [2, 3, 2], "input": [0.1, 0.2], "target": [0, 1]}
    first, again = chainrule.explain(dict(spec)), chainrule.explain(dict(spec))
    assert first.values == again.values
    assert first.values == chainrule.explain({**spec, "seed": 0}).values
    assert first.values != chainrule.explain({**spec, "seed": 1}).values
    assert "drawn with seed 0" in first.to_text()
    assert "drawn with seed 7" in chainrule.explain({**spec, "seed": 7}).to_text()
    path = tmp_path / "net.json"
    path.write_text('{"layers": [2, 2], "input": [0.1, 0.2], "target": [0, 1], "weights": [[[1, 2], [3, 4]]]}')
    assert "seed" not in chainrule.explain(str(path)).to_text().splitlines()[1]
