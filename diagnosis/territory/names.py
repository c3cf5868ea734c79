"""Name normalisation, so that ``"sant angelo lodigiano"`` finds Sant'Angelo Lodigiano."""

import re
import unicodedata

_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")


def normalize_name(name: str) -> str:
    """Lower case, accents removed, apostrophes/hyphens/slashes as spaces, spaces folded."""
    decomposed = unicodedata.normalize("NFKD", str(name))
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_ALPHANUMERIC.sub(" ", ascii_only.lower()).strip()


def name_variants(name: str) -> set[str]:
    """A comune's searchable forms: the whole name and each part of a bilingual one."""
    variants = {normalize_name(name)}
    if "/" in name:
        variants |= {normalize_name(part) for part in name.split("/")}
    return {v for v in variants if v}
