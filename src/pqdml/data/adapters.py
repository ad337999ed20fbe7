"""Public-dataset files → canonical records, each with an :class:`AdapterReport`.

Every adapter keeps every source row (the buried-interface adapter adds one control row
per distinct control device), never invents a value, and records what it could not map
in ``df.attrs["adapter_report"]``. The column-by-column mapping is documented in
``docs/datasets.md``.
"""

from __future__ import annotations

import json
import os
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
