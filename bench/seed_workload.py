"""seed: the 2-2-2 example, N online updates of one sample, each peer from the seed's weights."""

from __future__ import annotations

W1 = [[0.15, 0.20], [0.25, 0.30]]
W2 = [[0.40, 0.45], [0.50, 0.55]]
B1, B2 = 0.35, 0.60
X, T, ETA = [0.05, 0.10], [0.01, 0.99], 0.5


def ours(n: int) -> float:
    """chainrule.train_online: the route ``chainrule example`` takes (written-out update)."""
    from chainrule import seed
    from chainrule.training import train_online

    net = seed.seed_network()
    losses = train_online(net, seed.INPUT, seed.TARGET, seed.LEARNING_RATE, n)
    return losses[-1]


def ours_numpy(n: int) -> float:
    """The engine's NumPy path: Network.train_step repeated (what train_online did before)."""
    import numpy as np

    from chainrule import seed

    net = seed.seed_network()
    x, t = np.array([seed.INPUT]), np.array([seed.TARGET])
    loss = 0.0
    for _ in range(n):
        loss = net.train_step(x, t, seed.LEARNING_RATE)
    return loss


def numpy_loop(n: int) -> float:
    """A plain, careful NumPy loop: the 2-2-2 equations on arrays, no framework."""
    import numpy as np

    w1, w2 = np.array(W1), np.array(W2)
    x, t = np.array(X), np.array(T)
    loss = 0.0
    for _ in range(n):
        out_h = 1.0 / (1.0 + np.exp(-(w1 @ x + B1)))
        out_o = 1.0 / (1.0 + np.exp(-(w2 @ out_h + B2)))
        loss = 0.5 * ((t - out_o) ** 2).sum()
        delta_o = (out_o - t) * out_o * (1.0 - out_o)
        delta_h = (w2.T @ delta_o) * out_h * (1.0 - out_h)
        w2 -= ETA * np.outer(delta_o, out_h)
        w1 -= ETA * np.outer(delta_h, x)
    return float(loss)


def python_floats(n: int) -> float:
    """The same equations written out by hand on Python floats (``math.exp``), no framework and
    no checks: about the floor for the interpreter.  Like ``train_online`` it keeps the loss
    before every update (the example prints E_total@N from that list).  Written as carefully as
    the generated code: every name a local, the same association in every sum and product; it
    only leaves out the sigmoid's clip at −700 (one comparison per neuron, ~2%)."""
    from math import exp

    (w1, w2), (w3, w4) = W1
    (w5, w6), (w7, w8) = W2
    b1, b2, eta = B1, B2, ETA
    i1, i2 = X
    t1, t2 = T
    losses = []
    record = losses.append
    for _ in range(n):
        out_h1 = 1.0 / (1.0 + exp(-(w1 * i1 + w2 * i2 + b1)))
        out_h2 = 1.0 / (1.0 + exp(-(w3 * i1 + w4 * i2 + b1)))
        out_o1 = 1.0 / (1.0 + exp(-(w5 * out_h1 + w6 * out_h2 + b2)))
        out_o2 = 1.0 / (1.0 + exp(-(w7 * out_h1 + w8 * out_h2 + b2)))
        record(0.5 * (t1 - out_o1) * (t1 - out_o1) + 0.5 * (t2 - out_o2) * (t2 - out_o2))
        d_o1 = (out_o1 - t1) * (out_o1 * (1.0 - out_o1))
        d_o2 = (out_o2 - t2) * (out_o2 * (1.0 - out_o2))
        d_h1 = (d_o1 * w5 + d_o2 * w7) * (out_h1 * (1.0 - out_h1))
        d_h2 = (d_o1 * w6 + d_o2 * w8) * (out_h2 * (1.0 - out_h2))
        w5 -= eta * (d_o1 * out_h1)
        w6 -= eta * (d_o1 * out_h2)
        w7 -= eta * (d_o2 * out_h1)
        w8 -= eta * (d_o2 * out_h2)
        w1 -= eta * (d_h1 * i1)
        w2 -= eta * (d_h1 * i2)
        w3 -= eta * (d_h2 * i1)
        w4 -= eta * (d_h2 * i2)
    return losses[-1]


def torch_eager(n: int) -> float:
    """PyTorch eager, float64: autograd and torch.optim.SGD, the way its users write it."""
    import torch

    w1 = torch.tensor(W1, dtype=torch.float64, requires_grad=True)
    w2 = torch.tensor(W2, dtype=torch.float64, requires_grad=True)
    x, t = torch.tensor(X, dtype=torch.float64), torch.tensor(T, dtype=torch.float64)
    opt = torch.optim.SGD([w1, w2], lr=ETA)
    loss = None
    for _ in range(n):
        opt.zero_grad(set_to_none=True)
        out_o = torch.sigmoid(w2 @ torch.sigmoid(w1 @ x + B1) + B2)
        loss = 0.5 * ((t - out_o) ** 2).sum()
        loss.backward()
        opt.step()
    return float(loss.detach())


def seed_script(n: int) -> float:
    """The seed author's object-per-neuron script structure (bench/seed_script.py)."""
    from .seed_script import seed_script_network

    net = seed_script_network()
    for _ in range(n):
        net.train(X, T)
    return net.calculate_total_error([[X, T]])


PEERS = {
    "python-floats": python_floats,
    "numpy-loop": numpy_loop,
    "torch-eager": torch_eager,
    "seed-script": seed_script,
}
