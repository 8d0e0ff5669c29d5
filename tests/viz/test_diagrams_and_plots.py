"""Diagrams, history plots and the 2-D toy datasets (issue 6)."""

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from chainrule import seed
from chainrule.cli import main
from chainrule.data.toy2d import DATASETS, make_toy2d
from chainrule.data.toy2d import kind as toy_kind
from chainrule.derivation.step.trace import trace_step
from chainrule.errors import ConfigError, FileFormatError
from chainrule.viz.diagram import NEGATIVE, POSITIVE, layout, to_png, to_svg
from chainrule.viz.plots import check_history, plot_history

from support.tiers import requires  # test tiers: skip with a reason when missing

PNG = b"\x89PNG\r\n\x1a\n"


# ----------------------------------------------------------------------------- toy datasets
@pytest.mark.parametrize("name", sorted(n for n in DATASETS if toy_kind(n) == "classification"))
def test_toy_datasets_are_seeded_balanced_and_in_the_square(name):
    x, y = make_toy2d(name, 120, 0.1, seed=3)
    again, y2 = make_toy2d(name, 120, 0.1, seed=3)
    other, _ = make_toy2d(name, 120, 0.1, seed=4)
    assert x.shape == (120, 2) and y.shape == (120, 1)
    assert np.array_equal(x, again) and np.array_equal(y, y2)  # bit for bit
    assert not np.array_equal(x, other)
    assert set(np.unique(y)) == {0.0, 1.0}
    assert 30 <= y.sum() <= 90
    assert np.abs(x).max() <= 1.0


@pytest.mark.parametrize("name", sorted(n for n in DATASETS if toy_kind(n) == "regression"))
def test_regression_toy_datasets_are_seeded_real_valued_and_in_the_square(name):
    x, y = make_toy2d(name, 120, 0.1, seed=3)
    again, y2 = make_toy2d(name, 120, 0.1, seed=3)
    assert x.shape == (120, 2) and y.shape == (120, 1)
    assert np.array_equal(x, again) and np.array_equal(y, y2)  # bit for bit
    assert len(np.unique(y)) > 100  # real-valued targets, not labels
    assert np.abs(y).max() <= 1.0 and np.abs(x).max() <= 1.0


def test_toy_datasets_have_their_shapes():
    x, y = make_toy2d("xor", 400, 0.0, seed=0)
    assert np.all((np.sign(x[:, 0]) != np.sign(x[:, 1])) == (y[:, 0] == 1))
    x, y = make_toy2d("circles", 400, 0.0, seed=0)
    r = np.hypot(x[:, 0], x[:, 1])
    assert r[y[:, 0] == 1].max() < r[y[:, 0] == 0].min()  # the disc is inside the ring
    x, y = make_toy2d("gaussians", 400, 0.0, seed=0)
    assert x[y[:, 0] == 1].mean() > 0.3 and x[y[:, 0] == 0].mean() < -0.3


@pytest.mark.parametrize("args", [("moons",), ("xor", 1), ("xor", 10, -0.5), ("xor", 10, float("nan")), ("xor", 10.5)])
def test_toy_dataset_bad_arguments_are_config_errors(args):
    with pytest.raises(ConfigError):
        make_toy2d(*args)


# ----------------------------------------------------------------------------- diagram
def test_seed_diagram_names_every_weight_and_bias_with_its_value():
    lay = layout(seed.seed_network())
    labels = [e.label for e in lay.edges if e.label]
    for name, value in zip([f"w{k}" for k in range(1, 9)], [0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55]):
        assert f"{name} = {value}" in labels
    assert "b1 = 0.35" in labels and "b2 = 0.6" in labels
    assert {n.name for n in lay.nodes} == {"i1", "i2", "h1", "h2", "o1", "o2", "b1", "b2"}
    xs = {n.name: n.x for n in lay.nodes}
    assert xs["i1"] < xs["h1"] < xs["o1"]  # inputs left, hidden, outputs right
    w5, w1 = (next(e for e in lay.edges if e.name == k) for k in ("w5", "w1"))
    assert w5.width > w1.width  # thicker the larger


def test_edges_are_coloured_by_sign():
    net = seed.seed_network()
    net.layers[1].weights[0, 0] = -0.4
    lay = layout(net)
    colours = {e.name: e.colour for e in lay.edges}
    assert colours["w5"] == NEGATIVE and colours["w6"] == POSITIVE


def test_a_step_annotates_net_out_delta_and_gradients():
    net = seed.seed_network()
    values = trace_step(net, seed.INPUT, seed.TARGET, seed.LEARNING_RATE).values
    lay = layout(net, values)
    o1 = next(n for n in lay.nodes if n.name == "o1")
    assert o1.notes == ["net = 1.105905967", "out = 0.751365070", "δ = 0.138498562"]
    w5 = next(e for e in lay.edges if e.name == "w5")
    assert w5.label == "w5 = 0.4\n∂E/∂w5 = 0.082167041"


