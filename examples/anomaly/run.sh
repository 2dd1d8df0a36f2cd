#!/usr/bin/env bash
# The anomaly example end to end: makes the data (make_data.sh), trains the
# autoencoder and the k-means model on every dataset with `locus train`,
# evaluates each capsule through the runtime with `locus eval --split test`,
# and prints a table. With $LOCUS_TEST_DATA/mlperf_tiny_models/ad01_int8.tflite
# present it also builds MLPerf Tiny's ToyCar autoencoder (ad01_reference.yml)
# and evaluates it on the same test splits, as a reference.
#
# Usage: examples/anomaly/run.sh [WORK_DIR]
#   WORK_DIR  where data, capsules, logs and the Locus home go (default: a new
#             temporary folder, kept and printed at the end)
# Environment:
#   LOCUS            the locus binary; default: the first of
#                    build/release/cli/locus, build/me/cli/locus and `locus` on
#                    PATH that has the train and eval commands
#   LOCUS_TEST_DATA  reference data (the ToyCar recordings, ad01); default
#                    ../shared/datasets from the project root when present
# LOCUS_HOME is set to WORK_DIR/locus-home, so feature caches and anything else
# Locus keeps stay out of yours. Needs sox and jq.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
for tool in sox jq; do
  command -v "$tool" >/dev/null || { echo "$0: $tool is needed (apt-get install $tool)" >&2; exit 1; }
done

# The binary: $LOCUS, else the first candidate that has train and eval (an
# older build may not).
has_commands() {
  local help
  help=$("$1" --help 2>/dev/null) || return 1
  grep -qE '^ +train ' <<<"$help" && grep -qE '^ +eval ' <<<"$help"
}
if [[ -z "${LOCUS:-}" ]]; then
  for c in "$root/build/release/cli/locus" "$root/build/me/cli/locus" "$(command -v locus || true)"; do
    if [[ -n "$c" && -x "$c" ]] && has_commands "$c"; then
      LOCUS=$c
      break
    fi
  done
  [[ -n "${LOCUS:-}" ]] || { echo "$0: no locus binary with 'train' found; set LOCUS" >&2; exit 1; }
fi
if [[ -z "${LOCUS_TEST_DATA:-}" && -d "$root/../shared/datasets" ]]; then
  LOCUS_TEST_DATA=$(cd "$root/../shared/datasets" && pwd)
fi
export LOCUS_TEST_DATA=${LOCUS_TEST_DATA:-}

work=${1:-$(mktemp -d "${TMPDIR:-/tmp}/locus-anomaly.XXXXXX")}
mkdir -p "$work"
work=$(cd "$work" && pwd)
export LOCUS_HOME="$work/locus-home"
mkdir -p "$work/out" "$LOCUS_HOME"
echo "locus: $LOCUS" >&2
echo "work:  $work" >&2

"$here/make_data.sh" "$work/data"

# run BASE COMMAND...: stdout to BASE.json, stderr to BASE.log; on failure
# shows the log's end and stops.
run() {
  local base=$1
  shift
  if ! "$@" > "$base.json" 2> "$base.log"; then
    echo "$0: failed: $*" >&2
    tail -n 20 "$base.log" >&2
    exit 1
  fi
}

rows=()
# num JQ_PATH FILE [DECIMALS]: a number from a JSON file, "-" when null.
num() {
  local v
  v=$(jq -r "$1 // \"-\"" "$2")
  if [[ $v == - ]]; then echo -; else printf "%.${3:-3}f" "$v"; fi
}

for ds in synthetic toycar toycar_swap; do
  data="$work/data/$ds"
  [[ -f "$data/manifest.csv" ]] || continue
  for model in autoencoder kmeans; do
    name="${ds}_${model}"
    capsule="$work/out/$name.capsule"
    echo "== train $model on $ds" >&2
    run "$work/out/$name.train" "$LOCUS" train -f "$here/$model.yml" --data "$data" \
      -o "$capsule" --fresh --json
    echo "== eval $name.capsule on $ds (test split)" >&2
    run "$work/out/$name.eval" "$LOCUS" eval "$capsule" --data "$data" --split test --json
    t="$work/out/$name.train.json"
    e="$work/out/$name.eval.json"
    rows+=("$(printf '%-12s %-12s %6s %6s %6s %6s %10s %8s %9s' "$ds" "$model" \
      "$(num .float.test "$t")" "$(num .int8.test "$t")" "$(num .anomaly.auc "$e")" \
      "$(num .anomaly.partial_auc "$e")" "$(num .silhouette "$t")" \
      "$(num .seconds.total "$t" 1)" \
      "$(jq -r '.splits.train.examples' "$t")")")
  done
done

# Reference: MLPerf Tiny's pretrained ToyCar autoencoder, imported, not trained here.
if [[ -f "$LOCUS_TEST_DATA/mlperf_tiny_models/ad01_int8.tflite" ]]; then
  echo "== build ad01_reference (MLPerf Tiny ad01_int8, imported)" >&2
  run "$work/out/ad01_reference.build" "$LOCUS" build -f "$here/ad01_reference.yml" \
    -o "$work/out/ad01_reference.capsule"
  for ds in synthetic toycar toycar_swap; do
    data="$work/data/$ds"
    [[ -f "$data/manifest.csv" ]] || continue
    e="$work/out/${ds}_ad01_reference.eval.json"
    run "${e%.json}" "$LOCUS" eval "$work/out/ad01_reference.capsule" --data "$data" \
      --split test --json
    rows+=("$(printf '%-12s %-12s %6s %6s %6s %6s %10s %8s %9s' "$ds" "ad01 (ref)" - - \
      "$(num .anomaly.auc "$e")" "$(num .anomaly.partial_auc "$e")" - - -)")
  done
fi

echo
echo "test split; AUC = ROC AUC of clip scores, normal vs anomalous (0.5: chance)"
printf '%-12s %-12s %6s %6s %6s %6s %10s %8s %9s\n' dataset model float int8 eval "pAUC" \
  silhouette "train s" windows
printf '%-12s %-12s %6s %6s %6s %6s %10s %8s %9s\n' "" "" AUC AUC AUC "eval" "" "" ""
for r in "${rows[@]}"; do echo "$r"; done
echo
echo "float / int8 AUC: locus train --json (float model; int8 capsule through the runtime);"
echo "eval AUC and pAUC (FPR <= 0.1): locus eval --split test --json; train s: whole locus train run."
echo "logs, JSON and capsules: $work/out"
