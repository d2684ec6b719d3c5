#!/usr/bin/env bash
# Issue 5's side-by-side comparison, in one run on one machine: `scalesmall bench` (in-process node, file log)
# then Kafka (run.sh here), 100-byte messages each:
#   memory=1  vs Kafka acks=1 with its best batching;
#   disk=1    vs Kafka flush.messages=1 (acks=1 and acks=all);
#   p99 at half of each one's peak rate.
# scalesmall runs without consumers, like ProducerPerformance. Output: both tables, and OUT (default
# side-by-side.txt in the current directory) gets a copy.
#
# Usage: bench/kafka/side-by-side.sh [MESSAGES]      (default 5,000,000; Kafka's flush runs use MESSAGES / 5)
# Env:   DISK_MESSAGES (scalesmall's disk=1 runs, default MESSAGES: group commit keeps them as fast as memory acks),
#        WARMUP (unmeasured messages before each scalesmall run, default MESSAGES / 5; the Kafka broker is warm
#        after its first run), LATENCY_WARMUP (the same before the half-of-peak runs with the latency setting,
#        default 2 x MESSAGES: until the JIT is quiet), SCALESMALL_JAVA_OPTS (JVM options of the bench), GRID / PARTITIONS / PORT as for run.sh
set -euo pipefail

MESSAGES=${1:-5000000}
DISK_MESSAGES=${DISK_MESSAGES:-$MESSAGES}
WARMUP=${WARMUP:-$(( MESSAGES / 5 ))}
LATENCY_WARMUP=${LATENCY_WARMUP:-$(( MESSAGES * 2 ))}
LATENCY_ARGS="--batch-bytes 262144 --linger-ms 0.5"
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${OUT:-side-by-side.txt}
: > "$OUT"

say() { echo "$*" | tee -a "$OUT"; }

# One bench run; prints its report and leaves "msgs/s p50 p99 p999" in $LAST.
bench() {
  local report
  report=$("$ROOT/scalesmall" bench --no-progress --consumers 0 --size 100 --warmup "${RUN_WARMUP:-$WARMUP}" "$@")
  echo "$report" | tee -a "$OUT"
  local rate p
  rate=$(echo "$report" | sed -n 's/^produced: .* s: \([0-9,]*\) msgs\/s.*/\1/p' | tr -d ,)
  p=$(echo "$report" | sed -n 's/^ack latency (ms): p50 \([0-9.]*\)  p99 \([0-9.]*\)  p99\.9 \([0-9.]*\) .*/\1 \2 \3/p')
  LAST="$rate $p"
}

say "== scalesmall bench, $(date -u +%FT%TZ), $(nproc) CPUs, $(java -version 2>&1 | head -n 1)"
best_mem=0
best_args=
for args in "--batch-bytes 65536 --linger-ms 1" "--batch-bytes 262144 --linger-ms 1" "--batch-bytes 262144 --linger-ms 5"; do
  say "-- memory=1 $args"
  # shellcheck disable=SC2086
  bench --messages "$MESSAGES" --ack memory=1 $args
  read -r rate _ <<< "$LAST"
  if (( rate > best_mem )); then best_mem=$rate; best_args=$args; fi
done
say "-- memory=1 at half of peak ($(( best_mem / 2 )) msgs/s), $best_args"
# shellcheck disable=SC2086
bench --messages "$MESSAGES" --ack memory=1 --rate $(( best_mem / 2 )) $best_args
say "-- disk=1 $best_args"
# shellcheck disable=SC2086
bench --messages "$DISK_MESSAGES" --ack disk=1 $best_args
read -r disk_rate _ <<< "$LAST"
say "-- disk=1 at half of peak ($(( disk_rate / 2 )) msgs/s), $best_args"
# shellcheck disable=SC2086
bench --messages "$DISK_MESSAGES" --ack disk=1 --rate $(( disk_rate / 2 )) $best_args
# The same loads with the latency setting (linger 0.5 ms) a latency-minded user would choose, after a warm-up long
# enough for the JIT to be quiet (the measured messages follow it on the same producer and stream).
say "-- memory=1 at half of peak ($(( best_mem / 2 )) msgs/s), $LATENCY_ARGS, warm-up $LATENCY_WARMUP"
# shellcheck disable=SC2086
RUN_WARMUP=$LATENCY_WARMUP bench --messages "$MESSAGES" --ack memory=1 --rate $(( best_mem / 2 )) $LATENCY_ARGS
say "-- disk=1 at half of peak ($(( disk_rate / 2 )) msgs/s), $LATENCY_ARGS, warm-up $LATENCY_WARMUP"
# shellcheck disable=SC2086
RUN_WARMUP=$LATENCY_WARMUP bench --messages "$DISK_MESSAGES" --ack disk=1 --rate $(( disk_rate / 2 )) $LATENCY_ARGS

say
say "== Kafka (bench/kafka/run.sh $MESSAGES)"
OUT="$OUT" bash "$HERE/run.sh" "$MESSAGES"
