"""One problem found in a row of a spreadsheet, as the person who has to fix it reads it."""

from __future__ import annotations

from dataclasses import dataclass

from diagnosis.text import normalise_label

ERRORE = "errore"  # the row is left out
AVVISO = "avviso"  # the row is kept; something in it deserves a look


@dataclass(frozen=True)
class Problem:
    """A bad cell or row: its spreadsheet line (header = 1), the column, the value as written,
    the Italian message naming the cause and the fix, and whether the row is left out.

    ``colonna`` is the column the problem is about (a layout's column id, or the header
    label when the importer has no id for it); ``intestazione`` the header label the file
    uses, when it differs from ``colonna``.
    """

    riga: int
    colonna: str
    valore: str
    messaggio: str
    livello: str = ERRORE
    intestazione: str = ""

    @property
    def grave(self) -> bool:
        return self.livello == ERRORE

    @property
    def etichetta(self) -> str:
        """The column, with the file's own header label when that differs."""
        if self.intestazione and normalise_label(self.intestazione) != normalise_label(self.colonna):
            return f"{self.colonna} («{self.intestazione}»)"
        return self.colonna

    def __str__(self) -> str:
        where = f"colonna {self.etichetta}" if self.colonna else "intera riga"
        # Most messages quote the value themselves; repeating it would only add noise.
        shown = f", valore «{self.valore}»" if self.valore and f"«{self.valore}»" not in self.messaggio else ""
        prefix = "" if self.grave else "avviso: "
        return f"riga {self.riga}, {where}{shown}: {prefix}{self.messaggio}"
