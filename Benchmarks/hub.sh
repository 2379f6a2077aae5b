# Shared by the benchmark scripts (source it): start and stop a hub on a fresh embedded PostgreSQL cluster.
#
#   hub_start BINARY WORK_DIR [serve options...]   sets hub_pid, hub_url (http://127.0.0.1:PORT), hub_mllp_port
#   hub_stop                                       stops the hub and its cluster (call it from an EXIT trap)
#   hub_cpu_ms / hub_postgres_cpu_ms               CPU time (user + system, ms) the hub / its cluster used so far
#   hub_cpu_per_message HUB_MS POSTGRES_MS N       "hub_ms postgres_ms": CPU per message of the N messages handled since
#                                                  hub_cpu_ms and hub_postgres_cpu_ms read HUB_MS and POSTGRES_MS
#
# WORK_DIR must be world-traversable: as root the embedded cluster runs as the `postgres` account.

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

hub_start() {
    local binary="$1" work="$2"
    shift 2
    local port
    port="$(free_port)"
    hub_mllp_port="$(free_port)"
    hub_work="$work"
    # One load generator is one client: the per-client rate limit is off unless CAREBRIDGE_RATE_LIMIT says otherwise.
    env -u DATABASE_URL LOG_LEVEL="${LOG_LEVEL:-notice}" CAREBRIDGE_RATE_LIMIT="${CAREBRIDGE_RATE_LIMIT:-0}" \
        "$binary" serve --insecure-dev --http-host 127.0.0.1 \
        --http-port "$port" --mllp-port "$hub_mllp_port" --data-dir "$work/pg" "$@" >"$work/hub.log" 2>&1 &
    hub_pid=$!
    hub_url="http://127.0.0.1:$port"
    for _ in $(seq 1 300); do
        kill -0 "$hub_pid" 2>/dev/null || { echo "the hub exited while starting" >&2; tail -n 20 "$work/hub.log" >&2; return 1; }
        curl -fsS -o /dev/null "$hub_url/fhir/metadata" 2>/dev/null && return 0
        sleep 0.2
    done
    echo "the hub did not start" >&2
    return 1
}

hub_stop() {
    if [[ -n "${hub_pid:-}" ]] && kill -0 "$hub_pid" 2>/dev/null; then
        kill -TERM "$hub_pid" 2>/dev/null || true
        for _ in $(seq 1 150); do
            kill -0 "$hub_pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -0 "$hub_pid" 2>/dev/null && kill -KILL "$hub_pid" 2>/dev/null
        wait "$hub_pid" 2>/dev/null || true
    fi
    if [[ -n "${hub_work:-}" && -f "$hub_work/pg/postmaster.pid" ]]; then
        local pgctl
        pgctl="$(ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -1)"
        if [[ "$(id -u)" == 0 ]]; then
            su postgres -s /bin/sh -c "'$pgctl' -D '$hub_work/pg' -m immediate -w stop" >/dev/null 2>&1 || true
        else
            "$pgctl" -D "$hub_work/pg" -m immediate -w stop >/dev/null 2>&1 || true
        fi
    fi
}

# CPU time in ms (user + system) of process $1; with "children" also what its exited children used.
process_cpu_ms() {
    local fields
    fields="$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null)" || { echo 0; return; }
    awk -v ticks="$(getconf CLK_TCK)" -v children="${2:-}" \
        '{ t = $12 + $13; if (children != "") t += $14 + $15; printf "%d\n", t * 1000 / ticks }' <<<"$fields"
}

hub_cpu_ms() { process_cpu_ms "$hub_pid"; }

# The cluster's postmaster with the children it reaped, plus its live children (backends, background workers).
hub_postgres_cpu_ms() {
    local postmaster total child
    postmaster="$(head -1 "$hub_work/pg/postmaster.pid" 2>/dev/null)" || { echo 0; return; }
    total="$(process_cpu_ms "$postmaster" children)"
    for child in $(pgrep -P "$postmaster"); do total=$((total + $(process_cpu_ms "$child"))); done
    echo "$total"
}

hub_cpu_per_message() {
    awk -v hub=$(( $(hub_cpu_ms) - $1 )) -v pg=$(( $(hub_postgres_cpu_ms) - $2 )) -v n="$3" \
        'BEGIN { printf "%.3f %.3f\n", hub / n, pg / n }'
}
