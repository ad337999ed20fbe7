"""kill -9 in the middle of a screening run, rerun: same output as an uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from test_screen import StandIn, distinct

from pqdml.screen import screen

HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_sigkill_then_resume_gives_identical_output(tmp_path, n_jobs):
    src = tmp_path / "cands.csv"
    distinct(80).to_csv(src, index=False)  # 80 rows → 20 chunks of 4
    out = tmp_path / "ranked.parquet"
    script = tmp_path / "run.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sys, time
            sys.path.insert(0, {str(HERE)!r})
            from test_screen import StandIn
            from pqdml.screen import screen

            class Slow(StandIn):
                def predict(self, records, *, level=None):
                    time.sleep(0.15)
                    return super().predict(records, level=level)

            if __name__ == "__main__":
                screen({str(src)!r}, {str(out)!r}, model=Slow(), composition="CsPbI3",
                       chunk_size=4, n_jobs={n_jobs})
            """
        )
    )
    proc = subprocess.Popen([sys.executable, str(script)], start_new_session=True)
    parts = tmp_path / "ranked.parquet.parts"
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if len(list(parts.glob("part-*.parquet"))) >= 3:
                break
            assert proc.poll() is None, "the run ended before it could be killed"
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()  # a partial output never looks complete
    n_done = len(list(parts.glob("part-*.parquet")))
    assert 3 <= n_done < 20

    model = StandIn()
    summary = screen(src, out, model=model, composition="CsPbI3", chunk_size=4, n_jobs=1)
    assert summary.n_chunks_resumed == n_done
    assert len(model.calls) == 20 - n_done
    assert not parts.exists()

    reference = tmp_path / "reference.parquet"
    screen(src, reference, model=StandIn(), composition="CsPbI3", chunk_size=4, n_jobs=1)
    pd.testing.assert_frame_equal(pd.read_parquet(out), pd.read_parquet(reference))
    assert len(pd.read_parquet(out)) == 80
