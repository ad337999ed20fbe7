"""Perovskite Database Project export (410 columns) → canonical records.

Mapping (documented column by column in ``docs/datasets.md``):

- ``composition`` is assembled from ``Perovskite_composition_{a,b,c}_ions`` and their
  ``_coefficients`` (``;``-separated lists; ``|`` separates layers). Halide coefficients
  that sum to 1 while A and B sum to 1 are read as fractions and scaled to 3 (reported).
- the ligand comes from ``Perovskite_surface_treatment_before_next_deposition_step``
  (stage film-treatment) or ``Perovskite_additives_compounds`` (stage synthesis, the
  additive is in the precursor). Names are mapped to SMILES through the ion tables in
  ``ions/`` (abbreviation, alternative abbreviations, common name; salts as cation +
  halide); unmapped names stay in ``ligand_name`` with an empty SMILES and are counted.
- rows with neither (``Undoped``) are the paper's untreated devices: ``stage`` control,
  ``is_control`` 1; ``group_id`` is the DOI (or the database's paper id), so controls
  and treated devices of one paper share it.
- ``JV_default_PCE``/``Voc``/``Jsc`` → ``pce_percent``/``voc_v``/``jsc_ma_cm2``;
  ``JV_default_FF`` (a fraction) × 100 → ``ff_percent``; out-of-range values → missing.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from pqdml.data._adapt import SOLVENT_SMILES, AdapterReport, _finish, _num
from pqdml.data._chemcheck import check_composition

_PREFIX = "Perovskite_composition_"
_NONE = {"", "nan", "undoped", "none", "unknown", "-"}
_HALIDES = {"F": "[F-]", "Cl": "[Cl-]", "Br": "[Br-]", "I": "[I-]", "SCN": "[S-]C#N"}
_TARGETS = (
    ("JV_default_PCE", "pce_percent", 1.0, 35.0),
    ("JV_default_Voc", "voc_v", 1.0, 2.0),
    ("JV_default_Jsc", "jsc_ma_cm2", 1.0, 40.0),
    ("JV_default_FF", "ff_percent", 100.0, 100.0),
)


def _blank(value: object) -> bool:
    return (
        value is None
        or (isinstance(value, float) and np.isnan(value))
        or str(value).strip().lower() in _NONE
    )


class IonTable:
    """Name → SMILES lookup built from the database's A/B/C ion tables (``ions/*.xlsx``)."""

    def __init__(self, ions_dir: Path | None) -> None:
        self.smiles: dict[str, str] = {}
        if ions_dir is None or not ions_dir.is_dir():
            return
        tables = [
            pd.read_excel(p, engine="openpyxl") for p in sorted(ions_dir.glob("*-ion_data.xlsx"))
        ]
        # priority: abbreviations, then common/IUPAC names, then alternative abbreviations
        for key_cols in (
            ("Abbreviation",),
            ("Common_name", "IUPAC_name"),
            ("Alternative_abbreviations",),
        ):
            for table in tables:
                for rec in table.to_dict("records"):
                    smiles = rec.get("SMILE")
                    if _blank(smiles):
                        continue
                    for col in key_cols:
                        for name in str(rec.get(col, "")).split(","):
                            key = name.strip().lower()
                            if key and key != "nan":
                                self.smiles.setdefault(key, str(smiles).strip())

    def lookup(self, name: str) -> str | None:
        """SMILES of one compound name, or None.

        Tries the name itself, without an ``n-``/``iso-`` prefix, and as a salt: a cation
        (abbreviation or ``...ammonium``) followed by a halide, e.g. ``n-BABr``,
        ``methylammonium chloride``, ``PbCl2``.
        """
        text = name.strip()
        for candidate in (text, re.sub(r"^(n-|iso-|i-)", "", text, flags=re.I)):
            hit = self.smiles.get(candidate.lower())
            if hit:
                return hit
            salt = self._salt(candidate)
            if salt:
                return salt
        return None

    def _salt(self, text: str) -> str | None:
        words = text.split()
        if len(words) == 2:  # "methylammonium chloride"
            anion = {
                "fluoride": "F",
                "chloride": "Cl",
                "bromide": "Br",
                "iodide": "I",
                "thiocyanate": "SCN",
            }.get(words[1].lower())
            cation = self.smiles.get(words[0].lower())
            if anion and cation:
                return f"{cation}.{_HALIDES[anion]}"
            return None
        m = re.fullmatch(r"(.+?)(SCN|Cl|Br|F|I)(\d?)", text)
        if not m:
            return None
        cation = self.smiles.get(m.group(1).lower())
        if not cation:
            return None
        count = int(m.group(3) or 1)
        return ".".join([cation] + [_HALIDES[m.group(2)]] * count)


