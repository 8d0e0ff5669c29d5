"""An explanation: a trace, the part of it asked for, and its renderings.

* ``only``: names (``w5``, ``w1``, ``b_h1``, a neuron ``h12``, or any quantity ``delta_o1``) —
  the derivation is limited to the steps those gradients (or quantities) need: the forward-pass
  quantities they depend on, the errors, the chain, and the updates.
* ``detail``: ``"full"`` (every scalar), ``"summary"`` (layer by layer, vectors and matrices) or
  ``"auto"`` (summary above :data:`SUMMARY_ABOVE` weights, unless ``only`` is given).
"""

from __future__ import annotations

import difflib

from ...errors import ConfigError
from ..notation.names import canonical_name
from ..step.trace import REF, Step, Trace
from .equation_lines import Line, group_lines, step_line
from .number_format import fmt

CONTEXT_TERMS = 12  # in a large network, a context step with more terms is shown by its value only
SUMMARY_ABOVE = 100  # weights; larger networks are summarised layer by layer unless asked otherwise
DETAILS = ("auto", "full", "summary")


class Explanation:
    """One training step of one network, explained: what `explain` returns.

    Render it with ``to_text()``, ``to_markdown()``, ``to_html()``, ``to_latex()``, ``to_json()``
    (or ``render(format)``); ``values`` maps every name to its number. In Jupyter it shows as
    Markdown.

    Parameters
    ----------
    trace : Trace
        The step, as `trace_step` recorded it.
    only : str or list of str, optional
        Only the steps these names need.
    detail : {"auto", "full", "summary"}, default "auto"
        Every scalar, or layer by layer; auto: layer by layer above 100 weights.
    sample, n_samples : int, default 1
        Which sample of how many the step is on (for the header).
    source, file_hint : str, optional
        Where the network came from (for the header and the commands suggested).
    notation : str or dict, optional
        A book's names to write the derivation in.
    drawn_seed : int, optional
        The seed of weights a file did not give (said in the header).

    Raises
    ------
    ConfigError
        An unknown ``detail``, notation or name in ``only``.

    Examples
    --------
    >>> import chainrule
    >>> e = chainrule.explain(only="w5")
    >>> [title for title, lines in e.sections()]
    ['The forward pass', 'The total error', 'The backward pass: output layer']
    >>> e.to_markdown().count("$$") > 0
    True
    """

    def __init__(
        self,
        trace: Trace,
        only=None,
        detail: str = "auto",
        sample: int = 1,
        n_samples: int = 1,
        source: str | None = None,
        file_hint: str | None = None,
        notation: str | dict | None = None,
        drawn_seed: int | None = None,
    ):
        if detail not in DETAILS:
            raise ConfigError(f"detail must be one of {', '.join(DETAILS)}, not {detail!r}")
        self.trace = trace
        self.sample, self.n_samples, self.source = sample, n_samples, source
        self.drawn_seed = drawn_seed  # the seed of weights a file did not give (None: the file gave them)
        self.file_hint = file_hint  # the file's path, for the commands suggested
        self.notation = notation or "seed"
        self.rename = None
        reader = None
        if notation not in (None, "seed"):  # a book's names (profiles.py), written by writing.Writer
            from ..notation.reader import Reader
            from ..notation.writer import Writer

            self.rename = Writer(trace.notation, notation)
            reader = Reader(trace.notation, notation)  # --only in the book's names too (W^[2]_11, O_5)
        self.only = _parse_only(only, reader)
        self.summary = detail == "summary" or (
            detail == "auto" and not self.only and trace.network.n_weights > SUMMARY_ABOVE
        )
        self.wanted: list[str] = []
        self.steps: list[Step] = select_steps(trace, self.only, self.wanted) if self.only else list(trace.steps)

    # ---------------------------------------------------------------------------- content
    @property
    def values(self) -> dict[str, float]:
        """Every named number of the step (all of them, whatever ``only`` selects)."""
        return self.trace.values

    def lines(self) -> list[Line]:
        """The equations shown, in order: each a name, its formula, the numbers and the result."""
        if self.summary:
            from .layer_summary import summary_lines

            return summary_lines(self.trace)
        values, givens = self.trace.values, self.trace.givens
        lines = [step_line(s, values, givens, self.rename) for s in self.steps]
        if self.only and self.trace.network.n_weights > SUMMARY_ABOVE:
            # a large network: what the chosen quantities merely depend on is shown by its value
            wanted = set(self.wanted)
            for k, s in enumerate(self.steps):
                if s.name not in wanted and len(REF.findall(s.text)) > CONTEXT_TERMS:
                    lines[k] = Line(
                        s.section,
                        s.name,
                        [s.name, fmt(s.value)],
                        [lines[k].latex[0], fmt(s.value)],
                        s.note,
                        s.layer,
                        True,
                    )
        return lines

    def header(self) -> list[str]:
        """What is given, in plain sentences: the network, the samples, each layer's parameters, and
        what the derivation below shows."""
        tr, net, r = self.trace, self.trace.network, self._written
        acts = ", ".join(layer.activation.name for layer in net.layers)
        out = [
            f"A {'-'.join(map(str, net.sizes))} network ({acts}), loss {net.loss_fn.name}, "
            f"learning rate {r('eta')} = {fmt(tr.learning_rate, True)}."
        ]
        if self.drawn_seed is not None:
            out.append(
                f"The file gives no weights: they were drawn with seed {self.drawn_seed} "
                f'(the file\'s "seed", 0 when it names none), the same numbers on every run.'
            )
        out += self._batch_sentences() if tr.batch is not None else self._sample_sentences()
        out += [self._layer_sentence(l) for l in range(len(net.layers))]
        if self.summary:
            out.append(self._summary_sentence())
        if self.only:
            needs = "needs" if len(self.only) == 1 else "need"
            out.append(f"Only what {', '.join(r(n) for n in self.only)} {needs} is shown.")
        return out

    def _written(self, name: str) -> str:
        """A seed name as this explanation writes it (a book's, where asked)."""
        return self.rename(name) if self.rename is not None else name

    def _batch_sentences(self) -> list[str]:
        """A full batch: how its quantities are combined and named, and each sample's inputs and targets."""
        tr, names, r, n = self.trace, self.trace.notation, self._written, self.n_samples
        named = (
            "NAME[k]"
            if self.rename is None
            else f"with k (sample 2's first net input is {r(f'net_{names.neurons[0][0]}[2]')})"
        )
        out = [
            f"One full-batch step on all {n} samples: the batch's {r('E_total')} is the {tr.batch} of the "
            f"samples' errors, so are its gradients; sample k's quantities are named {named}."
        ]
        if len(names.inputs) <= 20:
            for k in range(1, n + 1):
                inputs = ", ".join(f"{r(f'{i}[{k}]')} = {fmt(tr.givens[f'{i}[{k}]'], True)}" for i in names.inputs)
                targets = ", ".join(f"{r(f'{t}[{k}]')} = {fmt(tr.givens[f'{t}[{k}]'], True)}" for t in names.targets)
                out.append(f"Sample {k}: {inputs}; {targets}.")
        return out

    def _sample_sentences(self) -> list[str]:
        """One sample: its inputs (or how many) and targets, and which of the file's samples it is."""
        g, names, r = self.trace.givens, self.trace.notation, self._written
        if len(names.inputs) <= 20:
            inputs = ", ".join(f"{r(i)} = {fmt(g[i], True)}" for i in names.inputs)
            targets = ", ".join(f"{r(t)} = {fmt(g[t], True)}" for t in names.targets)
            out = [f"Inputs: {inputs}; targets: {targets}."]
        else:
            targets = ", ".join(f"{t} = {fmt(g[t], True)}" for t in names.targets[:10])
            more = ", ..." if len(names.targets) > 10 else ""
            out = [f"{len(names.inputs)} inputs i1..i{len(names.inputs)}; targets: {targets}{more}."]
        if self.n_samples > 1:
            out.append(
                f"The file gives {self.n_samples} samples; this is the step on sample {self.sample} alone "
                f"(online training). Another: --sample K. A full-batch step averages the {self.n_samples} "
                f"samples' gradients (each delta then carries 1/{self.n_samples})."
            )
        return out

    def _layer_sentence(self, l: int) -> str:
        """Layer l's activation, weights and biases (their values in a small network)."""
        net, names, g, r = self.trace.network, self.trace.notation, self.trace.givens, self._written
        layer, ws = net.layers[l], names.weights[l]
        if net.n_weights <= SUMMARY_ABOVE:
            text = ", ".join(f"{r(w)} = {fmt(g[w], True)}" for row in ws for w in row)
        else:
            text = f"W{l + 1} ({layer.n_out}x{layer.n_in}) holds {ws[0][0]}..{ws[-1][-1]}"
        bias = ""
        if names.biases[l] is not None:
            unique = list(dict.fromkeys(names.biases[l]))
            if len(unique) <= 10:
                bias = "; " + ", ".join(f"{r(b)} = {fmt(g[b], True)}" for b in unique)
            else:
                bias = f"; biases {unique[0]}..{unique[-1]}"
            bias += "" if layer.train_bias else " (not trained)"
        return f"Layer {l + 1} ({layer.activation.name}): {text}{bias}."

    def _summary_sentence(self) -> str:
        """Why the step is shown layer by layer, and how to see one neuron, one weight or every number."""
        net, names = self.trace.network, self.trace.notation
        h = names.neurons[0][min(11, len(names.neurons[0]) - 1)]
        w = names.weights[-1][0][0]
        why = (
            f"This network has {net.n_weights:,} weights, so the step" if net.n_weights > SUMMARY_ABOVE else "The step"
        )
        command = " ".join(["chainrule explain", *([self.file_hint] if self.file_hint else [])])
        book = (
            " The layer-by-layer lines use the seed's names (net_h, W1); --full writes every scalar in the book's."
            if self.rename is not None
            else ""
        )
        return (
            f"{why} is shown layer by layer (long vectors show their first and last entries). "
            f"To see one neuron in full: {command} --neuron {h}; one weight's chain: --only {w}; "
            f"every number: --format json.{book}"
        )

    def sections(self) -> list[tuple[str, list[Line]]]:
        """The equations grouped under their section titles ("The forward pass", ...)."""
        return group_lines(self.lines())

    # --------------------------------------------------------------------------- renderings
    def render(self, format: str = "text") -> str:
        """The explanation in one of the registered formats.

        Parameters
        ----------
        format : str, default "text"
            ``"text"``, ``"markdown"``, ``"html"``, ``"latex"``, ``"json"``, or one registered with
            ``chainrule.derivation.rendering.formats.register_format``.

        Returns
        -------
        str
            The rendering.

        Raises
        ------
        ConfigError
            An unknown format (the message lists the known ones).
        """
        from .formats import renderer

        return renderer(format)(self)

    def to_text(self) -> str:
        """Plain text, one equation per line: what ``chainrule explain`` prints."""
        return self.render("text")

    def to_markdown(self) -> str:
        """Markdown with LaTeX math in ``$$...$$``."""
        return self.render("markdown")

    def to_html(self) -> str:
        """One self-contained HTML page, the math in MathML."""
        return self.render("html")

    def to_latex(self) -> str:
        """A LaTeX document for pdflatex."""
        return self.render("latex")

    def to_json(self) -> str:
        """JSON: ``{"values": {name: number}, "steps": [...]}``, every scalar at full precision."""
        return self.render("json")

    def to_dict(self) -> dict:
        """The JSON rendering's data, as Python objects."""
        from .render_json import explanation_to_dict

        return explanation_to_dict(self)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        from .render_html import render_html

        return render_html(self, page=False)

    def __repr__(self) -> str:
        return f"<Explanation of one step of {self.trace.network!r}: {len(self.steps)} steps>"

    def __str__(self) -> str:
        return self.to_text()


