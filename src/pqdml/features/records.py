"""Canonical records → a numeric feature matrix with real, source-prefixed names.

The featurization has two layers:

1. :func:`featurize_records` is *stateless*: it featurizes every unique ligand text
   (``ligand_smiles``, falling back to ``ligand_name`` when the SMILES is empty) and every
   unique composition once with :mod:`pqdml.chem.ligand` / :mod:`pqdml.chem.composition`
   and returns a wide frame aligned with the records. Training computes it once and reuses
   it across cross-validation folds.
2. :class:`RecordFeaturizer` is the scikit-learn transformer at the pipeline boundary. ``fit``
   learns only *which* columns exist (every numeric ``proc_*`` column present at fit time,
   the one-hot categories of ``stage``, ``morphology`` and ``antisolvent_name``); ``transform``
   builds the matrix column by column from those names. Its whole fitted state is therefore
   the list of feature names, which is what a saved model stores (no pickle).

Feature names: ``ligand__<feature>``, ``ligand__morgan_<i>``, ``ligand__present``,
``composition__<feature>``, ``process__<proc column>``, ``stage__<value>``,
``morphology__<value>``, ``antisolvent__<name>``. Unknown categories at transform time give
all-zero one-hot columns (``handle_unknown="ignore"``). A row whose ligand or composition
cannot be featurized keeps NaN features (XGBoost routes missing values) and its status —
never zeros.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from pqdml.chem import ligand
from pqdml.chem.composition import featurize_compositions
from pqdml.data.records import clean_text, ligand_text
from pqdml.data.targets import LABEL_COLUMNS
from pqdml.exceptions import LeakageError

#: Every measured-outcome column of the canonical schema: never an input feature.
TARGET_COLUMNS = LABEL_COLUMNS
#: Categorical record columns one-hot encoded, with the prefix of their feature names.
CATEGORICAL_COLUMNS = {
    "stage": "stage",
    "morphology": "morphology",
    "antisolvent_name": "antisolvent",
}
#: Non-numeric ligand outputs kept for predictions and the applicability domain.
LIGAND_TEXT_COLUMNS = ("binding_type",)

#: Entries kept per :class:`FeatureCache` memo before it is cleared.
MAX_CACHE = 100_000

_ALL_PREFIXES = ("ligand", "composition", "process", *CATEGORICAL_COLUMNS.values())


def category_value(value: object) -> str:
    """Normalise a categorical cell for one-hot encoding (lower case, stripped; NaN → "")."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = str(value).strip().lower()
    return "" if text in ("nan", "none", "<na>") else text


class FeatureCache:
    """Memo of featurized ligand texts and compositions (one cache per featurizer configuration).

    Parameters
    ----------
    descriptors
        Ligand descriptor set passed to :func:`pqdml.chem.ligand.featurize_ligands`.
    morgan_bits
        Number of Morgan fingerprint bits to add as ``ligand__morgan_<i>`` features (0: none).
    fingerprint_bits
        When > 0, also keep each ligand's Morgan fingerprint of this size for the
        applicability domain (see :meth:`ligand_fingerprints`), made from the molecule
        parsed for the features.
    """

    def __init__(
        self, *, descriptors: str = "default", morgan_bits: int = 0, fingerprint_bits: int = 0
    ) -> None:
        self.descriptors = descriptors
        self.morgan_bits = morgan_bits
        self.fingerprint_bits = fingerprint_bits
        self._ligands: dict[str, tuple[Any, ...]] = {}
        self._compositions: dict[str, tuple[Any, ...]] = {}
        self._fingerprints: dict[str, Any] = {}
        self._columns: dict[str, list[str]] = {}

    def _lookup(
        self, texts: pd.Series, memo: dict[str, tuple[Any, ...]], func: Any, prefix: str
    ) -> pd.DataFrame:
        uniques = pd.unique(texts)
        missing = [t for t in uniques if t != "" and t not in memo]
        if missing:
            if len(memo) + len(missing) > MAX_CACHE:
                memo.clear()  # bound memory when streaming millions of distinct candidates
                if memo is self._ligands:
                    self._fingerprints.clear()
            new = func(missing)
            columns = self._columns[prefix] = list(new.columns)
            rows = zip(*(new[c].tolist() for c in columns), strict=True)
            memo.update(zip(missing, rows, strict=True))
        present = [t for t in uniques if t != ""]
        columns = (
            self._columns[prefix]
            if memo and prefix in self._columns
            else [f"{prefix}_status", f"{prefix}_error"]
        )
        table = pd.DataFrame.from_records(
            [memo[t] for t in present], columns=columns, index=pd.Index(present, dtype=object)
        )
        frame = table.reindex(texts.to_numpy())
        frame.index = texts.index
        empty = (texts == "").to_numpy()
        for col, value in (
            (f"{prefix}_status", "empty"),
            (f"{prefix}_error", f"no {prefix} given"),
        ):
            frame[col] = frame[col].astype(object)
            frame.loc[empty, col] = value
        return frame

    def trim(self, max_entries: int) -> None:
        """Drop every memo (this cache's and :mod:`pqdml.chem.ligand`'s) above ``max_entries``.

        For callers that stream many distinct candidates and want memory bounded tighter
        than :data:`MAX_CACHE`.
        """
        for memo in (self._ligands, self._compositions, self._fingerprints):
            if len(memo) > max_entries:
                memo.clear()
        ligand.clear_cache(above=max_entries)

    def _featurize_ligands(self, texts: list[str]) -> pd.DataFrame:
        frame, fingerprints = ligand._featurize_table(
            texts,
            descriptors=self.descriptors,
            morgan_bits=self.morgan_bits,
            fingerprint_bits=self.fingerprint_bits,
        )
        if fingerprints:
            self._fingerprints.update(zip(texts, fingerprints, strict=True))
        return frame

    def ligands(self, texts: pd.Series) -> pd.DataFrame:
        """Ligand feature frame (``ligand_status``, ``ligand_error``, features) for ``texts``."""
        return self._lookup(texts, self._ligands, self._featurize_ligands, "ligand")

    def ligand_fingerprints(self, texts: pd.Series) -> list[Any]:
        """Fingerprint per ligand text featurized through this cache, else None.

        None also for failed ligands and for texts whose canonical SMILES is a dictionary
        name (:func:`pqdml.model.domain.fingerprint_bits` of the SMILES gives the value).
        """
        get = self._fingerprints.get
        return [get(t) for t in texts.tolist()]

    def compositions(self, texts: pd.Series) -> pd.DataFrame:
        """Composition feature frame (``composition_status``, ``composition_error``, features)."""
        return self._lookup(texts, self._compositions, featurize_compositions, "composition")