def _fmt(x: float) -> str:
    return "" if abs(x - 1.0) < 1e-9 else f"{x:g}"


def assemble_composition(src: dict[str, object], line: int, report: AdapterReport) -> str:
    """Build a formula such as ``Cs0.05FA0.79MA0.16PbBr0.51I2.49`` from the ion columns."""
    parts: list[str] = []
    sums: list[float] = []
    site_values: dict[str, list[float]] = {}
    layered = False
    for site in ("a", "b", "c"):
        ions_raw = str(src.get(f"{_PREFIX}{site}_ions", ""))
        coef_raw = str(src.get(f"{_PREFIX}{site}_ions_coefficients", ""))
        if "|" in ions_raw or "|" in coef_raw:
            layered = True
            ions_raw, coef_raw = ions_raw.split("|")[0], coef_raw.split("|")[0]
        ions = [i.strip() for i in ions_raw.split(";") if i.strip()]
        coefs = [c.strip() for c in coef_raw.split(";") if c.strip()]
        if not ions or any(_blank(i) for i in ions):
            report.add(line, f"{site}_ions", f"{site.upper()}-site ions missing or nan")
            return ""
        if len(coefs) != len(ions):
            report.add(line, f"{site}_ions_coefficients", "number of coefficients ≠ number of ions")
            return ""
        values = [_num(c) for c in coefs]
        if any(np.isnan(v) for v in values):
            report.add(line, f"{site}_ions_coefficients", "non-numeric ion coefficient")
            return ""
        parts.append("".join(f"{ion}{{{i}}}" for i, ion in enumerate(ions)))
        sums.append(sum(values))
        site_values[site] = values
    if layered:
        report.add(line, "composition", "multi-layer perovskite: first layer used")
    scale_c = 1.0
    if abs(sums[0] - 1) < 0.02 and abs(sums[1] - 1) < 0.02 and abs(sums[2] - 1) < 0.02:
        scale_c = 3.0
        report.add(
            line,
            "c_ions_coefficients",
            "halide coefficients sum to 1: read as fractions, scaled to 3",
        )
    out = ""
    for site, template in zip("abc", parts, strict=True):
        scale = scale_c if site == "c" else 1.0
        out += template.format(*[_fmt(v * scale) for v in site_values[site]])
    if not (
        abs(sums[0] - 1) < 0.02 and abs(sums[1] - 1) < 0.02 and abs(sums[2] * scale_c - 3) < 0.06
    ):
        report.add(
            line, "composition", "not ABX3 (2D, double or other perovskite-inspired structure)"
        )
    return out


def _ligand(
    src: dict[str, object], line: int, ions: IonTable, report: AdapterReport
) -> tuple[str | None, str | None, str]:
    """(ligand_name, ligand_smiles, stage) from surface treatment or additives."""
    treatment = src.get("Perovskite_surface_treatment_before_next_deposition_step")
    additives = src.get("Perovskite_additives_compounds")
    if not _blank(treatment):
        text, stage = str(treatment), "film-treatment"
    elif not _blank(additives):
        text, stage = str(additives), "synthesis"
    else:
        return None, None, "control"
    names = [n.strip() for n in re.split(r"[;:|]", text) if not _blank(n)]
    smiles = [ions.lookup(n) for n in names]
    missing = [n for n, s in zip(names, smiles, strict=True) if s is None]
    if missing:
        report.add(line, "ligand", "ligand name not in the ion tables: SMILES left empty")
        return "; ".join(names), None, stage
    return "; ".join(names), ".".join(s for s in smiles if s), stage


