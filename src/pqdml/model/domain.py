"""Applicability domain: is a candidate close enough to the training data to be trusted.

Two criteria, both must hold for ``in_domain``:

1. **Ligand similarity.** The maximum Tanimoto similarity of the ligand's Morgan
   fingerprint (radius 2, 2048 bits, :func:`pqdml.chem.ligand.morgan_fingerprint`) to the
   training ligands is at least ``similarity_threshold`` (default 0.3). 0.3 on ECFP4-like
   bits is about where structurally unrelated small molecules sit (random pairs of
   drug-like molecules score ~0.1–0.25); alkyl-chain ligands with a shared anchor group
   score well above it. The three most similar training ligands are reported.
2. **Descriptor distance.** Ligand and composition descriptors (the model's
   ``ligand__*``/``composition__*`` features except Morgan bits) are standardised with the
   training mean and standard deviation (missing → the mean); the mean Euclidean distance
   to the ``k = 5`` nearest training rows must not exceed the 95th percentile of the same
   quantity over the training rows themselves (each excluding itself).

``ad_reasons`` explains every failed criterion and also flags, without changing
``in_domain``, a binding type (L/X/Z) or an anchoring group never seen in training.
Rows without a ligand (e.g. controls) are judged on the descriptor distance only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from rdkit import DataStructs
from sklearn.neighbors import NearestNeighbors

from pqdml.chem.ligand import morgan_fingerprint

#: Default minimum max-Tanimoto similarity to the training ligands.
SIMILARITY_THRESHOLD = 0.3
N_BITS = 2048
K_NEIGHBOURS = 5
#: How many of the most similar training ligands are reported.
N_NEAREST = 3


def format_nearest(pairs: Sequence[tuple[str, float]]) -> str:
    """Text of the ``nearest_ligands`` column: ``"name (0.83); name (0.71); ..."``."""
    return "; ".join(f"{name} ({sim:.2f})" for name, sim in pairs)


def fingerprint_bits(smiles: str) -> np.ndarray | None:
    """Morgan fingerprint of ``smiles`` as a 0/1 uint8 vector, or None if it cannot be made."""
    try:
        fp = morgan_fingerprint(smiles, radius=2, n_bits=N_BITS)
    except ValueError:
        return None
    if isinstance(fp, np.ndarray):
        return (fp.astype(np.uint8) != 0).astype(np.uint8)
    arr = np.zeros(N_BITS, dtype=np.uint8)
    arr[list(fp.GetOnBits())] = 1
    return arr


def pack(bits: np.ndarray) -> str:
    """Hex string of packed fingerprint bits (for JSON)."""
    return np.packbits(bits.astype(np.uint8)).tobytes().hex()


def unpack(text: str) -> np.ndarray:
    """Inverse of :func:`pack`."""
    return np.unpackbits(np.frombuffer(bytes.fromhex(text), dtype=np.uint8))[:N_BITS]


def bit_vector(bits: np.ndarray) -> DataStructs.ExplicitBitVect:
    """RDKit bit vector with the on-bits of a 0/1 fingerprint vector."""
    fp = DataStructs.ExplicitBitVect(len(bits))
    fp.SetBitsFromList(np.flatnonzero(bits).tolist())
    return fp


def tanimoto_matrix(query: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Tanimoto similarity of every query fingerprint to every reference fingerprint.

    Computed in float32 (exact bit counts, then one division), returned as float64.
    """
    q = query.astype(np.float32)
    r = reference.astype(np.float32)
    inter = q @ r.T
    union = q.sum(1)[:, None] + r.sum(1)[None, :] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        sim = np.where(union > 0, inter / union, 0.0)
    return sim.astype(np.float64)


def descriptor_columns(feature_names: list[str]) -> list[int]:
    """Return the indices of the features used for the descriptor distance."""
    return [
        j
        for j, n in enumerate(feature_names)
        if (n.startswith("ligand__") or n.startswith("composition__"))
        and not n.startswith("ligand__morgan_")
        and n != "ligand__present"
    ]


