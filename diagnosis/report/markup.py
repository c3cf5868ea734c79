"""The report's HTML pieces, each a Jinja template in ``diagnosis/templates/pezzi``.

Every piece of HTML the package writes from data goes through ``render``: Jinja escapes
every value it prints (autoescape), so text from a publisher, a district file or a survey
answer can never become markup, and there is one escaping rule instead of one per writer.
A value that is already HTML (a chart, a rendered piece) is passed wrapped in ``Markup``.
"""

from __future__ import annotations

from functools import lru_cache

import jinja2
from markupsafe import Markup

__all__ = ["Markup", "render"]


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    # StrictUndefined: a misspelt value in a template fails the test that renders it,
    # instead of leaving a silent blank in a client's report.
    return jinja2.Environment(
        loader=jinja2.PackageLoader("diagnosis", "templates/pezzi"), autoescape=True,
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def render(template: str, **values) -> Markup:
    """The piece ``template`` (a file name in ``templates/pezzi``) filled with ``values``, escaped."""
    return Markup(_environment().get_template(template).render(**values))