def _morphology(src: dict[str, object]) -> str:
    """Return ``film-of-QDs`` for 0D (quantum-dot) absorbers, ``single-crystal``, else ``bulk-film``."""
    if str(src.get("Perovskite_dimension_0D")).strip().lower() == "true":
        return "film-of-QDs"
    if str(src.get("Perovskite_single_crystal")).strip().lower() == "true":
        return "single-crystal"
    return "bulk-film"


def _paper_key(src: dict[str, object]) -> str:
    """Identify a paper without DOI by lead author, publication date and journal."""
    keys = ("Ref_lead_author", "Ref_publication_date", "Ref_journal")
    return "|".join(str(src.get(k, "")).strip() for k in keys)


def adapt(path: Path, ions_dir: Path | None = None) -> pd.DataFrame:
    """Map the export at ``path`` (ion tables in ``ions_dir`` or ``path.parent / "ions"``)."""
    raw = pd.read_csv(path, low_memory=False)
    ions = IonTable(ions_dir or path.parent / "ions")
    report = AdapterReport("perovskite-database", str(path), rows_read=len(raw))
    report.notes += [
        "untreated devices (no additive, no surface treatment) are controls of their paper "
        "(group_id = DOI or the database's paper id)",
        "additives in the precursor are stage 'synthesis'; surface treatments 'film-treatment'",
        f"{len(ions.smiles)} ion-table names available for SMILES lookup",
    ]
    rows: list[dict[str, object]] = []
    lines: list[int] = []
    for pos, src in enumerate(raw.to_dict("records")):
        line = pos + 2
        composition = assemble_composition(src, line, report)
        if composition:
            status, _ = check_composition(composition)
            if status == "error":
                report.add(line, "composition", "composition not parseable")
        doi = None if _blank(src.get("Ref_DOI_number")) else str(src["Ref_DOI_number"]).strip()
        if doi is None:
            report.add(line, "Ref_DOI_number", "no DOI")
        date = str(src.get("Ref_publication_date", ""))
        year_match = re.search(r"(19|20)\d{2}", date)
        name, smiles, stage = _ligand(src, line, ions, report)
        record: dict[str, object] = {
            "record_id": f"pdp-{src['Ref_ID']}",
            "doi": doi,
            "source": f"perovskite-database Ref_ID {src['Ref_ID']}",
            # one string per paper, so rows without a DOI still group by paper in CV
            "citation": _paper_key(src).replace("|", ", "),
            "year": int(year_match.group(0)) if year_match else None,
            "composition": composition or None,
            "morphology": _morphology(src),
            "ligand_name": name,
            "ligand_smiles": smiles,
            "stage": stage,
            "is_control": int(stage == "control"),
            "group_id": f"pdp-{doi or _paper_key(src)}",
        }
        solvents = src.get("Perovskite_deposition_solvents")
        if not _blank(solvents):
            record["solvent_name"] = str(solvents).strip()
        quench = src.get("Perovskite_deposition_quenching_media")
        if not _blank(quench) and str(quench).strip() != "N2":
            record["antisolvent_name"] = str(quench).strip()
            record["antisolvent_smiles"] = SOLVENT_SMILES.get(str(quench).strip().lower())
            record["proc_v_antisolvent_ul"] = _num(
                src.get("Perovskite_deposition_quenching_media_volume")
            )
        record["proc_annealing_temperature_c"] = _num(
            src.get("Perovskite_deposition_thermal_annealing_temperature")
        )
        pl_max = _num(src.get("Perovskite_pl_max"))
        record["emission_nm"] = pl_max
        for col, target, factor, high in _TARGETS:
            value = round(_num(src.get(col)) * factor, 10)
            if not np.isnan(value) and not 0 <= value <= high:
                report.add(line, col, f"{col} outside the physical range → missing")
                value = float("nan")
            record[target] = value
        rows.append(record)
        lines.append(line)
    return _finish(rows, lines, report)
