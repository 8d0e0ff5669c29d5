"""MkDocs hook: links written as paths between source files work on the site too.

The docs link pages and pictures by their paths in the repository (``../worked-example.md``,
``images/page-phone-phase-3.png``), so the links work where GitHub shows the files. MkDocs turns
such links into site addresses only in Markdown it parses itself; this hook does the same for the
rest of a page's HTML: raw ``<img src="images/...">`` in Markdown (the phone pictures of the page
page) and every link of the tutorial notebooks, whose HTML mkdocs-jupyter makes.

A link is rewritten when, read relative to its page's source file, it names a file of the site;
anything else (addresses, anchors, links MkDocs has already made) is left as it is.
"""

from __future__ import annotations

import posixpath
import re

LINK = re.compile(r'(?P<attr>\b(?:href|src))="(?P<target>[^"#?:]+?)(?P<rest>[#?][^"]*)?"')


def on_page_content(html: str, page, config, files, **kwargs) -> str:
    source_dir = posixpath.dirname(page.file.src_uri)

    def rewrite(match: re.Match) -> str:
        target = match.group("target")
        if target.startswith("/"):
            return match.group(0)
        path = posixpath.normpath(posixpath.join(source_dir, target))
        file = files.get_file_from_path(path)
        if file is None:
            return match.group(0)
        return f'{match.group("attr")}="{file.url_relative_to(page.file)}{match.group("rest") or ""}"'

    return LINK.sub(rewrite, html)
