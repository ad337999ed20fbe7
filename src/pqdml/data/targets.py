"""The one target table: every ``--target`` key with its column, unit, label and physical range.

Every other module (schema, features, model, explain, report, CLI) reads targets from here.

Examples
--------
>>> TARGETS["plqy"]
'plqy_percent'
>>> target_spec("plqy_percent").label
'PLQY (%)'
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "LABEL_COLUMNS",
    "SHIPPED_TARGETS",
    "TARGETS",
    "TARGET_SPECS",
    "TargetSpec",
    "target_spec",
]


@dataclass(frozen=True)
class TargetSpec:
    """One target.

    Attributes
    ----------
    key
        ``--target`` name (``"plqy"``).
    column
        Canonical record column (``"plqy_percent"``).
    unit
        Unit of the column (``"%"``).
    label
        Axis label (``"PLQY (%)"``).
    unit_words
        One unit of the target in words (``"PLQY points"``).
    description
        What the column measures (the schema's description).
    valid
        Range a measured value must lie in to pass validation.
    bounds
        Physical range used to bound predictions with a logit link, or None (unbounded).
    """

    key: str
    column: str
    unit: str
    label: str
    unit_words: str
    description: str
    valid: tuple[float, float]
    bounds: tuple[float, float] | None = None


TARGET_SPECS: dict[str, TargetSpec] = {
    t.key: t
    for t in (
        TargetSpec(
            "plqy",
            "plqy_percent",
            "%",
            "PLQY (%)",
            "PLQY points",
            "photoluminescence quantum yield",
            (0, 100),
            (0.0, 100.0),
        ),
        TargetSpec(
            "pce",
            "pce_percent",
            "%",
            "PCE (%)",
            "PCE points",
            "power conversion efficiency",
            (0, 35),
            (0.0, 35.0),
        ),
        TargetSpec("voc", "voc_v", "V", "Voc (V)", "V Voc", "open-circuit voltage", (0, 2)),
        TargetSpec(
            "jsc",
            "jsc_ma_cm2",
            "mA/cm2",
            "Jsc (mA/cm²)",
            "mA/cm² Jsc",
            "short-circuit current density",
            (0, 40),
        ),
        TargetSpec(
            "ff", "ff_percent", "%", "FF (%)", "FF points", "fill factor", (0, 100), (0.0, 100.0)
        ),
        TargetSpec(
            "emission",
            "emission_nm",
            "nm",
            "emission peak (nm)",
            "nm emission",
            "photoluminescence peak wavelength",
            (250, 1500),
        ),
    )
}

#: ``--target`` name → canonical column.
TARGETS: dict[str, str] = {k: t.column for k, t in TARGET_SPECS.items()}

#: Targets with a shipped default model under ``models/``.
SHIPPED_TARGETS: tuple[str, ...] = ("plqy", "pce")

#: Every measured-outcome column of the schema (targets and other labels): never a feature.
LABEL_COLUMNS: tuple[str, ...] = (*TARGETS.values(), "fwhm_nm", "fwhm_ev")


def target_spec(target: str) -> TargetSpec | None:
    """Return the spec of a target key (``"plqy"``) or column (``"plqy_percent"``); None if unknown."""
    if target in TARGET_SPECS:
        return TARGET_SPECS[target]
    return next((t for t in TARGET_SPECS.values() if t.column == target), None)