def featurize_records(
    records: pd.DataFrame,
    *,
    descriptors: str = "default",
    morgan_bits: int = 0,
    cache: FeatureCache | None = None,
) -> pd.DataFrame:
    """Stateless ligand + composition featurization of canonical records.

    Parameters
    ----------
    records
        Canonical records (``ligand_smiles``/``ligand_name``, ``composition``, ...).
    descriptors, morgan_bits
        Ligand featurizer configuration.
    cache
        Optional :class:`FeatureCache` reused across calls (e.g. CV folds, screening chunks).

    Returns
    -------
    pandas.DataFrame
        Same index as ``records``; columns ``ligand_text``, ``ligand_status``,
        ``ligand_error``, ``ligand_canonical_smiles``, ``ligand__<feature>`` ...,
        ``composition_status``, ``composition_error``, ``composition__<feature>`` ...
    """
    cache = cache or FeatureCache(descriptors=descriptors, morgan_bits=morgan_bits)
    text = ligand_text(records)
    lig = cache.ligands(text)
    comp_text = (
        clean_text(records["composition"])
        if "composition" in records
        else pd.Series([""] * len(records), index=records.index, dtype=object)
    )
    comp = cache.compositions(comp_text)
    names = (
        clean_text(records["ligand_name"])
        if "ligand_name" in records
        else pd.Series([""] * len(records), index=records.index, dtype=object)
    )
    out: dict[str, Any] = {"ligand_text": text, "ligand_label": names.where(names != "", text)}
    for frame, prefix in ((lig, "ligand"), (comp, "composition")):
        for col in frame.columns:
            if col in (f"{prefix}_status", f"{prefix}_error", "ligand_canonical_smiles"):
                out[col] = frame[col]
            elif col in LIGAND_TEXT_COLUMNS or not _is_numeric(frame[col]):
                out[f"{prefix}_text__{col}"] = frame[col]
            else:
                name = col[len(prefix) + 1 :] if col.startswith(f"{prefix}_") else col
                out[f"{prefix}__{name}"] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    result = pd.DataFrame(out, index=records.index)
    result["ligand__present"] = (text != "").astype(float).to_numpy()
    return result


