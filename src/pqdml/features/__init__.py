"""Records → features: the scikit-learn boundary between chemistry and models.

- :mod:`pqdml.features.records` — :func:`featurize_records` (stateless, memoized),
  :class:`RecordFeaturizer` (the fitted feature-name list) and :func:`build_matrix`.
- :mod:`pqdml.features.table` — :func:`featurize_table` / :func:`featurize_file`, behind
  ``pqdml featurize``: every input column kept, ligand and composition features added.
"""

from pqdml.features.records import (
    CATEGORICAL_COLUMNS,
    LIGAND_TEXT_COLUMNS,
    MAX_CACHE,
    TARGET_COLUMNS,
    FeatureCache,
    RecordFeaturizer,
    build_matrix,
    category_value,
    check_leakage,
    featurize_records,
    process_columns,
)
from pqdml.features.table import FeaturizeSummary, featurize_file, featurize_table

__all__ = [
    "CATEGORICAL_COLUMNS",
    "LIGAND_TEXT_COLUMNS",
    "MAX_CACHE",
    "TARGET_COLUMNS",
    "FeatureCache",
    "FeaturizeSummary",
    "RecordFeaturizer",
    "build_matrix",
    "category_value",
    "check_leakage",
    "featurize_file",
    "featurize_records",
    "featurize_table",
    "process_columns",
]
