#!/bin/bash
# End-to-end generation speed with and without a JSON Schema constraint: `ondo run` on a
# chat model, the recipe schema of reference case 1 vs plain text, median of 3 runs each.
# A benchmark (measures, asserts nothing). Layer: bench (grammar).
# Usage: bench/grammar/e2e_schema.sh [MODEL.gguf] [path/to/ondo] [threads] [tokens]
set -euo pipefail
MODEL=${1:-/tmp/ondo-bench/llama-3.2-1b-q4_k_m.gguf}
ONDO=${2:-build/ondo}
THREADS=${3:-2}
N=${4:-96}
DIR=$(cd "$(dirname "$0")" && pwd)
SYSTEM='Recommend one recipe that uses as many of the given ingredients as possible, excluding the listed recipes and similar ones. Answer in JSON: {"recipe_name", "recipe_ingredients": [...], "recipes": ["step 1", ...]}.'
PROMPT='{"ingredients": ["onion", "green onion", "pork belly"], "except_recipe": ["braised onion"]}'

# Prints the generation tok/s of one run (ondo run reports it on stderr).
one() {
  "$ONDO" run -m "$MODEL" -t "$THREADS" -n "$N" --temp 0 --chat --system "$SYSTEM" -p "$PROMPT" "$@" 2>&1 >/dev/null |
    sed -n 's/.*generated \([0-9]*\) tokens in .* (\([0-9.]*\) tok\/s).*/\1 \2/p'
}

median3() { sort -n | sed -n 2p; }

for mode in plain schema; do
  args=()
  [ "$mode" = schema ] && args=(--json-schema "$DIR/recipe_schema.json")
  results=()
  for _ in 1 2 3; do results+=("$(one "${args[@]+"${args[@]}"}")"); done
  toks=$(printf '%s\n' "${results[@]}" | awk '{print $2}' | median3)
  n=$(printf '%s\n' "${results[@]}" | awk '{print $1}' | median3)
  echo "$mode: median $toks tok/s over 3 runs ($n tokens each, $THREADS threads, $(basename "$MODEL"))"
done
