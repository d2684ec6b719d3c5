#!/usr/bin/env bash
# The Kafka side of scalesmall's benchmark (issue 5): a one-node KRaft broker on 127.0.0.1, measured with Kafka's
# own ProducerPerformance, 100-byte records.
#
#   (a) acks=1 over a grid of batching settings (linger.ms × batch.size × compression); the best is reported,
#       then rerun throttled to half its rate for p99 "at half of peak load";
#   (b) a topic with flush.messages=1 (an fsync per appended batch), acks=1 and acks=all, with (a)'s best
#       batching settings, full speed and at half of peak.
#
# Fetches nothing but Maven Central artifacts (bench/kafka/pom.xml: pinned Kafka 3.9.1 jars, via
# `mvn dependency:copy-dependencies`). Bounded: a fixed record count per run, each run under a timeout. The broker's
# data lives in a temp dir that is removed, and the broker is stopped, on any exit (trap).
#
# Usage: bench/kafka/run.sh [RECORDS]          (default 5,000,000 records per run; flush runs use RECORDS / 5)
# Env:   GRID="linger batch compression;..."   override the (a) grid, e.g. GRID="5 65536 none;20 1048576 lz4"
#        PARTITIONS=1                          partitions per topic (1 = one ordered sequence, as one stream)
#        PORT=19092                            broker port (the controller uses PORT + 1)
#        OUT=FILE                              also append the summary to FILE
# Needs: JDK 17+, mvn, bash, and nothing listening on PORT and PORT + 1.
set -euo pipefail

RECORDS=${1:-5000000}
FLUSH_RECORDS=$(( RECORDS / 5 ))
SIZE=100
PARTITIONS=${PARTITIONS:-1}
PORT=${PORT:-19092}
CPORT=$(( PORT + 1 ))
GRID=${GRID:-"0 16384 none;5 65536 none;5 65536 lz4;20 262144 none;20 262144 lz4;50 1048576 none;50 1048576 lz4"}
HERE=$(cd "$(dirname "$0")" && pwd)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/scalesmall-kafka-bench.XXXXXX")
BROKER_PID=
cleanup() {
  local rc=$?
  if [[ -n "$BROKER_PID" ]] && kill -0 "$BROKER_PID" 2>/dev/null; then
    echo "stopping the broker (pid $BROKER_PID)" >&2
    kill -TERM "$BROKER_PID" 2>/dev/null || true
    for _ in $(seq 1 60); do
      kill -0 "$BROKER_PID" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$BROKER_PID" 2>/dev/null; then
      echo "broker did not stop in 30 s; killing it" >&2
      kill -KILL "$BROKER_PID" 2>/dev/null || true
    fi
    wait "$BROKER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[kafka-bench] $*" >&2; }

# 1. Jars from Maven Central only.
LIB="$WORK/lib"
log "copying Kafka jars (Maven Central) to $LIB"
mvn -q -B -f "$HERE/pom.xml" dependency:copy-dependencies -DoutputDirectory="$LIB" -DincludeScope=runtime
CP="$LIB/*"

# 2. One combined broker + controller (KRaft), loopback only.
cat > "$WORK/log4j.properties" <<EOF
log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$WORK/broker.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
EOF
cat > "$WORK/tools-log4j.properties" <<EOF
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
cat > "$WORK/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CPORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$WORK/data
num.partitions=$PARTITIONS
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF
KJAVA=(java -Dlog4j.configuration="file:$WORK/tools-log4j.properties" -cp "$CP")
CLUSTER_ID=$("${KJAVA[@]}" kafka.tools.StorageTool random-uuid)
"${KJAVA[@]}" kafka.tools.StorageTool format -t "$CLUSTER_ID" -c "$WORK/server.properties" >/dev/null
log "starting the broker (KRaft, 127.0.0.1:$PORT, data in $WORK/data)"
java -Xms2g -Xmx2g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
  -Dlog4j.configuration="file:$WORK/log4j.properties" -Dkafka.logs.dir="$WORK" \
  -cp "$CP" kafka.Kafka "$WORK/server.properties" >"$WORK/broker.out" 2>&1 &
BROKER_PID=$!
for i in $(seq 1 120); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    break
  fi
  if ! kill -0 "$BROKER_PID" 2>/dev/null; then
    log "the broker exited:"; tail -n 30 "$WORK/broker.out" "$WORK/broker.log" >&2 || true; exit 1
  fi
  [[ $i == 120 ]] && { log "the broker did not listen within 60 s"; exit 1; }
  sleep 0.5
done

topic() { # name [config...]
  local name=$1; shift
  local configs=()
  for c in "$@"; do configs+=(--config "$c"); done
  "${KJAVA[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$PORT" --create --topic "$name" \
    --partitions "$PARTITIONS" --replication-factor 1 "${configs[@]}" >/dev/null
}

