"""PyTorch interop: ``to_torch(network)`` gives an ``nn.Sequential`` with the same weights,
``from_torch(module)`` reads one back.  PyTorch is an optional extra (``pip install 'chainrule[torch]'``).

Layer l becomes ``nn.Linear(n_in, n_out)`` (our W is already PyTorch's (out, in) layout) followed by
the activation's own PyTorch counterpart (``Activation.torch_module``: ``nn.Sigmoid``, ``nn.Tanh``,
``nn.ReLU``, ``nn.LeakyReLU(0.01)``, ``nn.Softmax(dim=-1)``; none for identity).  Reading a module
back asks each registered activation whether it computes that module (``Activation.reads_torch``);
``nn.Identity`` is read as no activation.

Biases: a per-neuron bias maps to ``Linear.bias``; a layer without bias to ``bias=False``.
A *shared* bias (one number per layer, the seed's b1, b2) has no PyTorch counterpart: it is
written as a per-neuron bias with every entry equal, and its gradient is the sum of the
per-neuron gradients.  A shared bias that is trained would drift apart in PyTorch, so
``to_torch`` freezes it (``requires_grad=False``) unless ``allow_shared_training=True``.
Frozen biases (``train_bias=False``) are frozen in PyTorch too.  ``from_torch`` reads every
bias as per-neuron unless ``bias="shared"`` is asked for, which requires all entries equal.

``torch_loss(network)`` is the network's loss written with torch operations (mean over samples
of Σ_k E_ok, each E_ok from the loss's own ``Loss.torch_terms``), for training or checking in PyTorch.
"""

from __future__ import annotations

import importlib.util

import numpy as np

from ..core.activations import ACTIVATIONS
from ..core.network import Network
from ..errors import ConfigError


def _torch():
    if importlib.util.find_spec("torch") is None:
        raise ConfigError("PyTorch is not installed (pip install 'chainrule[torch]')")
    import torch

    return torch


def to_torch(network, allow_shared_training: bool = False, *, scaler=None):
    """The network as a PyTorch ``nn.Sequential`` of ``Linear`` layers and activations, same weights.

    Needs PyTorch: ``pip install "chainrule[torch]"`` (for the CPU-only build, first
    ``pip install torch --index-url https://download.pytorch.org/whl/cpu``).

    Parameters
    ----------
    network : Network or Model
        The network to convert (it is not changed; the module holds copies of its arrays), or a
        `Model` (its network, and its input standardisation as ``scaler``).
    allow_shared_training : bool, default False
        A shared bias (the seed's one number per layer) has no PyTorch counterpart: it becomes a
        per-neuron bias with equal entries, frozen so that it stays shared. True lets PyTorch train
        it (its entries then drift apart).
    scaler : Standardizer, optional
        The inputs' standardisation (an estimator's with ``standardize=True``, a Model's): carried
        as the first module, ``chainrule.interop.torch_modules.Standardize``, exactly as the model
        computes it.

    Returns
    -------
    torch.nn.Sequential
        ``Linear`` layers in the network's dtype, each followed by its activation module (after
        ``Standardize``, with a scaler).

    Raises
    ------
    ConfigError
        PyTorch is not installed (the line says what to install).

    Examples
    --------
    >>> import torch
    >>> import chainrule
    >>> module = chainrule.to_torch(chainrule.seed_network())
    >>> module
    Sequential(
      (0): Linear(in_features=2, out_features=2, bias=True)
      (1): Sigmoid()
      (2): Linear(in_features=2, out_features=2, bias=True)
      (3): Sigmoid()
    )
    >>> with torch.no_grad():
    ...     print(module(torch.tensor([[0.05, 0.10]], dtype=torch.float64)).numpy().round(9).tolist())
    [[0.75136507, 0.772928465]]
    """
    torch = _torch()
    nn = torch.nn
    network, modules = _scaling(torch, network, scaler)
    dtype = getattr(torch, np.dtype(network.dtype).name)
    for layer in network.layers:
        modules.append(_linear(torch, layer, dtype, allow_shared_training))
        act = layer.activation.torch_module(nn)
        if act is not None:
            modules.append(act)
    return nn.Sequential(*modules)


