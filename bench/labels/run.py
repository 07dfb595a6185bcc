"""Label benchmark: labels per second and peak memory.

    .venv/bin/python -m bench.labels.run
    .venv/bin/python -m bench.labels.run --smoke    # every case, a twentieth of the work

Each case runs in its own process so its peak resident memory (ru_maxrss) is its
own: one label PNG (300 dpi), one A4 sheet (3×8), a 1,000-label PDF (one
certificate, and 50 certificates × 20), and 10,000 labels written to a file.
``--smoke`` (CI) runs each case at a twentieth of its size and exits non-zero when
one fails or produces no file.
"""

import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

CASES = ["png", "sheet", "pdf1000", "pdf1000x50", "pdf10000"]


def content(n: int = 0):
    from shop.labels.layout import LabelContent

    return LabelContent(
        code=f"BENCH{n:05d}",
        verify_url=f"https://cho-ocop.vn/verify/BENCH{n:05d}",
        product_name=f"Chè Shan Tuyết Lũng Phìn số {n}",
        producer_name="Hợp tác xã Chè Shan Tuyết Lũng Phìn",
        province="Tuyên Quang",
        pack="Hộp 200 g",
        stars=4,
        year=2026,
        decision_number="1201/QĐ-UBND",
        valid_until=date(2029, 1, 26),
        gtin="8936045900000",
    )


def run_case(case: str, scale: int = 1) -> dict:
    """One case; ``scale`` divides its size (the smoke run's 20)."""
    from shop.labels.layout import SHEETS
    from shop.labels.render import label_png, sheet_pdf

    sheet = SHEETS["3x8"]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        if case == "png":
            repeat = max(20 // scale, 1)
            for _ in range(repeat):
                size = len(label_png(content(), dpi=300))
            labels = repeat
        elif case == "sheet":
            repeat = max(20 // scale, 1)
            for _ in range(repeat):
                sheet_pdf([content()], sheet, sheet.per_sheet, out=out)
            labels = repeat * sheet.per_sheet
        elif case == "pdf1000":
            labels = sheet_pdf([content()], sheet, 1000 // scale, out=out)
        elif case == "pdf1000x50":
            labels = sheet_pdf([content(n) for n in range(50 // scale)], sheet, 20, out=out)
        else:
            certificates = [content(n) for n in range(100 // scale)]
            labels = sheet_pdf(certificates, sheet, 100, out=out)
        if case != "png":
            size = out.tell()
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "case": case,
        "labels": labels,
        "seconds": seconds,
        "labels_per_second": labels / seconds,
        "peak_mb": peak_mb,
        "bytes": size,
    }


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--case":
        print(json.dumps(run_case(sys.argv[2], int(sys.argv[3]))))
        return
    scale = 20 if "--smoke" in sys.argv[1:] else 1
    root = Path(__file__).resolve().parents[2]
    print("| case | labels | seconds | labels/s | peak RSS | file |")
    print("|---|---|---|---|---|---|")
    for case in CASES:
        out = subprocess.run(
            [sys.executable, "-m", "bench.labels.run", "--case", case, str(scale)],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        r = json.loads(out)
        if r["labels"] <= 0 or r["bytes"] <= 0:
            sys.exit(f"{case}: no labels drawn ({r})")
        print(
            f"| {case} | {r['labels']:,} | {r['seconds']:.2f} | {r['labels_per_second']:.0f} "
            f"| {r['peak_mb']:.0f} MB | {r['bytes'] / 1024:.0f} KB |",
            flush=True,
        )


if __name__ == "__main__":
    main()
