"""A fully connected feedforward network: forward pass, backward pass, gradient-descent update.

Conventions (the seed's, made general):

* Layer ``l`` maps the outputs of layer ``l-1`` to its own outputs:
  ``net = out_prev · Wᵀ + b`` and ``out = f(net)``.
  ``W`` has one row per receiving neuron and one column per sending neuron, so reading the
  matrices row by row, layer by layer, numbers the weights w1, w2, ... exactly as the seed does
  (w1 i1→h1, w2 i2→h1, w3 i1→h2, w4 i2→h2, w5 h1→o1, ...).
* Biases are ``"shared"`` (one number per layer: the seed's b1 and b2), ``"per_neuron"`` or
  ``"none"``; each layer's bias is trainable or frozen (the seed freezes them).
* Samples are rows.  The loss of a batch is the mean over its samples of Σ_k E_ok, so
  every delta below carries a factor 1/n (n = 1 in the seed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ..errors import ConfigError, ShapeError
from .activations import Activation, get_activation
from .blas import bind_gemm_update
from .constraints import CONSTRAINTS, MAX_PARAMETERS, check  # noqa: F401 (MAX_PARAMETERS: part of this module's API)
from .init import get_initialiser
from .losses import Loss, get_loss
from .rng import make_rng


@dataclass
class Layer:
    # (n_out, n_in): one row per receiving neuron.  Stored column-major (Fortran order), so that
    # Wᵀ is contiguous and the forward product out_prev · Wᵀ is a plain, untransposed GEMM
    # (faster for the skinny first layer of MNIST-like data); indexing is unaffected.
    weights: np.ndarray
    bias: np.ndarray | None  # (1,) shared, (n_out,) per neuron, None for no bias
    activation: Activation
    train_bias: bool = False
    bias_mode: str = "per_neuron"  # "shared", "per_neuron" or "none" (set to "none" when bias is None)

    def __post_init__(self):
        if self.bias is None:
            self.bias_mode = "none"

    @property
    def n_in(self) -> int:
        return self.weights.shape[1]

    @property
    def n_out(self) -> int:
        return self.weights.shape[0]


@dataclass
class Forward:
    """Everything the forward pass computed, layer by layer (index l as in ``Network.layers``).

    ``outs[0]`` is the input; ``nets[l]`` holds layer l's net inputs and ``outs[l + 1]`` its
    outputs.  With dropout, ``outs[l + 1] = f(nets[l]) · masks[l]`` and ``unmasked[l + 1]`` keeps
    ``f(nets[l])`` (what dout/dnet needs); without a mask the two are the same array.
    """

    nets: list[np.ndarray]
    outs: list[np.ndarray]
    masks: list | None = None  # per layer, the dropout mask used or None (see Network.forward)
    unmasked: list[np.ndarray] | None = None  # outputs before the mask (None: the same as outs)

    def __post_init__(self):
        if self.masks is None:
            self.masks = [None] * len(self.nets)
        if self.unmasked is None:
            self.unmasked = self.outs

    @property
    def output(self) -> np.ndarray:
        return self.outs[-1]


@dataclass
class Gradients:
    """Everything the backward pass computed, layer by layer (index l as in ``Network.layers``).

    ``dout[l]`` = dE/dout of layer l's outputs, ``delta[l]`` = dE/dnet,
    ``dW[l]`` = dE/dW and ``db[l]`` = dE/db (``None`` where the layer has no bias).
    """

    dout: list[np.ndarray] = field(default_factory=list)
    delta: list[np.ndarray] = field(default_factory=list)
    dW: list[np.ndarray] = field(default_factory=list)
    db: list[np.ndarray | None] = field(default_factory=list)


class Network:
    """A feedforward network of fully connected layers: the engine that trains and explains.

    ``net.layers[l]`` is layer ``l + 1``: its ``weights`` (one row per receiving neuron, one column
    per sending neuron), its ``bias``, its ``activation`` and whether the bias is trained.

    Parameters
    ----------
    sizes : list of int
        Every layer's number of neurons, inputs first and outputs last: ``[2, 2, 2]`` is the seed's
        two inputs, two hidden and two output neurons.
    activation : str or list of str, default "sigmoid"
        One activation for every layer, or one per layer (``"sigmoid"``, ``"tanh"``, ``"relu"``,
        ``"softmax"``, ``"identity"``, ...; `get_activation` lists them).
    loss : str, default "half_sse"
        The loss: ``"half_sse"`` (the seed's Σ ½(t − out)²), ``"mse"``, ``"cross_entropy"``, ...
        (`get_loss` lists them).
    weights : list of array_like, optional
        One matrix per layer, one row per receiving neuron; default: drawn by ``init`` with ``seed``.
    biases : list, optional
        One entry per layer: a number (a shared bias) or one number per neuron; default zeros.
    bias : {"per_neuron", "shared", "none"}, default "per_neuron"
        One bias per neuron, one per layer shared by its neurons (the seed's b1, b2), or none.
    train_biases : bool or list of bool, default True
        Whether gradient descent updates the biases (the seed keeps them fixed), for every layer or
        one per layer.
    init : str, default "auto"
        How drawn weights are initialised: ``"uniform"`` (the seed script's U[0, 1)), ``"xavier"``,
        ``"he"``, or ``"auto"`` (each activation's own choice).
    seed : int, optional
        Seeds the drawn weights: the same seed gives the same network, bit for bit.
    dtype : {"float64", "float32"}, default "float64"
        The precision of the weights and of every computation.

    Raises
    ------
    ConfigError
        An unknown activation or loss, a size that is not a positive whole number, more than
        50,000,000 parameters, or another value the engine cannot use.
    ShapeError
        Given weights or biases whose shapes do not fit ``sizes``.

    See Also
    --------
    seed_network : the worked example's 2-2-2 network, built with this class.

    Examples
    --------
    The seed network, built by hand; its error before training:

    >>> from chainrule import Network
    >>> net = Network([2, 2, 2], "sigmoid", "half_sse",
    ...               weights=[[[.15, .20], [.25, .30]], [[.40, .45], [.50, .55]]],
    ...               biases=[.35, .60], bias="shared", train_biases=False)
    >>> round(net.loss([.05, .10], [.01, .99]), 9)
    0.298371109

    A network with drawn weights, for classes:

    >>> Network([4, 16, 3], ["relu", "softmax"], "cross_entropy", seed=0)
    Network([4, 16, 3], activation=[relu,softmax], loss='cross_entropy', dtype=float64)
    """

    def __init__(
        self,
        sizes,
        activation="sigmoid",
        loss="half_sse",
        *,
        weights=None,
        biases=None,
        bias: str = "per_neuron",
        train_biases: bool | list = True,
        init: str = "auto",
        seed: int | None = None,
        dtype: str = "float64",
    ):
        checked = check({"sizes": sizes, "dtype": dtype, "bias": bias})  # core/constraints.py
        self.sizes, self.dtype = checked["sizes"], checked["dtype"]
        n_layers = len(self.sizes) - 1
        self.loss_fn: Loss = get_loss(loss)
        activations = _per_layer(activation, n_layers, "activation")
        activations = [get_activation(a) for a in activations]
        trainable = _per_layer(train_biases, n_layers, "train_biases")
        if any(not isinstance(t, (bool, np.bool_)) for t in trainable):
            raise ConfigError("train_biases must be true or false (or one per layer)")
        if weights is not None and (not isinstance(weights, (list, tuple)) or len(weights) != n_layers):
            raise ShapeError(f"weights must be a list of {n_layers} matrices, one per layer")
        if biases is not None and (not isinstance(biases, (list, tuple)) or len(biases) != n_layers):
            raise ShapeError(f"biases must be a list of {n_layers} entries, one per layer")
        check({"seed": seed})
        rng = make_rng(seed) if weights is None else None  # given weights draw nothing (numpy.random stays unloaded)
        self.layers: list[Layer] = []
        for l in range(n_layers):
            n_in, n_out = self.sizes[l], self.sizes[l + 1]
            if weights is None:
                name = activations[l].init if init == "auto" else init  # auto: the activation's own hint
                w = get_initialiser(name)(rng, n_out, n_in)
            else:
                w = _as_matrix(weights[l], (n_out, n_in), f"weights of layer {l + 1}")
            b = _make_bias(bias, None if biases is None else biases[l], n_out, l)
            self.layers.append(
                Layer(
                    weights=np.array(w, dtype=self.dtype, order="F"),
                    bias=None if b is None else np.array(b, dtype=self.dtype),
                    activation=activations[l],
                    train_bias=bool(trainable[l]) and b is not None,
                    bias_mode=bias,
                )
            )

    # ----------------------------------------------------------------- shapes and parameters
    @property
    def n_inputs(self) -> int:
        """The number of inputs (``sizes[0]``)."""
        return self.sizes[0]

    @property
    def n_outputs(self) -> int:
        """The number of outputs (``sizes[-1]``)."""
        return self.sizes[-1]

    @property
    def n_weights(self) -> int:
        """The number of weights, biases not counted (8 for the seed)."""
        return sum(layer.weights.size for layer in self.layers)

    def parameters(self) -> list[np.ndarray]:
        """The trainable arrays, in a fixed order: each layer's weights, then its bias if trainable."""
        params = []
        for layer in self.layers:
            params.append(layer.weights)
            if layer.train_bias:
                params.append(layer.bias)
        return params

    def gradient_list(self, grads: Gradients) -> list[np.ndarray]:
        """The gradients in the order of `parameters`: each layer's dE/dW, then its dE/db if trainable."""
        out = []
        for layer, dw, db in zip(self.layers, grads.dW, grads.db):
            out.append(dw)
            if layer.train_bias:
                out.append(db)
        return out

    def copy(self) -> Network:
        """An independent copy: the same layers, activations and loss, its own arrays."""
        twin = object.__new__(Network)
        twin.sizes = list(self.sizes)
        twin.dtype = self.dtype
        twin.loss_fn = self.loss_fn
        twin.layers = [
            Layer(
                l.weights.copy(order="K"),
                None if l.bias is None else l.bias.copy(),
                l.activation,
                l.train_bias,
                l.bias_mode,
            )
            for l in self.layers
        ]
        return twin

    def astype(self, dtype: str) -> Network:
        """A copy of this network computing in ``dtype`` (``"float32"`` or ``"float64"``)."""
        twin = self.copy()
        twin.dtype = check({"dtype": dtype})["dtype"]
        for layer in twin.layers:
            layer.weights = layer.weights.astype(twin.dtype)
            if layer.bias is not None:
                layer.bias = layer.bias.astype(twin.dtype)
        return twin

    def __repr__(self) -> str:
        acts = ",".join(l.activation.name for l in self.layers)
        return (
            f"Network({self.sizes}, activation=[{acts}], loss={self.loss_fn.name!r}, dtype={np.dtype(self.dtype).name})"
        )

    # ------------------------------------------------------------------------ the mathematics
    def forward(self, x, masks=None) -> Forward:
        """The forward pass: net = out_prev · Wᵀ + b, out = f(net), layer after layer.

        Parameters
        ----------
        x : array_like
            One sample (a list of ``n_inputs`` numbers) or one sample per row.
        masks : list, optional
            Training only: per layer, None or an array multiplied into that layer's outputs
            (inverted dropout, with the 1/(1 − p) scale already in the mask).

        Returns
        -------
        Forward
            ``nets[l]`` and ``outs[l + 1]`` of every layer (``outs[0]`` is the input; fresh arrays,
            one row per sample) and ``output``, the last layer's outputs.

        Raises
        ------
        ShapeError
            ``x`` does not have ``n_inputs`` columns.

        Examples
        --------
        >>> import chainrule
        >>> fwd = chainrule.seed_network().forward([0.05, 0.10])
        >>> fwd.nets[0].round(9).tolist(), fwd.output.round(9).tolist()  # net_h1, net_h2; out_o1, out_o2
        ([[0.3775, 0.3925]], [[0.75136507, 0.772928465]])
        """
        x = self.as_inputs(x)
        return self._forward(x, masks, Workspace(self.layers, x.shape[0], self.dtype))

    def backward(self, fwd: Forward, target, sample_weight=None) -> Gradients:
        """The backward pass: the chain rule, from the loss back to the inputs.

        Output layer:  delta_o = dE/dout_o · dout_o/dnet_o   (= out − target when fused)
        Hidden layer:  dE/dout_h = Σ_o delta_o · w_oh,   delta_h = dE/dout_h · dout_h/dnet_h
        Every layer:   dE/dw = delta_receiver · out_sender,  dE/db = Σ delta (over what shares b)

        Parameters
        ----------
        fwd : Forward
            What `forward` returned for the same samples.
        target : array_like
            The target outputs: one row of ``n_outputs`` numbers per sample.
        sample_weight : array_like, optional
            One weight per sample: the batch loss is then the weighted mean Σ_s v_s E_s / Σ_s v_s
            (otherwise the plain mean), so each sample's delta carries v_s / Σ v instead of 1/n.

        Returns
        -------
        Gradients
            Per layer (fresh arrays): ``dout`` (dE/dout), ``delta`` (dE/dnet), ``dW`` (dE/dW, shaped
            like the weights) and ``db`` (dE/db).

        Raises
        ------
        ShapeError
            The targets do not fit the outputs or the number of samples.

        Examples
        --------
        >>> import chainrule
        >>> net = chainrule.seed_network()
        >>> grads = net.backward(net.forward([0.05, 0.10]), [0.01, 0.99])
        >>> round(float(grads.dW[1][0, 0]), 9)  # dE_total/dw5
        0.082167041
        """
        n = len(fwd.output)
        t = self.as_targets(target, n)
        return self._backward(fwd, t, sample_weight, Workspace(self.layers, n, self.dtype))

    def _forward(self, x: np.ndarray, masks, ws: Workspace, trap: bool = True) -> Forward:
        """net = out_prev · Wᵀ + b,  out = f(net)  (· mask with dropout), into ``ws``'s arrays
        (``trap``: see `_matmul`)."""
        masks = [None] * len(self.layers) if masks is None else masks
        outs, unmasked = [x], [x]
        for l, layer in enumerate(self.layers):
            net = _matmul(outs[l], layer.weights.T, into=ws.net[l], trap=trap)
            if layer.bias is not None:
                net += layer.bias
            out = layer.activation.forward(net, into=ws.out[l])
            unmasked.append(out)
            if masks[l] is not None:  # inverted dropout: out = f(net) · mask
                out = np.multiply(out, masks[l], out=ws.masked_out[l])
            outs.append(out)
        return Forward(ws.net, outs, masks, unmasked)

    def _backward(
        self, fwd: Forward, t: np.ndarray, sample_weight, ws: Workspace, learning_rate=None, trap: bool = True
    ) -> Gradients:
        """delta = dE/dout · f'(net),  dE/dout_below = delta · W,  dE/dW = deltaᵀ · out_below,
        dE/db = Σ delta — from the output layer down, into ``ws``'s arrays.

        With a ``learning_rate`` η the step is taken layer by layer as the pass goes down
        (`descend`): W+ = W − η · deltaᵀ · out_below, b+ = b − η Σ delta, each after
        dE/dout_below has been read through the old W; dE/dW and dE/db are then not kept.
        ``trap``: see `_matmul`."""
        scale = _sample_scale(sample_weight, len(t), self.dtype)  # 1/n, or v_s / Σ v
        L = len(self.layers)
        g = Gradients([None] * L, [None] * L, ws.dW if learning_rate is None else [None] * L, [None] * L)
        fused = self._fused and fwd.masks[-1] is None  # softmax + CE, sigmoid + BCE: delta_o = out − target
        dout = None  # dE/dout_o from the loss (per sample, scaled): kept by gradients(), not needed to descend
        if learning_rate is None or not fused:
            dout = np.multiply(self.loss_fn.gradient(fwd.output, t), scale, out=ws.dout[-1])
        for l in range(L - 1, -1, -1):
            layer = self.layers[l]
            g.dout[l] = dout
            if l == L - 1 and fused:
                delta = np.subtract(fwd.output, t, out=ws.delta[l])
                delta *= scale  # delta_o = (out − target) / n
            else:
                if fwd.masks[l] is not None:  # out = f(net) · mask: dE/df = dE/dout · mask
                    dout = np.multiply(dout, fwd.masks[l], out=ws.masked_dout[l])
                delta = layer.activation.backward(fwd.unmasked[l + 1], fwd.nets[l], dout, into=ws.delta[l])
            g.delta[l] = delta
            if l > 0:  # the layer below: dE/dout_h = Σ_o delta_o · w_oh (through W before its update)
                dout = _matmul(delta, layer.weights, into=ws.dout[l - 1], trap=trap)
            if learning_rate is not None:
                _descend(layer, fwd.outs[l], delta, learning_rate, ws, l, trap)
                continue
            _matmul(fwd.outs[l].T, delta, into=g.dW[l].T)  # dE/dw_kj = Σ_s delta_sk · out_sj
            if layer.bias is not None:
                g.db[l] = _bias_gradient(layer.bias_mode, delta, into=ws.db[l])
        return g

    def apply_gradients(self, grads: Gradients, learning_rate: float) -> None:
        """Gradient descent, in place: w+ = w − η · dE/dw (and the same for trainable biases).

        Parameters
        ----------
        grads : Gradients
            What `backward` (or `gradients`) returned.
        learning_rate : float
            η, a finite number above 0.

        Returns
        -------
        None
            The network's weights (and trainable biases) are updated in place.

        Raises
        ------
        ConfigError
            A NaN, infinite, zero or negative learning rate, before any weight changes.

        Examples
        --------
        >>> import chainrule
        >>> net = chainrule.seed_network()
        >>> net.apply_gradients(net.backward(net.forward([0.05, 0.10]), [0.01, 0.99]), 0.5)
        >>> net.layers[1].weights.round(9).tolist()  # w5+, w6+; w7+, w8+
        [[0.35891648, 0.408666186], [0.51130127, 0.561370121]]
        """
        learning_rate = CONSTRAINTS["learning_rate"](learning_rate)
        for layer, dw, db in zip(self.layers, grads.dW, grads.db):
            layer.weights -= learning_rate * dw
            if layer.train_bias:
                layer.bias -= learning_rate * db

    def gradients(self, x, target, sample_weight=None, masks=None) -> tuple[float, Gradients]:
        """The loss of a batch and its gradients: one forward pass, one backward pass.

        This is the seam every training loop calls, and the engine reuses buffers behind it:
        the arrays of the returned ``Gradients`` belong to this network's workspace and are valid
        until the next call of ``gradients`` on it (copy them to keep them). `forward` and
        `backward` always return fresh arrays.

        Parameters
        ----------
        x, target : array_like
            The inputs and the target outputs, one row per sample.
        sample_weight : array_like, optional
            One weight per sample (a weighted mean loss).
        masks : list, optional
            Dropout masks per layer, as for `forward`.

        Returns
        -------
        loss : float
            The batch's loss, the mean over its samples of Σ_k E_ok.
        grads : Gradients
            Its gradients, as `backward` gives them (valid until the next call).

        Raises
        ------
        ShapeError
            Inputs or targets that do not fit the network.

        Examples
        --------
        >>> import chainrule
        >>> loss, grads = chainrule.seed_network().gradients([0.05, 0.10], [0.01, 0.99])
        >>> round(loss, 9), round(float(grads.dW[0][0, 0]), 9)  # E_total, dE_total/dw1
        (0.298371109, 0.000438568)
        """
        return self._pass(x, target, sample_weight, masks, None)

    def descend(self, x, target, learning_rate: float, sample_weight=None, masks=None) -> float:
        """One step of gradient descent on a batch, w+ = w − η · dE/dw, with dE/dw never stored.

        The forward and backward passes of `gradients`, in the same workspace; as the backward pass
        reaches each layer, its weight gradient deltaᵀ · out_below goes straight into the weights,
        W+ = W − η · deltaᵀ · out_below, through one matrix product that adds into W (BLAS's GEMM
        with α = −η and β = 1, ``chainrule.core.blas.gemm_update``), after the layer below has
        read dE/dout through the old W; a trainable bias takes b+ = b − η Σ delta. The result is
        plain SGD's (``SGD`` without momentum) up to rounding: the product's terms are added into
        W with one rounding, where `gradients` then ``SGD.step`` round η · dE/dw first (the same
        bits when η is a power of two and the batch fits one block of the product). Where NumPy's
        BLAS cannot be reached, the same step is taken with NumPy, rounded exactly as `gradients`
        then ``SGD.step`` round it. The `Trainer` takes this route for plain SGD.

        Parameters
        ----------
        x, target : array_like
            The batch: the inputs and the target outputs, one row per sample.
        learning_rate : float
            η, a finite number above 0.
        sample_weight : array_like, optional
            One weight per sample (a weighted mean loss), as for `gradients`.
        masks : list, optional
            Dropout masks per layer, as for `forward`.

        Returns
        -------
        float
            The batch's loss before the step, the mean over its samples of Σ_k E_ok.

        Raises
        ------
        ConfigError
            A learning rate that is not a finite number above 0 (before any weight changes).
        ShapeError
            Inputs or targets that do not fit the network.

        Examples
        --------
        One step of the seed (η = 0.5): its error before the step, and w5 after it.

        >>> import chainrule
        >>> net = chainrule.seed_network()
        >>> round(net.descend([0.05, 0.10], [0.01, 0.99], 0.5), 9)  # E_total
        0.298371109
        >>> round(float(net.layers[1].weights[0, 0]), 9)  # w5+
        0.35891648
        """
        learning_rate = CONSTRAINTS["learning_rate"](learning_rate)
        return self._pass(x, target, sample_weight, masks, learning_rate)[0]

    def _pass(self, x, target, sample_weight, masks, learning_rate) -> tuple[float, Gradients]:
        """Forward, backward (descending when given η), and the batch loss, in the kept workspace."""
        x = self.as_inputs(x)
        n = x.shape[0]
        t = self.as_targets(target, n)
        ws = self._kept_workspace(n)
        fwd = self._forward(x, masks, ws)
        grads = self._backward(fwd, t, sample_weight, ws, learning_rate)  # first: it checks the sample weights
        unmasked = masks is None or masks[-1] is None
        terms = np.add.reduce(
            self.loss_fn.terms(fwd.output, t, fwd.nets[-1] if self._fused and unmasked else None), axis=1
        )
        if sample_weight is None:
            loss = float(np.add.reduce(terms) / n)  # the mean, as ndarray.mean rounds it
        else:
            v = np.asarray(sample_weight, dtype=np.float64).reshape(-1)
            loss = float((terms * v).sum() / v.sum()) if v.shape == terms.shape and v.sum() > 0 else float("nan")
        return loss, grads

    def _kept_workspace(self, n: int) -> Workspace:
        """The workspace kept between calls, for batches of ``n`` rows (made, or grown, when needed)."""
        ws = self.__dict__.get("_workspace")
        if ws is None or ws.rows < n or ws.dtype != self.dtype or ws.layers is not self.layers:
            self._workspace = None  # let the old arrays go before the new ones are made
            ws = self._workspace = Workspace(self.layers, n, self.dtype)
        return ws.first(n)  # a shorter batch (an epoch's last) uses the first rows, nothing is rebuilt

    def descend_in_turn(self, x, target, learning_rate: float, steps: int, batch_size: int = 1, start: int = 0) -> None:
        """``steps`` steps of plain gradient descent (`descend`'s), each on the next batch of samples in turn.

        Step k uses the ``batch_size`` samples from row (start + k · batch_size) mod n on, wrapping
        round: what a `Trainer` with plain SGD, ``shuffle=False`` and no weight decay does, with the
        same bits, without its per-batch bookkeeping (no batch loss, no history).  The data are
        checked once and each batch is gathered into the same two arrays (the workspace's bound
        weight updates hold).  The steps run inside one ``errstate(invalid="raise")``: where an
        operation other than a rescued product (`_matmul`) makes a NaN, the parameters are put back
        and the steps run again with each product trapping its own, as in `descend`, so the
        numbers are `descend`'s either way (NumPy's warnings are not shown, as in the `Trainer`).

        Parameters
        ----------
        x, target : array_like
            The samples' inputs and target outputs, one row per sample.
        learning_rate : float
            η, a finite number above 0.
        steps : int
            How many steps (0 or more).
        batch_size : int, default 1
            Samples per step (at most every sample).
        start : int, default 0
            The row of the first step's first sample.

        Raises
        ------
        ConfigError
            A learning rate, number of steps or batch size out of range.
        ShapeError
            Inputs or targets that do not fit the network.

        Examples
        --------
        >>> import chainrule
        >>> net, twin = chainrule.seed_network(), chainrule.seed_network()
        >>> x, t = [[0.05, 0.10], [0.10, 0.05]], [[0.01, 0.99], [0.99, 0.01]]
        >>> net.descend_in_turn(x, t, 0.5, steps=3)
        >>> for k in range(3):
        ...     _ = twin.descend([x[k % 2]], [t[k % 2]], 0.5)
        >>> all((a == b).all() for a, b in zip(net.parameters(), twin.parameters()))
        True
        """
        c = check({"learning_rate": learning_rate, "iterations": steps, "batch_size": batch_size})
        learning_rate, steps = c["learning_rate"], c["iterations"]
        xs = self.as_inputs(x)
        ts = self.as_targets(target, xs.shape[0])
        b = min(c["batch_size"], xs.shape[0])
        rows = ((start + np.arange(steps * b)) % xs.shape[0]).reshape(steps, b)  # no rows: no steps
        if type(xs) is not np.ndarray:  # sparse inputs: one descend per batch
            for r in rows:
                self.descend(xs[r], ts[r], learning_rate)
            return
        saved = [p.copy() for p in self.parameters()]
        try:
            self._steps_in_turn(xs, ts, rows, learning_rate, trap=False)
        except FloatingPointError:  # a NaN made outside a product: again, as descend makes it
            for p, keep in zip(self.parameters(), saved):
                np.copyto(p, keep)
            self._steps_in_turn(xs, ts, rows, learning_rate, trap=True)

    def _steps_in_turn(self, xs, ts, rows, learning_rate: float, trap: bool) -> None:
        """`descend`'s forward and backward passes (the step taken inside), batch after batch, each
        batch gathered into the same two arrays; NumPy's errors ignored (``trap``: each product
        traps its own NaN, as in `descend`) or the invalid ones raised (see `_matmul`)."""
        x, t = np.empty((rows.shape[1], xs.shape[1]), self.dtype), np.empty((rows.shape[1], ts.shape[1]), self.dtype)
        ws = self._kept_workspace(len(x))
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore" if trap else "raise"):
            for r in rows:
                xs.take(r, axis=0, out=x)
                ts.take(r, axis=0, out=t)
                self._backward(self._forward(x, None, ws, trap), t, None, ws, learning_rate, trap)

    def train_step(self, x, target, learning_rate: float) -> float:
        """One forward pass, one backward pass, one update: the seed's step.

        Parameters
        ----------
        x, target : array_like
            The sample(s) and their target outputs.
        learning_rate : float
            η, a finite number above 0.

        Returns
        -------
        float
            The loss before the update.

        Raises
        ------
        ConfigError
            A learning rate that is not a finite number above 0.
        ShapeError
            Inputs or targets that do not fit the network.

        Examples
        --------
        >>> import chainrule
        >>> net = chainrule.seed_network()
        >>> round(net.train_step([0.05, 0.10], [0.01, 0.99], 0.5), 9)  # E_total
        0.298371109
        >>> round(net.loss([0.05, 0.10], [0.01, 0.99]), 9)  # E_total@1
        0.291027774
        """
        fwd = self.forward(x)
        t = self.as_targets(target, len(fwd.output))
        loss = self.loss_fn.value(fwd.output, t, fwd.nets[-1] if self._fused else None)
        self.apply_gradients(self.backward(fwd, t), learning_rate)
        return loss

    # ------------------------------------------------------------------------- conveniences
    @property
    def _fused(self) -> bool:
        return self.loss_fn.fused_activation == self.layers[-1].activation.name

    def predict(self, x) -> np.ndarray:
        """The outputs for ``x`` (one row per sample): the forward pass's last layer.

        Examples
        --------
        >>> import chainrule
        >>> chainrule.seed_network().predict([0.05, 0.10]).round(6)
        array([[0.751365, 0.772928]])
        """
        return self.forward(x).output

    def loss(self, x, target) -> float:
        """The loss of the network on these samples: the mean over samples of Σ_k E_ok.

        Examples
        --------
        >>> import chainrule
        >>> round(chainrule.seed_network().loss([0.05, 0.10], [0.01, 0.99]), 9)  # E_total
        0.298371109
        """
        fwd = self.forward(x)
        t = self.as_targets(target, len(fwd.output))
        return self.loss_fn.value(fwd.output, t, fwd.nets[-1] if self._fused else None)

    def as_inputs(self, x) -> np.ndarray:
        """``x`` as a checked 2-D array of this network's dtype, one row per sample (ShapeError if it does not fit)."""
        return _as_batch(x, self.n_inputs, "inputs", self.dtype)

    def as_targets(self, t, n_samples: int | None = None) -> np.ndarray:
        """``t`` as a checked 2-D array of target rows (ShapeError if it does not fit the outputs or ``n_samples``)."""
        arr = _as_batch(t, self.n_outputs, "targets", self.dtype)
        if n_samples is not None and arr.shape[0] != n_samples:
            raise ShapeError(f"{arr.shape[0]} targets for {n_samples} input samples")
        return arr


# ------------------------------------------------------------------------------ workspace
# the most numbers of a caller's batch that a bound first-layer update keeps alive between calls (a
# bound update pays off for small layers; a large batch's product outweighs the checks anyway)
_KEEP_INPUTS_AT_MOST = 1 << 16


class Workspace:
    """The arrays the two passes write into, one per layer and quantity (``net[l]``, ``dW[l]``...),
    for batches of ``rows`` samples.

    Each list is made the first time a pass asks for it, so a forward pass alone never makes the
    backward pass's arrays, and the ``masked_*`` ones exist only with dropout.
    ``Network.gradients`` keeps one between calls (a training loop allocates no large array per
    batch) and serves a shorter batch from its first rows (:meth:`first`); ``Network.forward``/
    ``backward`` use a throwaway one, so their results are fresh.
    """

    def __init__(self, layers: list[Layer], rows: int, dtype, of: Workspace | None = None):
        self.layers, self.rows, self.dtype = layers, rows, dtype
        self.of = of  # the workspace whose first rows these are, or None (arrays of its own)

    def first(self, rows: int) -> Workspace:
        """The same arrays cut to their first ``rows`` rows (views, still C-contiguous); the last
        one asked for is kept, so an epoch's short last batch costs nothing after the first epoch."""
        if rows == self.rows:
            return self
        view = self.__dict__.get("_first")
        if view is None or view.rows != rows:
            view = self._first = Workspace(self.layers, rows, self.dtype, of=self)
        return view

    def weight_update(self, l: int, weights: np.ndarray, delta: np.ndarray, out_below):
        """W ← W + α · deltaᵀ · out_below for layer ``l``, as a function of α alone (BLAS's GEMM
        bound to these arrays, :func:`~chainrule.core.blas.bind_gemm_update`), or ``None`` where
        BLAS cannot make it.  The binding is kept while the same three arrays come back (the
        weights, this workspace's delta, the layer below's output or a loop's batch buffer), so
        an update of small layers pays for the BLAS call alone, not for its checks."""
        bound = self._updates[l]
        if bound is None or bound[0] is not weights or bound[1] is not delta or bound[2] is not out_below:
            bound = (weights, delta, out_below, bind_gemm_update(weights, delta.T, out_below))
            if l > 0 or out_below.shape[0] * out_below.shape[1] <= _KEEP_INPUTS_AT_MOST:
                self._updates[l] = bound  # (a large batch of the caller's is not kept alive by it)
        return bound[3]

    @cached_property
    def _updates(self) -> list:  # per layer: (weights, delta, out_below, bound update) of the last update
        return [None] * len(self.layers)

    def __getstate__(self) -> dict:
        """A copy (``copy.deepcopy`` of a network) binds its own updates: the bound ones write where
        this workspace's arrays and the original weights lie."""
        state = dict(self.__dict__)
        state.pop("_updates", None)
        return state

    def _per_neuron(self, same_in) -> list[np.ndarray]:
        if self.of is not None:
            return [a[: self.rows] for a in same_in(self.of)]
        return [np.empty((self.rows, layer.n_out), dtype=self.dtype) for layer in self.layers]

    @cached_property
    def net(self):  # net inputs
        return self._per_neuron(lambda ws: ws.net)

    @cached_property
    def out(self):  # f(net)
        return self._per_neuron(lambda ws: ws.out)

    @cached_property
    def masked_out(self):  # f(net) · dropout mask
        return self._per_neuron(lambda ws: ws.masked_out)

    @cached_property
    def dout(self):  # dE/dout
        return self._per_neuron(lambda ws: ws.dout)

    @cached_property
    def masked_dout(self):  # dE/dout · dropout mask = dE/df(net)
        return self._per_neuron(lambda ws: ws.masked_dout)

    @cached_property
    def delta(self):  # dE/dnet
        return self._per_neuron(lambda ws: ws.delta)

    @cached_property
    def dW(self):  # dE/dW, laid out in memory as the weights are (one per layer, whatever the rows)
        return self.of.dW if self.of is not None else self._gradient_arrays[0]

    @cached_property
    def db(self):  # dE/db
        return self.of.db if self.of is not None else self._gradient_arrays[1]

    @cached_property
    def _gradient_arrays(self):
        """dE/dW and dE/db of every layer, cut in turn from one array in the order of
        ``Network.parameters()`` (each layer's weights, then its bias if trainable; frozen biases
        last), each piece laid out as its parameter is: an optimizer can then take each operation
        of its step over all the parameters at once (``optimizers._consecutive``)."""
        L = len(self.layers)
        dW, db = [None] * L, [None] * L
        pieces = []  # (list, layer, parameter): where each piece goes and what it is shaped like
        for l, layer in enumerate(self.layers):
            pieces.append((dW, l, layer.weights))
            if layer.train_bias:
                pieces.append((db, l, layer.bias))
        pieces += [
            (db, l, layer.bias)
            for l, layer in enumerate(self.layers)
            if layer.bias is not None and not layer.train_bias
        ]
        whole = np.empty(sum(like.size for _, _, like in pieces), dtype=self.dtype)
        start = 0
        for into, l, like in pieces:
            order = "F" if like.flags.f_contiguous and not like.flags.c_contiguous else "C"
            into[l] = whole[start : start + like.size].reshape(like.shape, order=order)
            start += like.size
        return dW, db


def _descend(
    layer: Layer, out_below, delta: np.ndarray, learning_rate: float, ws: Workspace, l: int, trap: bool = True
) -> None:
    """W+ = W − η · deltaᵀ · out_below, added into W by one GEMM (dE/dW is never stored), and
    b+ = b − η Σ delta for a trainable bias.  Without NumPy's BLAS (or for a sparse input), dE/dW
    is made in the workspace's ``dW`` and the step rounded as ``SGD.step`` rounds it: w+ = w − (η g)."""
    update = ws.weight_update(l, layer.weights, delta, out_below)
    if update is not None:
        update(-learning_rate)  # W ← W + (−η) · deltaᵀ · out_below
    else:
        dW = _matmul(out_below.T, delta, into=ws.dW[l].T, trap=trap).T  # dE/dw_kj = Σ_s delta_sk · out_sj
        layer.weights -= np.multiply(dW, learning_rate, out=dW)  # w+ = w − η g
    if layer.train_bias:
        db = _bias_gradient(layer.bias_mode, delta, into=ws.db[l])
        layer.bias -= np.multiply(db, learning_rate, out=db)  # b+ = b − η Σ delta


def _bias_gradient(mode: str, delta: np.ndarray, into: np.ndarray) -> np.ndarray:
    """dE/db = Σ delta: over the samples for a bias per neuron, over samples and neurons for a shared one."""
    if mode == "per_neuron":
        return np.add.reduce(delta, axis=0, out=into)  # np.sum's own reduction, without its wrapper
    into[0] = delta.sum()
    return into


# ----------------------------------------------------------------------------- validation
def _per_layer(value, n_layers: int, what: str) -> list:
    if isinstance(value, (list, tuple)):
        if len(value) != n_layers:
            raise ConfigError(f"{what} lists {len(value)} entries for {n_layers} layers")
        return list(value)
    return [value] * n_layers


def _finite_array(value, what: str) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an integer too large for a float
        raise ShapeError(f"{what} must be numbers in a regular (not ragged) array") from None
    if not np.all(np.isfinite(arr)):
        raise ShapeError(f"{what} contain a value that is not a finite number (NaN or infinity)")
    return arr


def _as_matrix(value, shape: tuple[int, int], what: str) -> np.ndarray:
    arr = _finite_array(value, what)
    if arr.shape != shape:
        raise ShapeError(
            f"{what} must be a {shape[0]}x{shape[1]} matrix (one row per receiving neuron), got shape {arr.shape}"
        )
    return arr


def _make_bias(mode: str, value, n_out: int, l: int):
    if mode == "none":
        if value not in (None, 0, 0.0):
            raise ConfigError("bias is 'none' but bias values were given")
        return None
    shape = (1,) if mode == "shared" else (n_out,)
    if value is None:
        return np.zeros(shape)
    arr = _finite_array(value, f"bias of layer {l + 1}").reshape(-1)
    if mode == "per_neuron" and arr.size == 1 and n_out != 1:
        arr = np.full(n_out, arr[0])
    if arr.shape != shape:
        raise ShapeError(f"bias of layer {l + 1} must hold {shape[0]} number(s), got {arr.size}")
    return arr


def _sample_scale(sample_weight, n: int, dtype):
    """1/n for a plain mean; v_s / Σ v as a column for a weighted one."""
    if sample_weight is None:
        return 1.0 / n
    v = _finite_array(sample_weight, "sample weights").reshape(-1)
    if v.shape != (n,):
        raise ShapeError(f"{v.size} sample weights for {n} samples")
    if np.any(v < 0) or v.sum() <= 0:
        raise ConfigError("sample weights must be non-negative and not all zero")
    return (v / v.sum()).astype(dtype)[:, None]


def _matmul(a, b, into: np.ndarray, trap: bool = True) -> np.ndarray:
    """a · b, written into ``into``; sparse inputs (SciPy, into the first layer) use their own product.

    A product whose sum met +inf and −inf is rescued (`_rescue_overflow`): NumPy raises on the
    FPU's invalid flag inside an ``errstate(invalid="raise")`` that this function enters itself,
    or, with ``trap=False``, that the caller has entered around a whole run of updates
    (`Network.descend_in_turn`: some microseconds saved per product of small layers)."""
    if type(a) is not np.ndarray and _is_sparse(a):
        np.copyto(into, a @ b)
        return into
    try:
        if not trap:  # the caller's errstate raises already
            return np.matmul(a, b, out=into)
        with np.errstate(invalid="raise"):  # the FPU's own flag: free on the common path
            return np.matmul(a, b, out=into)
    except FloatingPointError:  # rare: a sum met +inf and −inf; ``into`` holds the product, NaN there
        _rescue_overflow(a, b, into)
        return into


def _rescue_overflow(a, b, into: np.ndarray) -> None:
    """Where terms a_ik·b_kj overflowed to +inf and −inf, their sum came out NaN although a and b
    are finite.  Recompute those entries as 2^(e_a+e_b) · ((a / 2^e_a) · (b / 2^e_b)): the scaled
    products are below 1 in size, so the sum is finite and only the final scaling may overflow
    (to ±inf, with the right sign).  Powers of two scale exactly; other entries are left as they are."""
    nan = np.isnan(into)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        e_a = int(np.frexp(np.max(np.abs(a)))[1]) if a.size else 0
        e_b = int(np.frexp(np.max(np.abs(b)))[1]) if b.size else 0
        scaled = np.ldexp(np.ldexp(a, -e_a) @ np.ldexp(b, -e_b), e_a + e_b).astype(into.dtype, copy=False)
    np.copyto(into, scaled, where=nan)  # NaN stays NaN where a or b held one


def _is_sparse(value) -> bool:
    """A SciPy sparse matrix (duck-typed: the core does not import SciPy)."""
    return not isinstance(value, np.ndarray) and hasattr(value, "tocsr") and hasattr(value, "nnz")


def _as_batch(value, width: int, what: str, dtype) -> np.ndarray:
    if isinstance(value, np.ndarray) and value.dtype == dtype and value.ndim == 2 and value.shape[1] == width:
        return value  # the fast path for training loops
    if _is_sparse(value):  # rows of a sparse matrix, kept sparse (CSR) for the first layer's product
        if value.shape[1] != width or value.shape[0] == 0:
            raise ShapeError(f"{what} must have {width} column(s) (one per neuron), got shape {value.shape}")
        value = value.tocsr().astype(dtype, copy=False)
        if not np.isfinite(value.data).all():
            raise ShapeError(f"{what} contain a value that is not a finite number (NaN or infinity)")
        return value
    arr = _finite_array(value, what)
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    if arr.ndim != 2 or arr.shape[1] != width:
        raise ShapeError(f"{what} must have {width} column(s) (one per neuron), got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ShapeError(f"{what} are empty")
    return arr.astype(dtype, copy=False)
