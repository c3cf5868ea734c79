"""Access to ``catalog.yaml``: the declarative facts about every source."""

import functools
from pathlib import Path

import yaml

CATALOG_FILE = Path(__file__).with_name("catalog.yaml")


@functools.cache
def catalog() -> dict:
    return yaml.safe_load(CATALOG_FILE.read_text(encoding="utf-8"))


def source_facts(source_id: str) -> dict:
    return catalog()[source_id]
