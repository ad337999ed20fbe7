"""Resume never trusts a leftover part it cannot vouch for: such a chunk is computed again."""

from __future__ import annotations

import pandas as pd
import pytest
from test_screen import StandIn, distinct

from pqdml.screen import parts as sio
from pqdml.screen import screen


def _interrupted(tmp_path, monkeypatch, after: int):
    src = tmp_path / "cands.csv"
    distinct(40).to_csv(src, index=False)
    out = tmp_path / "ranked.csv"
    real = sio.PartsDir.write
    written = []

    def stop_after(self, index, frame):
        if len(written) == after:
            raise KeyboardInterrupt
        written.append(index)
        real(self, index, frame)

    monkeypatch.setattr(sio.PartsDir, "write", stop_after)
    with pytest.raises(KeyboardInterrupt):
        screen(src, out, model=StandIn(), composition="CsPbI3", chunk_size=5, n_jobs=1)
    monkeypatch.setattr(sio.PartsDir, "write", real)
    return src, out, out.with_name(out.name + ".parts")


def _reference(tmp_path, src):
    ref = tmp_path / "reference.csv"
    screen(src, ref, model=StandIn(), composition="CsPbI3", chunk_size=5, n_jobs=1)
    return pd.read_csv(ref)


def test_swapped_and_truncated_parts_are_recomputed(tmp_path, monkeypatch):
    src, out, parts = _interrupted(tmp_path, monkeypatch, after=4)
    p0, p1, p2 = (parts / f"part-{i:06d}.parquet" for i in range(3))
    a, b = p0.read_bytes(), p1.read_bytes()
    p0.write_bytes(b)
    p1.write_bytes(a)
    p2.write_bytes(p2.read_bytes()[:100])
    with pytest.warns(UserWarning, match="computed again"):
        summary = screen(src, out, model=StandIn(), composition="CsPbI3", chunk_size=5, n_jobs=1)
    assert summary.n_chunks_resumed == 1  # only the untouched part 3 was reused
    pd.testing.assert_frame_equal(pd.read_csv(out), _reference(tmp_path, src))


def test_a_part_without_its_record_is_not_trusted(tmp_path, monkeypatch):
    src, out, parts = _interrupted(tmp_path, monkeypatch, after=2)
    (parts / "part-000001.json").unlink()
    with pytest.warns(UserWarning, match="no valid record"):
        summary = screen(src, out, model=StandIn(), composition="CsPbI3", chunk_size=5, n_jobs=1)
    assert summary.n_chunks_resumed == 1
    pd.testing.assert_frame_equal(pd.read_csv(out), _reference(tmp_path, src))
