"""Re-create the data files in chainrule/examples/ (needs scikit-learn); ``chainrule examples`` copies
them out of the installed package for a user.

* ``iris.csv``  -- scikit-learn's bundled copy of Fisher's iris data (Fisher 1936; UCI), 150 rows.
* ``new-flowers.csv`` -- three of those rows without the species column, for ``chainrule predict``.
* ``mnist-784-32-10.json`` -- a 784-32-10 ReLU/softmax network file with seeded weights
  (``"seed": 7``) whose one sample is scikit-learn's first 8x8 handwritten digit (a 0; UCI
  optical digits), enlarged to MNIST's 28x28 by repeating each pixel 3x3 and padding 2 pixels.

``net.json`` (the seed network) and the answer sheets ``seed1.txt`` .. ``seed3.txt`` (every number
the three published versions of the seed print) are written by hand.
"""

import csv
import json
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits, load_iris

HERE = Path(__file__).resolve().parents[1] / "chainrule" / "examples"


def main() -> None:
    iris = load_iris()
    names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    with open(HERE / "iris.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([*names, "species"])
        for row, k in zip(iris.data, iris.target):
            w.writerow([*(f"{v:g}" for v in row), iris.target_names[k]])
    with open(HERE / "new-flowers.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(names)
        for i in (0, 60, 120):
            w.writerow([f"{v:g}" for v in iris.data[i]])

    digit = load_digits().images[0] / 16.0  # values 0..1
    big = np.pad(np.kron(digit, np.ones((3, 3))), 2)  # 24x24 -> 28x28
    assert big.shape == (28, 28)
    spec = {
        "title": "A 784-32-10 network (MNIST's shape) with seeded weights",
        "description": "input: scikit-learn's first 8x8 digit (a 0), each pixel repeated 3x3, padded to 28x28",
        "layers": [784, 32, 10],
        "activation": ["relu", "softmax"],
        "loss": "cross_entropy",
        "learning_rate": 0.1,
        "seed": 7,
        "init": "he",
        "input": [round(float(v), 4) for v in big.reshape(-1)],
        "target": [1.0] + [0.0] * 9,
    }
    (HERE / "mnist-784-32-10.json").write_text(json.dumps(spec) + "\n")


if __name__ == "__main__":
    main()
