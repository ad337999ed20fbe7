"""Plain words for a record's value in a concept (used by :func:`pqdml.explain.explain_predictions`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _fmt(value: float) -> str:
    if not np.isfinite(value):
        return "unknown"
    if float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.3g}"


_WORDS = {
    "mol_weight": ("molecular weight", "g/mol"),
    "tpsa": ("TPSA", "Å²"),
    "logp": ("logP", ""),
    "h_donors": ("H-bond donors", ""),
    "h_acceptors": ("H-bond acceptors", ""),
    "fraction_csp3": ("fraction of sp3 carbons", ""),
    "band_gap_est_ev": ("estimated band gap", "eV"),
    "r_A": ("A-site radius", "Å"),
    "r_B": ("B-site radius", "Å"),
    "r_X": ("X-site radius", "Å"),
}


def _pretty(feature: str) -> str:
    name = feature.partition("__")[2] or feature
    return _WORDS.get(name, (name.removeprefix("proc_").replace("_", " "), ""))[0]


def _value_words(feature: str, value: float) -> str:
    """``"TPSA 26 Å²"``: a feature's name, value and unit in words."""
    name = feature.partition("__")[2] or feature
    unit = _WORDS.get(name, ("", ""))[1]
    return f"{_pretty(feature)} {_fmt(value)}" + (f" {unit}" if unit else "")


def describe_concept(concept: str, names: Sequence[str], x: np.ndarray, phi: np.ndarray) -> str:
    """Plain words for the value a row takes in one concept."""
    short = {n.partition("__")[2] or n: i for i, n in enumerate(names)}

    def active(prefix: str) -> list[str]:
        return [
            k.removeprefix(prefix).replace("_", " ")
            for k, i in short.items()
            if k.startswith(prefix) and np.isfinite(x[i]) and x[i] > 0
        ]

    if concept == "chain length" and "chain_length" in short:
        return f"chain length {_fmt(x[short['chain_length']])}"
    if concept == "binding type":
        kinds = [k.removeprefix("binding_") for k, i in short.items() if x[i] == 1]
        return "binding type " + ("+".join(sorted(kinds)) if kinds else "none")
    if concept == "anchoring group":
        groups = active("anchor_")
        return "anchoring group " + (", ".join(groups[:3]) if groups else "none")
    if concept == "zwitterionic" and short:
        value = x[next(iter(short.values()))]
        return "zwitterionic" if value == 1 else "not zwitterionic"
    if concept == "ligand present" and short:
        return "ligand present" if x[next(iter(short.values()))] == 1 else "no ligand"
    if concept == "ligand substructure (Morgan bits)":
        bits = [k.removeprefix("morgan_") for k, i in short.items() if x[i] == 1]
        return f"ligand substructure ({len(bits)} Morgan bits set)"
    if concept in ("A-site mix", "B-site mix", "halide / lattice"):
        fracs = [
            f"{k.removeprefix('frac_')} {x[i]:.2f}"
            for k, i in short.items()
            if k.startswith("frac_") and np.isfinite(x[i]) and x[i] > 0
        ]
        if concept == "halide / lattice" and "tolerance_factor" in short:
            t = x[short["tolerance_factor"]]
            if np.isfinite(t):
                fracs.append(f"tolerance factor {t:.3f}")
        if fracs:
            return f"{concept} " + " / ".join(fracs)
    if concept == "process":
        parts = [
            f"{n.partition('__')[0]} {n.partition('__')[2]}"
            for n, v in zip(names, x, strict=True)
            if n.partition("__")[0] in ("stage", "antisolvent", "solvent") and v == 1
        ]
        numeric = [i for i, n in enumerate(names) if n.startswith("process__")]
        if numeric:
            i = max(numeric, key=lambda k: abs(phi[k]))
            parts.append(_value_words(names[i], x[i]))
        return "process: " + (", ".join(parts) if parts else "stage not given")
    if concept == "morphology":
        forms = active("")
        return "morphology " + (", ".join(forms) if forms else "not given")
    i = int(np.argmax(np.abs(phi)))
    return _value_words(names[i], x[i])
