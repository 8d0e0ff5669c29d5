"""The page's choices, read from the core's registries when asked (so one registered at run time
appears at once): the activations and losses by name, checked when a request arrives, and the
written forms the page shows (the loss as a formula, every quantity's name as the diagram writes it).
"""

from __future__ import annotations

import functools
import re

from ..core import activations, losses


def activation_names() -> list[str]:
    return list(activations.ACTIVATIONS)


def loss_names() -> list[str]:
    return list(losses.LOSSES)


def check_activation(name: str) -> str:
    """``name`` if it is a registered activation; a one-line ValueError otherwise (pydantic: 422)."""
    if name not in activations.ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(activations.ACTIVATIONS)}")
    return name


def check_loss(name: str) -> str:
    if name not in losses.LOSSES:
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(losses.LOSSES)}")
    return name


def check_dataset(name: str) -> str:
    from ..data.toy2d import DATASETS

    if name not in DATASETS:
        raise ValueError(f"unknown 2-D dataset {name!r}; choose one of {', '.join(DATASETS)}")
    return name


def dataset_schema(schema: dict) -> None:
    from ..data.toy2d import DATASETS

    schema["enum"] = list(DATASETS)


def activation_schema(schema: dict) -> None:
    """JSON-schema hook: the registered names, as they are when the schema is asked for."""
    schema["enum"] = activation_names()


def loss_schema(schema: dict) -> None:
    schema["enum"] = loss_names()


def choices() -> dict:
    """What the page's menus offer: ``{"activations": [...], "losses": [...]}``, each entry
    ``{"name", "formula"}`` with the registered class's written form."""
    acts = [
        {
            "name": n,
            "formula": "out = " + cls.text.replace("<x>", "net").replace("<y>", "out"),
            "hidden": bool(cls.elementwise),
        }
        for n, cls in activations.ACTIVATIONS.items()
    ]
    loss = [{"name": n, "formula": loss_text(cls)} for n, cls in losses.LOSSES.items()]
    return {"activations": acts, "losses": loss}


def loss_text(loss) -> str:
    """One output's error term as the page writes it: ``E_o = 1/2 * (target - out)^2``."""
    return "E_o = " + loss.text.replace("<t>", "target").replace("<y>", "out").replace("<m>", "m")


def loss_latex(loss) -> str:
    return r"E_{o} = " + loss.latex.replace("<t>", r"\text{target}").replace("<y>", r"\text{out}").replace("<m>", "m")


_GREEK = {"delta": "δ", "eta": "η"}


@functools.lru_cache(maxsize=4096)  # the same few hundred names, state after state
def label(name: str) -> str:
    """A quantity's name as the diagram writes it: ``dE_total/dw5`` → ``∂E_total/∂w5``,
    ``delta_o1`` → ``δ_o1``, ``eta`` → ``η``."""
    m = re.fullmatch(r"d(.+)/d(.+)", name)
    if m:
        return f"∂{label(m.group(1))}/∂{label(m.group(2))}"
    head, _, rest = name.partition("_")
    if head in _GREEK:
        return _GREEK[head] + ("_" + rest if rest else "")
    return name
