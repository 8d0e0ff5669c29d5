"""One mnist-shape epoch for one peer, in its own process (so that its peak memory is its own).

``python -m bench.mnist_worker --peer ours --batch 128`` prints one JSON object: the epoch's
seconds, the set-up's seconds, peak RSS, and the sizes its memory ratio is taken against.
The data: N x 784 float32 uniform in [0, 1), labels 0..9 (speed only; synthetic is fine).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time

SIZES = [784, 256, 128, 10]
LR = 0.01
WARMUP = 2048  # samples of one untimed epoch first, the same for every peer


def _rss_bytes(field: str = "VmHWM") -> int:
    """Peak (VmHWM) or current (VmRSS) resident memory of this process.  Not getrusage's
    ru_maxrss: Linux carries that over from the parent across fork and exec."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # elsewhere: KiB (macOS: bytes)


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--peer", required=True, choices=list(PEERS))
    p.add_argument("--batch", type=int, required=True)
    p.add_argument("--samples", type=int, default=60_000)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args(argv)

    import numpy as np

    numpy_rss = _rss_bytes("VmRSS")
    rng = np.random.default_rng(0)
    X = rng.random((a.samples, SIZES[0]), dtype=np.float32)
    labels = rng.integers(0, SIZES[-1], a.samples)
    global WARMUP
    WARMUP = min(WARMUP, a.samples // 2)
    run = PEERS[a.peer]
    setup_s, epoch_s, data_bytes, model_bytes = run(X, labels, a.batch, a.threads)
    peak = _rss_bytes()
    print(
        json.dumps(
            {
                "peer": a.peer,
                "batch": a.batch,
                "samples": a.samples,
                "epoch_s": epoch_s,
                "setup_s": setup_s,
                "peak_rss": peak,
                "numpy_rss": numpy_rss,
                "data_bytes": data_bytes,
                "model_bytes": model_bytes,
                "memory_ratio": peak / (numpy_rss + data_bytes + model_bytes),
            }
        )
    )
    return 0


def _network():
    from chainrule.core.network import Network

    return Network(SIZES, ["relu", "relu", "softmax"], "cross_entropy", bias="per_neuron", seed=0, dtype="float32")


def _ours(X, labels, bs, threads):
    """The training loop users call: chainrule.training.loop.Trainer, SGD, shuffled, one epoch."""
    import numpy as np

    from chainrule.training.loop import Trainer

    T = np.eye(SIZES[-1], dtype=np.float32)[labels]  # one-hot targets
    net = _network()
    Trainer(
        net,
        X[:WARMUP],
        T[:WARMUP],
        epochs=1,
        batch_size=bs,
        optimizer="sgd",
        learning_rate=LR,
        metrics=(),
        train_metrics=False,
        seed=1,
    ).run()
    t0 = time.perf_counter()
    trainer = Trainer(
        net, X, T, epochs=1, batch_size=bs, optimizer="sgd", learning_rate=LR, metrics=(), train_metrics=False, seed=0
    )
    t1 = time.perf_counter()
    trainer.run()
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, X.nbytes + T.nbytes, sum(p.nbytes for p in net.parameters())


def _ours_engine(X, labels, bs, threads):
    """The engine alone: ``network.descend`` (plain SGD inside the backward pass), index-shuffled
    into reused buffers — what the Trainer does per batch, without its checks and bookkeeping."""
    import numpy as np

    T = np.eye(SIZES[-1], dtype=np.float32)[labels]
    net = _network()
    xbuf = np.empty((bs, X.shape[1]), np.float32)
    tbuf = np.empty((bs, T.shape[1]), np.float32)
    rng = np.random.default_rng(0)

    def epoch(n):
        order = rng.permutation(n)
        total = 0.0
        for s in range(0, n, bs):
            idx = order[s : s + bs]
            m = len(idx)
            xb = np.take(X, idx, axis=0, out=xbuf[:m])
            tb = np.take(T, idx, axis=0, out=tbuf[:m])
            total += net.descend(xb, tb, LR) * m  # w+ = w − η dE/dw, folded into the backward pass
        return total / n

    epoch(WARMUP)
    t0 = time.perf_counter()
    epoch(len(X))
    return 0.0, time.perf_counter() - t0, X.nbytes + T.nbytes, sum(p.nbytes for p in net.parameters())


def _gemms(X, labels, bs, threads):
    """The ceiling: the engine's matrix products alone, nothing else — per batch, forward
    out_l · W_lᵀ for every layer, backward delta_l · W_l (all but the first layer) and the weight
    step W_l ← W_l − η · delta_lᵀ · out_l (every layer, one GEMM adding into W, as
    ``Network.descend`` takes it) — on the engine's own weights and workspace arrays (so with its
    layouts, operand orders and float32), consecutive batches of X without shuffling."""
    import numpy as np

    T = np.eye(SIZES[-1], dtype=np.float32)[labels]
    net = _network()
    layers = net.layers
    net.descend(X[:bs], T[:bs], LR)  # the engine's workspace, holding realistic numbers
    ws = net._workspace

    def epoch(n):
        for s in range(0, n, bs):
            x = X[s : s + bs]
            engine_products(layers, x, ws.first(len(x)), LR)

    epoch(WARMUP)
    t0 = time.perf_counter()
    epoch(len(X))
    return 0.0, time.perf_counter() - t0, X.nbytes + T.nbytes, sum(p.nbytes for p in net.parameters())


def engine_products(layers, x, ws, learning_rate=None) -> None:
    """One batch's matrix products, as Network._forward/_backward form them: with a learning rate,
    as ``Network.descend`` does (the weight step added into W), else as ``Network.gradients`` does
    (dE/dW into the workspace).  tests/project/test_bench.py checks that they reproduce the
    engine's dE/dout and its updated weights (or dE/dW) bit for bit."""
    import numpy as np

    from chainrule.core.blas import gemm_update

    L = len(layers)
    outs = [x] + ws.out
    for l, layer in enumerate(layers):
        np.matmul(outs[l], layer.weights.T, out=ws.net[l])  # net = out_prev · Wᵀ (+ b: not a product)
    for l in range(L - 1, -1, -1):
        if l > 0:
            np.matmul(ws.delta[l], layers[l].weights, out=ws.dout[l - 1])  # dE/dout below = delta · W
        if learning_rate is None or not gemm_update(layers[l].weights, ws.delta[l].T, outs[l], -learning_rate):
            np.matmul(outs[l].T, ws.delta[l], out=ws.dW[l].T)  # dE/dW = deltaᵀ · out_prev


def _torch(X, labels, bs, threads):
    """PyTorch eager: nn.Sequential, CrossEntropyLoss, optim.SGD, randperm-indexed batches."""
    import torch
    from torch import nn

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    Xt, yt = torch.from_numpy(X), torch.from_numpy(labels)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()

    def epoch(n):
        perm = torch.randperm(n)
        total = 0.0
        for s in range(0, n, bs):
            idx = perm[s : s + bs]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(Xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        return total / n

    epoch(WARMUP)
    t0 = time.perf_counter()
    epoch(len(X))
    return 0.0, time.perf_counter() - t0, X.nbytes + labels.nbytes, sum(p.numel() * 4 for p in model.parameters())


def _sklearn(X, labels, bs, threads):
    """scikit-learn MLPClassifier, the same settings: relu, SGD without momentum, no L2;
    ``partial_fit`` is one epoch of shuffled mini-batches."""
    import warnings

    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(
        hidden_layer_sizes=(256, 128),
        activation="relu",
        solver="sgd",
        alpha=0.0,
        batch_size=bs,
        learning_rate_init=LR,
        momentum=0.0,
        nesterovs_momentum=False,
        shuffle=True,
        random_state=0,
    )
    classes = list(range(SIZES[-1]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.partial_fit(X[:WARMUP], labels[:WARMUP], classes=classes)
        t0 = time.perf_counter()
        clf.partial_fit(X, labels)
        dt = time.perf_counter() - t0
    model = sum(w.nbytes for w in clf.coefs_) + sum(b.nbytes for b in clf.intercepts_)
    return 0.0, dt, X.nbytes + labels.nbytes, model


PEERS = {"ours": _ours, "ours-engine": _ours_engine, "gemms": _gemms, "torch": _torch, "sklearn": _sklearn}

if __name__ == "__main__":
    sys.exit(main())
