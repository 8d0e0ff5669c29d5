"""Write the tutorial notebooks in docs/notebooks/ from the cells below (stored without outputs: the
site and the tests execute them). Run from anywhere: ``python scripts/make_notebooks.py``."""

from pathlib import Path

import nbformat as nbf

OUT = Path(__file__).resolve().parents[1] / "docs" / "notebooks"


def nb(cells, path):
    book = nbf.v4.new_notebook()
    book.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    for kind, text in cells:
        text = text.strip("\n")
        book.cells.append(nbf.v4.new_markdown_cell(text) if kind == "md" else nbf.v4.new_code_cell(text))
    for i, cell in enumerate(book.cells):
        cell["id"] = f"cell-{i}"
    nbf.write(book, OUT / path)


nb(
    [
        (
            "md",
            """
# The seed network, step by step

The classic worked example — two inputs, two hidden and two output neurons, all logistic — computed
with chainrule's engine, one call at a time. Every number below is what `chainrule example`
prints, and what the published text prints (where it is right: see
[the worked example](../worked-example.md)).
""",
        ),
        (
            "code",
            """
import numpy as np

import chainrule

net = chainrule.seed_network()
x, target, eta = [0.05, 0.10], [0.01, 0.99], 0.5
net
""",
        ),
        (
            "md",
            """
The weights are stored per layer, one row per receiving neuron and one column per sending neuron,
so reading them row by row gives w1, w2, w3, w4 (hidden layer) and w5, w6, w7, w8 (output layer).
The seed's biases b1 and b2 are one number per layer, and are not trained.
""",
        ),
        (
            "code",
            """
for l, layer in enumerate(net.layers, start=1):
    print(f"layer {l}: weights {layer.weights.tolist()}, bias {layer.bias.tolist()}, trained: {layer.train_bias}")
""",
        ),
        (
            "md",
            """
## The forward pass

`forward` returns every layer's net input (`nets`) and output (`outs`; `outs[0]` is the input).
""",
        ),
        (
            "code",
            """
fwd = net.forward(x)
net_h, net_o = fwd.nets
out_h, out_o = fwd.outs[1], fwd.outs[2]
print("net_h1, net_h2 =", net_h[0])
print("out_h1, out_h2 =", out_h[0])
print("out_o1, out_o2 =", out_o[0])
assert np.allclose(out_o[0], [0.751365070, 0.772928465], atol=5e-10)
""",
        ),
        (
            "md",
            """
## The total error

$E_{total} = \\sum_k \\tfrac12 (target_k - out_{ok})^2$:
""",
        ),
        (
            "code",
            """
E = 0.5 * (np.asarray(target) - out_o[0]) ** 2
print("E_o1, E_o2 =", E, " E_total =", E.sum())
assert abs(net.loss(x, target) - E.sum()) < 1e-15
""",
        ),
        (
            "md",
            """
## The backward pass

`backward` returns, per layer, ∂E/∂out (`dout`), the deltas δ = ∂E/∂net (`delta`) and the gradients
of the weights (`dW`) and biases (`db`). For an
output neuron δ = (out − target) · out (1 − out); for a hidden neuron the deltas of the next layer
are carried back through the *original* weights.
""",
        ),
        (
            "code",
            """
grads = net.backward(fwd, target)
delta_h, delta_o = grads.delta
print("delta_o1, delta_o2 =", delta_o[0])
print("delta_h1, delta_h2 =", delta_h[0])
dW1, dW2 = grads.dW
print("dE/dw5 .. dE/dw8 =", dW2.ravel())
print("dE/dw1 .. dE/dw4 =", dW1.ravel())
""",
        ),
        (
            "md",
            """
The chain rule by hand for w5 — ∂E/∂w5 = ∂E/∂out_o1 · ∂out_o1/∂net_o1 · ∂net_o1/∂w5 — gives
the engine's number:
""",
        ),
        (
            "code",
            """
o1, h1 = out_o[0, 0], out_h[0, 0]
by_hand = (o1 - target[0]) * o1 * (1 - o1) * h1
print(by_hand, dW2[0, 0])
assert abs(by_hand - dW2[0, 0]) < 1e-15
""",
        ),
        (
            "md",
            """
## The update

w⁺ = w − η · ∂E/∂w, for every weight at once; then the error is smaller.
""",
        ),
        (
            "code",
            """
before = net.loss(x, target)
net.apply_gradients(grads, eta)
print("w5+ .. w8+ =", net.layers[1].weights.ravel())
print("E_total before", before, "after one update", net.loss(x, target))
""",
        ),
        (
            "md",
            """
## 10,000 iterations

`train_online` repeats the same update (it runs a written-out form of it, tested against the
engine's); the error falls from 0.298 to 0.0000351.
""",
        ),
        (
            "code",
            """
net = chainrule.seed_network()
losses = chainrule.train_online(net, x, target, eta, 10_000)
print("E_total before update 1, 10, 100, 1000, 10000:", [round(losses[i - 1], 9) for i in (1, 10, 100, 1000, 10000)])
print("after 10,000 updates:", net.loss(x, target), net.predict(x)[0])
""",
        ),
        (
            "md",
            """
The same step, written out with every formula, as `chainrule explain` shows it:
""",
        ),
        (
            "code",
            """
e = chainrule.explain(only="w5")
print(e.to_text())
""",
        ),
    ],
    "seed-step-by-step.ipynb",
)

