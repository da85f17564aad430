"""Decoding memory: eight concurrent uploads of the worst photo a file can declare.

    .venv/bin/python bench/decode_memory.py

Each case runs in a fresh process and prints its peak resident memory above
the process's own baseline (ru_maxrss), so cases don't share allocator state:

- unbounded: eight threads decode at once with no budget (what the attack run saw:
  8 small 7070x7070 PNGs took a worker from 381 MB to 1.8 GB);
- now: PHOTO_DECODES_AT_ONCE=2 slots, PHOTO_MAX_DECODED_MB=150 budget (the defaults);
- phone JPEGs: eight 12 MP camera JPEGs, decoded at reduced scale.

The stated budget per process is slots x budget: 2 x 150 MB = 300 MB.
"""

from __future__ import annotations

import io
import json
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"

CASES = {
    "unbounded: 8 x 7070x7070 PNG, 8 at once, no budget": ("png", 8, None),
    "now: 8 x 7070x7070 PNG, 2 slots, 150 MB budget": ("png", 2, 150),
    "now: 8 x 12 MP camera JPEG, 2 slots, 150 MB budget": ("jpeg", 2, 150),
}


def worst_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (7070, 7070), (200, 200, 200)).save(out, "PNG", optimize=True)
    return out.getvalue()


def camera_jpeg() -> bytes:
    import os

    from PIL import Image

    grain = Image.frombytes("L", (2000, 1500), os.urandom(2000 * 1500)).resize((4000, 3000))
    out = io.BytesIO()
    grain.convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def one_case(kind: str, slots: int, budget_mb: int | None) -> dict:
    """Runs in the child process."""
    import datetime as dt

    from audits.imaging import PhotoRejected, inspect_photo

    data = worst_png() if kind == "png" else camera_jpeg()
    gate = threading.BoundedSemaphore(slots)
    outcomes: list[str] = []
    baseline = peak_mb()

    def upload():
        with gate:
            try:
                inspect_photo(
                    data,
                    max_bytes=50_000_000,
                    max_pixels=50_000_000,
                    default_tz=dt.UTC,
                    max_decoded_bytes=budget_mb * 1_000_000 if budget_mb else None,
                )
                outcomes.append("accepted")
            except PhotoRejected as refused:
                outcomes.append(refused.code)

    started = time.perf_counter()
    threads = [threading.Thread(target=upload) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "file_kb": round(len(data) / 1024),
        "peak_above_baseline_mb": round(peak_mb() - baseline),
        "seconds": round(time.perf_counter() - started, 2),
        "outcomes": sorted(set(outcomes)),
    }


def main() -> None:
    if len(sys.argv) == 4:  # the child
        kind, slots, budget = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        print(json.dumps(one_case(kind, slots, int(budget) if budget != "-" else None)))
        return
    results = {}
    for name, (kind, slots, budget) in CASES.items():
        child = subprocess.run(
            [sys.executable, __file__, kind, str(slots), str(budget or "-")],
            capture_output=True,
            text=True,
            check=True,
        )
        results[name] = json.loads(child.stdout)
        print(f"{name}: {results[name]}", flush=True)
    before = results[next(iter(CASES))]["peak_above_baseline_mb"]
    now = results[list(CASES)[1]]["peak_above_baseline_mb"]
    print(f"peak memory bounded / unbounded: {now / before:.2f} ({now} MB / {before} MB)")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "decode_memory.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
