"""One thing wrong with an uploaded file, as every reader of files reports it: the catalogue's (model,
references and profile files), the exchange format's (assessment files, PKI Consortium tool files) and the
workbook import's."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """Where (a path such as ``modules[1].categories[0].weight`` or ``$.answers["G.1.1"].level``, a cell such
    as ``Answers!C7``; empty: the file as a whole) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message
