#!/usr/bin/env bash
# Makes the two datasets of the anomaly example, each a folder of 16 kHz mono
# 16-bit WAVs with a manifest.csv (path,label,split):
#
#   OUT_DIR/toycar/     the three real DCASE 2020 ToyCar recordings in
#                       $LOCUS_TEST_DATA/dcase2020_toycar_samples, cut into
#                       1 s segments: normal_id_01_00000000 -> train (9) and
#                       validation (2); normal_id_01_00000001 (normal) and
#                       anomaly_id_01_00000000 (anomalous) -> test (11 + 11).
#   OUT_DIR/toycar_swap/ the same with the two normal recordings' roles
#                       exchanged (see README.md: which normal recording is
#                       held out decides the figure).
#   OUT_DIR/synthetic/  a generated machine: a hum (fundamental 100-104.5 Hz
#                       with harmonics at 2, 3 and 5 times it, plus pink
#                       noise); anomalous clips add a bearing tick, an
#                       imbalance (amplitude modulation) or a frequency drift.
#                       40 normal train, 8 validation, 12 normal + 12
#                       anomalous test clips of 2 s.
#
# Usage: examples/anomaly/make_data.sh OUT_DIR
# Needs sox. Deterministic: fixed parameters and sox -R (repeatable mode, a
# fixed noise seed); running it twice gives the same files bit for bit.
# The ToyCar recordings are only read: nothing is written next to them. When
# they are not found the ToyCar set is skipped with a message.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 OUT_DIR" >&2
  exit 2
fi
command -v sox >/dev/null || { echo "$0: sox is needed (apt-get install sox)" >&2; exit 1; }

out=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)

# Every sox call: repeatable (fixed random seed), no dither, 16 kHz mono 16-bit.
SOX=(sox -R -D -V1)
FMT=(-r 16000 -b 16 -c 1 -e signed-integer)

# --- (a) ToyCar: 1 s segments of the three real recordings -------------------
toycar_src=""
for d in "${LOCUS_TEST_DATA:-}" "$root/../shared/datasets"; do
  if [[ -n "$d" && -f "$d/dcase2020_toycar_samples/normal_id_01_00000000.wav" ]]; then
    toycar_src="$d/dcase2020_toycar_samples"
    break
  fi
done

if [[ -z "$toycar_src" ]]; then
  echo "make_data: dcase2020_toycar_samples not found (set LOCUS_TEST_DATA); skipping toycar/" >&2
else
  toycar_src=$(cd "$toycar_src" && pwd)
  # toycar DIR TRAIN_STEM TEST_STEM: 1 s segments of the three recordings;
  # TRAIN_STEM's seconds 0-8 train and 9-10 validate, TEST_STEM (normal) and
  # the anomalous recording are the test set.
  toycar() {
    local t=$1 train_stem=$2 test_stem=$3
    rm -rf "$t"
    mkdir -p "$t/normal" "$t/anomalous"
    local manifest="path,label,split"
    local stem label split n i rel
    for stem in "$train_stem" "$test_stem" anomaly_id_01_00000000; do
      label=normal
      [[ $stem == anomaly_* ]] && label=anomalous
      n=$(soxi -s "$toycar_src/$stem.wav")
      for ((i = 0; i < n / 16000; i++)); do
        split='test'
        if [[ $stem == "$train_stem" ]]; then
          split='train'
          ((i >= 9)) && split='validation'
        fi
        rel=$(printf '%s/%s_s%02d.wav' "$label" "$stem" "$i")
        "${SOX[@]}" "$toycar_src/$stem.wav" "${FMT[@]}" "$t/$rel" trim "$((i * 16000))s" 16000s
        manifest+=$'\n'"$rel,$label,$split"
      done
    done
    printf '%s\n' "$manifest" > "$t/manifest.csv"
    echo "make_data: $t: $(($(wc -l < "$t/manifest.csv") - 1)) segments from $toycar_src" >&2
  }
  toycar "$out/toycar" normal_id_01_00000000 normal_id_01_00000001
  # The same with the two normal recordings' roles exchanged.
  toycar "$out/toycar_swap" normal_id_01_00000001 normal_id_01_00000000
fi

# --- (b) synthetic machine -----------------------------------------------------
s="$out/synthetic"
rm -rf "$s"
mkdir -p "$s/normal" "$s/anomalous"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One long pink-noise bed (fixed seed); clip k takes its own 2 s of it, so
# every clip has different noise and the same level (about -24 dB under the hum).
clips_total=72
"${SOX[@]}" -n "${FMT[@]}" "$work/noise.wav" synth $((clips_total * 2 + 2)) pinknoise vol 0.05

