"""MkDocs hook: the API reference documents every public name of ``chainrule``.

A reference page lists public names in a comment line, for example

    <!-- reference: Network get_activation get_loss -->

and the hook replaces it with one mkdocstrings block (``::: module.Name``) per name, the module
found at build time from the name itself, so a name moved to another module stays documented.
When the site is built, every name in ``chainrule.__all__`` must be on some reference page; a
public name without a reference entry fails the (strict) build.
"""

from __future__ import annotations

import importlib
import re

from mkdocs.exceptions import PluginError

MARKER = re.compile(r"^<!-- reference: (.+?) -->$", re.M)
_listed: set[str] = set()


def identifier(name: str) -> str:
    """``Network`` -> ``chainrule.core.network.Network``; dotted names are taken as they are."""
    if "." in name:
        return name
    chainrule = importlib.import_module("chainrule")
    module = getattr(chainrule, "_LAZY", {}).get(name)
    if module is None:
        obj = getattr(chainrule, name)
        module = obj.__module__
    return f"{module}.{name}"


def on_pre_build(config, **kwargs):
    _listed.clear()


def on_page_markdown(markdown: str, page, config, files, **kwargs):
    def expand(match: re.Match) -> str:
        names = match.group(1).split()
        _listed.update(n.rsplit(".", 1)[-1] for n in names)
        return "\n\n".join(f"::: {identifier(n)}" for n in names)

    return MARKER.sub(expand, markdown)


def on_post_build(config, **kwargs):
    chainrule = importlib.import_module("chainrule")
    missing = [n for n in chainrule.__all__ if not n.startswith("__") and n not in _listed]
    if missing:
        raise PluginError(
            f"public names missing from docs/reference/: {', '.join(missing)} "
            "(list each in a '<!-- reference: ... -->' line of a reference page)"
        )
