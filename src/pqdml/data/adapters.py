"""Public-dataset files → canonical records, each with an :class:`AdapterReport`.

Every adapter keeps every source row (the buried-interface adapter adds one control row
per distinct control device), never invents a value, and records what it could not map
in ``df.attrs["adapter_report"]``. The column-by-column mapping is documented in
``docs/datasets.md``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from pqdml.data import _pdp
from pqdml.data._adapt import SOLVENT_SMILES, AdapterReport, _finish, _num
from pqdml.data._chemcheck import check_composition, check_smiles
from pqdml.registry import Registry

#: The one paper every synthesizer sample comes from (its rows carry no DOI).
SYNTHESIZER_CITATION = "Luber et al., Adv. Mater. 2025 (Synthesizer)"
#: The native ligand system of oleate-capped lead-halide nanocrystals (oleic acid + oleylamine),
#: written as in the project's curated data.
OA_OAM_NAME = "OA/OAm"
OA_OAM_SMILES = r"CCCCCCCC/C=C\CCCCCCCC(=O)O.CCCCCCCC/C=C\CCCCCCCCN"

#: Registered adapters: name → function(path) → canonical DataFrame with ``attrs["adapter_report"]``.
ADAPTERS: Registry[Callable[..., pd.DataFrame]] = Registry("dataset adapter")


@ADAPTERS.register("synthesizer")
def adapt_synthesizer(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Map ``dataset_synthesizer.csv`` (``;``-separated) to canonical records.

    One record per sample: CsPbBr3 nanoplatelets/nanocrystals made by antisolvent
    synthesis with the native OA/OAm ligand system. ``molecule_dictionary.json`` beside
    the file (if present) names the antisolvent abbreviations.

    Parameters
    ----------
    path
        The ``dataset_synthesizer.csv`` file.

    Returns
    -------
    pandas.DataFrame
        Canonical records; ``attrs["adapter_report"]`` is the :class:`AdapterReport`.
    """
    path = Path(path)
    raw = pd.read_csv(path, sep=";", dtype={"Sample No.": str})
    names = {
        "Tol": "Toluene",
        "MeOH": "Methanol",
        "EtOH": "Ethanol",
        "i-PrOH": "Isopropanol",
        "n-BuOH": "Butanol",
        "CyPen": "Cyclopentanone",
    }
    dictionary = path.with_name("molecule_dictionary.json")
    if dictionary.is_file():
        names.update(json.loads(dictionary.read_text(encoding="utf-8")))
    report = AdapterReport("synthesizer", str(path), rows_read=len(raw))
    report.notes += [
        "ligand assumed: native OA/OAm (Cs-oleate and PbBr2 with oleic acid/oleylamine), "
        "not a variable of this dataset",
        "morphology NPL: the source project optimises antisolvent-controlled CsPbBr3 "
        "nanoplatelet syntheses (PL peaks 430–516 nm)",
        "PLQY 0 in the source means 'not measured' and is mapped to missing",
        "fwhm is in eV (the source computes it on an energy axis) and is mapped to fwhm_ev",
        "group_id = antisolvent: one series per antisolvent (no paper grouping in this dataset)",
    ]
    rows: list[dict[str, object]] = []
    lines: list[int] = []
    for pos, src in enumerate(raw.to_dict("records")):
        line = pos + 2
        sample = str(src["Sample No."]).strip()
        abbrev = str(src["antisolvent"]).strip()
        name = names.get(abbrev)
        if name is None:
            report.add(line, "antisolvent", f"unknown antisolvent abbreviation {abbrev!r}")
        smiles = SOLVENT_SMILES.get(name.lower()) if name else None
        if name and smiles is None:
            report.add(line, "antisolvent", f"no SMILES known for antisolvent {name!r}")
        notes = []
        plqy = _num(src["PLQY"])
        if plqy == 0:
            notes.append("PLQY 0 in source = not measured")
            report.add(line, "PLQY", "PLQY exactly 0 (not measured) → missing")
            plqy = float("nan")
        elif np.isnan(plqy):
            report.add(line, "PLQY", "PLQY empty in source → missing")
        v_as = _num(src["V (antisolvent)"])
        if v_as == 0:
            notes.append("no antisolvent added (V = 0 uL)")
        n_cs, n_pb, n_as = _num(src["n_Cs"]), _num(src["n_Pb"]), _num(src["n_As"])
        for key in ("monodispersity", "S/P", "perovskite ?", "PL_data"):
            value = src.get(key)
            if value is not None and not (isinstance(value, float) and np.isnan(value)):
                notes.append(f"{key}={value}")
        rows.append(
            {
                "record_id": f"synth-{sample}",
                "source": f"synthesizer {path.name} line {line}",
                # every sample comes from one paper: grouping by paper keeps them together
                "citation": SYNTHESIZER_CITATION,
                "year": 2025,
                "composition": "CsPbBr3",
                "morphology": "NPL",
                "ligand_name": OA_OAM_NAME,
                "ligand_smiles": OA_OAM_SMILES,
                "stage": "synthesis",
                "is_control": 0,
                "group_id": f"synthesizer-{name or abbrev}",
                "antisolvent_name": name,
                "antisolvent_smiles": smiles,
                "proc_v_pbbr2_precursor_ul": _num(src["V (PbBr2 prec.)"]),
                "proc_c_pbbr2_mol_l": _num(src["c (PbBr2)"]),
                "proc_v_cs_oleate_ul": _num(src["V (Cs-OA)"]),
                "proc_c_cs_oleate_mol_l": _num(src["c (Cs-OA)"]),
                "proc_v_antisolvent_ul": v_as,
                "proc_v_total_ul": _num(src["V_total"]),
                "proc_n_cs_umol": n_cs,
                "proc_n_pb_umol": n_pb,
                "proc_n_antisolvent_umol": n_as,
                "proc_cs_pb_ratio": n_cs / n_pb if n_pb else float("nan"),
                "proc_antisolvent_pb_ratio": n_as / n_pb if n_pb else float("nan"),
                "proc_antisolvent_cs_ratio": n_as / n_cs if n_cs else float("nan"),
                "plqy_percent": plqy * 100.0,
                "emission_nm": _num(src["peak_pos"]),
                "fwhm_ev": _num(src["fwhm"]),
                "notes": "; ".join(notes),
            }
        )
        lines.append(line)
    return _finish(rows, lines, report)


