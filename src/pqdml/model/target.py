"""Bounded targets: a logit transform keeps predictions and intervals in the physical range.

PLQY and FF live in 0–100 %, PCE in 0–35 %. The model is fitted on

    z = logit(p),  p = clip((y - low) / (high - low), eps, 1 - eps)

and every prediction and interval end is mapped back with
``y = low + (high - low) * sigmoid(z)``, so it can never leave ``[low, high]``. ``eps``
(0.005, i.e. 0.5 % of the range) keeps exact 0 or 100 % finite. Conformal intervals are
symmetric in ``z`` and therefore asymmetric — and narrower near a bound — in ``y``.
Other targets (Voc, Jsc, emission peak, gains over control) use the identity.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from pqdml.data.targets import TARGET_SPECS

#: Physical bounds of the bounded targets (column → (low, high)), from the target table.
BOUNDS: dict[str, tuple[float, float]] = {
    t.column: t.bounds for t in TARGET_SPECS.values() if t.bounds is not None
}
EPS = 0.005


@dataclass(frozen=True)
class TargetTransform:
    """Map a target to the model's fitting space and back.

    Parameters
    ----------
    kind
        ``"logit"`` (bounded) or ``"identity"``.
    low, high
        Bounds of a ``"logit"`` target.
    eps
        Clip margin, as a fraction of the range.

    Examples
    --------
    >>> t = TargetTransform.for_column("plqy_percent")
    >>> float(t.inverse(t.forward(np.array([50.0])))[0])
    50.0
    >>> bool(t.inverse(np.array([1e9]))[0] <= 100.0)
    True
    """

    kind: str = "identity"
    low: float = 0.0
    high: float = 1.0
    eps: float = EPS

    @classmethod
    def for_column(cls, column: str, *, relative: bool = False) -> TargetTransform:
        """Transform for a target column (identity for gains over control)."""
        if not relative and column in BOUNDS:
            low, high = BOUNDS[column]
            return cls(kind="logit", low=low, high=high)
        return cls()

    def forward(self, y: np.ndarray) -> np.ndarray:
        """Target values → fitting space."""
        y = np.asarray(y, dtype=float)
        if self.kind == "identity":
            return y
        p = np.clip((y - self.low) / (self.high - self.low), self.eps, 1.0 - self.eps)
        return np.log(p) - np.log1p(-p)

    def inverse(self, z: np.ndarray) -> np.ndarray:
        """Fitting space → target values (always inside the bounds for ``"logit"``)."""
        z = np.asarray(z, dtype=float)
        if self.kind == "identity":
            return z
        p = 0.5 * (1.0 + np.tanh(0.5 * z))
        return self.low + (self.high - self.low) * p

    def clip(self, y: np.ndarray) -> np.ndarray:
        """Clip target-space values to the bounds (baselines fitted in target space)."""
        y = np.asarray(y, dtype=float)
        return y if self.kind == "identity" else np.clip(y, self.low, self.high)

    def to_dict(self) -> dict[str, object]:
        """JSON-able description (stored in ``metadata.json``)."""
        return asdict(self)
