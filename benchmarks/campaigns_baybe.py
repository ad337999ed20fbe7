"""BayBE replay of one measured pool, run in BayBE's own environment (torch, botorch).

Called by ``benchmarks/campaigns.py --baybe N``::

    /work/venv-bo/bin/python benchmarks/campaigns_baybe.py pool.npz orders.json --seeds 10

``pool.npz`` holds ``Z`` (standardised features, one row per pool row) and ``y`` (the
measured target). Each column of ``Z`` becomes a ``NumericalDiscreteParameter`` and the
pool a discrete search space (``SearchSpace.from_dataframe``); BayBE's default recommender
(random initial design is skipped: the same ``k`` initial rows as every other strategy are
added as measurements) proposes batches of ``n``. Writes the measurement order per seed.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import pandas as pd
from baybe import Campaign
from baybe.objectives import SingleTargetObjective
from baybe.parameters import NumericalDiscreteParameter
from baybe.searchspace import SearchSpace
from baybe.targets import NumericalTarget


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("pool")
    ap.add_argument("out")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--n", type=int, default=4)
    ap.add_argument("--budget", type=int, default=45)
    args = ap.parse_args()
    data = np.load(args.pool)
    Z, y = data["Z"].round(6), data["y"]
    cols = [f"f{j}" for j in range(Z.shape[1])]
    df = pd.DataFrame(Z, columns=cols)
    params = [NumericalDiscreteParameter(c, values=tuple(sorted(set(df[c])))) for c in cols]
    space = SearchSpace.from_dataframe(df.drop_duplicates(), parameters=params)
    key = [tuple(r) for r in Z]
    orders = []
    for seed in range(args.seeds):
        rng = np.random.default_rng(seed)
        order = [int(i) for i in rng.permutation(len(y))[: args.k]]
        campaign = Campaign(
            space,
            SingleTargetObjective(NumericalTarget("y")),
            allow_recommending_already_measured=False,
        )
        while len(order) < min(args.budget, len(y)):
            measured = df.iloc[order].copy()
            measured["y"] = y[order]
            # identical feature rows share one search-space entry
            campaign.add_measurements(measured.iloc[-(args.n if len(order) > args.k else args.k) :])
            want = min(args.n, args.budget - len(order))
            rec = campaign.recommend(batch_size=want)
            before = len(order)
            for r in rec[cols].to_numpy():  # back to a pool row not measured yet
                same = [i for i, kk in enumerate(key) if kk == tuple(r) and i not in order]
                if same:
                    order.append(same[0])
            if len(order) == before:  # only duplicates proposed: one random new row
                order.append(int(rng.choice(np.setdiff1d(np.arange(len(y)), order))))
        orders.append(order[: args.budget])
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(orders, fh)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
