"""scikit-learn transformer: one column of ligand names/SMILES → numeric ligand features."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from pqdml.chem.ligand import featurize_ligands, ligand_feature_names


class LigandTransformer(TransformerMixin, BaseEstimator):
    """Featurize one column of ligand text (names or SMILES) into numeric features.

    Failed rows (unknown name, bad SMILES, unsupported element) become rows of NaN,
    never zeros; use :func:`pqdml.chem.ligand.featurize_ligands` to see why.

    Parameters
    ----------
    descriptors
        ``"default"`` or ``"full"`` (all RDKit descriptors).
    morgan_bits
        Morgan fingerprint bits to append (0 for none).

    Attributes
    ----------
    n_features_in_ : int
        Always 1.
    feature_names_out_ : numpy.ndarray
        Output feature names (``chain_length``, ``anchor_...``, ...).

    Examples
    --------
    >>> t = LigandTransformer().fit([["OA"], ["OAm"]])
    >>> t.transform([["octylamine"]]).shape[1] == len(t.get_feature_names_out())
    True
    """

    def __init__(self, *, descriptors: str = "default", morgan_bits: int = 0) -> None:
        self.descriptors = descriptors
        self.morgan_bits = morgan_bits

    def _column(self, X: Any, *, reset: bool) -> pd.Series:
        if isinstance(X, pd.Series):
            X = X.to_frame()
        elif not isinstance(X, pd.DataFrame):
            arr = np.asarray(X, dtype=object)
            if arr.ndim == 1:
                X = arr.reshape(-1, 1)
        X = validate_data(
            self, X, reset=reset, dtype=None, ensure_all_finite=False, ensure_min_samples=1
        )
        if X.shape[1] != 1:
            raise ValueError(
                f"LigandTransformer takes exactly one column of ligand names/SMILES, got {X.shape[1]}"
            )
        return pd.Series(X[:, 0])

    def fit(self, X: Any, y: Any = None) -> LigandTransformer:
        """Check the input column and the options; learn nothing else.

        Parameters
        ----------
        X
            One column of ligand names or SMILES (array-like of shape (n, 1) or (n,)).
        y
            Ignored.

        Returns
        -------
        LigandTransformer
            ``self``.
        """
        self._column(X, reset=True)
        self.feature_names_out_ = np.asarray(
            ligand_feature_names(descriptors=self.descriptors, morgan_bits=self.morgan_bits),
            dtype=object,
        )
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Return the float64 feature matrix (NaN rows for ligands that failed).

        Parameters
        ----------
        X
            One column of ligand names or SMILES.

        Returns
        -------
        numpy.ndarray
            Shape (n, len(feature_names_out_)).
        """
        check_is_fitted(self)
        col = self._column(X, reset=False)
        frame = featurize_ligands(col, descriptors=self.descriptors, morgan_bits=self.morgan_bits)
        return frame[list(self.feature_names_out_)].to_numpy(dtype=np.float64)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns.

        Parameters
        ----------
        input_features
            Ignored (the output names do not depend on the input column's name).

        Returns
        -------
        numpy.ndarray
            Object array of feature names.
        """
        check_is_fitted(self)
        return self.feature_names_out_.copy()

    def __sklearn_tags__(self) -> Any:
        """Declare string input with missing values allowed."""
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = []
        return tags
