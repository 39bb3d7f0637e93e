#!/usr/bin/env python3
"""Writes the synthetic recipe corpus for ondo's built-in model (reference case 1, the fridge
app): JSONL lines {"prompt": <request JSON>, "completion": <answer JSON>} in Korean and
English. A request names 1-3 ingredients of a dish and 0-2 dishes to avoid (often other
dishes that also use those ingredients); the answer is a dish that uses every given
ingredient and is not excluded, with its ingredients and steps.
Usage: gen.py --train N --eval M --seed S --out DIR  (writes DIR/train.jsonl, DIR/eval.jsonl)"""
import argparse
import json
import os
import random

from recipes import EN, KO


def request(rng, table):
    """(prompt dict, answer dish) with the answer using every given ingredient."""
    while True:
        dish = rng.choice(table)
        k = rng.randint(1, min(3, len(dish[1])))
        given = rng.sample(dish[1], k)
        # dishes that also use all given ingredients: candidates; exclude some of them
        cands = [d for d in table if all(g in d[1] for g in given)]
        others = [d for d in cands if d is not dish]
        n_ex = rng.randint(0, min(2, len(others))) if others else 0
        excluded = rng.sample(others, n_ex)
        if rng.random() < 0.3:  # sometimes exclude an unrelated dish too
            extra = rng.choice(table)
            if extra is not dish and extra not in excluded:
                excluded.append(extra)
        allowed = [d for d in cands if d not in excluded]
        if not allowed:
            continue
        answer = allowed[0] if dish in excluded else dish
        prompt = {"ingredients": given, "except_recipe": [d[0] for d in excluded]}
        return prompt, answer


def line(rng, table):
    prompt, dish = request(rng, table)
    completion = {"recipe_name": dish[0], "recipe_ingredients": dish[1], "recipes": dish[2]}
    return {"prompt": json.dumps(prompt, ensure_ascii=False),
            "completion": json.dumps(completion, ensure_ascii=False)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", type=int, default=20000)
    ap.add_argument("--eval", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    seen = set()
    evals = []
    while len(evals) < a.eval:  # held-out requests: prompts never used for training
        ex = line(rng, EN if len(evals) % 2 == 0 else KO)
        if ex["prompt"] not in seen:
            seen.add(ex["prompt"])
            evals.append(ex)
    with open(os.path.join(a.out, "eval.jsonl"), "w", encoding="utf-8") as f:
        for ex in evals:
            f.write(json.dumps(ex, ensure_ascii=False) + "\n")
    n = 0
    with open(os.path.join(a.out, "train.jsonl"), "w", encoding="utf-8") as f:
        while n < a.train:
            ex = line(rng, EN if rng.random() < 0.5 else KO)
            if ex["prompt"] in seen:
                continue
            f.write(json.dumps(ex, ensure_ascii=False) + "\n")
            n += 1


if __name__ == "__main__":
    main()
