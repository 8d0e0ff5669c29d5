"""``chainrule explain --notation BOOK``: no name is left in the seed's names where the book's table
gives a form for it, and every line written reads back as right in that book's names."""

import re

import pytest

import chainrule
from chainrule.derivation.notation.profiles import PROFILES

# the kinds of name a derivation writes, each with the seed's forms of it (a pattern over the text)
SEED_FORMS = {
    "net": r"net_[ho]\d+(?:_\d+)?",
    "out": r"out_[ho]\d+(?:_\d+)?",
    "delta": r"delta_[ho]\d+(?:_\d+)?",
    "target": r"target_o\d+",
    "input": r"i\d+",
    "weight": r"w\d+",
    "bias": r"b(?:\d+|_[ho]\d+(?:_\d+)?)",
    "E_o": r"E_o\d+",
    "E_total": r"E_total",
    "eta": r"eta",
}
# where a book writes a kind exactly as the seed does (the third seed's tutorial: w5, b1, E_total)
SAME_AS_SEED = {"javatpoint": {"weight", "bias", "E_total"}}
BOOKS = [name for name in PROFILES if name != "seed"]

HAN_KAMBER = {
    "layers": [3, 2, 1],
    "activation": "sigmoid",
    "loss": "half_sse",
    "learning_rate": 0.9,
    "weights": [[[0.2, 0.4, -0.5], [-0.3, 0.1, 0.2]], [[-0.3, -0.2]]],
    "biases": [[-0.4, 0.2], [0.1]],
    "input": [1, 0, 1],
    "target": [1],
}
SOFTMAX = {
    "layers": [2, 3, 2],
    "activation": ["tanh", "softmax"],
    "loss": "cross_entropy",
    "learning_rate": 0.1,
    "weights": [[[0.1, -0.2], [0.3, 0.4], [-0.5, 0.2]], [[0.2, -0.1, 0.3], [-0.4, 0.5, 0.1]]],
    "biases": [[0.1, 0.0, -0.1], [0.05, -0.05]],
    "input": [0.5, -1.0],
    "target": [0, 1],
}
DEEP = {
    "layers": [2, 3, 2, 2],
    "activation": "sigmoid",
    "loss": "half_sse",
    "learning_rate": 0.5,
    "weights": [[[0.1, 0.2], [0.3, -0.1], [0.2, 0.2]], [[0.1, -0.2, 0.3], [0.2, 0.1, -0.1]], [[0.3, 0.1], [-0.2, 0.4]]],
    "biases": [[0.1, 0.1, 0.1], [0.2, 0.2], [0.3, 0.3]],
    "input": [0.05, 0.1],
    "target": [0.01, 0.99],
}
BATCH = {
    "layers": [2, 2, 2],
    "activation": "sigmoid",
    "learning_rate": 0.5,
    "batch": "mean",
    "weights": [[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]],
    "biases": [0.35, 0.6],
    "inputs": [[0.05, 0.1], [0.2, 0.3]],
    "targets": [[0.01, 0.99], [0.5, 0.5]],
}
NETWORKS = {"seed": None, "han-kamber": HAN_KAMBER, "softmax": SOFTMAX, "deep": DEEP, "batch": BATCH}


def _defines(book: str, kind: str) -> bool:
    table = PROFILES[book]["write"]
    return (
        kind in table
        or any(key.startswith(kind + "_") for key in table)
        or (kind in ("net", "out") and f"{kind}_h" in table)
    )


@pytest.mark.parametrize("book", BOOKS)
def test_every_book_table_covers_every_kind_of_name(book):
    missing = [kind for kind in SEED_FORMS if not _defines(book, kind) and kind not in SAME_AS_SEED.get(book, ())]
    assert not missing, f"{book} writes these in the seed's names: {missing}"


@pytest.mark.parametrize("network", NETWORKS, ids=list(NETWORKS))
@pytest.mark.parametrize("book", BOOKS)
def test_no_seed_only_name_is_left_where_the_book_has_one(book, network):
    text = chainrule.explain(NETWORKS[network], notation=book, format="text")
    left = {}
    for kind, pattern in SEED_FORMS.items():
        if kind in SAME_AS_SEED.get(book, ()):
            continue
        found = set(re.findall(rf"(?<![\w^]){pattern}(?![\w])", text))
        if found:
            left[kind] = sorted(found)
    assert not left, f"explain --notation {book} still writes the seed's names: {left}"
    if book in ("nielsen", "mitchell", "bishop", "javatpoint"):
        assert "learning rate η = " in text
    assert "learning rate eta" not in text


