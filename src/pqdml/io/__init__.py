"""Tables in and out: CSV, TSV, Parquet and ``.smi``, whole or in chunks, always written atomically.

The floor of the package: it imports nothing of pqdml but :mod:`pqdml.exceptions`.

- :mod:`pqdml.io.tables` — :func:`read_table`, :func:`write_table`, :func:`atomic_path`,
  :func:`atomic_open`, :func:`table_kind`, :func:`iter_smi`, :func:`sha256_file`.
- :mod:`pqdml.io.chunks` — :func:`iter_chunks` (raw chunks), :func:`read_chunks` (chunks typed
  as a whole read), :func:`write_chunks`, :func:`count_rows`, :func:`input_columns`.
- :mod:`pqdml.io.paths` — :func:`check_output`, :func:`check_model_output`: an output never
  overwrites an input or a model's file.
- :mod:`pqdml.io.processes` — :func:`worker_setup`: workers exit when their parent dies.
"""

from pqdml.io.chunks import count_rows, input_columns, iter_chunks, read_chunks, write_chunks
from pqdml.io.paths import check_model_output, check_output, is_model_dir
from pqdml.io.processes import sigint_ignored, worker_setup
from pqdml.io.tables import (
    TABLE_SUFFIXES,
    atomic_open,
    atomic_path,
    iter_smi,
    read_smi,
    read_table,
    sha256_file,
    table_kind,
    write_table,
)

__all__ = [
    "TABLE_SUFFIXES",
    "atomic_open",
    "atomic_path",
    "check_model_output",
    "check_output",
    "count_rows",
    "input_columns",
    "is_model_dir",
    "iter_chunks",
    "iter_smi",
    "read_chunks",
    "read_smi",
    "read_table",
    "sha256_file",
    "sigint_ignored",
    "table_kind",
    "worker_setup",
    "write_chunks",
    "write_table",
]
