#!/usr/bin/env bash
# Rebuild the shipped default models models/plqy/ and models/pce/ (see models/README.md).
#
#   scripts/build_models.sh            # from the repository root; datasets from $PQDML_DATASETS
#                                      # or ../shared/datasets (downloaded with checksums otherwise)
#
# PLQY: curated data/pqd_literature.csv + synthesizer (CsPbBr3 antisolvent syntheses).
# PCE:  curated data/pqd_literature.csv + buried-interface + perovskite-database.
# Each training set is the concatenation of the canonical records of its sources, written to a
# temporary CSV, then `pqdml train` on it with CV grouped by paper (`group:doi`: DOI, else the
# row's citation — the synthesizer set is one paper —, else its source URL / source).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python}"
N_TRIALS="${N_TRIALS:-20}"
SEED="${SEED:-0}"
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
for name in ("synthesizer", "buried-interface", "perovskite-database"):
    df = load(name)
    df["dataset"] = name
    parts[name] = df


for target, names in {"plqy": ["curated", "synthesizer"], "pce": ["curated", "buried-interface", "perovskite-database"]}.items():
    data = pd.concat([parts[n] for n in names], ignore_index=True)
    write_table(data, out / f"{target}.csv")
    print(f"{target}: {len(data)} records from {', '.join(names)}")
PYEOF

for target in plqy pce; do
  "$PY" -m pqdml train --data "$TMP/$target.csv" --format canonical --target "$target" \
    -o "models/$target" --cv group:doi --seed "$SEED" --n-trials "$N_TRIALS"
done
