#!/usr/bin/env bash
# The three calibration stories end to end, each printing base vs calibrated
# accuracy on the location's held-out clips (see README.md here for the
# recorded results):
#   block      the keyword model deployed with another audio front end
#              (frontend_b.yml: no gain control), recalibrated to it on real
#              Speech Commands clips;
#   estonian   the English up/down/left/right model meets Estonian (üles, alla,
#              vasak, parem) from espeak-ng, 10 utterances per command;
#   factory    the same model in a loud place: hum and machine whine at 0-5 dB
#              SNR, 10 shots per class.
#
# Usage: examples/calibration/run.sh [WORK_DIR] [STORY...]
#   WORK_DIR  data, capsules, reports and the Locus home (default: a new temporary folder)
#   STORY     block, estonian, factory (default: all three)
# Environment: LOCUS (the locus binary; default build/release/cli/locus, then
# build/me/cli/locus), LOCUS_TEST_DATA (default ../shared/datasets), BASE (a
# keywords capsule; default: trained here with examples/keywords/locus.yml,
# about 20 minutes on two cores).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${1:-$(mktemp -d /tmp/locus-calibration.XXXXXX)}
shift || true
stories=("$@")
((${#stories[@]})) || stories=(block estonian factory)
mkdir -p "$work"
work=$(cd "$work" && pwd)
export LOCUS_HOME="$work/locus-home"
export LOCUS_TEST_DATA=${LOCUS_TEST_DATA:-$root/../shared/datasets}
[[ -d "$LOCUS_TEST_DATA/speech_commands_test_v0.02" ]] ||
  { echo "$0: needs LOCUS_TEST_DATA with speech_commands_test_v0.02" >&2; exit 1; }
if [[ -z "${LOCUS:-}" ]]; then
  for c in "$root/build/release/cli/locus" "$root/build/me/cli/locus" "$root/build/dev/cli/locus"; do
    if [[ -x "$c" ]] && "$c" --help 2>/dev/null | grep -qE '^ +calibrate '; then LOCUS=$c; break; fi
  done
fi
[[ -n "${LOCUS:-}" ]] || { echo "$0: no locus binary with calibrate; build first (make build)" >&2; exit 1; }
noise=$LOCUS_TEST_DATA/speech_commands_background_noise

base=${BASE:-$work/keywords.capsule}
if [[ ! -f "$base" ]]; then
  echo "== training the base model (examples/keywords/locus.yml)"
  "$LOCUS" train -f "$root/examples/keywords/locus.yml" -o "$base"
fi

calibrate() {  # NAME ARGS...
  local name=$1
  shift
  echo "== $name"
  /usr/bin/time -f "  wall %e s, peak %M KB" "$LOCUS" calibrate "$base" --location "$name" \
    --report "$work/$name-report" -o "$work/keywords-$name.capsule" "$@"
}

for story in "${stories[@]}"; do
  case $story in
    block)
      # The location's data is the Speech Commands split the base was tested
      # on (validation 0.1, test 0.2, seed 0), so "after" compares with the
      # base's own test accuracy.
      calibrate block --data "$LOCUS_TEST_DATA/speech_commands_test_v0.02" \
        --features "$here/frontend_b.yml" --shots 100 --noise "$noise" \
        --validation-share 0.1 --test-share 0.2
      ;;
    estonian)
      "$LOCUS" synth speech --words üles,alla,vasak,parem \
        --label-map üles=up,alla=down,vasak=left,parem=right \
        --unknown jah,ei,üks,kaks,kolm,neli --silence 40 --language et --voices 12 --variants 5 \
        --noise "$noise" --snr 5:20 --noise-share 0.7 --validation 0.2 --test 0.5 \
        --location tallinn --force -o "$work/tallinn"
      calibrate estonian --data "$work/tallinn" --shots 10 --noise "$noise"
      ;;
    factory)
      "$LOCUS" synth speech --words up,down,left,right --unknown yes,no,go,stop,on,off \
        --silence 40 --language en-us --voices 12 --variants 5 --soundscape hum,whine \
        --snr 0:5 --validation 0.2 --test 0.5 --location factory --force -o "$work/factory"
      calibrate factory --data "$work/factory" --shots 10 --noise "$noise"
      ;;
    *) echo "$0: unknown story '$story' (block, estonian, factory)" >&2; exit 1 ;;
  esac
done
echo "work folder: $work"
