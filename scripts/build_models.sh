#!/usr/bin/env bash
# Rebuild the shipped default models models/plqy/ and models/pce/ (see models/README.md).
#
#   scripts/build_models.sh            # from the repository root; datasets from $PQDML_DATASETS
#                                      # or ../shared/datasets (downloaded with checksums otherwise)
#
#   OUT=/tmp/models scripts/build_models.sh   # build elsewhere (e.g. to look at the numbers first)
#
# PLQY: curated data/pqd_literature.csv + synthesizer (CsPbBr3 antisolvent syntheses).
# PCE:  curated data/pqd_literature.csv + buried-interface + perovskite-database
#       + passivator-screening.
# Each training set is the concatenation of the canonical records of its sources (with a
# `dataset` column, so every metric is also broken down per source), written to a temporary
# CSV, then `pqdml train --select` on it: the XGBoost presets and the pickle-free baselines
# (ridge, mean) are scored by paper-grouped CV (`group:doi`: DOI, else the row's citation —
# the synthesizer set is one paper —, else its source URL / source) repeated REPEATS times,
# the winner predicts (XGBoost stays beside it for explanations), and the nested selection's
# outer score and inner picks are in metrics.json.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python}"
SEED="${SEED:-0}"
REPEATS="${REPEATS:-3}"
OUT="${OUT:-models}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

"$PY" - "$TMP" <<'PYEOF'
import sys
from pathlib import Path

import pandas as pd

from pqdml.data.datasets import load
from pqdml.data.formats import read_records
from pqdml.io import write_table

out = Path(sys.argv[1])
curated, _ = read_records("data/pqd_literature.csv")
curated["dataset"] = "curated"
parts = {"curated": curated}
for name in ("synthesizer", "buried-interface", "perovskite-database", "passivator-screening"):
    df = load(name)
    df["dataset"] = name
    parts[name] = df


for target, names in {"plqy": ["curated", "synthesizer"], "pce": ["curated", "buried-interface", "perovskite-database", "passivator-screening"]}.items():
    data = pd.concat([parts[n] for n in names], ignore_index=True)
    write_table(data, out / f"{target}.csv")
    print(f"{target}: {len(data)} records from {', '.join(names)}")
PYEOF

for target in plqy pce; do
  "$PY" -m pqdml train --data "$TMP/$target.csv" --format canonical --target "$target" \
    -o "$OUT/$target" --cv group:doi --seed "$SEED" --select --repeats "$REPEATS"
done