nb(
    [
        (
            "md",
            """
# Digits, and inside the hidden layer

Train a 64-32-10 network on scikit-learn's bundled handwritten digits (8 × 8 pixels; nothing is
downloaded), then look at what the hidden neurons respond to. Needs `chainrule[sklearn]`; the
pictures need matplotlib (`chainrule[plot]`).
""",
        ),
        (
            "code",
            """
import numpy as np

import chainrule

data = chainrule.load_dataset("digits")
print(data.X.shape, "pixels per image, classes", sorted(set(data.y.tolist())))
""",
        ),
        (
            "md",
            """
Hold out a quarter of the images (seeded, stratified), train on the rest with Adam:
""",
        ),
        (
            "code",
            """
from chainrule.data.split import train_test_split

X_train, X_test, y_train, y_test = train_test_split(data.X, data.y, test_size=0.25, seed=0)
model = chainrule.train(X_train, y_train, hidden=[32], activation="relu", optimizer="adam",
                        learning_rate=0.01, epochs=15, batch_size=32, validation_split=0.1, seed=0)
print("val_loss per epoch:", np.round(model.history["val_loss"], 3))
print("test accuracy:", model.score(X_test, y_test))
""",
        ),
        (
            "md",
            """
## The hidden layer

`model.network.layers[0].weights` is the first layer's weight matrix: one row per hidden neuron,
one column per pixel. Each row, drawn as an 8 × 8 image, is the pattern that neuron's net input
weighs (on standardised pixels).
""",
        ),
        (
            "code",
            """
import matplotlib.pyplot as plt  # in Jupyter (and on the site) each figure shows below its cell

W1 = model.network.layers[0].weights
fig, axes = plt.subplots(4, 8, figsize=(8, 4.4))
for k, ax in enumerate(axes.flat):
    limit = np.abs(W1[k]).max()
    ax.imshow(W1[k].reshape(8, 8), cmap="RdBu", vmin=-limit, vmax=limit)
    ax.set_title(f"h{k + 1}", fontsize=8)
    ax.axis("off")
fig.suptitle("weights into each hidden neuron (blue: positive, red: negative)")
plt.show()
""",
        ),
        (
            "md",
            """
`model.transform(X, 1)` gives the hidden layer's outputs. The mean output of each hidden neuron
per digit shows which neurons a class switches on:
""",
        ),
        (
            "code",
            """
H = model.transform(X_test, 1)
classes = model.classes
means = np.array([H[y_test == c].mean(axis=0) for c in classes])
fig, ax = plt.subplots(figsize=(8, 3))
im = ax.imshow(means, aspect="auto", cmap="viridis")
ax.set_yticks(range(len(classes)), [str(c) for c in classes])
ax.set_xlabel("hidden neuron"); ax.set_ylabel("digit")
fig.colorbar(im, ax=ax, label="mean out_h")
plt.show()
for c, row in zip(classes, means):
    print(f"digit {c}: most active hidden neurons", [f"h{k + 1}" for k in np.argsort(row)[::-1][:3]])
""",
        ),
        (
            "md",
            """
How many hidden neurons are dead (never active on the test images)? With ReLU a neuron whose net
input is negative for every image passes no gradient and stops learning.
""",
        ),
        (
            "code",
            """
dead = np.flatnonzero(H.max(axis=0) == 0)
print(len(dead), "of", H.shape[1], "hidden neurons never fire on the test images:", [f"h{k + 1}" for k in dead])
""",
        ),
        (
            "md",
            """
Finally, one training step of this network explained in the seed's notation — too large to show
every scalar, so it is written layer by layer. One neuron in full: `neuron="h12"` on the command
line (`--neuron h12`).
""",
        ),
        (
            "code",
            """
x0 = model.inputs(X_test[:1])
t0 = model.targets(y_test[:1])
e = chainrule.explain(model.network, x=x0, target=t0, learning_rate=0.01)
print(e.to_text()[:1500])
""",
        ),
    ],
    "digits-hidden-layer.ipynb",
)

