#!/usr/bin/env bash
# The imatrix quality table of docs/quantization.md: the built-in recipe model (F32) quantized
# to Q4_K_M, Q3_K_M and Q2_K without an imatrix, with one from real text (training-split
# chats) and with one from random tokens; each scored on held-out chats (the eval split) by
# perplexity and by KL divergence from the F32 model. Needs python3 and a built ondo.
# Usage: tools/imatrix_table.sh [BUILD_DIR] [WORK_DIR]   (prints a markdown table on stdout)
set -euo pipefail
cd "$(dirname "$0")/.."
ONDO="${1:-build}/ondo"
WORK="${2:-/tmp/ondo-imatrix-table}"
MODEL=models/ondo-recipe.gguf
CHUNK=256   # the model's training context
THREADS="${ONDO_THREADS:-2}"
CALIB_CHUNKS="${CALIB_CHUNKS:-50}"  # chunks of calibration text (and of random tokens)
EVAL_CHUNKS="${EVAL_CHUNKS:-30}"    # chunks of held-out text scored
mkdir -p "$WORK"

python3 tools/recipe_corpus/gen.py --train 20000 --eval 200 --seed 1 --out "$WORK/recipes" >/dev/null
# chats rendered as the model's chatml template renders them (control tokens parsed)
python3 - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
def render(src, dst, n):
    with open(src) as f, open(dst, "w") as out:
        for i, line in enumerate(f):
            if i >= n:
                break
            d = json.loads(line)
            out.write("<|im_start|>user\n%s<|im_end|>\n<|im_start|>assistant\n%s<|im_end|>\n" % (d["prompt"], d["completion"]))
render(work + "/recipes/train.jsonl", work + "/calib.txt", 400)
render(work + "/recipes/eval.jsonl", work + "/heldout.txt", 200)
PY

"$ONDO" imatrix -m "$MODEL" -f "$WORK/calib.txt" --parse-special --chunk $CHUNK --chunks $CALIB_CHUNKS -t "$THREADS" \
  -o "$WORK/imatrix-text.gguf" 2>"$WORK/imatrix-text.log"
"$ONDO" imatrix -m "$MODEL" --random-chunks $CALIB_CHUNKS --seed 1 --chunk $CHUNK -t "$THREADS" \
  -o "$WORK/imatrix-random.gguf" 2>"$WORK/imatrix-random.log"

score() {  # score MODEL -> JSON line
  "$ONDO" perplexity -m "$1" -f "$WORK/heldout.txt" --parse-special --chunk $CHUNK --chunks $EVAL_CHUNKS --kl-base "$MODEL" -t "$THREADS" 2>/dev/null
}
field() { python3 -c "import json,sys; print('%.${2}f' % json.loads(sys.stdin.read())['$1'])"; }

base=$(score "$MODEL")
echo "F32 perplexity on the held-out chats: $(echo "$base" | field ppl 4) ($(echo "$base" | python3 -c "import json,sys; print(json.load(sys.stdin)['scored'])") tokens scored)"
echo
echo "| type | imatrix | size (MiB) | perplexity | mean KL vs F32 | top-1 agreement |"
echo "|---|---|---|---|---|---|"
for type in Q4_K_M Q3_K_M Q2_K; do
  for im in none text random; do
    out="$WORK/recipe-$type-$im.gguf"
    if [ "$im" = none ]; then
      "$ONDO" quantize -t "$THREADS" "$MODEL" "$out" $type 2>/dev/null
    else
      "$ONDO" quantize -t "$THREADS" --imatrix "$WORK/imatrix-$im.gguf" "$MODEL" "$out" $type 2>/dev/null
    fi
    r=$(score "$out")
    size=$(python3 -c "import os; print('%.2f' % (os.path.getsize('$out') / 1048576))")
    echo "| $type | $im | $size | $(echo "$r" | field ppl 4) | $(echo "$r" | field kld_mean 5) | $(echo "$r" | field top1_agree 4) |"
  done
done