@requires("matplotlib", "PNG pictures and plots")
def test_svg_is_well_formed_and_png_is_a_png():
    net = seed.seed_network()
    svg = to_svg(layout(net, title="The seed <network>"))
    root = ET.fromstring(svg)
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "w5 = 0.4" in texts and "The seed <network>" in texts
    assert len(list(root.iter("{http://www.w3.org/2000/svg}circle"))) == 8
    png = to_png(layout(net))
    assert png.startswith(PNG) and len(png) > 5000


def test_larger_networks_are_drawn_without_overlapping_edge_labels():
    from chainrule.core.network import Network

    net = Network([4, 6, 6, 3], "tanh", "mse", seed=1)
    lay = layout(net)
    assert len(lay.edges) == 4 * 6 + 6 * 6 + 6 * 3  # per-neuron biases are notes, not edges
    assert not any(e.label for e in lay.edges)
    assert any(note.startswith("b_h1_1 = ") for n in lay.nodes for note in n.notes)
    with pytest.raises(ConfigError):
        layout(Network([100, 2], "sigmoid", "mse", seed=0))


@requires("matplotlib", "PNG pictures and plots")
def test_cli_diagram_writes_svg_and_png(tmp_path, capsys):
    assert main(["diagram", "-o", str(tmp_path / "net.svg")]) == 0
    assert "w5 = 0.4" in (tmp_path / "net.svg").read_text()
    assert main(["diagram", "--step", "-o", str(tmp_path / "net.png")]) == 0
    assert (tmp_path / "net.png").read_bytes().startswith(PNG)
    assert "2-2-2 network, one step annotated" in capsys.readouterr().out