nb(
    [
        (
            "md",
            """
# A teacher's exercise set

Make one small random network per student, hand out the questions, collect the answer sheets and
check them — each exercise is reproducible from its seed.
""",
        ),
        (
            "code",
            """
import chainrule

ex = chainrule.exercise(7)
print(ex.questions[:800])
""",
        ),
        (
            "md",
            """
The exercise's network file (what `chainrule exercise --seed 7` writes as `exercise-7.json`):
""",
        ),
        (
            "code",
            """
import json
print(json.dumps(ex.spec))
""",
        ),
        (
            "md",
            """
A set for a class: one seed per student. The same seed always gives the same exercise, so the
teacher keeps only the seeds.
""",
        ),
        (
            "code",
            """
students = {"Ada": 101, "Ben": 102, "Chloe": 103}
exercises = {name: chainrule.exercise(seed) for name, seed in students.items()}
for name, e in exercises.items():
    print(name, e.spec["layers"], e.spec["activation"], e.spec.get("loss"))
assert chainrule.exercise(101).spec == exercises["Ada"].spec
""",
        ),
        (
            "md",
            """
The blank answer sheet (`sheet`; `answers` is the answer key) lists the names to fill in, one
`name = value` per line. Here Ada fills
hers in from the exact values (the answer key) — and gets two wrong: she forgets the minus sign
of one gradient and moves a decimal point in another.
""",
        ),
        (
            "code",
            """
blank = exercises["Ada"].sheet
key = chainrule.explain(exercises["Ada"].spec).values
names = [line.split("=")[0].strip() for line in blank.splitlines() if "=" in line and not line.startswith("#")]
lines = []
for i, name in enumerate(names):
    value = key[name]
    if i == 1:
        value = -value          # a flipped sign
    if i == 3:
        value = value * 10      # a moved decimal point
    lines.append(f"{name} = {value:.6f}")
sheet = "\\n".join(lines)
print(sheet)
""",
        ),
        (
            "code",
            """
result = chainrule.check(sheet, network=exercises["Ada"].spec)
print("all right" if result.ok else f"{len(result.wrong)} wrong")
for v in result.wrong:
    print(f"{v.name}: expected {v.expected:.6f}; likely: {v.hint}")
assert [v.name for v in result.wrong] == [names[1], names[3]]
""",
        ),
        (
            "md",
            """
On the command line the same is `chainrule exercise --seed 101 --out ada/` (network file,
`questions.md`, blank `answers.txt`, `answer-key.md`) and `chainrule check ada/answers.txt
--network ada/exercise-101.json`; see [Exercises](../exercises.md).
""",
        ),
    ],
    "exercise-set.ipynb",
)


