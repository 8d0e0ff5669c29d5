"""Inverted dropout: during training each hidden output is kept with probability 1 − p and
scaled by 1/(1 − p), so its expected value is unchanged:  mask = [u ≥ p] / (1 − p), u ~ U[0, 1).

The masks are drawn into buffers allocated once per run (one set per hidden layer) and handed to
``Network.gradients(..., masks=...)``; the output layer never gets one.
"""

from __future__ import annotations

import numpy as np


def mask_buffers(rates, sizes, batch_size: int, dtype):
    """Per hidden layer: ``None`` (p = 0) or the (uniforms, keep, mask) arrays for a batch."""
    return [
        None
        if p == 0
        else (np.empty((batch_size, k)), np.empty((batch_size, k), dtype=bool), np.empty((batch_size, k), dtype=dtype))
        for p, k in zip(rates, sizes)
    ]


def draw_masks(rng: np.random.Generator, rates, buffers, m: int) -> list:
    """Masks for a batch of ``m`` rows: [u ≥ p] / (1 − p) per hidden layer, then ``None`` for the output."""
    masks = []
    for p, bufs in zip(rates, buffers):
        if bufs is None:
            masks.append(None)
            continue
        u, keep, mask = (b[:m] for b in bufs)
        rng.random(out=u)
        np.greater_equal(u, p, out=keep)
        np.multiply(keep, 1.0 / (1.0 - p), out=mask)
        masks.append(mask)
    return masks + [None]
