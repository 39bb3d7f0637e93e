#!/usr/bin/env python3
"""Writes evals/recipe/eval.jsonl, the built-in recipe model's evaluation as an `ondo eval`
dataset: the 200 held-out requests of tools/recipe_corpus/gen.py (--eval 200 --seed 1, the
requests models/README.md evaluates), each scored by the three measures of
tools/recipe_corpus/eval.py as Jinja scorer expressions, plus the answer's JSON schema.
Usage: python3 evals/recipe/make.py  (from the repository root; deterministic)"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))

# eval.py: the answer parses as a JSON object with the three fields ...
JSON_OK = ("output is mapping and 'recipe_name' in output and 'recipe_ingredients' in output"
           " and 'recipes' in output")
# ... uses every given ingredient (recipe_ingredients counts only when it is a list) ...
INGR = ("(output.recipe_ingredients if output.recipe_ingredients is sequence and output.recipe_ingredients"
        " is not string and output.recipe_ingredients is not mapping else [])")
USES = f"({JSON_OK}) and meta.ingredients|reject('in', {INGR})|list|length == 0"
# ... and is not one of the excluded dishes.
AVOIDS = f"({JSON_OK}) and output.recipe_name not in meta.except_recipe"

SCHEMA = {"type": "object",
          "properties": {"recipe_name": {"type": "string"},
                         "recipe_ingredients": {"type": "array", "items": {"type": "string"}},
                         "recipes": {"type": "array", "items": {"type": "string"}}},
          "required": ["recipe_name", "recipe_ingredients", "recipes"],
          "additionalProperties": False}


def main():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, os.path.join(ROOT, "tools", "recipe_corpus", "gen.py"),
                        "--train", "0", "--eval", "200", "--seed", "1", "--out", tmp], check=True)
        rows = [json.loads(l) for l in open(os.path.join(tmp, "eval.jsonl"), encoding="utf-8")]
    with open(os.path.join(HERE, "eval.jsonl"), "w", encoding="utf-8") as f:
        for i, row in enumerate(rows):
            out = {"id": f"recipe-{i + 1:03d}", "prompt": row["prompt"], "meta": json.loads(row["prompt"]),
                   "schema": SCHEMA,
                   "checks": {"expr": {"json_ok": JSON_OK, "uses_all_ingredients": USES, "avoids_excluded": AVOIDS}}}
            f.write(json.dumps(out, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