nb(
    [
        (
            "md",
            """
# Teaching a class

A class of 30, each with their own network; their sheets marked against their own networks, with
credit for mistakes carried forward; the grades ready for Moodle or Canvas. The students are
simulated below, on paper as it were: each works through their sheet line by line from the numbers
they wrote before, and a few make the mistakes students make. See [Teaching a class](../teaching.md)
for the commands.
""",
        ),
        (
            "code",
            """
import csv
import pathlib
import tempfile

import chainrule

here = pathlib.Path(tempfile.mkdtemp())
names = ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "John", "Katherine", "Claude"]
with open(here / "students.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "name", "email"])
    for k in range(1, 31):
        w.writerow([f"s{k:03d}", f"{names[k % 10]} Student{k}", f"s{k:03d}@school.example"])

# one hidden layer of sigmoids and the seed's loss, so that the students below can work it by hand
info = chainrule.exercise_class(
    here / "students.csv", here / "class", seed=2026, hidden_layers=(1, 1), activations=["sigmoid"], loss="half_sse"
)
print(open(here / "class" / "index.csv").read()[:400])
""",
        ),
        (
            "md",
            """
Every student has their own network (drawn from the course seed and their id) and their own blank
sheet:
""",
        ),
        (
            "code",
            """
print((here / "class" / "s001" / "answers.txt").read_text())
""",
        ),
        (
            "md",
            """
## The students

A student on paper: every line from the lines written before it, each number written to `keep`
decimals, with a slip, a sign error or two weights swapped where asked. (The error after one update,
`E_total@1`, they compute with code: its exact value.)
""",
        ),
        (
            "code",
            """
import json
import math


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def paper(student, keep=9, slip=None, sign=None, swap=()):
    spec = json.loads((here / "class" / student / "network.json").read_text())
    (W, V), (bh, bo) = spec["weights"], spec["biases"]
    x, t, eta = spec["input"], spec["target"], spec["learning_rate"]
    flat = [w for row in W for w in row] + [v for row in V for v in row]
    if swap:  # read w6 as w7 and w7 as w6
        a, b = (int(s[1:]) - 1 for s in swap)
        flat[a], flat[b] = flat[b], flat[a]
    W = [flat[j * len(x) : (j + 1) * len(x)] for j in range(len(W))]
    V = [flat[len(W) * len(x) + k * len(W) : len(W) * len(x) + (k + 1) * len(W)] for k in range(len(V))]
    identity = spec["activation"][1] == "identity"
    sheet = {}

    def write(name, value):
        value = -value if name == sign else value * 1.1 if name == slip else value
        sheet[name] = round(value, keep)
        return sheet[name]

    out_h = []
    for j in range(len(W)):
        net = write(f"net_h{j + 1}", sum(w * xi for w, xi in zip(W[j], x)) + bh[j])
        out_h.append(write(f"out_h{j + 1}", sigmoid(net)))
    out_o = []
    for k in range(len(V)):
        net = write(f"net_o{k + 1}", sum(v * h for v, h in zip(V[k], out_h)) + bo[k])
        out_o.append(write(f"out_o{k + 1}", net if identity else sigmoid(net)))
    write("E_total", sum(0.5 * (tk - ok) ** 2 for tk, ok in zip(t, out_o)))
    delta_o = []
    for k, (o, tk) in enumerate(zip(out_o, t)):
        delta_o.append(write(f"delta_o{k + 1}", (o - tk) * (1 if identity else o * (1 - o))))
    last = len(W) * len(x) + len(V) * len(W)  # the last output weight's number
    g = write(f"dE_total/dw{last}", delta_o[-1] * out_h[-1])
    write(f"w{last}+", V[-1][-1] - eta * g)
    delta_h = []
    for j in range(len(W)):
        back = sum(delta_o[k] * V[k][j] for k in range(len(V)))
        delta_h.append(write(f"delta_h{j + 1}", back * out_h[j] * (1 - out_h[j])))
    g = write("dE_total/dw1", delta_h[0] * x[0])
    write("w1+", W[0][0] - eta * g)
    e1 = chainrule.check("E_total@1 = 0\\n", spec).verdicts[0].expected
    lines = [f"{name} = {value:.{keep}f}" for name, value in sheet.items()]
    return "\\n".join(lines + [f"E_total@1 = {e1:.9f}"]) + "\\n"
""",
        ),
        (
            "code",
            """
sheets = here / "sheets"
sheets.mkdir()
for k in range(1, 21):  # careful students
    (sheets / f"s{k:03d}.txt").write_text(paper(f"s{k:03d}"))
for k in range(21, 25):  # rounded intermediates: every number to 4 decimals, and worked on from there
    (sheets / f"s{k:03d}.txt").write_text(paper(f"s{k:03d}", keep=4))
(sheets / "s025.txt").write_text(paper("s025", slip="net_h1"))  # one slip, carried forward
(sheets / "s026.txt").write_text(paper("s026", sign="delta_o1"))  # a sign error
(sheets / "s027.txt").write_text(paper("s027", swap=("w6", "w7")))  # w6 and w7 swapped
(sheets / "s028.txt").write_text((here / "class" / "s028" / "answers.txt").read_text())  # handed in blank
(sheets / "s030.txt").write_text(paper("s001"))  # s001's network's numbers
print((sheets / "s025.txt").read_text())
""",
        ),
        (
            "md",
            """
## Marking

`chainrule.grade` is `chainrule grade class sheets --out grades`: each sheet checked by
`chainrule.check` against its own network, each question given points (ok 1, carried ½, the rest 0).
""",
        ),
        (
            "code",
            """
rows = chainrule.grade(here / "class", sheets, out=here / "grades")
for row in rows:
    if row.id in ("s001", "s021", "s025", "s026", "s027", "s028", "s029", "s030"):
        grade = "" if row.percent is None else f"{row.percent:5.1f}%"
        print(f"{row.id}  {row.status:14} {grade:7} {row.note[:110]}")
by_id = {row.id: row for row in rows}
assert all(by_id[f"s{k:03d}"].percent == 100 for k in range(1, 21))
assert all({q.verdict for q in by_id[f"s{k:03d}"].questions} <= {"ok", "too_few_digits"} for k in range(21, 25))
assert "carried" in {q.verdict for q in by_id["s025"].questions}
assert by_id["s030"].status == "flagged" and by_id["s029"].status == "no submission"
""",
        ),
        (
            "md",
            """
The careful students get full marks, and so do those who rounded as they went, on every line
with two significant digits or more: a line right from their own (rounded) earlier lines is right.
Four decimals of a small gradient (0.0003) is one significant digit, though: too few to judge.
The slip costs one question, and its consequences half a
point each; the sign error costs that line (and carries into the gradients after it); the swapped
weights are wrong where they enter. The blank sheet, the missing one and the sheet written for
another student's network are reported, not marked as if nothing had happened.

Each student gets a feedback file: their verdicts, and every mistake's worked line.
""",
        ),
        (
            "code",
            """
print((here / "grades" / "feedback" / "s027.md").read_text()[:2500])
""",
        ),
        (
            "md",
            """
`grades/gradebook.csv` has a row per student (id, name, email, status, grade, points, one-line
feedback, points per group and per question) for Moodle's grade import, and `grades/canvas.csv` the
columns Canvas's import reads:
""",
        ),
        (
            "code",
            """
print((here / "grades" / "canvas.csv").read_text()[:300])
""",
        ),
    ],
    "teaching-a-class.ipynb",
)
