"""The ``diagnosis`` command: output and clear errors with a non-zero exit."""

import json

import pandas as pd
import pytest

from diagnosis.cli import main


def test_indicatori_json(capsys):
    assert main(["indicatori", "citta-distretto-sassuolo", "--anno", "2022", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["territorio"]["livello"] == "distretto"
    assert len(result["territorio"]["comuni"]) == 6
    assert set(result["indicatori"]["popolazione"]["confronti"]) == {"provincia:MO", "provincia:RE", "regione:08", "italia"}


def test_indicatori_table_is_italian(capsys):
    assert main(["indicatori", "Pioltello", "--anno", "2022"]) == 0
    out = capsys.readouterr().out
    assert "Indice di vecchiaia" in out and "36.202" in out  # it_IT thousands separator


def test_the_command_line_keeps_text_columns_as_python_strings(capsys):
    with pd.option_context("mode.string_storage", "pyarrow"):
        assert main(["territori", "cerca", "Pioltello"]) == 0
        assert pd.get_option("mode.string_storage") == "python"
        assert pd.Series(["a"]).dtype.storage == "python"
    assert "015175" in capsys.readouterr().out


def test_territori_cerca_prints_matches(capsys):
    assert main(["territori", "cerca", "sant", "angelo", "lodigiano"]) == 0
    assert "098050" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["indicatori", "Nessunluogo"], "Nessun comune"),
    (["indicatori", "Castro"], "più comuni"),
    (["indicatori", "Pioltello", "--anno", "1999"], "dal 2000 al 2026"),
    (["fotografia", "Pioltello", "--anno", "1999"], "Nessun dato per il 1999"),
    (["territori", "cerca", "zzzzzz"], "Nessun comune"),
])
def test_bad_input_gives_italian_error_and_non_zero_exit(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("Errore:") and message in err


def test_malformed_district_file_is_reported(tmp_path, monkeypatch, capsys):
    (tmp_path / "rotto.yaml").write_text("id: rotto\nnome: Rotto\ncomuni: []\n", encoding="utf-8")
    monkeypatch.setenv("DIAGNOSIS_DISTRETTI_DIR", str(tmp_path))
    assert main(["indicatori", "rotto"]) == 2
    assert "rotto.yaml" in capsys.readouterr().err
