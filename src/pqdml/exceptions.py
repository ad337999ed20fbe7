"""Every error class pqdml raises, in one place.

Errors about a single bad input (a SMILES, a formula, a row) subclass
:class:`InvalidInputError`, itself a :class:`ValueError`, and carry a short
machine-readable ``code`` that batch APIs write into their ``*_status`` column.
"""

from __future__ import annotations


class PQDMLError(Exception):
    """Base class of all pqdml errors."""


class InvalidInputError(PQDMLError, ValueError):
    """One input value cannot be used; the message names the input and the reason.

    Parameters
    ----------
    message
        Human-readable message naming the input and the reason.
    code
        Short status code for batch outputs (e.g. ``"invalid_smiles"``).
    """

    code = "invalid_input"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class InvalidSmilesError(InvalidInputError):
    """A SMILES string RDKit cannot parse (or an empty one)."""

    code = "invalid_smiles"


class UnknownLigandError(InvalidInputError):
    """Text that is neither a known ligand name nor a parseable SMILES."""

    code = "unknown_ligand"


class UnsupportedElementError(InvalidInputError):
    """A molecule containing an element the featurizers do not support."""

    code = "unsupported_element"


class InvalidCompositionError(InvalidInputError):
    """A perovskite formula that cannot be parsed."""

    code = "invalid_composition"


class UnknownIonError(InvalidCompositionError):
    """A formula naming an ion with no known site or radius."""

    code = "unknown_ion"


class StoichiometryError(InvalidCompositionError):
    """Site fractions that do not add up to ABX3 within tolerance."""

    code = "stoichiometry"


class AmbiguousCompositionError(InvalidCompositionError):
    """A formula that names a halide family without the ratio, e.g. ``CsPb(Cl/Br)3``."""

    code = "ambiguous_composition"


class DataValidationError(PQDMLError, ValueError):
    """A table failed schema validation; ``report`` lists every bad row."""

    def __init__(self, message: str, report: object | None = None) -> None:
        super().__init__(message)
        self.report = report


class DatasetNotFoundError(PQDMLError, FileNotFoundError):
    """A public dataset is neither at the configured path nor downloadable."""


class UnknownFormatError(PQDMLError, ValueError):
    """An input file format or ``--format`` value pqdml does not know."""


class ModelArtifactError(PQDMLError, ValueError):
    """A model directory that is missing, incompatible or has been tampered with."""


class LeakageError(PQDMLError, ValueError):
    """A feature set that would leak the target (e.g. Voc as input to a PCE model)."""


class TooLargeError(InvalidInputError):
    """An input above the documented size limits, refused before any parsing."""

    code = "too_large"


class OutputPathError(PQDMLError, ValueError):
    """An output path that would overwrite an input, a model file, or cannot be written."""
