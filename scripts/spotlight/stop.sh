#!/usr/bin/env bash
# stop.sh [PORT|all]: stop the Spotlight that start.sh started on PORT
# (default 8969), or every one it started. Only processes recorded in
# start.sh's pid files are touched. Exits 0 when nothing is running.
# Use the same SPOTLIGHT_STATE_DIR as start.sh.
set -euo pipefail

WHICH="${1:-8969}"
STATE="${SPOTLIGHT_STATE_DIR:-${TMPDIR:-/tmp}/logsentry-spotlight-$(id -u)}"
RUN_JS=node_modules/@spotlightjs/spotlight/dist/run.js

log() { echo "spotlight/stop.sh: $*" >&2; }

# ours PID: PID is a Spotlight started by start.sh (with the shim).
ours() {
  [[ "$1" =~ ^[0-9]+$ && -r /proc/$1/cmdline ]] || return 1
  local cmd
  cmd="$(tr '\0' ' ' <"/proc/$1/cmdline")"
  [[ "$cmd" == *"--import "*"shim.mjs "*"$RUN_JS server"* ]]
}

stop_port() {
  local port="$1" pid signal _
  pid="$(cat "$STATE/$port.pid" 2>/dev/null || true)"
  rm -f "$STATE/$port.pid"
  if ! ours "$pid"; then
    log "port $port: not running"
    return 0
  fi
  # Spotlight may close its server on the first SIGTERM and exit on the next.
  for signal in TERM TERM KILL; do
    kill -s "$signal" "$pid" 2>/dev/null || true
    for _ in {1..30}; do
      ours "$pid" || { log "port $port: stopped (pid $pid)"; return 0; }
      sleep 0.1
    done
  done
  log "port $port: pid $pid did not exit"
  return 1
}

case "$WHICH" in
all)
  shopt -s nullglob
  status=0
  for f in "$STATE"/*.pid; do
    stop_port "$(basename "$f" .pid)" || status=1
  done
  exit "$status"
  ;;
*)
  [[ "$WHICH" =~ ^[0-9]{1,5}$ ]] || { log "usage: stop.sh [PORT|all]"; exit 2; }
  stop_port "$((10#$WHICH))"
  ;;
esac
