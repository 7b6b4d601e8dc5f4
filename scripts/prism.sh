#!/usr/bin/env bash
# Prism mock-server helper for clerk-backend spec-conformance tests and CI.
#
#   scripts/prism.sh install               npm ci in tools/prism (skipped when already up to date)
#   scripts/prism.sh start <spec> <port>   start `prism mock -d` on 127.0.0.1:<port>, wait until it answers
#   scripts/prism.sh stop <port>           stop the Prism started for <port>
#   scripts/prism.sh status <port>         exit 0 if the Prism for <port> is running and answering
#
# State lives in target/prism/: <port>.pid and <port>.log (Prism's output).
# Environment:
#   PRISM_START_TIMEOUT  seconds to wait for the port to answer (default 60)
#   PRISM_LOG_LEVEL      prism --verboseLevel (default info: one line per request + its violations)
#   PRISM_SEED           prism --seed, makes dynamic bodies deterministic (default: unset = random)
#   PRISM_EXTRA_ARGS     extra arguments appended to `prism mock` (word-split)
#   PRISM_STATE_DIR      overrides target/prism
# See tools/prism/NOTES.md for Prism's behaviour against the Clerk specs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="$ROOT/tools/prism"
PRISM_BIN="$TOOLS_DIR/node_modules/.bin/prism"
STAMP="$TOOLS_DIR/node_modules/.clerk-prism-lock.sha256"
STATE_DIR="${PRISM_STATE_DIR:-$ROOT/target/prism}"

die() {
    echo "prism.sh: error: $*" >&2
    exit 1
}

usage() {
    sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

check_port() {
    [[ "${1:-}" =~ ^[0-9]+$ ]] && ((10#$1 > 0 && 10#$1 < 65536)) || die "invalid port '${1:-}'"
}

lock_hash() {
    sha256sum "$TOOLS_DIR/package-lock.json" | cut -d' ' -f1
}

cmd_install() {
    command -v npm >/dev/null || die "npm not found (node >= 18.20 and npm are required)"
    [[ -f "$TOOLS_DIR/package-lock.json" ]] || die "missing $TOOLS_DIR/package-lock.json"
    local want
    want="$(lock_hash)"
    if [[ -x "$PRISM_BIN" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
        echo "prism.sh: tools/prism/node_modules is up to date ($("$PRISM_BIN" --version 2>/dev/null || echo '?'))"
        return 0
    fi
    echo "prism.sh: npm ci in tools/prism ..."
    (cd "$TOOLS_DIR" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in $TOOLS_DIR"
    [[ -x "$PRISM_BIN" ]] || die "npm ci succeeded but $PRISM_BIN is missing"
    echo "$want" >"$STAMP"
    echo "prism.sh: installed prism $("$PRISM_BIN" --version)"
}

# true if something answers HTTP on 127.0.0.1:$1 (any status code counts)
port_answers() {
    curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/" 2>/dev/null
}

pid_alive() {
    [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null
}

read_pid() {
    local f="$STATE_DIR/$1.pid"
    [[ -f "$f" ]] && cat "$f" || true
}

cmd_start() {
    [[ $# -eq 2 ]] || usage
    local spec="$1" port="$2"
    [[ -n "$spec" ]] || die "empty spec path"
    [[ -f "$spec" ]] || die "spec file not found: '$spec' (cwd: $PWD)"
    [[ -r "$spec" ]] || die "spec file not readable: '$spec'"
    check_port "$port"
    spec="$(cd "$(dirname "$spec")" && pwd)/$(basename "$spec")"

    mkdir -p "$STATE_DIR"
    local pidfile="$STATE_DIR/$port.pid" log="$STATE_DIR/$port.log"
    local old
    old="$(read_pid "$port")"
    if pid_alive "$old"; then
        die "a Prism started by this script is already running on port $port (pid $old); run: $0 stop $port"
    fi
    rm -f "$pidfile"
    if port_answers "$port"; then
        die "port $port on 127.0.0.1 is already in use by another process"
    fi

    if [[ ! -x "$PRISM_BIN" ]]; then
        cmd_install
    fi

    local -a args=(mock -d -h 127.0.0.1 -p "$port" --cors=false
        --json-schema-faker-fillProperties=false
        -v "${PRISM_LOG_LEVEL:-info}")
    [[ -n "${PRISM_SEED:-}" ]] && args+=(--seed "$PRISM_SEED")
    # shellcheck disable=SC2206
    [[ -n "${PRISM_EXTRA_ARGS:-}" ]] && args+=($PRISM_EXTRA_ARGS)
    args+=("$spec")

    echo "prism.sh: starting prism ${args[*]}" >"$log"
    # setsid: own process group, so `stop` can kill Prism and any child it forks; detached from our stdin.
    setsid "$PRISM_BIN" "${args[@]}" </dev/null >>"$log" 2>&1 &
    local pid=$!
    echo "$pid" >"$pidfile"

    local timeout="${PRISM_START_TIMEOUT:-60}" start=$SECONDS
    while ! port_answers "$port"; do
        if ! pid_alive "$pid"; then
            rm -f "$pidfile"
            echo "prism.sh: error: Prism exited before port $port answered. Log ($log):" >&2
            sed 's/^/  | /' "$log" >&2
            exit 1
        fi
        if ((SECONDS - start >= timeout)); then
            echo "prism.sh: error: Prism did not answer on port $port within ${timeout}s. Log ($log):" >&2
            sed 's/^/  | /' "$log" >&2
            stop_pid "$pid"
            rm -f "$pidfile"
            exit 1
        fi
        sleep 0.5
    done
    echo "prism.sh: Prism (pid $pid) serves $(basename "$spec") on http://127.0.0.1:$port after $((SECONDS - start))s; log: $log"
}

stop_pid() {
    local pid="$1" i
    # negative pid = the whole process group created by setsid
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        pid_alive "$pid" || return 0
        sleep 0.2
    done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}

cmd_stop() {
    [[ $# -eq 1 ]] || usage
    local port="$1"
    check_port "$port"
    local pid
    pid="$(read_pid "$port")"
    if [[ -z "$pid" ]]; then
        echo "prism.sh: no Prism pid file for port $port (not started by this script?)"
        return 0
    fi
    if pid_alive "$pid"; then
        stop_pid "$pid"
        echo "prism.sh: stopped Prism on port $port (pid $pid)"
    else
        echo "prism.sh: Prism on port $port (pid $pid) was not running"
    fi
    rm -f "$STATE_DIR/$port.pid"
}

cmd_status() {
    [[ $# -eq 1 ]] || usage
    local port="$1" pid
    check_port "$port"
    pid="$(read_pid "$port")"
    if pid_alive "$pid" && port_answers "$port"; then
        echo "prism.sh: Prism on port $port is running (pid $pid)"
    else
        echo "prism.sh: Prism on port $port is not running"
        return 1
    fi
}

[[ $# -ge 1 ]] || usage
cmd="$1"
shift
case "$cmd" in
install) [[ $# -eq 0 ]] || usage; cmd_install ;;
start) cmd_start "$@" ;;
stop) cmd_stop "$@" ;;
status) cmd_status "$@" ;;
-h | --help | help) usage ;;
*) echo "prism.sh: unknown command '$cmd'" >&2; usage ;;
esac
