from __future__ import annotations

import markdown
import nh3


def notes_html(text: str) -> str:
    """Release notes: Markdown rendered, then sanitised (no scripts, no event handlers, safe links)."""
    html = markdown.markdown(text or "", extensions=["fenced_code", "tables"], output_format="html")
    return nh3.clean(html, link_rel="noopener noreferrer nofollow")
