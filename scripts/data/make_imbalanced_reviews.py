#!/usr/bin/env python3
"""Makes pipelines/data/movie_reviews_imbalanced.csv: a small, imbalanced text corpus (run once; output committed).

A seeded subsample of pipelines/data/movie_reviews.csv: 2,000 snippets, 1,860 `fresh` and 140 `rotten` (7 % positives,
`rotten` being the minority class the metrics call positive), drawn without replacement with Python's
`random.Random(SEED)` and shuffled with the same generator. Same licence and attribution as movie_reviews.csv
(movie_reviews.NOTICE.md). Reproducible byte for byte:

    python3 scripts/data/make_imbalanced_reviews.py
"""
import csv
import os
import random

SEED = 20261203
TOTAL, POSITIVES = 2000, 140
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(ROOT, "pipelines", "data", "movie_reviews.csv")
OUT = os.path.join(ROOT, "pipelines", "data", "movie_reviews_imbalanced.csv")


def main() -> None:
    with open(SRC, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    fresh = [r for r in rows if r["label"] == "fresh"]
    rotten = [r for r in rows if r["label"] == "rotten"]
    rng = random.Random(SEED)
    chosen = rng.sample(fresh, TOTAL - POSITIVES) + rng.sample(rotten, POSITIVES)
    rng.shuffle(chosen)
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["review", "label"])
        for r in chosen:
            w.writerow([r["review"], r["label"]])
    print(f"wrote {OUT}: {len(chosen)} rows, {POSITIVES} rotten ({100 * POSITIVES / TOTAL:.1f} %)")


if __name__ == "__main__":
    main()
