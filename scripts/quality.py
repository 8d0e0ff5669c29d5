"""Measure the quality figures quoted in the README (not a test: it times things).

For each dataset it runs ``chainrule train`` from the command line on seeded, stratified 75/25
splits (seeds 0..N-1), records the held-out accuracy and the wall-clock time of each run, and
trains scikit-learn's own MLPClassifier with the same architecture, optimizer, learning rate,
batch size, epochs and L2 penalty on the same standardised splits.  It also checks that the
seed script's 2-5-1 sigmoid setup solves XOR.

    python scripts/quality.py            # 5 splits each (about 2 minutes on 2 cores)
    python scripts/quality.py --seeds 1  # quicker
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
import warnings

import numpy as np

# dataset -> (CLI options, hidden sizes, activation, learning rate, batch size, epochs, L2 λ₂)
RUNS = {
    "digits": (
        "--layers 64,256,10 --activation relu --optimizer adam --lr 0.001 --epochs 40 --batch-size 16 --l2 0.001",
        (256,),
        "relu",
        0.001,
        16,
        40,
        0.001,
    ),
    "iris": (
        "--layers 4,16,3 --activation relu --optimizer adam --lr 0.01 --epochs 100 --batch-size 16 --l2 0.01",
        (16,),
        "relu",
        0.01,
        16,
        100,
        0.01,
    ),
    "breast_cancer": (
        "--layers 30,32,1 --activation relu --optimizer adam --lr 0.001 --epochs 50 --batch-size 16 --l2 0.001",
        (32,),
        "relu",
        0.001,
        16,
        50,
        0.001,
    ),
    "wine": (
        "--layers 13,32,3 --activation relu --optimizer adam --lr 0.003 --epochs 60 --batch-size 16 --l2 0.01",
        (32,),
        "relu",
        0.003,
        16,
        60,
        0.01,
    ),
}
TARGETS = {"digits": 0.97, "iris": 0.95, "breast_cancer": 0.96}
XOR = (
    "--data xor --layers 2,5,1 --activation sigmoid --loss half_sse --optimizer sgd --lr 0.5 --batch-size 1 "
    "--epochs 2500 --init uniform --bias shared --freeze-biases --no-standardize --test-size 0"
)


def cli(options: str) -> tuple[str, float]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "chainrule", "train", *options.split()], capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"chainrule train {options} failed: {done.stderr.strip()}")
    return done.stdout, elapsed


def sklearn_accuracy(name: str, seed: int, hidden, activation, lr, batch, epochs, l2) -> float:
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler

    from chainrule.data import load_dataset, train_test_split

    d = load_dataset(name)
    X_train, X_test, y_train, y_test = train_test_split(d.X, d.y, 0.25, seed)
    scaler = StandardScaler().fit(X_train)
    # scikit-learn's penalty gradient is alpha·W/batch; ours is λ₂·W: alpha = λ₂·batch
    clf = MLPClassifier(
        hidden_layer_sizes=hidden,
        activation=activation,
        solver="adam",
        learning_rate_init=lr,
        batch_size=batch,
        max_iter=epochs,
        alpha=l2 * batch,
        n_iter_no_change=epochs + 1,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: we ask for exactly `epochs` epochs
        clf.fit(scaler.transform(X_train), y_train)
    return clf.score(scaler.transform(X_test), y_test)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="how many seeded splits per dataset (default 5)")
    args = parser.parse_args()
    ok = True
    print(f"{'dataset':<14} {'chainrule (CLI)':>15} {'min':>7} {'time/run':>9} {'sklearn MLP':>12} {'diff':>7}  target")
    for name, (options, *spec) in RUNS.items():
        ours, theirs, times = [], [], []
        for seed in range(args.seeds):
            out, elapsed = cli(f"--data {name} {options} --seed {seed} --quiet")
            ours.append(float(re.search(r"test accuracy ([\d.]+)", out).group(1)))
            times.append(elapsed)
            theirs.append(sklearn_accuracy(name, seed, *spec))
        mean, ref = float(np.mean(ours)), float(np.mean(theirs))
        target = TARGETS.get(name)
        passed = (target is None or mean >= target) and abs(mean - ref) <= 0.01
        ok &= passed
        print(
            f"{name:<14} {mean:>15.2%} {min(ours):>7.2%} {max(times):>8.1f}s {ref:>12.2%} {100 * (mean - ref):>+6.2f}  "
            f"{'>= ' + format(target, '.0%') if target else '-':<7} {'ok' if passed else 'MISSED'}"
        )
    out, elapsed = cli(XOR)
    solved = "training accuracy 1.0000" in out
    ok &= solved
    print(f"{'xor (2-5-1)':<14} {'solved' if solved else 'NOT solved':>15} {'':>7} {elapsed:>8.1f}s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
