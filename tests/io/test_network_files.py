"""Network files: what is accepted, and one clear line for everything that is not."""

import json
import subprocess
import sys

import numpy as np
import pytest

from chainrule import seed
from chainrule.core.network import MAX_PARAMETERS
from chainrule.errors import ConfigError, FileFormatError
from chainrule.io.network_file import network_from_dict, network_to_dict, parse_network_text, read_network_file

ISSUE_EXAMPLE = {
    "layers": [2, 2, 2],
    "activation": "sigmoid",
    "loss": "half_sse",
    "learning_rate": 0.5,
    "weights": [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]],
    "biases": [0.35, 0.60],
    "train_biases": False,
    "input": [0.05, 0.10],
    "target": [0.01, 0.99],
}


def test_the_issue_example_is_the_seed_network(tmp_path):
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(ISSUE_EXAMPLE))
    nf = read_network_file(path)
    assert nf.learning_rate == 0.5 and nf.n_samples == 1
    assert nf.network.loss(nf.inputs, nf.targets) == seed.seed_network().loss(seed.INPUT, seed.TARGET)
    assert [layer.bias_mode for layer in nf.network.layers] == ["shared", "shared"]
    assert not any(layer.train_bias for layer in nf.network.layers)


def test_toml_per_layer_activations_and_per_neuron_biases(tmp_path):
    path = tmp_path / "net.toml"
    path.write_text(
        'layers = [3, 2, 2]\nactivation = ["tanh", "softmax"]\nloss = "cross_entropy"\n'
        "biases = [[0.1, -0.2], [0.0, 0.3]]\nseed = 7\ninputs = [[1, 2, 3], [0, 1, 0]]\n"
        "targets = [[1, 0], [0, 1]]\n"
    )
    nf = read_network_file(path)
    assert [layer.activation.name for layer in nf.network.layers] == ["tanh", "softmax"]
    assert nf.network.layers[1].bias.tolist() == [0.0, 0.3]
    assert nf.n_samples == 2 and nf.learning_rate == 0.5


def test_missing_weights_come_from_the_seeded_initialiser():
    spec = {"layers": [4, 3, 2], "seed": 7, "input": [1, 2, 3, 4], "target": [0, 1]}
    a, b = network_from_dict(spec), network_from_dict(dict(spec))
    c = network_from_dict({**spec, "seed": 8})
    assert np.array_equal(a.network.layers[0].weights, b.network.layers[0].weights)
    assert not np.array_equal(a.network.layers[0].weights, c.network.layers[0].weights)


def test_round_trip_through_the_writer():
    nf = network_from_dict(ISSUE_EXAMPLE)
    again = network_from_dict(json.loads(json.dumps(network_to_dict(nf.network, nf.inputs, nf.targets, 0.5))))
    for a, b in zip(nf.network.layers, again.network.layers):
        assert np.array_equal(a.weights, b.weights) and np.array_equal(a.bias, b.bias)
        assert a.train_bias == b.train_bias and a.bias_mode == b.bias_mode


