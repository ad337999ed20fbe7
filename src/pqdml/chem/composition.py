"""Perovskite formula → site fractions, radii, tolerance/octahedral factors, band-gap estimate.

Formulas are parsed as chemists write them (``CsPbBr3``, ``CsPb(Cl0.5Br0.5)3``,
``FA0.79MA0.16Cs0.05Pb(I0.9Br0.1)3``, ``Cs0.05(FA0.83MA0.17)0.95Pb(I0.83Br0.17)3``,
``CsPbBr₃``, ``(FAPbI3)0.85(MAPbBr3)0.15``). Every ion belongs to one site (A, B or X), so
the order in which ions are written does not matter. Site sums must match ABX3 within
:data:`SITE_TOLERANCE`; formulas that do not are errors, never silently renormalised.
The grammar, radii, sources and the band-gap model are documented in ``docs/compositions.md``.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from pqdml.chem._ions import (
    ALIASES,
    B_OXIDATION_STATES,
    END_MEMBER_GAPS,
    IONS,
    SITE_IONS,
    SOURCES,
    band_gap_from_fractions,
)
from pqdml.exceptions import (
    AmbiguousCompositionError,
    InvalidCompositionError,
    StoichiometryError,
    UnknownIonError,
)

__all__ = [
    "COMPOSITION_NUMERIC_FEATURES",
    "SITE_TOLERANCE",
    "Composition",
    "CompositionFeaturizer",
    "CompositionTransformer",
    "featurize_composition",
    "featurize_compositions",
    "is_double_perovskite",
    "parse_composition",
]

SITE_TOLERANCE = 0.02
"""Allowed absolute deviation of each site sum per formula unit (A 1, B 1, X 3 ± 3 x 0.02)."""

T_STABLE = (0.813, 1.107)
"""Tolerance-factor window of a stable perovskite (review section 2.1, ref. 47)."""
T_CUBIC = (0.9, 1.0)
"""Tolerance-factor window of the cubic structure (review section 2.1, ref. 47)."""
MU_STABLE = (0.442, 0.895)
"""Octahedral-factor window of stable BX6 octahedra (review section 2.1, ref. 48)."""

_MAX_LENGTH = 300
_MAX_MULTIPLE = 4
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_TOKENS = sorted(IONS, key=len, reverse=True)
_ALIAS_ORDER = sorted(ALIASES, key=len, reverse=True)
_NUMBER = re.compile(r"\d+(?:\.\d*)?|\.\d+")
_VARIABLE = re.compile(r"[xyzδ]")
_BRACKETS = str.maketrans("[]{}", "()()")

COMPOSITION_NUMERIC_FEATURES: list[str] = [
    *(f"frac_{ion}" for site in ("A", "B", "X") for ion in SITE_IONS[site]),
    "r_A",
    "r_B",
    "r_X",
    "tolerance_factor",
    "octahedral_factor",
    "t_in_stable_window",
    "t_in_cubic_window",
    "mu_in_stable_window",
    "mixing_entropy_A",
    "mixing_entropy_B",
    "mixing_entropy_X",
    "band_gap_est_ev",
    "is_all_inorganic",
    "n_A_species",
    "is_double_perovskite",
]
"""Fixed, ordered names of the numeric composition features."""


@dataclass(frozen=True, eq=False)
class Composition:
    """A parsed ABX3 composition: fractions of each ion within its site (each site sums to 1).

    Two compositions are equal when their fractions agree to 1e-6, however they were written.

    Parameters
    ----------
    A, B, X
        Ion symbol → fraction within the site, ions with zero fraction omitted.
    formula
        The input after normalisation (whitespace removed, subscripts as digits, aliases).

    Examples
    --------
    >>> parse_composition("CsPb(Cl0.5Br0.5)3") == parse_composition("CsPbCl1.5Br1.5")
    True
    >>> parse_composition("FA0.5Cs0.5PbI3").reduced()
    'Cs0.5FA0.5PbI3'
    """

    A: Mapping[str, float]
    B: Mapping[str, float]
    X: Mapping[str, float]
    formula: str = field(default="")

    def _key(self) -> tuple[tuple[str, str, float], ...]:
        return tuple(
            (site, ion, round(frac, 6))
            for site, fracs in (("A", self.A), ("B", self.B), ("X", self.X))
            for ion, frac in sorted(fracs.items())
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Composition):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def reduced(self) -> str:
        """Return the canonical formula: sites A, B, X; ions in table order; X amounts per 3."""
        parts: list[str] = []
        for site, fracs, scale in (("A", self.A, 1.0), ("B", self.B, 1.0), ("X", self.X, 3.0)):
            for ion in SITE_IONS[site]:
                if ion in fracs:
                    amount = fracs[ion] * scale
                    text = f"{amount:.4f}".rstrip("0").rstrip(".")
                    parts.append(ion if text == "1" else f"{ion}{text}")
        return "".join(parts)


def _normalise(formula: object) -> str:
    if not isinstance(formula, str):
        if formula is None or (isinstance(formula, float) and math.isnan(formula)):
            raise InvalidCompositionError("empty composition (missing value)")
        raise InvalidCompositionError(
            f"composition {formula!r} is not a string (got {type(formula).__name__})"
        )
    text = "".join(formula.translate(_SUBSCRIPTS).translate(_BRACKETS).split())
    if not text:
        raise InvalidCompositionError(f"empty composition {formula!r}")
    if len(text) > _MAX_LENGTH:
        raise InvalidCompositionError(
            f"composition {formula[:40]!r}... is longer than {_MAX_LENGTH} characters"
        )
    for alias in _ALIAS_ORDER:
        if alias in text:
            text = text.replace(alias, ALIASES[alias])
    return text


def _unknown_name(text: str, i: int) -> str:
    """Best guess at the unknown token starting at ``text[i]`` (for the error message)."""
    match = re.match(r"[A-Z][a-z]+", text[i:])
    if match:
        return match.group(0)
    run = re.match(r"[A-Z]+", text[i:])
    if run is None:
        return text[i]
    name = run.group(0)
    end = i + len(name)
    if len(name) > 1 and end < len(text) and text[end].islower():
        name = name[:-1]  # the last capital starts an element, e.g. "BZA" in "BZAPbI3"
    return name


def _raise_variable(var: str, original: str) -> None:
    raise AmbiguousCompositionError(
        f"stoichiometry variable {var!r} in {original!r} has no value; "
        "write the numbers, e.g. CsPbBr1.5I1.5"
    )


def _tokenise(text: str, original: str) -> dict[str, float]:
    """Return ion → total amount for a normalised formula (groups multiplied out)."""
    if "/" in text:
        raise AmbiguousCompositionError(
            f"the ratio between the ions separated by '/' is missing in {original!r}; "
            "write the fractions, e.g. CsPb(Cl0.5Br0.5)3"
        )
    stack: list[dict[str, float]] = [{}]
    i, n = 0, len(text)

    def multiplier() -> float:
        nonlocal i
        match = _NUMBER.match(text, i)
        if match is None:
            return 1.0
        i = match.end()
        return float(match.group(0))

    while i < n:
        ch = text[i]
        if ch == "(":
            stack.append({})
            i += 1
        elif ch == ")":
            if len(stack) == 1:
                raise InvalidCompositionError(f"unbalanced ')' in composition {original!r}")
            group = stack.pop()
            if not group:
                raise InvalidCompositionError(f"empty brackets '()' in composition {original!r}")
            i += 1
            factor = multiplier()
            for ion, amount in group.items():
                stack[-1][ion] = stack[-1].get(ion, 0.0) + amount * factor
        elif ch.isupper():
            token = next((t for t in _TOKENS if text.startswith(t, i)), None)
            if token is None:
                name = _unknown_name(text, i)
                raise UnknownIonError(f"unknown ion {name!r} in {original!r}")
            i += len(token)
            if i < n and _VARIABLE.match(text[i]):
                _raise_variable(text[i], original)
            amount = multiplier()
            stack[-1][token] = stack[-1].get(token, 0.0) + amount
        elif ch.isdigit() or ch == ".":
            raise InvalidCompositionError(
                f"number without an ion at position {i} in composition {original!r}"
            )
        else:
            var = _VARIABLE.search(text)
            if var:
                _raise_variable(var.group(0), original)
            if ch == ":":
                raise InvalidCompositionError(_dopant_hint(text, i, original))
            raise InvalidCompositionError(
                f"unexpected character {ch!r} at position {i} in composition {original!r}"
            )
    if len(stack) != 1:
        raise InvalidCompositionError(f"unbalanced '(' in composition {original!r}")
    return stack[0]


#: An A/B amount ratio further than this from 1 (relative to B) names a low-dimensional phase.
LOW_DIMENSIONAL_AB = 0.2
#: Charge per formula unit that aliovalent doping may leave unbalanced (e.g. 10-20% Bi3+ on
#: Pb2+ sites, compensated by vacancies); a larger imbalance is refused.
CHARGE_TOLERANCE = 0.2
#: Fractions of M+ and M3+ on the B site within this of 1/2 make an ordered double perovskite.
DOUBLE_TOLERANCE = 0.02


def _dopant_hint(text: str, i: int, original: str) -> str:
    """Message for ``host:dopant`` notation (``CsPbCl3:Mn``), with the formula to write."""
    host, dopant = text[:i], text[i + 1 :]
    example = "CsPb0.9Mn0.1Cl3"
    b_ion = next((t for t in _TOKENS if IONS[t].site == "B" and t in host), None)
    if dopant in IONS and IONS[dopant].site == "B" and b_ion is not None:
        example = host.replace(b_ion, f"{b_ion}0.9{dopant}0.1", 1)
    return (
        f"dopant notation ':' in composition {original!r} has no amount; write the dopant "
        f"as a fraction of its site, e.g. {example} for 10% on the B site"
    )


def _check_charge(
    amounts: Mapping[str, float], s_a: float, s_x: float, k: int, formula: str
) -> None:
    """Refuse a formula whose common oxidation states cannot balance (CsBiI3)."""
    need = s_x - s_a  # the B site must carry this charge: A is +1, X is -1
    b_ions = [
        (amount, B_OXIDATION_STATES[ion])
        for ion, amount in amounts.items()
        if ion in B_OXIDATION_STATES
    ]
    charges = sorted(
        {
            round(sum(amount * q for (amount, _), q in zip(b_ions, states, strict=True)), 6)
            for states in itertools.product(*(s for _, s in b_ions))
        }
    )
    tol = CHARGE_TOLERANCE * k + 1e-9
    if any(abs(q - need) <= tol for q in charges):
        return
    got = " or ".join(f"+{q:.3g}" for q in charges)
    raise StoichiometryError(
        f"composition {formula!r} is not charge balanced: its B site carries {got} per "
        f"{k} formula unit(s) with its common oxidation states, but A (+1 each) and X (-1 each) "
        f"need +{need:.3g} (tolerance ±{CHARGE_TOLERANCE} per formula unit for aliovalent "
        "doping); a B3+ or B+ metal alone does not form ABX3 (Cs2AgBiBr6 pairs one of each)",
        code="charge_balance",
    )


def is_double_perovskite(comp: Composition) -> bool:
    """Whether ``comp`` is an ordered double perovskite A2B(I)B(III)X6 (Cs2AgBiBr6).

    True when the B site holds exactly two metals, each at half the site (within
    :data:`DOUBLE_TOLERANCE`), one of which can be +1 and the other +3 (Ag/Bi, Ag/Sb,
    Ag/In). Such a formula balances only as the 1:1 ordered (rock-salt) B/B' lattice.

    Examples
    --------
    >>> is_double_perovskite(parse_composition("Cs2AgBiBr6"))
    True
    >>> is_double_perovskite(parse_composition("CsPbBr3"))
    False
    """
    if len(comp.B) != 2 or any(abs(f - 0.5) > DOUBLE_TOLERANCE for f in comp.B.values()):
        return False
    first, second = (B_OXIDATION_STATES.get(ion, ()) for ion in comp.B)
    return (1 in first and 3 in second) or (3 in first and 1 in second)


@lru_cache(maxsize=65536)
def _parse_cached(formula: str) -> Composition:
    text = _normalise(formula)
    amounts = _tokenise(text, formula)
    sums = {site: 0.0 for site in ("A", "B", "X")}
    for ion, amount in amounts.items():
        sums[IONS[ion].site] += amount
    s_a, s_b, s_x = sums["A"], sums["B"], sums["X"]
    if not all(math.isfinite(v) for v in (s_a, s_b, s_x)):
        raise StoichiometryError(f"site amounts in {formula!r} are too large to be a formula")
    k = max(1, round(s_b))
    tol = SITE_TOLERANCE * k + 1e-9
    ok = (
        k <= _MAX_MULTIPLE
        and abs(s_a - k) <= tol
        and abs(s_b - k) <= tol
        and abs(s_x - 3 * k) <= 3 * tol
    )
    if not ok:
        msg = (
            f"site sums A={s_a:.4g}, B={s_b:.4g}, X={s_x:.4g} in {formula!r} do not match ABX3 "
            f"(A 1, B 1, X 3, each within ±{SITE_TOLERANCE} per ion; not renormalised)"
        )
        lowdim = (
            s_b > 0
            and abs(s_a - s_b) > LOW_DIMENSIONAL_AB * s_b
            and abs(s_x - (s_a + 2 * s_b)) <= 3 * tol
        )
        if lowdim:
            msg += (
                "; this looks like a low-dimensional or non-perovskite phase "
                "(e.g. (PEA)2PbI4, BA2MA3Pb4I13, Cs4PbBr6, CsPb2Br5), which is not ABX3"
            )
        elif s_b > 0 and max(abs(s_a - k), abs(s_b - k), abs(s_x - 3 * k) / 3) <= 0.25 * k:
            msg += (
                "; a small excess or deficit (a precursor ratio such as Cs1.05PbI3) is not a "
                "different phase: give the composition of the perovskite itself (CsPbI3)"
            )
        raise StoichiometryError(msg)
    _check_charge(amounts, s_a, s_x, k, formula)
    fracs: dict[str, dict[str, float]] = {"A": {}, "B": {}, "X": {}}
    for ion, amount in amounts.items():
        if amount > 0:
            site = IONS[ion].site
            fracs[site][ion] = amount / sums[site]
    return Composition(A=fracs["A"], B=fracs["B"], X=fracs["X"], formula=text)


def parse_composition(formula: str) -> Composition:
    """Parse a perovskite formula into A, B and X site fractions.

    Parameters
    ----------
    formula
        Formula as written in papers, e.g. ``"FA0.79MA0.16Cs0.05Pb(I0.9Br0.1)3"``.

    Returns
    -------
    Composition
        Fractions of each ion within its site.

    Raises
    ------
    InvalidCompositionError
        Empty or unparseable text; subclasses :class:`~pqdml.exceptions.UnknownIonError`,
        :class:`~pqdml.exceptions.StoichiometryError` and
        :class:`~pqdml.exceptions.AmbiguousCompositionError` name the specific reason.

    Examples
    --------
    >>> round(parse_composition("Cs0.05(FA0.83MA0.17)0.95Pb(I0.83Br0.17)3").A["FA"], 4)
    0.7885
    """
    return (
        _parse_cached(formula) if isinstance(formula, str) else _parse_cached.__wrapped__(formula)
    )


def _mean_radius(fracs: Mapping[str, float]) -> float:
    total = 0.0
    for ion, frac in fracs.items():
        radius = IONS[ion].radius
        if radius is None:
            return math.nan
        total += frac * radius
    return total


def _entropy(fracs: Mapping[str, float]) -> float:
    return float(-sum(f * math.log(f) for f in fracs.values() if f > 0))


def _in_window(value: float, window: tuple[float, float]) -> float:
    if math.isnan(value):
        return math.nan
    return float(window[0] <= value <= window[1])


def estimate_band_gap(comp: Composition) -> float:
    """Estimate the bulk band gap (eV) of a composition; NaN when the model does not cover it.

    See :func:`pqdml.chem._ions.band_gap_from_fractions` for the model and
    ``docs/compositions.md`` for the sources. Quantum dots are blue-shifted by confinement.

    Examples
    --------
    >>> round(estimate_band_gap(parse_composition("MAPb(I0.5Br0.5)3")), 4)
    1.8475
    """
    return band_gap_from_fractions(comp.A, comp.B, comp.X)


def _feature_vector(comp: Composition) -> np.ndarray:
    values = np.zeros(len(COMPOSITION_NUMERIC_FEATURES), dtype=np.float64)
    pos = 0
    for site, fracs in (("A", comp.A), ("B", comp.B), ("X", comp.X)):
        for ion in SITE_IONS[site]:
            values[pos] = fracs.get(ion, 0.0)
            pos += 1
    r_a, r_b, r_x = _mean_radius(comp.A), _mean_radius(comp.B), _mean_radius(comp.X)
    t = (r_a + r_x) / (math.sqrt(2.0) * (r_b + r_x))
    mu = r_b / r_x
    double = is_double_perovskite(comp)
    values[pos:] = [
        r_a,
        r_b,
        r_x,
        t,
        mu,
        _in_window(t, T_STABLE),
        _in_window(t, T_CUBIC),
        _in_window(mu, MU_STABLE),
        _entropy(comp.A),
        0.0 if double else _entropy(comp.B),  # an ordered B/B' lattice has no mixing entropy
        _entropy(comp.X),
        estimate_band_gap(comp),
        float(not any(IONS[ion].organic for ion in comp.A)),
        float(len(comp.A)),
        float(double),
    ]
    return values


def featurize_composition(formula: str) -> dict[str, float | str]:
    """Featurize one formula: ``composition_reduced`` plus :data:`COMPOSITION_NUMERIC_FEATURES`.

    Raises
    ------
    InvalidCompositionError
        See :func:`parse_composition`.

    Examples
    --------
    >>> round(featurize_composition("CsPbI3")["tolerance_factor"], 3)
    0.851
    """
    comp = parse_composition(formula)
    out: dict[str, float | str] = {"composition_reduced": comp.reduced()}
    out.update(zip(COMPOSITION_NUMERIC_FEATURES, _feature_vector(comp).tolist(), strict=True))
    return out


def featurize_compositions(values: Iterable[Any]) -> pd.DataFrame:
    """Featurize many formulas; one row per input, failures kept with NaN features.

    Unique values are parsed once, so repeated formulas (the usual case) cost nothing.

    Parameters
    ----------
    values
        Formulas; a :class:`pandas.Series` keeps its index.

    Returns
    -------
    pandas.DataFrame
        Columns ``composition_status`` (``"ok"`` or an error code),
        ``composition_error`` (message or None), ``composition_reduced`` and
        :data:`COMPOSITION_NUMERIC_FEATURES` (NaN where the status is not ``"ok"``).

    Examples
    --------
    >>> featurize_compositions(["CsPbBr3", "CsXxI3"])["composition_status"].tolist()
    ['ok', 'unknown_ion']
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    n_unique = len(uniques)
    table = np.full((n_unique + 1, len(COMPOSITION_NUMERIC_FEATURES)), np.nan)
    status = np.empty(n_unique + 1, dtype=object)
    error = np.empty(n_unique + 1, dtype=object)
    reduced = np.empty(n_unique + 1, dtype=object)
    for j, value in enumerate([*uniques, None]):
        try:
            comp = parse_composition(value)
        except InvalidCompositionError as exc:
            status[j], error[j], reduced[j] = exc.code, str(exc), None
            continue
        table[j] = _feature_vector(comp)
        status[j], error[j], reduced[j] = "ok", None, comp.reduced()
    take = np.where(codes < 0, n_unique, codes)
    out = pd.DataFrame(table[take], columns=COMPOSITION_NUMERIC_FEATURES, index=series.index)
    out.insert(0, "composition_reduced", pd.array(reduced[take], dtype=object))
    out.insert(0, "composition_error", pd.array(error[take], dtype=object))
    out.insert(0, "composition_status", pd.array(status[take], dtype=object))
    return out


