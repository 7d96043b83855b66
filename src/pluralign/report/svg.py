"""Matplotlib figures as inline SVG for the self-contained report (shared by every section)."""

from __future__ import annotations

import html
import io
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def figure_svg(figure: Figure, scope: str, label: str) -> str:
    """Render ``figure`` as an inline ``<svg>`` element with ids prefixed by ``scope``.

    Text stays text and ids are hashed with a fixed salt, so the same data give the same SVG;
    the prefix keeps ids unique when several figures share one page.

    Args:
        figure: the matplotlib figure.
        scope: a page-unique name (letters, digits, hyphens) prefixed to every element id.
        label: accessible name of the image (``aria-label``).
    """
    import matplotlib  # imported on first plot: a warm re-run renders none

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "pluralign"}):
        figure.savefig(
            buffer,
            format="svg",
            bbox_inches="tight",
            metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
        )
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r'\bid="([^"]+)"', rf'id="{scope}-\1"', text)
    text = re.sub(r'href="#([^"]+)"', rf'href="#{scope}-\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{scope}-\1)", text)
    return text.replace(
        "<svg ", f'<svg role="img" aria-label="{html.escape(label)}" data-plot="{scope}" ', 1
    )


def figure_html(svg: str, caption: str) -> str:
    """A ``<figure>`` holding an inline SVG and its caption (caption escaped)."""
    return f"<figure>{svg}<figcaption>{html.escape(caption)}</figcaption></figure>"


def figure_block(figure: Figure, scope: str, caption: str) -> str:
    """A ``<figure>`` with ``figure`` rendered inline and an escaped caption."""
    return figure_html(figure_svg(figure, scope, caption), caption)
