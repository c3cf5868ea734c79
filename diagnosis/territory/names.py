"""Name variants, so that ``"sant angelo lodigiano"`` finds Sant'Angelo Lodigiano.

Names are compared as ``diagnosis.text.normalise_label`` makes them: lower case, accents
removed, apostrophes, hyphens and slashes as spaces, spaces folded.
"""

from diagnosis.text import normalise_label


def name_variants(name: str) -> set[str]:
    """A comune's searchable forms: the whole name and each part of a bilingual one."""
    variants = {normalise_label(name)}
    if "/" in name:
        variants |= {normalise_label(part) for part in name.split("/")}
    return {v for v in variants if v}
