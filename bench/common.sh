# Shared by bench/load.sh and bench/slack.sh (sourced, not run): builds the release binaries
# (into $BIN_DIR, under CARGO_TARGET_DIR when set), keeps a work dir and the started processes'
# pids, cleans both up on exit, and waits for servers to answer.

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
cargo build --release --quiet --bin errkb --example hello_baseline --example fake_platforms
BIN_DIR="${CARGO_TARGET_DIR:-target}/release"

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# start_hello PORT: the axum hello-world baseline in the background.
start_hello() {
  "$BIN_DIR/examples/hello_baseline" "127.0.0.1:$1" 2>"$work/hello.log" &
  pids+=($!)
}

# wait_ready URL...: each URL answers 2xx within 10 s, or the run stops with the logs.
wait_ready() {
  for url in "$@"; do
    for _ in $(seq 1 100); do curl -fs "$url" >/dev/null && break; sleep 0.1; done
    curl -fs "$url" >/dev/null || { echo "not ready: $url" >&2; cat "$work"/*.log >&2; exit 1; }
  done
}

# run [wrk args] URL: wrk with the script's THREADS, CONNECTIONS and DURATION, latency on.
run() { wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@"; }
# rps FILE / p99 FILE: requests per second and the 99th-percentile latency from wrk's output.
rps() { awk '/^Requests\/sec/ {print $2}' "$1"; }
p99() { awk '$1 == "99%" {print $2}' "$1"; }
