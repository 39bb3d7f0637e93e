#!/usr/bin/env python3
"""Evaluates a recipe model on held-out requests (eval.jsonl from gen.py) through `ondo run
--chat` at temperature 0.7: the share of answers that parse as JSON (with the three
fields), that use every given ingredient, and that avoid every excluded dish.
Usage: eval.py --ondo build/ondo --model models/ondo-recipe.gguf --data eval.jsonl [--n 200]"""
import argparse
import json
import subprocess


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ondo", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    rows = [json.loads(l) for l in open(a.data, encoding="utf-8")][: a.n]
    parsed = uses = avoids = 0
    for i, row in enumerate(rows):
        req = json.loads(row["prompt"])
        out = subprocess.run([a.ondo, "run", "-m", a.model, "--chat", "-p", row["prompt"], "--temp", "0.7",
                              "--seed", str(i + 1), "-n", "400", "-t", str(a.threads)],
                             capture_output=True, text=True).stdout
        try:
            ans = json.loads(out.strip())
            ok = isinstance(ans, dict) and all(k in ans for k in ("recipe_name", "recipe_ingredients", "recipes"))
        except json.JSONDecodeError:
            ok = False
        if not ok:
            continue
        parsed += 1
        ingr = ans["recipe_ingredients"] if isinstance(ans["recipe_ingredients"], list) else []
        uses += all(g in ingr for g in req["ingredients"])
        avoids += ans["recipe_name"] not in req["except_recipe"]
    n = len(rows)
    print(json.dumps({"requests": n, "json_ok": parsed / n, "uses_all_ingredients": uses / n,
                      "avoids_excluded": avoids / n}))


if __name__ == "__main__":
    main()