class CompositionFeaturizer:
    """Featurizer contract (``featurize``, ``feature_labels``, ``citations``) for formulas.

    Examples
    --------
    >>> CompositionFeaturizer().featurize("CsPbBr3").shape == (len(COMPOSITION_NUMERIC_FEATURES),)
    True
    """

    def featurize(self, formula: str) -> np.ndarray:
        """Return the numeric feature vector of one formula (raises on bad input)."""
        return _feature_vector(parse_composition(formula))

    def feature_labels(self) -> list[str]:
        """Return the names of :meth:`featurize`'s entries."""
        return list(COMPOSITION_NUMERIC_FEATURES)

    def citations(self) -> list[str]:
        """Return the sources of the radii and end-member band gaps."""
        gaps = sorted({src for _, src in END_MEMBER_GAPS.values()})
        return [*SOURCES.values(), *gaps]


def _single_column(X: Any) -> np.ndarray:
    """Return the one column of formulas in ``X`` (2-D, one column) as an object array."""
    if hasattr(X, "toarray") or type(X).__module__.startswith("scipy.sparse"):
        raise TypeError("CompositionTransformer does not support sparse input: pass formula text")
    if isinstance(X, pd.DataFrame):
        arr = X.to_numpy(dtype=object)
    else:
        arr = np.asarray(X, dtype=object)
        if np.asarray(X).dtype.kind == "c":
            raise ValueError("Complex data not supported: CompositionTransformer takes formulas")
    if arr.ndim != 2:
        raise ValueError(
            f"Expected a 2D array with one column of formulas, got shape {arr.shape}; "
            "use X.reshape(-1, 1) or a one-column DataFrame"
        )
    if arr.shape[1] == 0:
        raise ValueError(
            f"0 feature(s) (shape={arr.shape}) while a minimum of 1 is required: "
            "CompositionTransformer takes one column of formulas"
        )
    if arr.shape[1] != 1:
        raise ValueError(
            f"CompositionTransformer takes exactly 1 column of formulas, got {arr.shape[1]}"
        )
    return arr[:, 0]


