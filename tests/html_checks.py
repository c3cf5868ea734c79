"""What a report page would fetch from elsewhere when opened: it must be nothing."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Attributes that make a browser load what they name, or link a stylesheet, script or icon.
LOADING_ATTRIBUTES = {"src", "href", "srcset", "data", "poster", "action", "formaction", "xlink:href"}
ELSEWHERE = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
CSS_ELSEWHERE = re.compile(r"(url\(\s*['\"]?\s*(https?:)?//|@import)", re.IGNORECASE)


class _References(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in LOADING_ATTRIBUTES and value and ELSEWHERE.match(value):
                self.found.append(f"<{tag} {name}={value!r}>")


def external_references(page: str) -> list[str]:
    """Every src/href to another host (http://, https:// or //) and every CSS fetch from elsewhere."""
    parser = _References()
    parser.feed(page)
    return parser.found + [match.group(0) for match in CSS_ELSEWHERE.finditer(page)]