# hum OUT F0 [END_F0]: fundamental and harmonics 2, 3, 5 (amplitudes 0.30,
# 0.15, 0.10, 0.05); with END_F0 every partial sweeps linearly over the clip.
hum() {
  local dst=$1 f0=$2 f1=${3:-$2}
  local p=()
  for h in 1 2 3 5; do
    if [[ "$f0" == "$f1" ]]; then
      p+=(sine "$(awk -v f="$f0" -v h="$h" 'BEGIN{printf "%.3f", f*h}')")
    else
      p+=(sine "$(awk -v f="$f0" -v g="$f1" -v h="$h" 'BEGIN{printf "%.3f-%.3f", f*h, g*h}')")
    fi
  done
  "${SOX[@]}" -n "${FMT[@]}" "$dst" synth 2 "${p[@]}" remix 1v0.30,2v0.15,3v0.10,4v0.05
}

# Adds clip k's slice of the noise bed to IN and writes OUT.
with_noise() {
  local src=$1 dst=$2 k=$3
  "${SOX[@]}" "$work/noise.wav" "$work/n.wav" trim $((k * 2)) 2
  "${SOX[@]}" -m -v 1 "$src" -v 1 "$work/n.wav" "${FMT[@]}" "$dst"
}

manifest="path,label,split"
k=0
# f0 of clip k: 100 to 104.5 Hz in 0.5 Hz steps (a machine's speed varies a little).
f0_of() { awk -v k="$1" 'BEGIN{printf "%.2f", 100 + 0.5 * (k % 10)}'; }

normal_clip() {  # split
  local f0 rel
  f0=$(f0_of "$k")
  rel=$(printf 'normal/n%03d.wav' "$k")
  hum "$work/h.wav" "$f0"
  with_noise "$work/h.wav" "$s/$rel" "$k"
  manifest+=$'\n'"$rel,normal,$1"
  k=$((k + 1))
}

anomalous_clip() {  # kind: tick | imbalance | drift
  local f0 rel kind=$1 j=$2
  f0=$(f0_of "$k")
  rel=$(printf 'anomalous/a%03d_%s.wav' "$k" "$kind")
  case $kind in
    tick)
      # A worn bearing: a 4 ms 2.5-3.5 kHz click every 80-125 ms.
      local freq period
      freq=$((2500 + 250 * j))
      period=$(awk -v j="$j" 'BEGIN{printf "%.3f", 0.080 + 0.015 * j}')
      "${SOX[@]}" -n "${FMT[@]}" "$work/t1.wav" synth 0.004 sine "$freq" fade t 0 0.004 0.003 \
        pad 0 "$(awk -v p="$period" 'BEGIN{printf "%.3f", p - 0.004}')"
      "${SOX[@]}" "$work/t1.wav" "$work/t.wav" repeat 30 trim 0 2
      hum "$work/h0.wav" "$f0"
      "${SOX[@]}" -m -v 1 "$work/h0.wav" -v 0.5 "$work/t.wav" "${FMT[@]}" "$work/h.wav"
      ;;
    imbalance)
      # An unbalanced rotor: the hum's amplitude swings at 4-10 Hz.
      hum "$work/h0.wav" "$f0"
      "${SOX[@]}" "$work/h0.wav" "$work/h.wav" tremolo $((4 + 2 * j)) 40
      ;;
    drift)
      # A slipping drive: the speed drifts up 6-12 % over the clip.
      hum "$work/h.wav" "$f0" "$(awk -v f="$f0" -v j="$j" 'BEGIN{printf "%.2f", f * (1.06 + 0.02 * j)}')"
      ;;
  esac
  with_noise "$work/h.wav" "$s/$rel" "$k"
  manifest+=$'\n'"$rel,anomalous,test"
  k=$((k + 1))
}

for _ in $(seq 40); do normal_clip train; done
for _ in $(seq 8); do normal_clip validation; done
for _ in $(seq 12); do normal_clip test; done
for j in 0 1 2 3; do
  anomalous_clip tick "$j"
  anomalous_clip imbalance "$j"
  anomalous_clip drift "$j"
done
printf '%s\n' "$manifest" > "$s/manifest.csv"
echo "make_data: $s: $(($(wc -l < "$s/manifest.csv") - 1)) clips" >&2