# ProducerPerformance's last line: "N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency,
# P50 ms 50th, P95 ms 95th, P99 ms 99th, P999 ms 99.9th."  Prints "R M P50 P99 P999" (latencies in ms).
perf() { # topic records throughput props...
  local topic=$1 records=$2 throughput=$3; shift 3
  local out
  out=$(timeout 600 java -Xmx1g -Dlog4j.configuration="file:$WORK/tools-log4j.properties" -cp "$CP" \
    org.apache.kafka.tools.ProducerPerformance --topic "$topic" --num-records "$records" --record-size "$SIZE" \
    --throughput "$throughput" --producer-props bootstrap.servers="127.0.0.1:$PORT" buffer.memory=134217728 "$@" \
    2>>"$WORK/perf.err" | tail -n 1)
  if ! [[ "$out" =~ ^[0-9]+\ records\ sent,\ ([0-9.]+)\ records/sec\ \(([0-9.]+)\ MB/sec\),.*\ ([0-9]+)\ ms\ 50th,\ [0-9]+\ ms\ 95th,\ ([0-9]+)\ ms\ 99th,\ ([0-9]+)\ ms\ 99\.9th ]]; then
    log "ProducerPerformance printed no summary (see below)"; echo "$out" >&2; tail -n 20 "$WORK/perf.err" >&2
    exit 1
  fi
  printf '%.0f %s %s %s %s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}" "${BASH_REMATCH[4]}" \
    "${BASH_REMATCH[5]}"
}

SUMMARY="$WORK/summary.txt"
row() { printf '%-44s %12s %8s %6s %6s %7s\n' "$@" | tee -a "$SUMMARY"; }
header() {
  echo | tee -a "$SUMMARY"
  echo "$1" | tee -a "$SUMMARY"
  row "settings" "msgs/s" "MB/s" "p50ms" "p99ms" "p99.9ms"
}

# (a) acks=1, best batching.
topic perf
header "(a) acks=1, $RECORDS records of $SIZE bytes, $PARTITIONS partition(s), full speed"
BEST_RATE=0
BEST_PROPS=
IFS=';' read -r -a CONFIGS <<< "$GRID"
for cfg in "${CONFIGS[@]}"; do
  read -r linger batch comp <<< "$cfg"
  props=(acks=1 linger.ms="$linger" batch.size="$batch" compression.type="$comp")
  res=$(perf perf "$RECORDS" -1 "${props[@]}")
  read -r rate mb p50 p99 p999 <<< "$res"
  row "linger.ms=$linger batch.size=$batch $comp" "$rate" "$mb" "$p50" "$p99" "$p999"
  if awk -v a="$rate" -v b="$BEST_RATE" 'BEGIN { exit !(a > b) }'; then
    BEST_RATE=$rate
    BEST_PROPS="linger.ms=$linger batch.size=$batch compression.type=$comp"
  fi
done
HALF=$(awk -v r="$BEST_RATE" 'BEGIN { printf "%d", r / 2 }')
header "(a) acks=1, best settings ($BEST_PROPS), throttled to half of peak: $HALF msgs/s"
res=$(perf perf "$RECORDS" "$HALF" acks=1 $BEST_PROPS)
read -r rate mb p50 p99 p999 <<< "$res"
row "acks=1 at $HALF/s" "$rate" "$mb" "$p50" "$p99" "$p999"

# (b) flush.messages=1: Kafka fsyncs the partition after every append.
topic perf-flush flush.messages=1
for acks in 1 all; do
  header "(b) flush.messages=1, acks=$acks, $FLUSH_RECORDS records, best (a) settings ($BEST_PROPS)"
  res=$(perf perf-flush "$FLUSH_RECORDS" -1 acks=$acks $BEST_PROPS)
  read -r rate mb p50 p99 p999 <<< "$res"
  row "acks=$acks full speed" "$rate" "$mb" "$p50" "$p99" "$p999"
  half=$(awk -v r="$rate" 'BEGIN { printf "%d", r / 2 }')
  res=$(perf perf-flush "$FLUSH_RECORDS" "$half" acks=$acks $BEST_PROPS)
  read -r rate mb p50 p99 p999 <<< "$res"
  row "acks=$acks at $half/s (half of peak)" "$rate" "$mb" "$p50" "$p99" "$p999"
done

{
  echo
  echo "Kafka $(ls "$LIB" | sed -n 's/^kafka-clients-\(.*\)\.jar$/\1/p'), one KRaft broker on 127.0.0.1, $(nproc) CPUs," \
    "$(java -version 2>&1 | head -n 1)"
  echo "ProducerPerformance latency = send() to callback, ms; data dir on $(df -P "$WORK" | awk 'NR==2 { print $1 }')"
} | tee -a "$SUMMARY"
if [[ -n "${OUT:-}" ]]; then
  cat "$SUMMARY" >> "$OUT"
fi
