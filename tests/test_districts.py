"""District definitions and their validation."""

import pytest

from diagnosis.errors import DistrettoNonValido
from diagnosis.territory import resolve_territory
from diagnosis.territory.districts import all_districts, load_district

SASSUOLO_CODES = ("036040", "036013", "036015", "036019", "035012", "035040")


def test_shipped_districts_are_valid():
    districts = all_districts()
    assert {"duc-pioltello", "citta-distretto-sassuolo", "duc-deruta", "duc-sondrio"} <= set(districts)
    assert districts["citta-distretto-sassuolo"].comuni == SASSUOLO_CODES
    assert districts["duc-pioltello"].comuni == ("015175",)


def _write(folder, name, text):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_names_and_unquoted_codes_are_accepted(tmp_path):
    # 035012 unquoted would be an octal number for a YAML 1.1 reader: it must stay a code.
    path = _write(tmp_path, "d.yaml", "id: prova\nnome: Prova\ncomuni:\n  - 035012\n  - Scandiano\n")
    assert load_district(path).comuni == ("035012", "035040")


@pytest.mark.parametrize("text, message", [
    ("id: prova\nnome: Prova\ncomuni: []\n", "vuota"),
    ("id: prova\nnome: Prova\n", "mancano le chiavi comuni"),
    ("id: prova\nnome: Prova\ncomuni:\n  - Sassuolo\n  - '036040'\n", "più di una volta"),
    ("id: prova\nnome: Prova\ncomuni:\n  - Pioltelo\n", "Pioltello"),
    ("id: prova\nnome: Prova\ncomuni:\n  - Castro\n", "Castro \\(BG\\)"),
    ("id: Prova Due\nnome: Prova\ncomuni:\n  - Sassuolo\n", "id 'Prova Due' non valido"),
    ("id: prova\nnome: Prova\ntipo: XYZ\ncomuni:\n  - Sassuolo\n", "tipo 'XYZ'"),
    ("id: prova\n  nome: : Prova\n", "YAML"),
    ("- solo\n- una lista\n", "deve contenere"),
])
def test_malformed_district_is_refused_naming_file_and_fix(tmp_path, text, message):
    path = _write(tmp_path, "prova.yaml", text)
    with pytest.raises(DistrettoNonValido, match=message) as error:
        load_district(path)
    assert str(path) in str(error.value)


def test_district_folder_from_environment(tmp_path, monkeypatch):
    _write(tmp_path, "mio.yaml", "id: mio-distretto\nnome: Mio distretto\ncomuni:\n  - Melzo\n  - Pioltello\n")
    monkeypatch.setenv("DIAGNOSIS_DISTRETTI_DIR", str(tmp_path))
    district = resolve_territory("mio-distretto")
    assert district.livello == "distretto" and district.comuni == ("015142", "015175")


def test_a_broken_district_does_not_stop_other_territories(tmp_path, monkeypatch):
    _write(tmp_path, "rotto.yaml", "id: rotto\nnome: Rotto\ncomuni:\n  - Nessunluogo\n")
    monkeypatch.setenv("DIAGNOSIS_DISTRETTI_DIR", str(tmp_path))
    assert resolve_territory("Pioltello").comuni == ("015175",)
    with pytest.raises(DistrettoNonValido, match="Nessunluogo"):
        resolve_territory("rotto")


def test_repeated_id_across_files_is_refused(tmp_path, monkeypatch):
    _write(tmp_path, "a.yaml", "id: doppio\nnome: A\ncomuni:\n  - Melzo\n")
    _write(tmp_path, "b.yaml", "id: doppio\nnome: B\ncomuni:\n  - Pioltello\n")
    monkeypatch.setenv("DIAGNOSIS_DISTRETTI_DIR", str(tmp_path))
    with pytest.raises(DistrettoNonValido, match="già usato"):
        all_districts()
