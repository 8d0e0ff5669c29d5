"""Notation profiles: how each book names the quantities of one training step — data, one table per book.

A profile's ``read`` table maps a written name (a regular expression) to the seed's name, through
one of these placeholders (``{1}``, ``{2}`` … are the pattern's groups):

* by unit number (``"index": "unit"``; units are numbered through the layers, inputs first —
  Han & Kamber's 3-2-1 network has inputs 1–3, hidden units 4–5, output 6):
  ``net:{1}``, ``out:{1}`` (for an input unit: the input), ``delta:{1}``, ``target:{1}``,
  ``bias:{1}``, ``weight:{from},{to}``;
* by layer and neuron (``"index": "layer"``; ``first_layer`` is the number the book gives the first
  layer of neurons — Nielsen's inputs are layer 1, so his first hidden layer is 2; Ng's is [1]):
  ``net:{l},{j}``, ``out:{l},{j}``, ``delta:{l},{j}``, ``bias:{l},{j}``, ``weight:{l},{to},{from}``;
* a leading ``-`` flips the sign (Han & Kamber's Err_j and Mitchell's δ_k are −∂E/∂net);
* ``error:{1}`` (by unit) or ``error:last,{1}`` (by layer) is one output's error term ``E_oK``;
* ``name:X`` is the seed's name X itself (``C`` → ``E_total``, ``α`` → ``eta``).

Derivatives (``∂E/∂w_46``), updated values (``w_46+``, ``w_46_new``, ``w_46'``), values after N
updates (``@N``) and changes (``Δw_46``) are built from these by :mod:`chainrule.derivation.notation.reader`.
``write`` gives, per kind, how the book writes a name (``{unit}``, ``{from}``, ``{to}``, ``{l}``,
``{j}``, ``{k}``; ``{n}`` the seed's own number of the neuron: 1 for h1, 1_3 for h1_3), for
``chainrule explain --notation``: ``net``, ``out``, ``delta``, ``target``,
``input``, ``weight``, ``bias`` (or ``net_h``/``net_o``... for hidden and output neurons apart),
``E_o`` (one output's error), ``E_total``, ``eta``, ``updated`` (``{name}`` the parameter's written
name: ``w5_new``) and ``sample`` (one example of a full batch, put after the name's first ``]``;
otherwise ``NAME[k]``).  Where a book names a quantity nowhere (one output's error term in most
books), the form is the book's symbol with the book's index, and the title says so.
"""

from __future__ import annotations

_SUP = r"\^?\{?\(?\[?(\d+)\]?\)?\}?"  # a layer written as ^2, ^{2}, ^(2), ^[2] or just 2
_SUB = r"_?\{?(\d+)\}?"
_SUB2 = r"_?\{?(\d),?(\d)\}?"

