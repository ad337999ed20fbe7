"""Registered public datasets, loaded in the canonical record schema.

Each dataset is registered with its public source, licence, citation and the sha256 of
every file. :func:`load` reads a local copy (``path``, else ``$PQDML_DATASETS`` /
``../shared/datasets``, see :func:`pqdml.config.datasets_dir`), else downloads it with
:func:`fetch`.

The registered hashes are those of the copies this project is developed and tested
with, which are **subsets** of the public files. So:

- loading a local file whose hash differs (e.g. the full upstream file) works and
  emits a :class:`DatasetHashWarning`;
- :func:`fetch` downloads with :mod:`pooch` and ``known_hash``: a file that differs
  from the registered one (a changed or the full upstream file) is refused with
  pooch's error instead of being used silently.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pqdml.config import cache_dir, datasets_dir
from pqdml.data.adapters import ADAPTERS
from pqdml.exceptions import DatasetNotFoundError
from pqdml.io import sha256_file

__all__ = [
    "DATASETS",
    "Dataset",
    "DatasetFile",
    "DatasetHashWarning",
    "fetch",
    "info",
    "list_datasets",
    "load",
]


class DatasetHashWarning(UserWarning):
    """A local dataset file whose sha256 differs from the registered one."""


@dataclass(frozen=True)
class DatasetFile:
    """One file of a dataset: path inside the dataset folder, sha256, download URL (or None)."""

    path: str
    sha256: str
    url: str | None


@dataclass(frozen=True)
class Dataset:
    """A registered public dataset."""

    name: str
    folder: str
    main_file: str
    title: str
    description: str
    homepage: str
    licence: str
    citation: str
    files: tuple[DatasetFile, ...]


_SYNTH = "https://raw.githubusercontent.com/leoluber/synthesizer/main/data/raw/"
_BURIED = (
    "https://raw.githubusercontent.com/Swordshinehjy/ML_perovskite_buried_interface_updated/main/"
)
_SUBSET = (
    "The registered sha256 values are those of the subset distributed with this project "
    "(../shared/datasets), not of the full upstream file."
)

#: The registry: name → :class:`Dataset`.
DATASETS: dict[str, Dataset] = {
    "synthesizer": Dataset(
        name="synthesizer",
        folder="synthesizer",
        main_file="dataset_synthesizer.csv",
        title="Synthesizer: antisolvent-controlled CsPbBr3 nanoplatelet syntheses",
        description=(
            "CsPbBr3 nanoplatelets/nanocrystals made by antisolvent synthesis: precursor volumes "
            "and concentrations, antisolvent, PLQY, PL peak and FWHM (eV). " + _SUBSET
        ),
        homepage="https://github.com/leoluber/synthesizer",
        licence="MIT",
        citation=(
            "L. Luber et al., Adv. Mater. 2025 (the Synthesizer paper); data and code: "
            "https://github.com/leoluber/synthesizer"
        ),
        files=(
            DatasetFile(
                "dataset_synthesizer.csv",
                "ae4819dfa7419f64e1b83d0ed5c46b3db3e8ead8dbbaf8e7f83dfbfcdb4a0a42",
                _SYNTH + "dataset_synthesizer.csv",
            ),
            DatasetFile(
                "molecule_dictionary.json",
                "be0a61bf2ea5a70ad78fa7c94643577904e58366b9d4d5af1f724301ce9904fc",
                _SYNTH + "molecule_dictionary.json",
            ),
        ),
    ),
    "buried-interface": Dataset(
        name="buried-interface",
        folder="buried_interface",
        main_file="new.xlsx",
        title="Buried-interface passivation molecules in perovskite solar cells",
        description=(
            "Passivation / self-assembled-monolayer molecules (SMILES, computed descriptors) with "
            "perovskite composition, control PCE and PCE. " + _SUBSET
        ),
        homepage="https://github.com/Swordshinehjy/ML_perovskite_buried_interface_updated",
        licence="MIT",
        citation=(
            "Swordshinehjy, ML_perovskite_buried_interface_updated (GitHub repository, MIT); "
            "cite the molecules' original papers by the DOI column"
        ),
        files=(
            DatasetFile(
                "new.xlsx",
                "146e09e35fe376b4b25bbdfbaffd08cbebf2d07061ce3aef8f1577452f9ee478",
                _BURIED + "new.xlsx",
            ),
        ),
    ),
    "perovskite-database": Dataset(
        name="perovskite-database",
        folder="perovskite_database",
        main_file="Perovskite_database.csv",
        title="The Perovskite Database Project (device records, 410 columns)",
        description=(
            "Perovskite solar-cell device records in the database's original export schema, "
            "with the A/B/C ion tables (ions/*.xlsx) used to map additives to SMILES. "
            "The export has no stable direct-download URL: download it from the homepage and "
            "pass path=. " + _SUBSET
        ),
        homepage="https://www.perovskitedatabase.com",
        licence="data CC-BY 4.0; ion tables and code Apache-2.0",
        citation=(
            "T. J. Jacobsson et al., An open-access database and analysis tool for perovskite "
            "solar cells based on the FAIR data principles, Nat. Energy 7, 107-115 (2022), "
            "doi:10.1038/s41560-021-00941-3"
        ),
        files=(
            DatasetFile(
                "Perovskite_database.csv",
                "d1fea241fd054ccbbfe385a2eae06801b0e411a265c62684b8e40f68d334ef57",
                None,
            ),
            DatasetFile(
                "ions/A-ion_data.xlsx",
                "c2e28019de2b03161b752874fa6a56c5319fee270c928657ba82cf01213ebb37",
                None,
            ),
            DatasetFile(
                "ions/B-ion_data.xlsx",
                "b927b8bd3f1b20e369eee3f43905945ba54dcda33d1b3867ebd9c219d4b60ad5",
                None,
            ),
            DatasetFile(
                "ions/C-ion_data.xlsx",
                "9c3997fe2ba96488afc00eaeb223dd0bf4d61085dcccfc060bce44ef57405cba",
                None,
            ),
        ),
    ),
    "passivator-screening": Dataset(
        name="passivator-screening",
        folder="passivator_screening",
        main_file="Summary_of_the_entire_dataset.csv",
        title="Passivation molecules for perovskite solar cells: PCE before and after",
        description=(
            "About 150 passivation molecules (name, SMILES) from about 100 papers, each with "
            "the device PCE without and with the molecule, the perovskite composition and the "
            "DOI; each row gives a control and a treated record sharing a group. Quirks of the "
            "original kept as they are: CRLF line ends and a trailing empty column, a few "
            "duplicated rows, DOIs written as 'DOI: 10…', 'https://doi.org/10…' or "
            "'doi.org/10…', compositions written many ways. " + _SUBSET
        ),
        homepage="https://github.com/HENU-hx/ML-PSC-Passivator-Screening",
        licence="MIT",
        citation=(
            "HENU-hx, ML-PSC-Passivator-Screening (GitHub repository, MIT), "
            "data/Summary_of_the_entire_dataset.csv; cite the molecules' original papers by "
            "the DOI column"
        ),
        files=(
            DatasetFile(
                "Summary_of_the_entire_dataset.csv",
                "4f41c6a8f7ec58461403ba519a2bcd6feb78479e63fc4c24d1b76ed73d71be15",
                "https://raw.githubusercontent.com/HENU-hx/ML-PSC-Passivator-Screening/main/"
                "data/Summary_of_the_entire_dataset.csv",
            ),
        ),
    ),
}


def list_datasets() -> list[str]:
    """Names of the registered datasets, sorted.

    Examples
    --------
    >>> list_datasets()
    ['buried-interface', 'passivator-screening', 'perovskite-database', 'synthesizer']
    """
    return sorted(DATASETS)


def _get(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except KeyError:
        raise DatasetNotFoundError(
            f"unknown dataset {name!r}; known: {', '.join(list_datasets())}"
        ) from None


def _local_folder(ds: Dataset, path: str | os.PathLike[str] | None) -> Path | None:
    """Return the folder holding ``ds.main_file``: from ``path`` (file or folder) or the datasets dir."""
    if path is not None:
        p = Path(path)
        if p.is_file():
            return p.parent
        for candidate in (p, p / ds.folder):
            if (candidate / ds.main_file).is_file():
                return candidate
        raise DatasetNotFoundError(f"{ds.main_file} of dataset {ds.name!r} not found at {str(p)!r}")
    candidate = datasets_dir() / ds.folder
    return candidate if (candidate / ds.main_file).is_file() else None


def _check_hashes(ds: Dataset, folder: Path, main: Path) -> dict[str, str]:
    """Compare local files with the registry; warn on mismatch; return path → status."""
    status: dict[str, str] = {}
    for f in ds.files:
        local = main if f.path == ds.main_file else folder / f.path
        if not local.is_file():
            status[f.path] = "absent"
            continue
        actual = sha256_file(local)
        if actual == f.sha256:
            status[f.path] = "ok"
        else:
            status[f.path] = f"differs (sha256 {actual})"
            warnings.warn(
                f"{local}: sha256 {actual} differs from the registered {f.sha256} of dataset "
                f"{ds.name!r} (a different version or the full upstream file); loading it anyway",
                DatasetHashWarning,
                stacklevel=3,
            )
    return status


def fetch(name: str, *, base_url: str | None = None) -> Path:
    """Download a dataset into the cache with pooch, checking every file's sha256.

    Parameters
    ----------
    name
        A registered dataset name.
    base_url
        Download from ``base_url + "/" + file path`` instead of the registered URLs
        (a mirror, or a local server in tests).

    Returns
    -------
    pathlib.Path
        The cache folder holding the dataset's files (``pqdml.config.cache_dir() / name``).

    Raises
    ------
    DatasetNotFoundError
        When a file has no download URL (and no ``base_url`` is given).
    ValueError
        pooch's error when a downloaded file's hash differs from the registered one.
    """
    import pooch  # pulls in requests: loaded only when a dataset is fetched

    ds = _get(name)
    target = cache_dir() / ds.name
    for f in ds.files:
        url = f"{base_url.rstrip('/')}/{f.path}" if base_url else f.url
        if url is None:
            raise DatasetNotFoundError(
                f"dataset {name!r}: {f.path} has no direct download URL; download it from "
                f"{ds.homepage} and pass path= (or set $PQDML_DATASETS)"
            )
        sub = Path(f.path)
        pooch.retrieve(
            url,
            known_hash=f"sha256:{f.sha256}",
            fname=sub.name,
            path=target / sub.parent,
            progressbar=False,
        )
    return target


def load(name: str, path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Load a registered public dataset as canonical records.

    Parameters
    ----------
    name
        ``"synthesizer"``, ``"buried-interface"``, ``"perovskite-database"`` or
        ``"passivator-screening"``.
    path
        The dataset's main file or its folder. Default: the folder under
        :func:`pqdml.config.datasets_dir`, else a download with :func:`fetch`.

    Returns
    -------
    pandas.DataFrame
        Canonical records; ``attrs["adapter_report"]`` says what was mapped and what not.

    Warns
    -----
    DatasetHashWarning
        When a local file's sha256 differs from the registered one.

    Examples
    --------
    >>> df = load("synthesizer")  # doctest: +SKIP
    >>> df.attrs["adapter_report"].rows_read  # doctest: +SKIP
    218
    """
    ds = _get(name)
    folder = _local_folder(ds, path)
    if folder is None:
        folder = fetch(name)
    main = Path(path) if path is not None and Path(path).is_file() else folder / ds.main_file
    hashes = _check_hashes(ds, folder, main)
    df = ADAPTERS[name](main)
    df.attrs["dataset"] = name
    df.attrs["file_hashes"] = hashes
    return df


def info(
    name: str, *, path: str | os.PathLike[str] | None = None, report: bool = True
) -> dict[str, object]:
    """Describe a registered dataset: source, licence, citation, files, local copy, adapter report.

    Parameters
    ----------
    name
        A registered dataset name.
    path
        A local copy to describe (default: the datasets folder, if present).
    report
        Load the local copy and include its adapter report (no download is attempted).

    Returns
    -------
    dict
        JSON-serialisable description.
    """
    ds = _get(name)
    out: dict[str, object] = {
        "name": ds.name,
        "title": ds.title,
        "description": ds.description,
        "homepage": ds.homepage,
        "licence": ds.licence,
        "citation": ds.citation,
        "files": [{"path": f.path, "sha256": f.sha256, "url": f.url} for f in ds.files],
        "subset": _SUBSET,
    }
    folder = _local_folder(ds, path)
    out["local_folder"] = str(folder) if folder else None
    if folder is not None and report:
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            df = load(name, path=path if path is not None else folder)
        out["file_hashes"] = df.attrs["file_hashes"]
        out["adapter_report"] = df.attrs["adapter_report"].as_dict()
        out["adapter_report_text"] = df.attrs["adapter_report"].format()
    return out