BAD = {
    "not an object": "[1, 2, 3]",
    "malformed": '{"layers": [2, 2, 2],',
    "NaN literal": '{"layers": [2, 2], "weights": [[[NaN, 1], [1, 1]]], "input": [1, 1], "target": [1, 1]}',
    "string sizes": '{"layers": ["2", 2], "input": [1, 1], "target": [1, 1]}',
    "bool size": '{"layers": [true, 2], "input": [1], "target": [1, 1]}',
    "ragged weights": '{"layers": [2, 2], "weights": [[[1, 2], [3]]], "input": [1, 1], "target": [1, 1]}',
    "wrong shape": '{"layers": [2, 2], "weights": [[[1, 2, 3], [3, 4, 5]]], "input": [1, 1], "target": [1, 1]}',
    "string weight": '{"layers": [2, 2], "weights": [[["a", 2], [3, 4]]], "input": [1, 1], "target": [1, 1]}',
    "unknown key": '{"layers": [2, 2], "activations": "tanh", "input": [1, 1], "target": [1, 1]}',
    "unknown activation": '{"layers": [2, 2], "activation": "swish", "input": [1, 1], "target": [1, 1]}',
    "unknown loss": '{"layers": [2, 2], "loss": "hinge", "input": [1, 1], "target": [1, 1]}',
    "huge": '{"layers": [100000, 100000, 10], "input": [1], "target": [1]}',
    "no input": '{"layers": [2, 2]}',
    "short input": '{"layers": [2, 2], "input": [1], "target": [1, 1]}',
    "mixed biases": '{"layers": [2, 2, 2], "biases": [0.1, [1, 2]], "input": [1, 1], "target": [1, 1]}',
    "negative rate": '{"layers": [2, 2], "learning_rate": -1, "input": [1, 1], "target": [1, 1]}',
    "too many digits": '{"layers": [2, ' + "9" * 5000 + '], "input": [1, 1], "target": [1]}',
    "deep nesting": "[" * 100000 + "]" * 100000,
    "integer too large for a float": '{"layers": [2, 1], "weights": [[[1'
    + "0" * 400
    + ', 1]]], "input": [1, 1], "target": [1]}',
    "too many layers": '{"layers": [' + ", ".join(["1"] * 2000) + '], "input": [1], "target": [1]}',
    "samples mismatch": '{"layers": [2, 2], "inputs": [[1, 1], [2, 2]], "targets": [[1, 1]]}',
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_files_raise_one_line(case):
    with pytest.raises(FileFormatError) as err:
        parse_network_text(BAD[case], source="net.json")
    message = str(err.value)
    assert "\n" not in message and message.startswith("net.json: ") and len(message) < 300


def test_huge_network_refused_before_allocating():
    with pytest.raises(FileFormatError, match="larger than the limit"):
        network_from_dict({"layers": [MAX_PARAMETERS, 2], "input": [1], "target": [1, 1]})


def test_nan_in_toml_and_bad_toml():
    with pytest.raises(FileFormatError, match="finite"):
        parse_network_text("layers = [1, 1]\ninput = [nan]\ntarget = [1]\n", toml=True)
    with pytest.raises(FileFormatError, match="not valid TOML"):
        parse_network_text("layers = [1, 1\n", toml=True)


def test_unknown_key_suggests_the_right_one():
    with pytest.raises(FileFormatError, match="did you mean 'activation'"):
        parse_network_text(BAD["unknown key"])


@pytest.mark.parametrize("content", [b"\xff\xfe{not utf8", BAD["ragged weights"].encode(), b'{"layers": [2, 2]'])
def test_cli_bad_file_is_one_line_and_exit_2(tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    for argv in (["explain", str(path)], ["check", str(path), "--network", str(path)]):
        proc = subprocess.run([sys.executable, "-m", "chainrule", *argv], capture_output=True, text=True)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr and proc.stdout == ""


def test_cli_missing_file_is_exit_2(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "chainrule", "explain", str(tmp_path / "nope.json")], capture_output=True, text=True
    )
    assert proc.returncode == 2 and "no such file" in proc.stderr and proc.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "bias,biases,words",
    [
        ("sometimes", None, "bias must be one of"),
        ("per_neuron", [0.1, 0.2], "written shared"),
        ("none", [0.1, 0.2], "bias is 'none'"),
    ],
)
def test_bias_mode_is_checked_by_the_network_constraints(bias, biases, words):
    spec = {"layers": [2, 2, 2], "bias": bias, "input": [1, 1], "target": [1, 1]}
    if biases is not None:
        spec["biases"] = biases
    with pytest.raises(FileFormatError, match=words):
        network_from_dict(spec)


def test_a_key_written_twice_is_refused_not_silently_overwritten(tmp_path):
    """Issue 15 (#14): JSON readers keep the last of two equal keys; a network file says which key."""
    path = tmp_path / "dup.json"
    path.write_text('{"layers": [2, 2], "layers": [2, 3], "input": [0.1, 0.2], "target": [0, 1]}')
    with pytest.raises(FileFormatError, match="the key 'layers' appears twice"):
        read_network_file(path)


def test_a_per_neuron_bias_list_of_the_wrong_length_is_refused_not_broadcast():
    """Issue 25: on the old code [[0.35], [0.6, 0.6]] for a 2-2-2 network gave b_h1 = b_h2 = 0.35, silently."""
    spec = {**ISSUE_EXAMPLE, "biases": [[0.35], [0.6, 0.6]]}
    with pytest.raises(FileFormatError, match=r"the biases of layer 1 must be 2 number\(s\), one per neuron, not 1"):
        network_from_dict(spec)
    with pytest.raises(FileFormatError, match="layer 2 must be 2 number"):
        network_from_dict({**ISSUE_EXAMPLE, "biases": [[0.35, 0.35], [0.6, 0.6, 0.6]]})
    right = network_from_dict({**ISSUE_EXAMPLE, "biases": [[0.35, 0.3], [0.6, 0.6]]}).network
    assert right.layers[0].bias.tolist() == [0.35, 0.3]


@pytest.mark.parametrize("not_a_path", [{"layers": [2, 2]}, 3, None, ["net.json"]])
def test_reading_something_that_is_not_a_path_is_one_config_error(not_a_path):
    """A dict given to read_network_file was a raw TypeError from os.stat."""
    with pytest.raises(ConfigError, match="is read from a path"):
        read_network_file(not_a_path)
