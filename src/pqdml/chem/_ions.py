"""Ion table and band-gap end members used by :mod:`pqdml.chem.composition`.

Every radius carries its source. Units: ångström (Å). Sources:

- ``shannon``: R. D. Shannon, "Revised effective ionic radii ...", *Acta Cryst.* A32 (1976)
  751, doi:10.1107/S0567739476001551. Effective ionic radii; A-site alkali metals at
  coordination XII, B-site metals and halides at coordination VI (high-spin where it applies).
- ``kieslich``: G. Kieslich, S. Sun, A. K. Cheetham, "Solid-state principles applied to
  organic–inorganic perovskites: new tricks for an old dog", *Chem. Sci.* 5 (2014) 4712,
  doi:10.1039/C4SC02211D; and "An extended tolerance factor approach for organic–inorganic
  perovskites", *Chem. Sci.* 6 (2015) 3430, doi:10.1039/C5SC00961H. Effective radii of
  molecular cations (and the Sn²⁺ value used there, 1.10 Å; Shannon 1976 lists Sn²⁺ only for
  coordination VIII).
- ``tai2016``: Q. Tai et al., *Nat. Commun.* 7 (2016) 11105 (SCN⁻ quoted as 2.17 Å, close to
  I⁻ 2.20 Å). SCN⁻ is linear; a spherical radius is an approximation.

Ions with ``radius=None`` are recognised (so their fraction is reported) but have no cited
spherical radius: ``r_A``/``tolerance_factor`` are NaN for formulas that contain them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Ion:
    """One ion the composition parser knows.

    Parameters
    ----------
    symbol
        Token as written in formulas (``"Cs"``, ``"FA"``, ``"Pb"``, ``"I"``).
    site
        ``"A"``, ``"B"`` or ``"X"``.
    radius
        Effective ionic radius in Å, or ``None`` when no cited value exists.
    source
        Key of the radius source (see module docstring) or ``""``.
    name
        Human-readable name.
    organic
        True for molecular (organic or ammonium) cations.
    """

    symbol: str
    site: str
    radius: float | None
    source: str
    name: str
    organic: bool = False


_A = [
    # inorganic A cations, Shannon 1976, CN XII
    Ion("Cs", "A", 1.88, "shannon", "caesium"),
    Ion("Rb", "A", 1.72, "shannon", "rubidium"),
    Ion("K", "A", 1.64, "shannon", "potassium"),
    Ion("Na", "A", 1.39, "shannon", "sodium"),
    # molecular cations, Kieslich, Sun, Cheetham, Chem. Sci. 2014 (Table 1)
    Ion("NH4", "A", 1.46, "kieslich", "ammonium", True),
    Ion("MA", "A", 2.17, "kieslich", "methylammonium", True),
    Ion("FA", "A", 2.53, "kieslich", "formamidinium", True),
    Ion("GA", "A", 2.78, "kieslich", "guanidinium", True),
    Ion("EA", "A", 2.74, "kieslich", "ethylammonium", True),
    Ion("DMA", "A", 2.72, "kieslich", "dimethylammonium", True),
    Ion("AZ", "A", 2.50, "kieslich", "azetidinium", True),
    Ion("HA", "A", 2.16, "kieslich", "hydroxylammonium", True),
    Ion("HZA", "A", 2.17, "kieslich", "hydrazinium", True),
    Ion("IMA", "A", 2.58, "kieslich", "imidazolium", True),
    Ion("TMA", "A", 2.92, "kieslich", "tetramethylammonium", True),
    # large spacer cations of layered phases: recognised, no cited spherical radius
    Ion("PEA", "A", None, "", "phenethylammonium", True),
    Ion("BA", "A", None, "", "n-butylammonium", True),
]

# B-site metals, Shannon 1976 effective ionic radii, CN VI (HS = high spin)
_B = [
    Ion("Pb", "B", 1.19, "shannon", "lead(II)"),
    Ion("Sn", "B", 1.10, "kieslich", "tin(II)"),
    Ion("Ge", "B", 0.73, "shannon", "germanium(II)"),
    Ion("Zn", "B", 0.74, "shannon", "zinc(II)"),
    Ion("Cd", "B", 0.95, "shannon", "cadmium(II)"),
    Ion("Mn", "B", 0.83, "shannon", "manganese(II), HS"),
    Ion("Fe", "B", 0.78, "shannon", "iron(II), HS"),
    Ion("Co", "B", 0.745, "shannon", "cobalt(II), HS"),
    Ion("Ni", "B", 0.69, "shannon", "nickel(II)"),
    Ion("Cu", "B", 0.73, "shannon", "copper(II)"),
    Ion("Mg", "B", 0.72, "shannon", "magnesium(II)"),
    Ion("Ca", "B", 1.00, "shannon", "calcium(II)"),
    Ion("Sr", "B", 1.18, "shannon", "strontium(II)"),
    Ion("Ba", "B", 1.35, "shannon", "barium(II)"),
    Ion("Hg", "B", 1.02, "shannon", "mercury(II)"),
    Ion("Eu", "B", 1.17, "shannon", "europium(II)"),
    Ion("Yb", "B", 1.02, "shannon", "ytterbium(II)"),
    Ion("Ag", "B", 1.15, "shannon", "silver(I)"),
    Ion("Bi", "B", 1.03, "shannon", "bismuth(III)"),
    Ion("Sb", "B", 0.76, "shannon", "antimony(III)"),
    Ion("In", "B", 0.80, "shannon", "indium(III)"),
    Ion("Al", "B", 0.535, "shannon", "aluminium(III)"),
    Ion("La", "B", 1.032, "shannon", "lanthanum(III)"),
    Ion("Ce", "B", 1.01, "shannon", "cerium(III)"),
    Ion("Nd", "B", 0.983, "shannon", "neodymium(III)"),
    Ion("Tb", "B", 0.923, "shannon", "terbium(III)"),
    Ion("Er", "B", 0.89, "shannon", "erbium(III)"),
]

# X-site anions, Shannon 1976 CN VI; SCN from Tai et al. 2016
_X = [
    Ion("I", "X", 2.20, "shannon", "iodide"),
    Ion("Br", "X", 1.96, "shannon", "bromide"),
    Ion("Cl", "X", 1.81, "shannon", "chloride"),
    Ion("F", "X", 1.33, "shannon", "fluoride"),
    Ion("SCN", "X", 2.17, "tai2016", "thiocyanate"),
]

IONS: dict[str, Ion] = {ion.symbol: ion for ion in (*_A, *_B, *_X)}
"""Every known ion by formula token."""

SITE_IONS: dict[str, list[str]] = {
    "A": [ion.symbol for ion in _A],
    "B": [ion.symbol for ion in _B],
    "X": [ion.symbol for ion in _X],
}
"""Ion symbols per site, in the fixed order of the ``frac_*`` feature columns."""

ALIASES: dict[str, str] = {
    # written-out molecular cations → abbreviation (applied before tokenising)
    "CH3NH3": "MA",
    "CH(NH2)2": "FA",
    "HC(NH2)2": "FA",
    "C(NH2)3": "GA",
    "CH3CH2NH3": "EA",
    "(CH3)2NH2": "DMA",
    "NH3OH": "HA",
    # abbreviations used by the Perovskite Database Project ion tables
    "GU": "GA",
}
"""Alternative spellings mapped to the canonical token."""

SOURCES: dict[str, str] = {
    "shannon": "R. D. Shannon, Acta Cryst. A32 (1976) 751, doi:10.1107/S0567739476001551",
    "kieslich": (
        "G. Kieslich, S. Sun, A. K. Cheetham, Chem. Sci. 5 (2014) 4712, doi:10.1039/C4SC02211D; "
        "Chem. Sci. 6 (2015) 3430, doi:10.1039/C5SC00961H"
    ),
    "tai2016": "Q. Tai et al., Nat. Commun. 7 (2016) 11105, doi:10.1038/ncomms11105",
}
"""Full citations of the radius sources."""

# Room-temperature optical band gaps (eV) of bulk APbX3/ASnX3 end members.
END_MEMBER_GAPS: dict[tuple[str, str, str], tuple[float, str]] = {
    ("Cs", "Pb", "I"): (1.73, "Eperon et al., J. Mater. Chem. A 3 (2015) 19688"),
    ("Cs", "Pb", "Br"): (2.25, "Stoumpos et al., Cryst. Growth Des. 13 (2013) 2722"),
    ("Cs", "Pb", "Cl"): (3.00, "Protesescu et al., Nano Lett. 15 (2015) 3692 (approx.)"),
    ("MA", "Pb", "I"): (1.57, "Noh et al., Nano Lett. 13 (2013) 1764"),
    ("MA", "Pb", "Br"): (2.29, "Noh et al., Nano Lett. 13 (2013) 1764"),
    ("MA", "Pb", "Cl"): (3.11, "Kitazawa et al., J. Mater. Sci. 37 (2002) 3585"),
    ("FA", "Pb", "I"): (1.48, "Eperon et al., Energy Environ. Sci. 7 (2014) 982"),
    ("FA", "Pb", "Br"): (2.23, "Eperon et al., Energy Environ. Sci. 7 (2014) 982"),
    ("Cs", "Sn", "I"): (1.30, "Chung et al., J. Am. Chem. Soc. 134 (2012) 8579"),
    ("Cs", "Sn", "Br"): (1.75, "Gupta et al., ACS Energy Lett. 1 (2016) 1014"),
    ("MA", "Sn", "I"): (1.30, "Hao et al., Nat. Photonics 8 (2014) 489"),
    ("MA", "Sn", "Br"): (2.15, "Hao et al., Nat. Photonics 8 (2014) 489"),
    ("FA", "Sn", "I"): (1.41, "Koh et al., J. Mater. Chem. A 3 (2015) 14996"),
}
"""Bulk band gaps of end members with their source."""

BOWING_I_BR = 0.33
"""I/Br bowing parameter (eV): MAPb(I1-xBrx)3, Eg = 1.57 + 0.39x + 0.33x², Noh et al. 2013."""

GAP_DOPANT_LIMIT = 0.10
"""Per site, ions without end-member gaps up to this fraction are treated as dopants."""


_GAP_IONS = {
    "A": {a for a, _, _ in END_MEMBER_GAPS},
    "B": {b for _, b, _ in END_MEMBER_GAPS},
    "X": {x for _, _, x in END_MEMBER_GAPS},
}


def _gap_site(fracs: Mapping[str, float], site: str) -> dict[str, float] | None:
    known = {ion: f for ion, f in fracs.items() if ion in _GAP_IONS[site]}
    other = 1.0 - sum(known.values())
    if other > GAP_DOPANT_LIMIT + 1e-9 or not known:
        return None
    total = sum(known.values())
    return {ion: f / total for ion, f in known.items()}


def band_gap_from_fractions(
    a: Mapping[str, float], b: Mapping[str, float], x: Mapping[str, float]
) -> float:
    """Estimate the bulk band gap (eV) from site fractions; NaN when not covered.

    The gap is the fraction-weighted mean of the end-member gaps ``Eg(A, B, X)`` of
    :data:`END_MEMBER_GAPS`, minus the I/Br bowing term ``0.33 x_I x_Br``. Ions without
    end-member data up to :data:`GAP_DOPANT_LIMIT` of a site are treated as dopants
    (ignored, the rest of the site renormalised for this estimate only); more than that,
    or a missing end member, gives NaN. Pb–Sn alloys bow strongly and are overestimated.

    Examples
    --------
    >>> round(band_gap_from_fractions({"MA": 1.0}, {"Pb": 1.0}, {"I": 0.5, "Br": 0.5}), 4)
    1.8475
    """
    a_fr, b_fr, x_fr = _gap_site(a, "A"), _gap_site(b, "B"), _gap_site(x, "X")
    if a_fr is None or b_fr is None or x_fr is None:
        return math.nan
    gap = 0.0
    for a_ion, fa in a_fr.items():
        for b_ion, fb in b_fr.items():
            for x_ion, fx in x_fr.items():
                entry = END_MEMBER_GAPS.get((a_ion, b_ion, x_ion))
                if entry is None:
                    return math.nan
                gap += fa * fb * fx * entry[0]
    return gap - BOWING_I_BR * x_fr.get("I", 0.0) * x_fr.get("Br", 0.0)


#: Common oxidation states of the B-site metals (A-site cations are +1, X-site anions -1).
#: Used only for the charge-balance check of :func:`pqdml.chem.composition.parse_composition`;
#: a formula balances when some choice of these states balances it.
B_OXIDATION_STATES: dict[str, tuple[int, ...]] = {
    "Pb": (2,),
    "Sn": (2, 4),
    "Ge": (2, 4),
    "Zn": (2,),
    "Cd": (2,),
    "Mn": (2, 3),
    "Fe": (2, 3),
    "Co": (2, 3),
    "Ni": (2,),
    "Cu": (1, 2),
    "Mg": (2,),
    "Ca": (2,),
    "Sr": (2,),
    "Ba": (2,),
    "Hg": (2,),
    "Eu": (2, 3),
    "Yb": (2, 3),
    "Ag": (1,),
    "Bi": (3,),
    "Sb": (3,),
    "In": (1, 3),
    "Al": (3,),
    "La": (3,),
    "Ce": (3, 4),
    "Nd": (3,),
    "Tb": (3,),
    "Er": (3,),
}