def anchors_of(row: dict[str, Any]) -> set[str]:
    """Anchoring groups named in a ligand feature row (text lists or positive counts)."""
    found: set[str] = set()
    for key, value in row.items():
        k = str(key).lower()
        if "anchor" not in k or value is None:
            continue
        if isinstance(value, str):
            found |= {a.strip() for a in value.replace(",", ";").split(";") if a.strip()}
        elif isinstance(value, int | float | np.integer | np.floating) and np.isfinite(value):
            if value > 0 and not k.endswith(("n_anchors", "anchor_count", "n_anchor_groups")):
                found.add(k.split("__")[-1].removeprefix("anchor_"))
    return found


@dataclass
class ApplicabilityDomain:
    """Reference data of the training set and the two thresholds (see module docstring)."""

    smiles: list[str]
    names: list[str]
    fingerprints: np.ndarray
    binding_types: list[str]
    anchors: list[str]
    columns: list[int]
    mean: np.ndarray
    scale: np.ndarray
    reference: np.ndarray
    distance_threshold: float
    similarity_threshold: float = SIMILARITY_THRESHOLD
    k: int = K_NEIGHBOURS
    _nn: Any = field(default=None, repr=False)
    _bitvects: Any = field(default=None, repr=False)

    @classmethod
    def fit(
        cls,
        X: np.ndarray,
        feature_names: list[str],
        ligands: pd.DataFrame,
        *,
        similarity_threshold: float = SIMILARITY_THRESHOLD,
    ) -> ApplicabilityDomain:
        """Build the domain from training features and the training ligands.

        ``ligands`` has columns ``canonical_smiles``, ``name``, ``binding_type``, ``anchors``
        (a set per row); one row per training row is fine, it is de-duplicated.
        """
        uniq = ligands[ligands["canonical_smiles"].astype(str) != ""].drop_duplicates(
            "canonical_smiles"
        )
        smiles, names, fps = [], [], []
        for smi, name in zip(uniq["canonical_smiles"], uniq["name"], strict=True):
            bits = fingerprint_bits(str(smi))
            if bits is None:
                continue
            smiles.append(str(smi))
            names.append(str(name) if isinstance(name, str) and name else str(smi))
            fps.append(bits)
        binding = sorted({str(b) for b in ligands["binding_type"] if isinstance(b, str) and b})
        anchors = sorted(set().union(*ligands["anchors"])) if len(ligands) else []
        cols = descriptor_columns(feature_names)
        D = X[:, cols]
        mean = np.nanmean(D, axis=0) if len(D) else np.zeros(len(cols))
        mean = np.where(np.isfinite(mean), mean, 0.0)
        scale = np.nanstd(D, axis=0) if len(D) else np.ones(len(cols))
        scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
        ref = np.unique(np.round(_standardise(D, mean, scale), 6), axis=0)
        dom = cls(
            smiles=smiles,
            names=names,
            fingerprints=np.array(fps, dtype=np.uint8).reshape(len(fps), N_BITS),
            binding_types=binding,
            anchors=anchors,
            columns=cols,
            mean=mean,
            scale=scale,
            reference=ref,
            distance_threshold=np.inf,
            similarity_threshold=similarity_threshold,
        )
        dom.distance_threshold = dom._training_threshold()
        return dom

    def _neighbours(self) -> Any:
        if self._nn is None and len(self.reference):
            k = min(self.k + 1, len(self.reference))
            self._nn = NearestNeighbors(n_neighbors=k).fit(self.reference)
        return self._nn

    def _training_threshold(self) -> float:
        if len(self.reference) < 3:
            return float("inf")
        dist, _ = self._neighbours().kneighbors(self.reference)
        return float(np.percentile(dist[:, 1:].mean(axis=1), 95))

    def similarity(self, query: list[DataStructs.ExplicitBitVect]) -> np.ndarray:
        """Tanimoto similarity of each query fingerprint to each training ligand.

        Equals :func:`tanimoto_matrix` of the query bits and :attr:`fingerprints`: RDKit
        divides the exact bit counts in double precision and the result is rounded to
        float32, which gives the float32 quotient (double rounding is harmless for a
        quotient when the wide format has more than twice the precision plus two bits).
        """
        if self._bitvects is None:
            self._bitvects = [bit_vector(bits) for bits in self.fingerprints]
        refs = self._bitvects
        sim = np.array(
            [DataStructs.BulkTanimotoSimilarity(fp, refs) for fp in query], dtype=np.float64
        ).reshape(len(query), len(refs))
        return sim.astype(np.float32).astype(np.float64)

    def nearest(
        self, query: list[DataStructs.ExplicitBitVect], k: int = N_NEAREST
    ) -> list[list[tuple[str, float]]]:
        """Return the ``k`` most similar training ligands of each query fingerprint, best first.

        Each entry is ``(name, Tanimoto similarity)``; the first similarity is the
        maximum over the training ligands.
        """
        if not query or not len(self.smiles):
            return [[] for _ in query]
        sim = self.similarity(query)
        top = np.argsort(-sim, axis=1, kind="stable")[:, :k]
        return [[(self.names[j], float(sim[i, j])) for j in top[i]] for i in range(len(query))]

    def nearest_to(self, smiles: Sequence[str]) -> list[list[tuple[str, float]]]:
        """:meth:`nearest` for SMILES (empty for a blank SMILES or one without fingerprint)."""
        fps = {
            i: bit_vector(bits)
            for i, s in enumerate(smiles)
            if s and (bits := fingerprint_bits(s)) is not None
        }
        out: list[list[tuple[str, float]]] = [[] for _ in smiles]
        for i, pairs in zip(fps, self.nearest(list(fps.values())), strict=True):
            out[i] = pairs
        return out

    def distance(self, X: np.ndarray) -> np.ndarray:
        """Mean distance to the ``k`` nearest training rows in standardised descriptor space."""
        if not len(self.reference) or not self.columns or not len(X):
            return np.zeros(len(X))
        Z = np.ascontiguousarray(
            np.round(_standardise(X[:, self.columns], self.mean, self.scale), 6)
        )
        rows = Z.view(np.dtype((np.void, Z.dtype.itemsize * Z.shape[1]))).ravel()
        codes, _ = pd.factorize(rows)
        first = np.unique(codes, return_index=True)[1]
        k = min(self.k, len(self.reference))
        dist, _ = self._neighbours().kneighbors(Z[first], n_neighbors=k)
        return dist.mean(axis=1)[codes]

    def assess(self, X: np.ndarray, ligands: pd.DataFrame) -> pd.DataFrame:
        """AD verdict per row: ``in_domain``, ``max_similarity``, ``nearest_ligands``, ``ad_reasons``.

        ``ligands`` is aligned with ``X`` and has ``canonical_smiles``, ``binding_type``,
        ``anchors`` (set) and ``ok`` (bool, ligand featurized) columns, and optionally
        ``fingerprint``: the ligand's fingerprint (an RDKit bit vector, as
        :func:`fingerprint_bits` of the canonical SMILES) where already known, else None.
        """
        n = len(X)
        dist = self.distance(X)
        smiles = ligands["canonical_smiles"].fillna("").astype(str).to_numpy()
        uniq = [s for s in pd.unique(smiles) if s]
        max_sim = np.full(n, np.nan)
        nearest = np.full(n, "", dtype=object)
        if uniq and len(self.smiles):
            known: dict[str, Any] = {}
            if "fingerprint" in ligands:
                for smi, fp in zip(smiles.tolist(), ligands["fingerprint"].tolist(), strict=True):
                    if fp is not None and smi:
                        known.setdefault(smi, fp)
            fps, keep = [], []
            for s in uniq:
                fp = known.get(s)
                if fp is None:
                    bits = fingerprint_bits(s)
                    if bits is None:
                        continue
                    fp = bit_vector(bits)
                fps.append(fp)
                keep.append(s)
            if keep:
                pairs = self.nearest(fps)
                best = {s: p[0][1] for s, p in zip(keep, pairs, strict=True)}
                text = {s: format_nearest(p) for s, p in zip(keep, pairs, strict=True)}
                pos = pd.Series(smiles)
                max_sim = pos.map(best).to_numpy(dtype=float)
                nearest = pos.map(text).fillna("").to_numpy(dtype=object)
        ok = ligands["ok"].to_numpy(dtype=bool)
        has = smiles != ""
        thr = self.similarity_threshold
        sim_ok = np.isfinite(max_sim)
        with np.errstate(invalid="ignore"):
            low_sim = has & ok & sim_ok & (max_sim < thr)
        sim_text = pd.Series(max_sim).map(lambda v: f"max Tanimoto similarity {v:.2f} < {thr:.2f}")
        r_lig = np.where(
            ~ok,
            "ligand could not be featurized",
            np.where(
                has & ~sim_ok, "no fingerprint", np.where(low_sim, sim_text.to_numpy(object), "")
            ),
        )
        far = dist > self.distance_threshold
        r_dist = np.full(n, "", dtype=object)
        r_dist[far] = [
            f"descriptor distance {d:.2f} > training 95th percentile {self.distance_threshold:.2f}"
            for d in dist[far]
        ]
        in_domain = (r_lig == "") & ~far
        novelty = self._novelty(ligands)
        reasons = [
            "; ".join(p for p in parts if p) for parts in zip(r_lig, r_dist, novelty, strict=True)
        ]
        return pd.DataFrame(
            {
                "in_domain": in_domain,
                "max_similarity": max_sim,
                "nearest_ligands": nearest,
                "ad_reasons": reasons,
                "ad_distance": dist,
            },
            index=ligands.index,
        )

    def _novelty(self, ligands: pd.DataFrame) -> np.ndarray:
        """Flag text per row for a binding type or anchoring group never seen in training."""
        seen_bt, seen_anch = set(self.binding_types), set(self.anchors)
        key = ligands["canonical_smiles"].fillna("").astype(str)
        first = ~key.duplicated()
        text: dict[str, str] = {}
        for smi, bt, anch in zip(
            key[first], ligands["binding_type"][first], ligands["anchors"][first], strict=True
        ):
            why = []
            if isinstance(bt, str) and bt and seen_bt and bt not in seen_bt:
                why.append(f"binding type {bt} never occurs in training")
            new = sorted(set(anch) - seen_anch) if seen_anch else []
            if new:
                why.append(f"anchoring group(s) {', '.join(new)} never occur in training")
            text[smi] = "; ".join(why)
        return key.map(text).fillna("").to_numpy(dtype=object)

    def to_json(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """``(metadata stats, training_ligands.json payload)``."""
        stats = {
            "similarity_threshold": self.similarity_threshold,
            "distance_threshold": self.distance_threshold
            if np.isfinite(self.distance_threshold)
            else None,
            "k": self.k,
            "fingerprint": {"kind": "morgan", "radius": 2, "n_bits": N_BITS},
            "descriptor_columns": self.columns,
            "descriptor_mean": self.mean.tolist(),
            "descriptor_scale": self.scale.tolist(),
            "binding_types": self.binding_types,
            "anchors": self.anchors,
        }
        ligands = {
            "ligands": [
                {"canonical_smiles": s, "name": n, "fingerprint_hex": pack(f)}
                for s, n, f in zip(self.smiles, self.names, self.fingerprints, strict=True)
            ],
            "descriptor_reference": self.reference.tolist(),
        }
        return stats, ligands

    @classmethod
    def from_json(cls, stats: dict[str, Any], ligands: dict[str, Any]) -> ApplicabilityDomain:
        """Rebuild from :meth:`to_json` output."""
        lig = ligands["ligands"]
        thr = stats["distance_threshold"]
        ncols = len(stats["descriptor_columns"])
        return cls(
            smiles=[d["canonical_smiles"] for d in lig],
            names=[d["name"] for d in lig],
            fingerprints=np.array(
                [unpack(d["fingerprint_hex"]) for d in lig], dtype=np.uint8
            ).reshape(len(lig), N_BITS),
            binding_types=list(stats["binding_types"]),
            anchors=list(stats["anchors"]),
            columns=[int(c) for c in stats["descriptor_columns"]],
            mean=np.asarray(stats["descriptor_mean"], dtype=float),
            scale=np.asarray(stats["descriptor_scale"], dtype=float),
            reference=np.asarray(ligands["descriptor_reference"], dtype=float).reshape(-1, ncols),
            distance_threshold=float("inf") if thr is None else float(thr),
            similarity_threshold=float(stats["similarity_threshold"]),
            k=int(stats["k"]),
        )


def _standardise(D: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    Z = (D - mean) / scale
    return np.where(np.isfinite(Z), Z, 0.0)