PROFILES: dict[str, dict] = {
    "seed": {
        "title": "the seed (Mazur's step-by-step example): net_h1, out_o1, delta_o1, w1..w8, b1, dE_total/dw5, w5+",
        "index": None,
        "read": [(r"E", "name:E_total"), (r"([iwb])_(\d+)", "name:{1}{2}")],  # w_5 is w5
        "write": {},
    },
    "javatpoint": {
        "title": "javatpoint's backpropagation tutorial (the third seed): x1, H1, H1final, y1, y1final, T1, E1, "
        "Error_w5, w5new",
        "index": None,
        "read": [
            (r"x(\d+)", "name:i{1}"),
            (r"H(\d+(?:_\d+)?)_?final", "name:out_h{1}"),
            (r"H(\d+(?:_\d+)?)", "name:net_h{1}"),
            (r"y(\d+)_?final", "name:out_o{1}"),
            (r"y(\d+)", "name:net_o{1}"),
            (r"T(\d+)", "name:target_o{1}"),
            (r"E(\d+)", "name:E_o{1}"),
            (r"E_?total", "name:E_total"),
            (r"W(\d+)", "name:w{1}"),
        ],
        "write": {
            "input": "x{k}",
            "net_h": "H{n}",
            "out_h": "H{n}final",
            "net_o": "y{j}",
            "out_o": "y{j}final",
            "target": "T{j}",
            "E_o": "E{j}",
            "delta_h": "dE_total/dH{n}",
            "delta_o": "dE_total/dy{j}",
            "eta": "η",
            "updated": "{name}_new",
        },
    },
    "han-kamber": {
        "title": "Han, Kamber & Pei, Data Mining: Concepts and Techniques (units numbered through the layers; "
        "I_j, O_j, Err_j = O_j(1 − O_j)(T_j − O_j), w_ij from unit i to unit j, θ_j, the learning rate l; "
        "E and one output's E_j are ours: the book names neither)",
        "index": "unit",
        "read": [
            (r"I" + _SUB, "net:{1}"),
            (r"O" + _SUB, "out:{1}"),
            (r"(?:Err|δ|delta)" + _SUB, "-delta:{1}"),
            (r"w_?0(\d)", "bias:{1}"),
            (r"(?:θ|theta)" + _SUB, "bias:{1}"),
            (r"w" + _SUB2, "weight:{1},{2}"),
            (r"x" + _SUB, "out:{1}"),
            (r"T" + _SUB, "target:{1}"),
            (r"E", "name:E_total"),
            (r"E" + _SUB, "error:{1}"),
            (r"l", "name:eta"),
        ],
        "write": {
            "net": "I_{unit}",
            "out": "O_{unit}",
            "delta": "-Err_{unit}",
            "weight": "w_{from}{to}",
            "bias": "θ_{unit}",
            "target": "T_{unit}",
            "input": "x_{unit}",
            "E_total": "E",
            "E_o": "E_{unit}",
            "eta": "l",
        },
    },
    "mitchell": {
        "title": "Mitchell, Machine Learning, ch. 4 (units numbered; net_j, o_j, t_k, δ_k = o_k(1 − o_k)(t_k − o_k), "
        "w_ji from unit i to unit j, x_ji, E_d, η; one output's E_k is ours: the book has no name for it)",
        "index": "unit",
        "read": [
            (r"net" + _SUB, "net:{1}"),
            (r"o" + _SUB, "out:{1}"),
            (r"(?:δ|delta)" + _SUB, "-delta:{1}"),
            (r"w_?(\d)0", "bias:{1}"),
            (r"w" + _SUB2, "weight:{2},{1}"),
            (r"x" + _SUB2, "out:{2}"),
            (r"x" + _SUB, "out:{1}"),
            (r"t" + _SUB, "target:{1}"),
            (r"E_?d?", "name:E_total"),
            (r"E" + _SUB, "error:{1}"),
        ],
        "write": {
            "net": "net_{unit}",
            "out": "o_{unit}",
            "delta": "-δ_{unit}",
            "weight": "w_{to}{from}",
            "bias": "w_{unit}0",
            "target": "t_{unit}",
            "input": "x_{unit}",
            "E_total": "E_d",
            "E_o": "E_{unit}",
            "eta": "η",
        },
    },
    "nielsen": {
        "title": "Nielsen, Neural Networks and Deep Learning, ch. 2 (z^l_j, a^l_j, δ^l_j = ∂C/∂z^l_j, "
        "w^l_jk into neuron j of layer l from neuron k of layer l − 1, b^l_j; the inputs are layer 1; "
        "C, η, w → w'; one output's C_j is ours: the book has no name for it)",
        "index": "layer",
        "first_layer": 2,
        "read": [
            (r"z" + _SUP + _SUB, "net:{1},{2}"),
            (r"a" + _SUP + _SUB, "out:{1},{2}"),
            (r"(?:δ|delta)" + _SUP + _SUB, "delta:{1},{2}"),
            (r"w" + _SUP + _SUB2, "weight:{1},{2},{3}"),
            (r"b" + _SUP + _SUB, "bias:{1},{2}"),
            (r"y" + _SUB, "target:last,{1}"),
            (r"x" + _SUB, "out:1,{1}"),
            (r"C(?:_?x)?", "name:E_total"),
            (r"C" + _SUB, "error:last,{1}"),
        ],
        "write": {
            "net": "z^{l}_{j}",
            "out": "a^{l}_{j}",
            "delta": "δ^{l}_{j}",
            "weight": "w^{l}_{j}{k}",
            "bias": "b^{l}_{j}",
            "target": "y_{j}",
            "input": "x_{j}",
            "E_total": "C",
            "E_o": "C_{j}",
            "eta": "η",
            "updated": "{name}'",
        },
    },
    "ng": {
        "title": "Ng's deep-learning courses, vectorised (Z^[l], A^[l], dZ^[l] = ∂J/∂Z^[l], dW^[l], db^[l], "
        "W^[l]_jk into neuron j from k; the inputs are A^[0] = X; J the cost; the learning rate α; "
        "example i of a batch is z^[l](i)_j, a column of Z^[l]; one output's L_j is ours)",
        "index": "layer",
        "first_layer": 1,
        "sample": r"(?<=\])\((\d+)\)",  # z^[l](i)_j: training example i of a batch (its column i)
        "read": [
            (r"[zZ]" + _SUP + _SUB, "net:{1},{2}"),
            (r"[aA]" + _SUP + _SUB, "out:{1},{2}"),
            (r"d[zZ]" + _SUP + _SUB, "delta:{1},{2}"),
            (r"W" + _SUP + _SUB2, "weight:{1},{2},{3}"),
            (r"dW" + _SUP + _SUB2, "dweight:{1},{2},{3}"),
            (r"b" + _SUP + _SUB, "bias:{1},{2}"),
            (r"db" + _SUP + _SUB, "dbias:{1},{2}"),
            (r"[yY]" + _SUB, "target:last,{1}"),
            (r"X" + _SUB, "out:0,{1}"),
            (r"J|L|cost", "name:E_total"),
            (r"L" + _SUB, "error:last,{1}"),
            (r"α|alpha", "name:eta"),
        ],
        "write": {
            "net": "Z^[{l}]_{j}",
            "out": "A^[{l}]_{j}",
            "delta": "dZ^[{l}]_{j}",
            "weight": "W^[{l}]_{j}{k}",
            "bias": "b^[{l}]_{j}",
            "target": "Y_{j}",
            "input": "X_{j}",
            "E_total": "J",
            "E_o": "L_{j}",
            "eta": "α",
            "sample": "({k})",
        },
    },
    "bishop": {
        "title": "Bishop, Pattern Recognition and Machine Learning, §5.3 (a_j = Σ w_ji z_i, z_j = h(a_j), "
        "δ_j = ∂E_n/∂a_j, w^(l)_ji into unit j from unit i; x_i inputs, y_k outputs, t_k targets, η; "
        "one output's E_nk is ours: the book has no name for it)",
        "index": "layer",
        "first_layer": 1,
        "read": [
            (r"a" + _SUP + _SUB, "net:{1},{2}"),
            (r"z" + _SUP + _SUB, "out:{1},{2}"),
            (r"(?:δ|delta)" + _SUP + _SUB, "delta:{1},{2}"),
            (r"w" + _SUP + _SUB2, "weight:{1},{2},{3}"),
            (r"w" + _SUP + r"_?\{?(\d),?0\}?", "bias:{1},{2}"),
            (r"y" + _SUB, "out:last,{1}"),
            (r"t" + _SUB, "target:last,{1}"),
            (r"x" + _SUB, "out:0,{1}"),
            (r"E_?n?", "name:E_total"),
            (r"E_?n" + _SUB, "error:last,{1}"),
        ],
        "write": {
            "net": "a^({l})_{j}",
            "out": "z^({l})_{j}",
            "delta": "δ^({l})_{j}",
            "weight": "w^({l})_{j}{k}",
            "bias": "w^({l})_{j}0",
            "target": "t_{j}",
            "input": "x_{j}",
            "E_total": "E_n",
            "E_o": "E_n{j}",
            "eta": "η",
        },
    },
}
