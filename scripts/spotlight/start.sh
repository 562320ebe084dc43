#!/usr/bin/env bash
# start.sh [PORT]: run Sentry Spotlight 4.11.8, a local Sentry receiver, on
# 127.0.0.1:PORT in the background and print its DSN on stdout (one line;
# everything else goes to stderr):
#
#   DSN=$(scripts/spotlight/start.sh 0)   # http://spotlight@127.0.0.1:41234/0
#   SPOTLIGHT_DSN=$DSN go test -race -count=1 ./...
#   scripts/spotlight/stop.sh "${DSN##*:}"   # or: stop.sh 41234 / stop.sh all
#
# PORT defaults to 8969 (Spotlight's own default); 0 picks a free port.
# On first use the pinned packages (package-lock.json) are installed with
# `npm ci` into a cache folder. Starting again on a port where this script
# already runs Spotlight just prints the DSN again.
#
# Why not `npx @spotlightjs/spotlight`: see shim.mjs and package.json. Without
# the hono 4.12.25 pin every request fails with HTTP 500, and without the shim
# sentry-go's exception events fail, Spotlight listens on every interface and
# reports its own telemetry to sentry.io.
#
# Environment (optional):
#   SPOTLIGHT_CACHE_DIR      install root (default ${XDG_CACHE_HOME:-~/.cache}/logsentry-spotlight)
#   SPOTLIGHT_STATE_DIR      pid and log files (default ${TMPDIR:-/tmp}/logsentry-spotlight-$UID);
#                            use the same value for stop.sh
#   SPOTLIGHT_START_TIMEOUT  seconds to wait until it answers (default 60)
#   SPOTLIGHT_DEBUG=1        Spotlight logs each envelope it receives
set -euo pipefail

VERSION=4.11.8
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PORT="${1:-8969}"
STATE="${SPOTLIGHT_STATE_DIR:-${TMPDIR:-/tmp}/logsentry-spotlight-$(id -u)}"
TIMEOUT="${SPOTLIGHT_START_TIMEOUT:-60}"
RUN_JS=node_modules/@spotlightjs/spotlight/dist/run.js

log() { echo "spotlight/start.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ "$PORT" =~ ^[0-9]{1,5}$ ]] || die "bad port '$PORT' (want 0-65535)"
PORT=$((10#$PORT))
((PORT <= 65535)) || die "bad port '$PORT' (want 0-65535)"
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "bad SPOTLIGHT_START_TIMEOUT '$TIMEOUT'"
command -v node >/dev/null || die "node not found (Node.js >= 20 is needed; Debian: apt-get install -y nodejs npm)"
command -v curl >/dev/null || die "curl not found"
(($(node -p 'process.versions.node.split(".")[0]') >= 20)) || die "Node.js $(node -v) is too old, need >= 20"

# healthy PORT: Spotlight answers /health on loopback (never via a proxy).
healthy() {
  curl -fsS --noproxy '*' --max-time 2 -o /dev/null -D - "http://127.0.0.1:$1/health" 2>/dev/null |
    tr -d '\r' | grep -qix 'x-powered-by: spotlight-by-sentry'
}
# ours PID: PID is a Spotlight started by this script (with the shim).
ours() {
  [[ "$1" =~ ^[0-9]+$ && -r /proc/$1/cmdline ]] || return 1
  local cmd
  cmd="$(tr '\0' ' ' <"/proc/$1/cmdline")"
  [[ "$cmd" == *"--import "*"shim.mjs "*"$RUN_JS server"* ]]
}

mkdir -p "$STATE"

# Already running on this port?
if ((PORT != 0)); then
  pid="$(cat "$STATE/$PORT.pid" 2>/dev/null || true)"
  if ours "$pid" && healthy "$PORT"; then
    log "already running on 127.0.0.1:$PORT (pid $pid)"
    echo "http://spotlight@127.0.0.1:$PORT/0"
    exit 0
  fi
  rm -f "$STATE/$PORT.pid"
  # Spotlight would otherwise retry a busy port for a long time.
  if (: >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    die "port $PORT is already in use on 127.0.0.1 (by something this script did not start); use another port or 0"
  fi
fi

# Install the pinned packages once. The folder name carries a hash of the
# manifest and lockfile, so changing the pins installs afresh.
hash="$(cat "$HERE/package.json" "$HERE/package-lock.json" | sha256sum | cut -c1-12)"
INSTALL="${SPOTLIGHT_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/logsentry-spotlight}/$VERSION-$hash"
if [[ ! -f "$INSTALL/$RUN_JS" ]]; then
  command -v npm >/dev/null || die "npm not found (needed once, to install Spotlight)"
  log "installing @spotlightjs/spotlight@$VERSION into $INSTALL (npm ci, pinned lockfile) ..."
  mkdir -p "$(dirname "$INSTALL")"
  tmp="$(mktemp -d "$INSTALL.tmp.XXXXXX")"
  cp "$HERE/package.json" "$HERE/package-lock.json" "$tmp/"
  t0=$SECONDS
  if ! (cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2 </dev/null; then
    rm -rf "$tmp"
    die "npm ci failed (is the npm registry reachable?)"
  fi
  # A parallel start may have finished first; then keep its copy.
  mv -T "$tmp" "$INSTALL" 2>/dev/null || rm -rf "$tmp"
  log "installed in $((SECONDS - t0)) s"
fi

# Start. stdin/stdout/stderr are detached so that $(start.sh) returns.
startlog="$(mktemp "$STATE/starting.XXXXXX")"
t0=$(date +%s%N)
env -u SENTRY_SPOTLIGHT SPOTLIGHT_INSTALL_DIR="$INSTALL" \
  node --import "$HERE/shim.mjs" "$INSTALL/$RUN_JS" server --port "$PORT" \
  </dev/null >"$startlog" 2>&1 &
pid=$!
ready=""
# On failure or interruption: show Spotlight's log, leave no server behind.
cleanup() {
  [[ -z "$ready" ]] || return 0
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  sed 's/^/  | /' "$startlog" >&2 || true
  rm -f "$startlog"
}
trap cleanup EXIT

port=""
deadline=$((SECONDS + TIMEOUT))
while ((SECONDS < deadline)); do
  kill -0 "$pid" 2>/dev/null || die "Spotlight exited during start-up (its log follows)"
  [[ -n "$port" ]] || port="$(sed -n 's/.*Spotlight listening on \([0-9][0-9]*\).*/\1/p' "$startlog" | head -n1)"
  if [[ -n "$port" ]] && healthy "$port"; then
    ready=1
    break
  fi
  sleep 0.1
done
[[ -n "$ready" ]] || die "Spotlight did not answer on /health within ${TIMEOUT}s (its log follows)"

mv "$startlog" "$STATE/$port.log"
echo "$pid" >"$STATE/$port.pid"
log "Spotlight $VERSION ready on http://127.0.0.1:$port in $((($(date +%s%N) - t0) / 1000000)) ms (pid $pid, log $STATE/$port.log)"
echo "http://spotlight@127.0.0.1:$port/0"