def _is_numeric(values: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        return True
    coerced = pd.to_numeric(values.dropna(), errors="coerce")
    return bool(len(coerced)) and bool(coerced.notna().all())


def process_columns(records: pd.DataFrame, *, exclude: Iterable[str] = ()) -> list[str]:
    """Numeric ``proc_*`` columns of ``records`` with at least one value, in column order."""
    skip = set(exclude)
    cols = []
    for col in records.columns:
        if not str(col).startswith("proc_") or col in skip:
            continue
        values = pd.to_numeric(records[col], errors="coerce")
        if values.notna().any() and values.notna().sum() >= records[col].notna().sum() * 0.9:
            cols.append(str(col))
    return cols


def check_leakage(columns: Sequence[str], target_column: str | None) -> None:
    """Raise :class:`LeakageError` when a requested input column is a target column.

    A PCE model must never take Voc, Jsc or FF (or any other measured outcome) as input.
    """
    bad = [c for c in columns if c in TARGET_COLUMNS or c == target_column]
    if bad:
        raise LeakageError(
            f"feature column(s) {', '.join(map(repr, bad))} are measured outcomes "
            f"(target {target_column!r}); a model may not take them as input"
        )


class RecordFeaturizer(TransformerMixin, BaseEstimator):
    """Canonical records → numeric matrix with source-prefixed feature names.

    Parameters
    ----------
    target_column
        The column being modelled; excluded from inputs (leakage guard).
    descriptors, morgan_bits
        Ligand featurizer configuration.
    extra_features
        Additional numeric record columns to use as ``process__<col>`` features. Target
        columns raise :class:`~pqdml.exceptions.LeakageError`.

    Examples
    --------
    >>> import pandas as pd
    >>> recs = pd.DataFrame({"stage": ["synthesis", "control"], "proc_t_c": [150, 170]})
    >>> frame = pd.DataFrame(index=recs.index)  # no ligand/composition features
    >>> f = RecordFeaturizer().fit(recs, feature_frame=frame)
    >>> list(f.get_feature_names_out())
    ['process__proc_t_c', 'stage__control', 'stage__synthesis']
    """

    def __init__(
        self,
        *,
        target_column: str | None = None,
        descriptors: str = "default",
        morgan_bits: int = 0,
        extra_features: Sequence[str] | None = None,
    ) -> None:
        self.target_column = target_column
        self.descriptors = descriptors
        self.morgan_bits = morgan_bits
        self.extra_features = extra_features

    @staticmethod
    def _records(records: object) -> pd.DataFrame:
        if isinstance(records, pd.DataFrame):
            return records
        if hasattr(records, "toarray"):
            raise TypeError("sparse input is not supported: pass a DataFrame of canonical records")
        if not hasattr(records, "__len__") and not hasattr(records, "__array__"):
            raise TypeError("RecordFeaturizer takes a DataFrame of canonical records")
        return pd.DataFrame(np.asarray(records, dtype=object))

    def _frame(self, records: pd.DataFrame, feature_frame: pd.DataFrame | None) -> pd.DataFrame:
        if feature_frame is not None:
            return feature_frame
        if not hasattr(self, "cache_"):
            self.cache_ = FeatureCache(descriptors=self.descriptors, morgan_bits=self.morgan_bits)
        return featurize_records(records, cache=self.cache_)

    def fit(
        self, records: pd.DataFrame, y: object = None, *, feature_frame: pd.DataFrame | None = None
    ) -> RecordFeaturizer:
        """Learn the feature names from ``records`` (and a precomputed ``feature_frame``)."""
        extra = list(self.extra_features or [])
        check_leakage(extra, self.target_column)
        records = self._records(records)
        frame = self._frame(records, feature_frame)
        names: list[str] = []
        for prefix in ("ligand", "composition"):
            names += [
                c for c in frame.columns if c.startswith(f"{prefix}__") and frame[c].notna().any()
            ]
        if "ligand__present" in frame and "ligand__present" not in names:
            names.append("ligand__present")
        procs = process_columns(records, exclude=TARGET_COLUMNS) + [
            c for c in extra if c in records
        ]
        names += [f"process__{c}" for c in dict.fromkeys(procs)]
        for col, prefix in CATEGORICAL_COLUMNS.items():
            if col not in records:
                continue
            values = sorted({category_value(v) for v in records[col]} - {""})
            names += [f"{prefix}__{v}" for v in values]
        self.feature_names_in_ = np.asarray(list(records.columns), dtype=object)
        self.n_features_in_ = len(self.feature_names_in_)
        self.feature_names_out_ = names
        return self

    def transform(
        self, records: pd.DataFrame, *, feature_frame: pd.DataFrame | None = None
    ) -> np.ndarray:
        """Build the float64 matrix ``[n_rows, n_features]`` in ``feature_names_out_`` order."""
        check_is_fitted(self, "feature_names_out_")
        records = self._records(records)
        frame = self._frame(records, feature_frame)
        return build_matrix(records, frame, self.feature_names_out_)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """Feature names after fitting, e.g. ``ligand__chain_length``, ``stage__synthesis``."""
        return np.asarray(self.feature_names_out_, dtype=object)


def build_matrix(records: pd.DataFrame, frame: pd.DataFrame, names: Sequence[str]) -> np.ndarray:
    """Assemble the feature matrix for ``names`` from records and their feature frame.

    This is the single place that maps a feature name to its values, so a saved model
    only needs its list of feature names to featurize new records.
    """
    n = len(records)
    X = np.full((n, len(names)), np.nan, dtype=np.float64)
    cat_cache: dict[str, np.ndarray] = {}
    for j, name in enumerate(names):
        prefix, _, rest = name.partition("__")
        if prefix in ("ligand", "composition"):
            if name in frame:
                X[:, j] = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
        elif prefix == "process":
            if rest in records:
                X[:, j] = pd.to_numeric(records[rest], errors="coerce").to_numpy(dtype=float)
        elif prefix in _ALL_PREFIXES:
            col = next(c for c, p in CATEGORICAL_COLUMNS.items() if p == prefix)
            if col not in cat_cache:
                cat_cache[col] = (
                    np.array([category_value(v) for v in records[col]], dtype=object)
                    if col in records
                    else np.full(n, "", dtype=object)
                )
            X[:, j] = (cat_cache[col] == rest).astype(float)
        else:
            raise ValueError(f"feature name {name!r} has no known source prefix")
    return X
