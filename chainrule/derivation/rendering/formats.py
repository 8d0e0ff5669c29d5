"""The explain formats: one registry, from which ``Explanation.render``, its error message and the
CLI's ``--format`` choices are all derived.

A format is one renderer module with a function ``explanation -> str``.  To add one, write the
module and register it here (or call :func:`register_format` at run time).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from ...errors import ConfigError

# name -> "module:function" (loaded on first use, so that ``import chainrule`` stays fast) or a function
FORMATS: dict[str, str | Callable] = {
    "text": "chainrule.derivation.rendering.render_text:render_text",
    "markdown": "chainrule.derivation.rendering.render_markdown:render_markdown",
    "html": "chainrule.derivation.rendering.render_html:render_html",
    "latex": "chainrule.derivation.rendering.render_latex:render_latex",
    "json": "chainrule.derivation.rendering.render_json:render_json",
}
ALIASES = {"md": "markdown", "tex": "latex"}


def register_format(name: str, renderer: str | Callable, *aliases: str) -> None:
    """Add a format: ``renderer`` is ``explanation -> str`` (or its ``"module:function"``)."""
    FORMATS[name] = renderer
    ALIASES.update(dict.fromkeys(aliases, name))


def names() -> list[str]:
    """The format names a user may choose, in the registry's order."""
    return list(FORMATS)


def renderer(name: str) -> Callable:
    key = ALIASES.get(name, name)
    if key not in FORMATS:
        raise ConfigError(f"unknown format {name!r}; choose one of {', '.join(FORMATS)}")
    found = FORMATS[key]
    if isinstance(found, str):
        module, function = found.split(":")
        found = FORMATS[key] = getattr(importlib.import_module(module), function)
    return found