@pytest.mark.parametrize("network", ["batch", "deep", "softmax"])
@pytest.mark.parametrize("book", BOOKS)
def test_every_line_written_reads_back_as_right(book, network):
    """The round trip on networks beyond the seed's: per-neuron biases, two hidden layers, softmax
    with cross-entropy, a full batch (Ng's examples as Z^[l](i)_j)."""
    spec = NETWORKS[network]
    text = chainrule.explain(spec, notation=book, format="text")
    sheet = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.split("    (")[0].split(" = ")]
        if (
            len(parts) >= 2
            and not parts[0].startswith(("A ", "Inputs", "Layer", "Sample", "One "))
            and "rounding" not in parts[-1]
        ):
            try:
                float(parts[-1])
            except ValueError:
                continue
            sheet.append(f"{parts[0]} = {parts[-1]}")
    assert len(sheet) > 20
    result = chainrule.check("\n".join(sheet), spec, notation=book)
    assert result.ok, result.to_text()


def test_the_books_learning_rates_and_error_names():
    assert "I_4 = w_14 * x_1" in chainrule.explain(HAN_KAMBER, notation="han-kamber", format="text")
    hk = chainrule.explain(None, notation="han-kamber", format="text")
    assert "learning rate l = 0.5" in hk and "E = E_5 + E_6 = " in hk and "w_35+ = w_35 - l * dE/dw_35" in hk
    ng = chainrule.explain(None, notation="ng", format="text")
    assert "learning rate α = 0.5" in ng and "J = L_1 + L_2 = " in ng
    assert "W^[2]_11+ = W^[2]_11 - α * dJ/dW^[2]_11" in ng
    nielsen = chainrule.explain(None, notation="nielsen", format="text")
    assert "w^3_11' = w^3_11 - η * dC/dw^3_11" in nielsen and "C = C_1 + C_2" in nielsen
    jt = chainrule.explain(None, notation="javatpoint", format="text")
    assert "w5_new = w5 - η * dE_total/dw5" in jt and "dE_total/dy1 = dE_total/dy1final * dy1final/dy1" in jt
    batch = chainrule.explain(BATCH, notation="ng", format="text")
    assert "Z^[1](2)_1 = W^[1]_11 * X_1[2]" in batch
    # and read back: the book's learning rate and error names are names check knows
    r = chainrule.check("l = 0.5\nE_5 = 0.274811083\nl*dE/dw_35 = 0.04108352\n", notation="han-kamber")
    assert r.ok, r.to_text()
    r = chainrule.check("α = 0.5\nL_2 = 0.023560026\n", notation="ng")
    assert r.ok, r.to_text()


def test_latex_writes_the_books_greek_as_commands():
    for book, command in (("ng", r"\alpha"), ("nielsen", r"\eta"), ("han-kamber", r"\theta")):
        latex = chainrule.explain(HAN_KAMBER if book == "han-kamber" else None, notation=book, format="latex")
        body = latex.split(r"\begin{document}", 1)[1]
        assert command in body and not any(ch in body for ch in "ηαθδ"), book  # pdflatex has no Greek glyphs


def test_only_and_neuron_take_the_books_names_and_json_says_how_each_is_written():
    text = chainrule.explain(None, notation="ng", only="W^[2]_11", format="text")
    assert "Only what W^[2]_11 needs is shown." in text and "W^[2]_11+ = " in text and "W^[1]_11+" not in text
    hk = chainrule.explain(None, notation="han-kamber", only="Err_6", format="text")
    assert "-Err_6 = " in hk and "-Err_5 = " not in hk
    doc = chainrule.explain(None, notation="nielsen", format="json")
    assert '"w1": "w^2_11"' in doc
    import json

    written = json.loads(doc)["written"]
    assert written["eta"] == "η" and written["net_h1"] == "z^2_1" and set(written) == set(json.loads(doc)["values"])


def test_a_summary_in_a_books_notation_says_its_lines_use_the_seeds_names():
    text = chainrule.explain(None, notation="ng", detail="summary", format="text")
    assert "use the seed's names" in text
