"""What a session drives: a network file's network, trained by the engine and edited by the page.

:class:`SessionModel` holds the network file's contents as loaded (what Reset goes back to), the
network as it is now, its samples and learning rate, how many updates it has had, the loss curve so
far and the trainer's options.  Training is online: update k uses sample k mod n (for the seed's
single sample, the seed's loop exactly); with a batch size b, update k uses the next b samples in
turn.  What the page shows of it is :mod:`.session_view`'s.
"""

from __future__ import annotations

import contextlib
import copy

import numpy as np

from ..errors import ConfigError, NumericalError
from ..io.network_file import network_from_dict, network_to_dict
from ..training.loop import Trainer
from ..training.online import train_in_turn, train_online
from .page_limits import MAX_PAGE_LAYERS, MAX_PAGE_NEURONS, MAX_PAGE_SAMPLES, MAX_STEPS, MAX_WORK, check_page_size
from .security import precheck_spec

CURVE_PER_OCTAVE = 64  # loss-curve points kept per doubling of the update count (all of the first 64)
OVERFLOWED = "the weights overflowed (the learning rate is too large?); the network is as it was before these updates"


def curve_bucket(iteration: int) -> tuple[int, int]:
    """The loss curve's bucket of an update: one per update below ``2 * CURVE_PER_OCTAVE``, then
    ``CURVE_PER_OCTAVE`` equal buckets per doubling (so early history stays as the run grows).

    Parameters
    ----------
    iteration : int
        The update's number (0 before the first).

    Returns
    -------
    tuple of int
        (the bucket's stride, the bucket's index at that stride).
    """
    stride = 1 << max(0, (iteration // CURVE_PER_OCTAVE).bit_length() - 1)
    return stride, iteration // stride


def _nine_significant_digits(value) -> float:
    """A loss as the curve keeps it: 9 significant digits (what the page can draw)."""
    return float(f"{float(value):.9g}")


class SessionModel:
    """A network file's network as the page drives it: loaded, trained, edited, reset.

    Parameters
    ----------
    spec : dict
        A network file's contents (checked by the network-file reader and the page's caps).
    dataset : dict, optional
        ``{"name", "n", "noise", "seed", ...}`` for a 2-D toy dataset.
    test : tuple, optional
        The held-out (inputs, targets) of a dataset's split: the test loss beside the training loss.
    plane : dict, optional
        A 2-D dataset's points as drawn (``{"train": (n, 2), "test": (m, 2) or None}``) when the
        network reads other features of them (``dataset["features"]``, :mod:`chainrule.data.features`).
    """

    def __init__(self, spec: dict, dataset: dict | None = None, test: tuple | None = None, plane: dict | None = None):
        self.dataset = dataset
        self.test = None if test is None else (np.asarray(test[0], float), np.asarray(test[1], float))
        self.plane = plane
        self.options = {"batch_size": 1, "l1": 0.0, "l2": 0.0}  # the trainer's options (TensorFlow Playground's)
        self.loaded = copy.deepcopy(spec)  # what Reset goes back to
        self.load(spec)
        self.pristine = True

    # ------------------------------------------------------------------ the network file
    def load(self, spec: dict) -> None:
        """Replace the network by the one ``spec`` describes (checked by the network-file reader)."""
        precheck_spec(spec, MAX_PAGE_LAYERS, MAX_PAGE_NEURONS, MAX_PAGE_SAMPLES)  # before allocating anything
        nf = network_from_dict(spec, source="network")
        check_page_size(nf.network.sizes)
        if nf.n_samples > MAX_PAGE_SAMPLES:
            raise ConfigError(f"the page trains on at most {MAX_PAGE_SAMPLES} samples, not {nf.n_samples}")
        self.network = nf.network
        self.inputs, self.targets = np.asarray(nf.inputs, float), np.asarray(nf.targets, float)
        self.learning_rate = float(nf.learning_rate)
        self.extra = {k: spec[k] for k in ("title", "description") if k in spec}
        self.iteration = 0
        self.curve: list[list[float]] = []  # [update, loss] or [update, loss, test loss]
        self._record(0, self.total_loss())
        self.pristine = False  # the network as loaded, not trained or edited since (reset() and __init__ say so)

    def spec(self) -> dict:
        """The network file of the network as it is now."""
        return network_to_dict(self.network, self.inputs, self.targets, self.learning_rate, **self.extra)

    def reset(self) -> None:
        """Back to the network as loaded: its layers, weights, samples and learning rate."""
        self.load(copy.deepcopy(self.loaded))
        self.pristine = True

    def resume(self, network: dict | None, iteration: int, curve: list | None) -> None:
        """Carry on where a page left off (its server restarted, or the page was reloaded): the network
        as it was (a network file, its samples taken from this session's), the number of updates so far
        and the loss curve drawn so far.  What Reset goes back to stays the network as loaded.

        Parameters
        ----------
        network : dict or None
            The network file of the network as the page last had it (None: the one loaded).
        iteration : int
            The updates it had.
        curve : list or None
            Its loss curve, ``[update, loss(, test loss)]`` points in order, the last at most at
            ``iteration`` (None: the curve starts afresh at ``iteration``).
        """
        if network is not None:
            own = ("input", "target", "inputs", "targets")
            samples = {k: v for k, v in self.spec().items() if k in own}
            if self.dataset is None and any(k in network for k in own):  # a network's own sample, as edited
                samples = {k: v for k, v in network.items() if k in own}
            spec = {k: v for k, v in network.items() if k not in own}
            self.load({**spec, **samples, **self.extra})
            if self.network.sizes[0] != self.inputs.shape[1] or list(self.network.sizes) != list(network["layers"]):
                raise ConfigError("the network to resume does not fit this session's samples")
        if curve and (curve[-1][0] > iteration or any(a[0] > b[0] for a, b in zip(curve, curve[1:]))):
            raise ConfigError("the curve to resume must be in order and end at most at the iteration")
        self.iteration = iteration
        self.curve = [[int(p[0]), *p[1:]] for p in curve] if curve else []  # an update count is whole
        self._record(iteration, self.total_loss())

    def total_loss(self) -> float:
        """The loss over every sample (the seed's E_total for its one sample)."""
        return float(self.network.loss(self.inputs, self.targets))

    def test_loss(self) -> float | None:
        """The loss on the held-out points (None without a split)."""
        return None if self.test is None else float(self.network.loss(*self.test))

    # ------------------------------------------------------------------------- training
    def batch_size(self) -> int:
        """The samples one update uses: the trainer's option, at most every sample."""
        return min(int(self.options["batch_size"]), len(self.inputs))

    def max_steps(self) -> int:
        """The most updates one request may ask for: updates x batch x parameters <= MAX_WORK."""
        size = sum(layer.weights.size + (0 if layer.bias is None else layer.bias.size) for layer in self.network.layers)
        return max(1, min(MAX_STEPS, MAX_WORK // (self.batch_size() * size)))

    def sample(self) -> int:
        """The index of the (first) sample the next update uses: (k · b) mod n."""
        return (self.iteration * self.batch_size()) % len(self.inputs)

    def train(self, steps: int) -> None:
        """``steps`` updates of the engine, w+ = w − η ∂E/∂w, each on the next sample (or batch);
        when the numbers overflow, the network is left as it was and one ConfigError line says so."""
        if steps > self.max_steps():
            raise ConfigError(
                f"{steps} updates of this network is too much work for one request; ask for at most {self.max_steps()}"
            )
        saved = (self.network.copy(), self.iteration, [list(p) for p in self.curve])
        self.pristine = False
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is detected below
            if len(self.inputs) == 1:
                self._train_one_sample(steps)
            elif self.batch_size() == 1 and not (self.options["l1"] or self.options["l2"]):
                self._train_in_turn(steps)
            else:
                try:
                    self._train_batches(steps)
                except NumericalError:  # the trainer's own check: back to the last good parameters
                    self.network, self.iteration, self.curve = saved
                    raise ConfigError(OVERFLOWED) from None
            loss = self.total_loss()
            self._record(self.iteration, loss)
            finite = all(np.isfinite(w).all() for w in self.network.parameters()) and np.isfinite(loss)
        if not finite:
            self.network, self.iteration, self.curve = saved  # the last good parameters
            raise ConfigError(OVERFLOWED)

    def _train_one_sample(self, steps: int) -> None:
        """The seed's loop: the loss before each update is E_total@iteration, kept as the curve keeps it."""
        losses = train_online(self.network, self.inputs, self.targets, self.learning_rate, steps)
        its = np.arange(self.iteration, self.iteration + steps)
        stride = np.left_shift(1, np.floor(np.log2(np.maximum(its // CURVE_PER_OCTAVE, 1))).astype(np.int64))
        for j in np.flatnonzero(its % stride == 0):  # the first update of each curve bucket
            self._record(int(its[j]), losses[j])
        self._record(int(its[-1]), losses[-1])  # and the newest
        self.iteration += steps

    def _train_in_turn(self, steps: int) -> None:
        """Online updates on one point each, in turn (the Trainer's batches of one, without its
        per-batch bookkeeping: for a tiny network, the engine's written-out update)."""
        train_in_turn(self.network, self.inputs, self.targets, self.learning_rate, steps, self.sample())
        self.iteration += steps

    def _train_batches(self, steps: int) -> None:
        """The trainer on the next steps x b points in turn: ``steps`` updates of one batch of b each."""
        b, n = self.batch_size(), len(self.inputs)
        rows = (self.iteration * b + np.arange(steps * b)) % n
        Trainer(
            self.network,
            self.inputs[rows],
            self.targets[rows],
            epochs=1,
            batch_size=b,
            learning_rate=self.learning_rate,
            l1=self.options["l1"],
            l2=self.options["l2"],
            shuffle=False,
            metrics=(),
            train_metrics=False,
        ).run()
        self.iteration += steps

    def _record(self, iteration: int, loss: float) -> None:
        """Add a point to the loss curve.  The curve keeps the first point of each bucket of
        :func:`curve_bucket` (every update up to 128, then 64 per doubling) and the newest point."""
        curve = self.curve
        # kept as the page draws it (9 significant digits), so that a state copies it as it is
        point = [iteration, _nine_significant_digits(loss)]
        if self.test is not None:
            point.append(_nine_significant_digits(self.test_loss()))
        if curve and curve[-1][0] == iteration:
            curve[-1] = point
            return
        if len(curve) >= 2 and curve_bucket(curve[-1][0]) == curve_bucket(curve[-2][0]):
            curve.pop()  # it was kept only as the newest point
        curve.append(point)

    # ---------------------------------------------------------------------- editing
    @contextlib.contextmanager
    def unchanged_on_error(self):
        """Everything this model holds is put back as it was when the block raises (its methods
        replace the objects they change, never change them in place)."""
        saved = dict(self.__dict__)
        try:
            yield
        except BaseException:
            self.__dict__.update(saved)
            raise

    def edit(self, changes: dict) -> None:
        """Apply the page's edits: ``layers`` (fresh seeded weights), ``seed`` alone (fresh weights
        drawn with that seed, the layers kept), ``activation``, ``learning_rate``, ``loss``, the
        trainer's ``batch_size``/``l1``/``l2``, then ``set`` (numbers by name).
        Use it inside :meth:`unchanged_on_error` to make a refused edit change nothing."""
        spec = self.spec()
        sizes = list(spec["layers"])
        layers = changes.get("layers")
        if layers is not None and list(layers) != sizes:
            if layers[0] != sizes[0] or layers[-1] != sizes[-1]:
                raise ConfigError(
                    f"the first and last layer sizes are fixed by the samples ({sizes[0]} inputs, {sizes[-1]} outputs)"
                )
            spec = reshaped(spec, list(layers), int(changes.get("seed") or 0))
        elif changes.get("seed") is not None:  # new random weights for the same layers
            spec = reshaped(spec, sizes, int(changes["seed"]))
        if changes.get("activation") is not None:
            spec["activation"] = per_layer(changes["activation"], spec["activation"], len(spec["layers"]) - 1)
        for key in ("learning_rate", "loss"):
            if changes.get(key) is not None:
                spec[key] = changes[key]
        chosen = {k: changes[k] for k in ("batch_size", "l1", "l2") if changes.get(k) is not None}
        if chosen:  # the trainer's options: a new dict, so that a refused edit leaves the old one
            self.options = {**self.options, **chosen}
        if changes.get("set"):
            self.load(spec)  # the new layers' weights exist now, so numbers can be set on them
            spec = self.spec()
            for name, value in changes["set"].items():
                self._set(spec, name, value)
        self.load(spec)
        self.pristine = False

    def _set(self, spec: dict, name: str, value: float) -> None:
        """Write ``value`` into ``spec`` where the number called ``name`` lives (a weight, a bias, an
        input or target of a single sample, or ``eta``, the learning rate)."""
        from ..derivation.notation.names import Notation, canonical_name

        if name == "eta":
            spec["learning_rate"] = value
            return
        name, names = canonical_name(name), Notation(self.network)
        if name in names.inputs and len(self.inputs) == 1:
            spec["input"][names.inputs.index(name)] = value
            return
        if name in names.targets and len(self.inputs) == 1:
            spec["target"][names.targets.index(name)] = value
            return
        where = names.weight_location(name)
        if where is not None:
            l, r, s = where
            spec["weights"][l][r][s] = value
            return
        for l, biases in enumerate(names.biases):
            if biases and name in biases:
                if isinstance(spec["biases"][l], list):
                    spec["biases"][l][biases.index(name)] = value
                else:
                    spec["biases"][l] = value
                return
        shown = repr(name) if len(name) <= 40 else f"{name[:30]!r}... ({len(name):,} characters)"
        raise ConfigError(
            f"no editable number called {shown} (weights w1.., biases, inputs i1.., targets target_o1.., eta)"
        )


def reshaped(spec: dict, layers: list[int], seed: int) -> dict:
    """``spec`` with new layer sizes: fresh, seeded weights; each layer's activation kept
    (the hidden layers take the first hidden layer's); shared biases kept when the depth is."""
    spec = dict(spec, layers=layers, seed=seed)
    old = len(spec.pop("weights"))
    if isinstance(spec["activation"], list):
        spec["activation"] = [spec["activation"][0]] * (len(layers) - 2) + [spec["activation"][-1]]
    shared = isinstance(spec.get("biases"), list) and not any(isinstance(b, list) for b in spec["biases"])
    if not (shared and old == len(layers) - 1):
        spec.pop("biases", None)
        spec.pop("train_biases", None)
    return spec


def per_layer(chosen, current, n_layers: int):
    """The activations after choosing ``chosen``: a list is one per layer; one name replaces every
    layer's when all layers share one, else the hidden layers' (the output keeps its own, such as
    the sigmoid that goes with binary cross-entropy)."""
    if isinstance(chosen, list):
        return chosen
    current = current if isinstance(current, list) else [current] * n_layers
    if len(set(current)) == 1:
        return chosen
    return [chosen] * (n_layers - 1) + [current[-1]]