def test_cli_diagram_reads_a_network_file(tmp_path):
    spec = dict(seed.SPEC, weights=[[[0.15, -0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]])
    (tmp_path / "net.json").write_text(json.dumps(spec))
    assert main(["diagram", str(tmp_path / "net.json"), "-o", str(tmp_path / "n.svg")]) == 0
    assert "w2 = -0.2" in (tmp_path / "n.svg").read_text()


def test_cli_diagram_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["diagram", "-o", str(tmp_path / "net.gif")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "use .svg or .png" in err
    assert not (tmp_path / "net.gif").exists()
    assert main(["diagram", str(tmp_path / "missing.json"), "-o", str(tmp_path / "n.svg")]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert not (tmp_path / "n.svg").exists()


# ----------------------------------------------------------------------------- plots
@requires("matplotlib", "PNG pictures and plots")
def test_example_history_falls_from_0_298_to_3_5e_5_and_plots_on_a_log_scale(tmp_path, capsys):
    hist = tmp_path / "history.json"
    assert main(["example", "--history", str(hist)]) == 0
    data = json.loads(hist.read_text())
    assert data["unit"] == "iteration" and len(data["loss"]) == 10_001
    assert round(data["loss"][0], 9) == 0.298371109  # E_total@0
    assert round(data["loss"][1], 9) == 0.291027774  # E_total@1
    assert f"{data['loss'][-1]:.6e}" == "3.510188e-05"  # E_total@10000
    fig = plot_history(check_history(data))
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    line = ax.get_lines()[0]
    assert line.get_ydata()[0] == data["loss"][0] and line.get_ydata()[-1] == data["loss"][-1]
    assert ax.get_xlabel() == "iterations (updates)"
    png = tmp_path / "loss.png"
    assert main(["plot", str(hist), "-o", str(png)]) == 0
    assert png.read_bytes().startswith(PNG)
    assert "loss over 10,001 iterations" in capsys.readouterr().out


@requires("matplotlib", "PNG pictures and plots")
def test_epoch_histories_plot_losses_and_metrics_side_by_side():
    hist = check_history(
        {
            "unit": "epoch",
            "loss": [1.0, 0.5, 0.4],
            "val_loss": [1.1, 0.7, None],
            "accuracy": [0.5, 0.8, 0.9],
            "note": "settings are not series",
        }
    )
    assert set(hist["series"]) == {"loss", "val_loss", "accuracy"}
    fig = plot_history(hist)
    loss_ax, metric_ax = fig.axes
    assert loss_ax.get_yscale() == "linear"  # less than two decades: linear
    assert {l.get_label() for l in loss_ax.get_lines()} == {"loss", "val_loss"}
    assert [l.get_label() for l in metric_ax.get_lines()] == ["accuracy"]
    assert list(loss_ax.get_lines()[0].get_xdata()) == [1, 2, 3]  # epochs count from 1


@pytest.mark.parametrize("data", [[1, 2], {"unit": "day", "loss": [1]}, {"unit": "epoch"}, {"loss": "1, 2"}])
def test_bad_histories_are_file_format_errors(data):
    with pytest.raises(FileFormatError):
        check_history(data)


def test_cli_plot_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "h.json"
    bad.write_text("{not json")
    assert main(["plot", str(bad), "-o", str(tmp_path / "p.png")]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    bad.write_text('{"unit": "epoch", "loss": [1, 0.5]}')
    assert main(["plot", str(bad), "-o", str(tmp_path / "p.jpg")]) == 2
    assert ".png, .svg or .pdf" in capsys.readouterr().err
    assert not (tmp_path / "p.png").exists() and not (tmp_path / "p.jpg").exists()


# ----------------------------------------------------------------------------- issue 25: bounded drawing
@pytest.mark.parametrize("step", [False, True], ids=["diagram", "diagram --step"])
def test_a_network_too_deep_to_draw_is_refused_at_once(tmp_path, step):
    """On the old code 300 layers of 64 ran for more than 300 s of CPU (width was limited, depth
    not), and --step traced a network of 1.2M parameters, past explain's limit of 250,000."""
    import subprocess
    import sys

    spec = {"layers": [64] * 300, "input": [0.1] * 64, "target": [0.5] * 64}
    (tmp_path / "deep.json").write_text(json.dumps(spec))
    argv = ["diagram", tmp_path / "deep.json", "-o", tmp_path / "deep.svg", *(["--step"] if step else [])]
    r = subprocess.run(
        [sys.executable, "-m", "chainrule", *map(str, argv)], capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert "a network of 300 layers is too deep to draw (at most 12" in r.stderr
    assert not (tmp_path / "deep.svg").exists()


def test_every_drawable_network_is_within_what_a_step_s_trace_allows():
    from chainrule.api import MAX_EXPLAIN_PARAMETERS
    from chainrule.core.constraints import n_parameters
    from chainrule.viz.diagram import MAX_DRAWN_LAYERS, MAX_DRAWN_NEURONS, check_drawable

    largest = [MAX_DRAWN_NEURONS] * MAX_DRAWN_LAYERS
    check_drawable(largest)
    assert n_parameters(largest) <= MAX_EXPLAIN_PARAMETERS  # so diagram --step never traces more than explain may
    with pytest.raises(ConfigError, match="too deep to draw"):
        check_drawable([2] * (MAX_DRAWN_LAYERS + 1))


def test_counting_what_a_box_meets_at_once_agrees_with_the_box_by_box_rule():
    """place() counts crossings and overlaps with NumPy over the edges near each box; the count is
    the one Box.crossed_by and Box.overlaps give, edge by edge, for random boxes."""
    from chainrule.core.network import Network
    from chainrule.viz.diagram import Box, Obstacles

    lay = layout(Network([5, 7, 6, 3], "tanh", "mse", bias="shared", seed=2))
    obstacles = Obstacles(lay)
    nodes = [Box(n.x - lay.radius, n.y - lay.radius, 2 * lay.radius, 2 * lay.radius) for n in lay.nodes]
    rng = np.random.default_rng(0)
    for _ in range(300):
        box = Box(*rng.uniform([-50, -50, 1, 1], [lay.width, lay.height, 200, 120]))
        own = lay.edges[rng.integers(len(lay.edges))].name if rng.random() < 0.5 else None
        crossed = sum(box.crossed_by(e.x1, e.y1, e.x2, e.y2) for e in lay.edges if e.name != own)
        assert obstacles.badness(box, own) == 10 * sum(box.overlaps(b) for b in nodes) + crossed
    horizontal = Box(lay.nodes[0].x - 5, lay.nodes[0].y - 5, 10, 10)  # edges parallel to a side: p = 0
    assert obstacles.badness(horizontal) == 10 + sum(horizontal.crossed_by(e.x1, e.y1, e.x2, e.y2) for e in lay.edges)


@requires("matplotlib", "PNG pictures and plots")
@pytest.mark.parametrize("name", ["$\\frac{$", "loss $x^", "acc$"])
def test_a_series_name_is_text_never_mathtext(tmp_path, capsys, name):
    """Issue 25: a series named "$\\frac{$" made matplotlib's mathtext parser raise, a traceback."""
    history = tmp_path / "h.json"
    history.write_text(json.dumps({"unit": "epoch", name: [1.0, 0.5], "loss": [0.9, 0.2]}))
    assert main(["plot", str(history), "-o", str(tmp_path / "h.svg")]) == 0, capsys.readouterr().err
    svg = (tmp_path / "h.svg").read_text()
    assert "<svg" in svg and (tmp_path / "h.svg").stat().st_size > 5000