# ----------------------------------------------------------------------------- selection
def _parse_only(only, reader=None) -> list[str]:
    if only is None:
        return []
    if isinstance(only, str):
        only = only.split(",")
    names = [_seed_name(str(n).strip(), reader) for n in only if str(n).strip()]
    return list(dict.fromkeys(names))


def _seed_name(name: str, reader) -> str:
    """The seed's name for a name written in the seed's or (through ``reader``) a book's notation."""
    if reader is not None:
        from ..notation.expressions import Name, Neg

        node = reader.read(name)
        node = node.arg if isinstance(node, Neg) else node  # Err_6 = -delta: the same quantity
        if isinstance(node, Name):
            return node.name
    return canonical_name(name)


def select_steps(trace: Trace, only: list[str], wanted: list[str] | None = None) -> list[Step]:
    """The steps that ``only``'s quantities need, in the trace's order.

    A weight or bias ``p`` asks for ``dE_total/dp`` and ``p+``; a neuron ``h12`` for its net input,
    output, delta and the gradients and updates of the weights into it; any other name for itself.
    """
    by_name = {s.name: s for s in trace.steps}
    names = trace.notation
    wanted = [] if wanted is None else wanted  # filled with the steps asked for directly
    neurons = {n: l for l, layer in enumerate(names.neurons) for n in layer}
    biases = {b for layer in names.biases if layer for b in layer}
    for name in only:
        if name in neurons:
            l = neurons[name]
            j = names.neurons[l].index(name)
            wanted += [f"net_{name}", f"out_{name}", f"delta_{name}"]
            for w in names.weights[l][j]:
                wanted += [f"dE_total/d{w}", f"{w}+"]
        elif name in trace.givens and (names.weight_location(name) or name in biases):
            wanted += [n for n in (f"dE_total/d{name}", f"{name}+") if n in by_name]
            if name in biases and f"dE_total/d{name}" not in by_name:
                raise ConfigError(f"bias {name} is not trained, so it has no gradient to explain")
        elif name in by_name:
            wanted.append(name)
        else:
            known = [*neurons, *(w for layer in names.weights for row in layer for w in row), *by_name]
            close = difflib.get_close_matches(name, known, n=3)
            raise ConfigError(
                f"no neuron, weight or quantity named {name!r} in this network"
                + (f"; did you mean {', '.join(close)}?" if close else "")
            )
    need: set[str] = set()
    stack = [n for n in wanted if n in by_name]
    while stack:
        name = stack.pop()
        if name in need:
            continue
        need.add(name)
        for ref in REF.findall(by_name[name].text):
            if ref in by_name and ref not in need:
                stack.append(ref)
        step = by_name[name]
        if (
            step.name.startswith("out_")
            and step.layer is not None
            and not trace.network.layers[step.layer].activation.elementwise
        ):
            stack += [f"net_{n}" for n in names.neurons[step.layer]]  # softmax: every net input of the layer
        if name.startswith("dE_total/dout_o") or name.startswith("delta_o"):
            need.update(s.name for s in trace.steps if s.section == "error")  # the error being differentiated
    return [s for s in trace.steps if s.name in need]