def _scaling(torch, network, scaler) -> tuple[Network, list]:
    """(the network, [its inputs' Standardize module] or []): a Model gives its network and scaler."""
    if not isinstance(network, Network) and isinstance(getattr(network, "network", None), Network):
        network, scaler = network.network, network.scaler if scaler is None else scaler  # a Model
    if scaler is None:
        return network, []
    from .torch_modules import Standardize

    return network, [Standardize(scaler.mean, scaler.std, getattr(torch, np.dtype(network.dtype).name))]


def _linear(torch, layer, dtype, allow_shared_training: bool):
    """A layer's ``nn.Linear``: its weights, its bias (a shared one frozen unless allowed to train)."""
    linear = torch.nn.Linear(layer.n_in, layer.n_out, bias=layer.bias is not None, dtype=dtype)
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(np.array(layer.weights)))
        if layer.bias is not None:
            linear.bias.copy_(torch.from_numpy(np.broadcast_to(layer.bias, (layer.n_out,)).copy()))
            shared_frozen = layer.bias_mode == "shared" and not allow_shared_training
            linear.bias.requires_grad_(layer.train_bias and not shared_frozen)
    return linear


def from_torch(module, loss: str = "half_sse", bias: str = "per_neuron", dtype: str | None = None) -> Network:
    """A `Network` with the weights of a PyTorch ``nn.Sequential`` of Linear layers and activations.

    Needs PyTorch: ``pip install "chainrule[torch]"``.

    Nested ``nn.Sequential`` containers are read as the one sequence they compute, ``nn.Dropout``
    (any dropout module) and ``nn.Identity`` as what they compute at inference: nothing. A layer
    that would compute something other than W·x + b (an ``nn.Linear`` subclass with its own
    ``forward``, a module with forward hooks) is refused, never read as one.

    Parameters
    ----------
    module : torch.nn.Module
        ``Linear`` layers, each optionally followed by one activation module (``Sigmoid``,
        ``Tanh``, ``ReLU``, ``LeakyReLU``, ``Softmax``, ...), or a single ``Linear``.
    loss : str, default "half_sse"
        The loss the network is trained and explained with (a module holds none).
    bias : {"per_neuron", "shared", "none"}, default "per_neuron"
        ``"shared"`` reads each layer's bias back as one number, if its entries are equal.
    dtype : {"float64", "float32"}, optional
        Default: the module's.

    Returns
    -------
    Network
        For `explain`, `check`, the page and further training.

    Raises
    ------
    ConfigError
        A module that is not Linear layers and activations (a Linear subclass with its own
        ``forward``, forward hooks, a leading ``Standardize``), an activation chainrule does not
        have, unequal entries for a shared bias, or PyTorch not installed.

    Examples
    --------
    >>> import chainrule
    >>> module = chainrule.to_torch(chainrule.seed_network())
    >>> net = chainrule.from_torch(module, loss="half_sse", bias="shared")
    >>> net, round(net.loss([0.05, 0.10], [0.01, 0.99]), 9)
    (Network([2, 2, 2], activation=[sigmoid,sigmoid], loss='half_sse', dtype=float64), 0.298371109)
    """
    torch = _torch()
    linears, acts = _read_layers(torch.nn, list(_flatten(torch.nn, module)))
    weights, sizes = _weights(linears)
    trainable = [bool(m.bias is not None and m.bias.requires_grad) for m in linears]
    biases = [None if m.bias is None else m.bias.detach().cpu().double().numpy().copy() for m in linears]
    bias, biases = _read_biases(bias, biases)
    if dtype is None:
        dtype = "float32" if linears[0].weight.dtype == torch.float32 else "float64"
    return Network(
        sizes,
        acts,
        loss,
        weights=weights,
        biases=biases,
        bias=bias,
        train_biases=trainable if biases is not None else False,
        dtype=dtype,
    )


