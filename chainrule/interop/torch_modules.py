"""PyTorch modules that chainrule's models need beyond ``torch.nn``: imported by
:mod:`chainrule.interop.torch` only when PyTorch is installed and a module is built.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


class Standardize(nn.Module):
    """The inputs standardised as the model's own scaler does it: z = (x − mean) / std per input.

    Computed in float64, as :class:`chainrule.training.preprocess.Standardizer` computes it, then
    cast to the network's dtype, so that it is the exact first step of the model's forward pass
    (``nn.Linear(diag(1/std), −mean/std)`` would round differently).

    Parameters
    ----------
    mean, std : array_like
        The training data's mean and standard deviation per input (std > 0).
    dtype : torch.dtype, default torch.float64
        The dtype of the layers that follow (what ``forward`` returns).
    """

    def __init__(self, mean, std, dtype: torch.dtype = torch.float64):
        super().__init__()
        self.register_buffer("mean", torch.from_numpy(np.array(mean, dtype=np.float64).reshape(-1)))
        self.register_buffer("std", torch.from_numpy(np.array(std, dtype=np.float64).reshape(-1)))
        self.out_dtype = dtype

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return ((x.to(torch.float64) - self.mean) / self.std).to(self.out_dtype)  # z = (x − mean) / std

    def extra_repr(self) -> str:
        return f"features={self.mean.numel()}, dtype={self.out_dtype}"