class CompositionTransformer(TransformerMixin, BaseEstimator):
    """scikit-learn transformer: one column of formulas → :data:`COMPOSITION_NUMERIC_FEATURES`.

    Parameters
    ----------
    on_error
        ``"nan"`` (default) keeps rows with bad formulas as all-NaN features (use
        :func:`featurize_compositions` to see why); ``"raise"`` raises the first error.

    Examples
    --------
    >>> import pandas as pd
    >>> ct = CompositionTransformer().fit(pd.DataFrame({"composition": ["CsPbBr3"]}))
    >>> ct.transform(pd.DataFrame({"composition": ["CsPbI3"]})).shape[1] == len(COMPOSITION_NUMERIC_FEATURES)
    True
    """

    def __init__(self, *, on_error: Literal["nan", "raise"] = "nan") -> None:
        self.on_error = on_error

    def __sklearn_tags__(self) -> Any:
        """Declare string input and NaN-tolerant output."""
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        return tags

    def fit(self, X: Any, y: Any = None) -> CompositionTransformer:
        """Check the input is one column; nothing is learnt."""
        if self.on_error not in ("nan", "raise"):
            raise ValueError(f"on_error must be 'nan' or 'raise', got {self.on_error!r}")
        _single_column(X)
        self.n_features_in_ = 1
        if isinstance(X, pd.DataFrame):
            self.feature_names_in_ = np.asarray([str(X.columns[0])], dtype=object)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Featurize the column; returns a float array ``(n_samples, n_features)``."""
        check_is_fitted(self, "n_features_in_")
        column = _single_column(X)
        frame = featurize_compositions(column)
        if self.on_error == "raise":
            bad = np.flatnonzero((frame["composition_status"] != "ok").to_numpy())
            if len(bad):
                parse_composition(column[bad[0]])  # raises the specific error
        return frame[COMPOSITION_NUMERIC_FEATURES].to_numpy(dtype=np.float64)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Return the feature names (``tolerance_factor``, ``frac_Cs``, ...)."""
        check_is_fitted(self, "n_features_in_")
        return np.asarray(COMPOSITION_NUMERIC_FEATURES, dtype=object)