_MOL_COLUMNS = (
    "alkyl_num",
    "frag_sym",
    "HOMO_calc",
    "LUMO_calc",
    "dipole",
    "MPI",
    "surface_min",
    "surface_max",
    "TPSA",
    "MolLogP",
    "mol_vol",
    "PSA",
    "NPSA_multiwfn",
)


def clean_formula(text: str) -> str:
    """Normalise typography in a formula: drop spaces, Unicode minus/dashes → ``-``.

    Examples
    --------
    >>> clean_formula("Cs0.05(FA0.85MA0.15)0.95Pb (I0.85Br0.15)3")
    'Cs0.05(FA0.85MA0.15)0.95Pb(I0.85Br0.15)3'
    """
    return "".join(text.split()).replace("\u2212", "-").replace("\u2013", "-")


def _check_composition(report: AdapterReport, line: int, formula: str) -> None:
    status, _ = check_composition(formula)
    if status == "error":
        report.add(line, "composition", "composition not parseable")
    elif status == "warning":
        report.add(line, "composition", "composition ambiguous (ratio unknown)")


@ADAPTERS.register("buried-interface")
def adapt_buried_interface(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Map ``new.xlsx`` (buried-interface passivation molecules) to canonical records.

    Each source row becomes a treated device (``stage`` film-treatment, ``pce_percent`` =
    ``PCE``). Its control device becomes its own row (``is_control`` 1, ``stage``
    control, no ligand, ``pce_percent`` = ``control_PCE``), shared by every treated row
    of the same paper, composition and control PCE: ``group_id`` = ``doi|PVK|control_PCE``.
    Molecule descriptors are kept as ``mol_<name>`` columns, ``inverted`` as
    ``proc_inverted``, ``MetalOxide`` as ``substrate_name``.

    Parameters
    ----------
    path
        The ``new.xlsx`` file.

    Returns
    -------
    pandas.DataFrame
        Canonical records; ``attrs["adapter_report"]`` is the :class:`AdapterReport`.
    """
    path = Path(path)
    raw = pd.read_excel(path, engine="openpyxl")
    report = AdapterReport("buried-interface", str(path), rows_read=len(raw))
    report.notes += [
        "control devices are rows of their own (is_control=1), one per distinct "
        "(doi, PVK, control_PCE); treated rows link to them by group_id",
        "molecule descriptors kept as mol_<name> (lower case): computed by the source "
        "project, not measured",
    ]
    rows: list[dict[str, object]] = []
    lines: list[int] = []
    controls: dict[str, int] = {}
    for pos, src in enumerate(raw.to_dict("records")):
        line = pos + 2
        doi = str(src["doi"]).strip()
        formula = clean_formula(str(src["PVK"]))
        _check_composition(report, line, formula)
        smiles = str(src["SMILES"]).strip()
        if check_smiles(smiles)[0] == "error":
            report.add(line, "SMILES", "SMILES not parseable by RDKit")
        pce, control_pce = _num(src["PCE"]), _num(src["control_PCE"])
        for col, value in (("PCE", pce), ("control_PCE", control_pce)):
            if np.isnan(value):
                report.add(line, col, f"{col} missing")
            elif not 0 <= value <= 35:
                report.add(line, col, f"{col} outside 0–35 %")
        group = f"{doi}|{formula}|{control_pce:g}"
        common = {
            "doi": doi,
            "composition": formula,
            "morphology": "bulk-film",
            "group_id": group,
            "substrate_name": str(src["MetalOxide"]).strip(),
            "proc_inverted": _num(src["inverted"]),
        }
        if group not in controls:
            controls[group] = line
            rows.append(
                {
                    "record_id": f"buried-control-{line}",
                    "source": f"buried-interface {path.name} line {line} (control_PCE)",
                    **common,
                    "stage": "control",
                    "is_control": 1,
                    "pce_percent": control_pce,
                    "notes": "control device of this paper and composition",
                }
            )
            lines.append(line)
        rows.append(
            {
                "record_id": f"buried-{line}",
                "source": f"buried-interface {path.name} line {line}",
                **common,
                "ligand_name": str(src["NAME"]).strip(),
                "ligand_smiles": smiles,
                "stage": "film-treatment",
                "is_control": 0,
                "pce_percent": pce,
                **{f"mol_{c.lower()}": _num(src[c]) for c in _MOL_COLUMNS if c in src},
                "notes": f"buried-interface layer; anchor_end={src.get('anchor_end')}",
            }
        )
        lines.append(line)
    return _finish(rows, lines, report)


@ADAPTERS.register("perovskite-database")
def adapt_perovskite_database(
    path: str | os.PathLike[str], *, ions_dir: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """Map the Perovskite Database Project export (410 columns) to canonical records.

    See :mod:`pqdml.data._pdp` for the mapping; ``ions_dir`` defaults to ``ions/``
    beside the file.
    """
    return _pdp.adapt(Path(path), ions_dir=Path(ions_dir) if ions_dir else None)


def _doi(text: object) -> str:
    """Normalise a DOI written as ``DOI: 10...``, ``https://doi.org/10...`` or ``doi.org/10...``.

    Examples
    --------
    >>> _doi(" DOI: 10.1002/advs.202301603"), _doi("https://doi.org/10.1/X")
    ('10.1002/advs.202301603', '10.1/x')
    """
    value = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text)
    value = value.strip()
    for prefix in (
        "https://dx.doi.org/",
        "https://doi.org/",
        "http://doi.org/",
        "doi.org/",
        "doi:",
    ):
        if value.lower().startswith(prefix.lower()):
            value = value[len(prefix) :].strip()
    return value.lower()


@ADAPTERS.register("passivator-screening")
def adapt_passivator_screening(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Map ``Summary_of_the_entire_dataset.csv`` (passivation molecules, PCE before/after).

    Each source row is one paper's before/after pair: ``PCE_pristine(%)`` becomes a control
    record (``is_control`` 1, ``stage`` control, no ligand) and ``PCE_passivated(%)`` a
    treated record (``stage`` film-treatment, the molecule's name and SMILES), sharing
    ``group_id`` = ``doi|composition|pristine PCE``; one control per distinct group.
    DOIs are normalised (``DOI: 10…``, ``https://(dx.)doi.org/10…``, ``doi.org/10…`` → ``10…``),
    compositions cleaned with :func:`clean_formula` (a stray ``-`` before a bracket is
    dropped). Rows that repeat an earlier row (same molecule, paper and values) are kept
    and reported; :mod:`pqdml.model.duplicates` merges them in training. A ΔPCE that
    differs from passivated − pristine by more than 0.01 is reported.

    Parameters
    ----------
    path
        The ``Summary_of_the_entire_dataset.csv`` file (CRLF, UTF-8, trailing empty column).

    Returns
    -------
    pandas.DataFrame
        Canonical records; ``attrs["adapter_report"]`` is the :class:`AdapterReport`.
    """
    path = Path(path)
    raw = pd.read_csv(path, encoding="utf-8", dtype=str, keep_default_na=False)
    raw = raw.loc[:, [c for c in raw.columns if not str(c).startswith("Unnamed")]]
    delta_col = next((c for c in raw.columns if str(c).startswith("Δ")), None)
    report = AdapterReport("passivator-screening", str(path), rows_read=len(raw))
    report.notes += [
        "each source row gives a control record (PCE_pristine) and a treated record "
        "(PCE_passivated) sharing group_id = doi|composition|pristine PCE",
        "architecture 'nip' kept as proc_inverted = 0 (p-i-n would be 1)",
    ]
    rows: list[dict[str, object]] = []
    lines: list[int] = []
    controls: set[str] = set()
    seen: dict[tuple[str, ...], int] = {}
    for pos, src in enumerate(raw.to_dict("records")):
        line = pos + 2
        doi = _doi(src.get("DOI"))
        if not doi.startswith("10."):
            report.add(line, "DOI", "DOI missing or not a 10.xxxx DOI")
        formula = re.sub(r"-\s*\(", "(", clean_formula(str(src.get("perovskite_type", ""))))
        _check_composition(report, line, formula)
        smiles = str(src.get("SMILES", "")).strip()
        if check_smiles(smiles)[0] == "error":
            report.add(line, "SMILES", "SMILES not parseable by RDKit")
        before, after = _num(src.get("PCE_pristine(%)")), _num(src.get("PCE_passivated(%)"))
        for col, value in (("PCE_pristine(%)", before), ("PCE_passivated(%)", after)):
            if np.isnan(value):
                report.add(line, col, f"{col} missing")
            elif not 0 <= value <= 35:
                report.add(line, col, f"{col} outside 0–35 %")
        if delta_col is not None:
            delta = _num(src.get(delta_col))
            if np.isfinite(delta) and abs(delta - (after - before)) > 0.01:
                report.add(line, delta_col, "ΔPCE differs from passivated − pristine")
        key = (doi, smiles, formula, f"{before:g}", f"{after:g}")
        if key in seen:
            report.add(line, "row", f"repeats line {seen[key]} (same molecule, paper and values)")
        seen.setdefault(key, line)
        arch = str(src.get("categorical", "")).strip().lower()
        inverted = {"nip": 0.0, "n-i-p": 0.0, "pin": 1.0, "p-i-n": 1.0}.get(arch, float("nan"))
        group = f"{doi}|{formula}|{before:g}"
        common = {
            "doi": doi,
            "citation": str(src.get("article", "")).strip() or None,
            "composition": formula,
            "morphology": "bulk-film",
            "group_id": group,
            "proc_inverted": inverted,
        }
        if group not in controls:
            controls.add(group)
            rows.append(
                {
                    "record_id": f"passivator-control-{line}",
                    "source": f"passivator-screening {path.name} line {line} (PCE_pristine)",
                    **common,
                    "stage": "control",
                    "is_control": 1,
                    "pce_percent": before,
                    "notes": "pristine (unpassivated) device of this paper and composition",
                }
            )
            lines.append(line)
        rows.append(
            {
                "record_id": f"passivator-{line}",
                "source": f"passivator-screening {path.name} line {line}",
                **common,
                "ligand_name": str(src.get("name", "")).strip(),
                "ligand_smiles": smiles,
                "stage": "film-treatment",
                "is_control": 0,
                "pce_percent": after,
                "notes": "passivated device",
            }
        )
        lines.append(line)
    return _finish(rows, lines, report)