def _weights(linears) -> tuple[list, list[int]]:
    """(each Linear layer's weights as float64, the layer sizes), each layer reading what the one before gives."""
    weights = [m.weight.detach().cpu().double().numpy().copy() for m in linears]
    sizes = [weights[0].shape[1]] + [w.shape[0] for w in weights]
    for l, (w, n_in) in enumerate(zip(weights, sizes), start=1):
        if w.shape[1] != n_in:
            raise ConfigError(f"Linear layer {l} reads {w.shape[1]} inputs, the layer before gives {n_in}")
    return weights, sizes


def _flatten(nn, module):
    """The modules a (possibly nested) ``nn.Sequential`` runs, in order; a container with hooks
    (which may change what it returns) is refused."""
    _plain(nn, module)
    if isinstance(module, nn.Sequential):
        for child in module.children():
            yield from _flatten(nn, child)
    else:
        yield module


def _plain(nn, m) -> None:
    """Refuse a module whose output is not its class's: forward hooks, or a ``forward`` of its own."""
    if m._forward_hooks or m._forward_pre_hooks or "forward" in vars(m):
        raise ConfigError(
            f"{type(m).__name__} has forward hooks or a forward of its own, so what it computes cannot be read"
        )
    if isinstance(m, nn.Linear) and type(m).forward is not nn.Linear.forward:
        raise ConfigError(
            f"{type(m).__name__} is an nn.Linear with its own forward, so it may not compute W·x + b; "
            "it cannot be read as a Linear layer"
        )


def _read_layers(nn, modules) -> tuple[list, list[str]]:
    """(the Linear layers, each one's activation name) of a flat list of modules."""
    linears, acts = [], []
    for m in modules:
        if isinstance(m, (nn.Identity, nn.modules.dropout._DropoutNd)):
            continue  # what it computes at inference: nothing
        if isinstance(m, nn.Linear):
            linears.append(m)
            acts.append("identity")
        elif not linears and type(m).__name__ == "Standardize":
            raise ConfigError(
                "the module standardises its inputs first (Standardize), and a Network has no input scaling: "
                "read module[1:] and keep its mean and std (or load the Model it came from)"
            )
        elif not linears:
            raise ConfigError(f"the module must start with nn.Linear, not {type(m).__name__}")
        elif acts[-1] != "identity":
            raise ConfigError(f"two activations in a row ({acts[-1]}, {type(m).__name__}) cannot be read")
        else:
            acts[-1] = _activation_name(nn, m)
    if not linears:
        raise ConfigError("the module holds no nn.Linear layer")
    return linears, acts


def _read_biases(bias: str, biases: list) -> tuple[str, list | None]:
    """(bias mode, biases): "none" when no layer has one; with "shared", each layer's equal entries as one."""
    has_bias = {b is not None for b in biases}
    if len(has_bias) > 1:
        raise ConfigError("either every Linear layer has a bias or none has")
    if not has_bias.pop():
        return "none", None
    if bias == "shared":
        for l, b in enumerate(biases, start=1):
            if not np.all(b == b[0]):
                raise ConfigError(f"layer {l}'s bias entries differ, so it cannot be read as one shared bias")
        biases = [b[:1] for b in biases]
    return bias, biases


def torch_loss(network: Network):
    """The network's loss as a function of torch tensors (output, target) -> scalar."""
    torch = _torch()
    terms_of = network.loss_fn.torch_terms

    def loss(out, target, sample_weight=None):
        per_sample = terms_of(torch, out, target).sum(dim=-1)
        if sample_weight is None:
            return per_sample.mean()
        return (per_sample * sample_weight).sum() / sample_weight.sum()

    return loss


def _activation_name(nn, m) -> str:
    if isinstance(m, nn.Identity):
        return "identity"
    for name, cls in ACTIVATIONS.items():
        if cls().reads_torch(nn, m):
            return name
    for name, cls in ACTIVATIONS.items():
        ours = cls().torch_module(nn)
        if ours is not None and type(ours) is type(m):  # the same module, set differently
            raise ConfigError(
                f"{type(m).__name__}({m.extra_repr()}) is not supported "
                f"(chainrule's {name} is {type(ours).__name__}({ours.extra_repr()}))"
            )
    raise ConfigError(f"unsupported PyTorch module {type(m).__name__} (Linear layers and activations only)")
