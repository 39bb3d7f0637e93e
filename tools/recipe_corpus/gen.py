#!/usr/bin/env python3
"""Writes the synthetic recipe corpus for ondo's built-in model (reference case 1, the fridge
app): JSONL lines {"prompt": <request JSON>, "completion": <answer JSON>} in Korean and
English. A request names 1-3 ingredients of a dish and 0-2 dishes to avoid (often other
dishes that also use those ingredients); the answer is a dish that uses every given
ingredient and is not excluded, with its ingredients and steps.
With --unknown P (default 0: the corpus is byte-identical to the one the shipped
models/ondo-recipe.gguf was trained on), a share P of the requests also exclude dish names that are NOT in the tables (from
UNKNOWN_* below, or made from an ingredient and a cooking word, e.g. "braised onion",
"양파조림"), sometimes as the only exclusions: the model must ignore them and still pick a
table dish that uses the given ingredients.
Usage: gen.py --train N --eval M --seed S [--unknown P] --out DIR  (writes DIR/train.jsonl, DIR/eval.jsonl)"""
import argparse
import json
import os
import random

from recipes import EN, KO

# Plausible dishes that are not in the tables (checked below against the table names).
UNKNOWN_EN = ["braised onion", "onion soup", "French Onion Soup", "Pad Thai", "Caesar Salad",
              "Beef Stew", "Pancakes", "Fish and Chips", "Lasagna", "Ramen", "Miso Soup",
              "Pork Cutlet", "Fried Chicken", "Sushi", "Bibimbap", "Dumplings", "Omurice",
              "Grilled Cheese", "Clam Chowder", "Shakshuka", "Japchae", "Tteokbokki",
              "Green Onion Pancake", "Spicy Pork", "Fried Egg", "Mashed Potatoes"]
UNKNOWN_KO = ["양파조림", "양파수프", "비빔밥", "불고기 전골", "삼겹살 구이", "파전", "된장국",
              "라면", "만두", "오므라이스", "돈가스", "치킨", "냉면", "갈비찜", "순두부찌개",
              "감자조림", "계란찜", "미역국", "제육덮밥", "짜장면", "김밥", "부대찌개",
              "해물파전", "카레라이스"]
# cooking words for names made from an ingredient: (prefix, suffix)
FORMS_EN = [("braised ", ""), ("", " soup"), ("", " salad"), ("grilled ", ""), ("", " stew"),
            ("fried ", ""), ("", " pancake"), ("steamed ", "")]
FORMS_KO = ["조림", "국", "무침", "구이", "찜", "전", "튀김", "볶음"]
TABLE_NAMES = {d[0].lower().replace(" ", "") for d in EN + KO}
UNKNOWN_SHARE = 0.0  # set by --unknown; 0 draws nothing extra from the generator


def unknown_name(rng, table, given):
    """A dish name outside both tables, usually in the request's language, often made from
    one of the given ingredients (like "braised onion" for a request with onion)."""
    en = (table is EN) != (rng.random() < 0.1)
    while True:
        if rng.random() < 0.5:
            name = rng.choice(UNKNOWN_EN if en else UNKNOWN_KO)
        else:
            same = en == (table is EN)
            ingr = rng.choice(given if same and rng.random() < 0.6 else rng.choice(EN if en else KO)[1])
            if en:
                pre, suf = rng.choice(FORMS_EN)
                name = pre + ingr + suf
            else:
                name = ingr + rng.choice(FORMS_KO)
        if name.lower().replace(" ", "") not in TABLE_NAMES:
            return name


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
        names = [d[0] for d in excluded]
        r = rng.random() if UNKNOWN_SHARE > 0 else 1.0
        if r < UNKNOWN_SHARE * 0.375:  # only unknown dishes excluded
            names = [unknown_name(rng, table, given) for _ in range(rng.randint(1, 2))]
        elif r < UNKNOWN_SHARE:  # unknown dishes mixed with the table ones
            for _ in range(rng.randint(1, 2)):
                names.insert(rng.randint(0, len(names)), unknown_name(rng, table, given))
        names = list(dict.fromkeys(names))
        prompt = {"ingredients": given, "except_recipe": names}
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
    ap.add_argument("--unknown", type=float, default=0.0,
                    help="share of requests that also exclude dishes outside the tables (e.g. 0.4)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    global UNKNOWN_SHARE
    UNKNOWN_SHARE = a.unknown
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
