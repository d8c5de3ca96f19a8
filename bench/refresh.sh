#!/usr/bin/env bash
# bench/refresh.sh — how long one POST /refresh takes on the real sources, against a baseline.
#
# Measures:
#   refresh   POST /refresh of the service, its three sources (the complete series in
#             ../shared/data) served over local HTTP on 127.0.0.1 (nginx, or python3
#             -m http.server when nginx is missing). Wall clock (curl time_total) and the
#             report's duration_ms.
#   baseline  psql: in one transaction, truncate plain tables, \copy the same three files into
#             them, and build the equivalent aggregate (doses summed per jurisdiction and
#             manufacturer, joined to the population summed per state) into a result table.
#             Wall clock of the whole psql run (process start, connect, commit).
#   The baseline runs in a throwaway database (bench_baseline) on the service's own embedded
#   warehouse, so both commit on the same PostgreSQL (fsync on). WARMUP untimed refreshes (default
#   1: a service that has just started, its JIT cold) and one untimed baseline, then
#   RUNS timed runs, interleaved (refresh, baseline, refresh, ...). Reports medians and the ratio
#   refresh / baseline (target in the issue: at most 1.5).
#
# Run:    bench/refresh.sh                      (from anywhere; takes about a minute)
# Env:    JAR       service jar (default: <repo>/service/target/service.jar)
#         DATA_DIR  the source files (default: ../shared/data)
#         RUNS      timed runs of each (default 7, at most 50)
#         WARMUP    untimed refreshes first (default 1, at most 200); about 40 measure a
#                   long-running service, whose JIT has compiled the load path
# Needs:  java 17, curl, psql, python3; nginx optional. Starts everything on free ports from
#         18480 on 127.0.0.1 (never 5432, 54320 or 8080): the static server, the service (no
#         REFRESH_TOKEN, embedded warehouse with a scratch DWH_DIR under /tmp). Stops them and
#         deletes the scratch directory on exit.
# Output: a table on stdout, also appended to bench/results/refresh.md with the date, nproc, CPU
#         model and load average.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUNS=${RUNS:-7}
WARMUP=${WARMUP:-1}
if ! [[ $RUNS =~ ^[0-9]+$ ]] || ((RUNS < 1 || RUNS > 50)); then die "RUNS must be 1..50"; fi
if ! [[ $WARMUP =~ ^[0-9]+$ ]] || ((WARMUP < 1 || WARMUP > 200)); then die "WARMUP must be 1..200"; fi
need java curl psql python3
check_jar
for f in "$MODERNA_FILE" "$PFIZER_FILE" "$POPULATION_FILE"; do
    [[ -r $DATA_DIR/$f ]] || die "missing $DATA_DIR/$f"
done

BENCH_TMP=$(mktemp -d /tmp/bench-refresh.XXXXXX)
chmod 755 "$BENCH_TMP"
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

free_port 18480; STATIC_PORT=$FREE_PORT
free_port 18481; SERVICE_PORT=$FREE_PORT
free_port 18482; DB_PORT=$FREE_PORT
FACTS_START=$(machine_facts)

start_static_server "$DATA_DIR" "$STATIC_PORT"
export MODERNA_URL="http://127.0.0.1:$STATIC_PORT/$MODERNA_FILE"
export PFIZER_URL="http://127.0.0.1:$STATIC_PORT/$PFIZER_FILE"
export COUNTY_POPULATION_URL="http://127.0.0.1:$STATIC_PORT/$POPULATION_FILE"
export SOURCE_TIMEOUT=${SOURCE_TIMEOUT:-120}
log "sources on 127.0.0.1:$STATIC_PORT ($STATIC_KIND); starting the service on $SERVICE_PORT (warehouse $DB_PORT)"
start_service "$SERVICE_PORT" "$DB_PORT" "$BENCH_TMP/dwh"

PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$DB_PORT" -U postgres)
"${PSQL[@]}" -d postgres -c 'create database bench_baseline' >/dev/null
"${PSQL[@]}" -d bench_baseline >/dev/null <<'SQL'
create table moderna (jurisdiction text not null, week_of_allocations timestamp not null,
                      first_dose_allocations bigint not null, second_dose_allocations bigint not null);
create table pfizer (like moderna);
create table county_population (id text, id2 text, county text, state text, population_estimate_2018 bigint);
create table state_doses (state text, population bigint, doses_moderna bigint, doses_pfizer bigint,
                          doses_total bigint, people_per_dose numeric);
SQL

BASELINE_SQL="$BENCH_TMP/baseline.sql"
cat >"$BASELINE_SQL" <<SQL
begin;
truncate moderna, pfizer, county_population, state_doses;
\\copy moderna from '$DATA_DIR/$MODERNA_FILE' with (format csv, header true)
\\copy pfizer from '$DATA_DIR/$PFIZER_FILE' with (format csv, header true)
\\copy county_population from '$DATA_DIR/$POPULATION_FILE' with (format csv, header true)
insert into state_doses
with doses as (
    select jurisdiction, sum(first_dose_allocations + second_dose_allocations) as moderna, 0 as pfizer
    from moderna group by jurisdiction
    union all
    select jurisdiction, 0, sum(first_dose_allocations + second_dose_allocations)
    from pfizer group by jurisdiction
),
per_jurisdiction as (
    select jurisdiction, sum(moderna) as moderna, sum(pfizer) as pfizer from doses group by jurisdiction
),
population as (
    select state, sum(population_estimate_2018) as population from county_population group by state
)
select p.state, p.population, d.moderna, d.pfizer, d.moderna + d.pfizer,
       round(p.population::numeric / nullif(d.moderna + d.pfizer, 0), 4)
from population p
join per_jurisdiction d on d.jurisdiction = p.state;
commit;
SQL

now_ms() { date +%s%3N; }

# One refresh: prints "wall_ms duration_ms state_rows".
refresh_once() {
    local out="$BENCH_TMP/refresh.json" code wall
    read -r code wall < <(curl -s -m 300 -o "$out" -w '%{http_code} %{time_total}\n' \
        -X POST "http://127.0.0.1:$SERVICE_PORT/refresh")
    [[ $code == 200 ]] || die "POST /refresh answered $code: $(head -c 400 "$out")"
    python3 - "$out" "$wall" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
print(round(float(sys.argv[2]) * 1000, 1), report["duration_ms"], report["state_rows"])
EOF
}

# One baseline run: prints "wall_ms result_rows".
baseline_once() {
    local start end rows
    start=$(now_ms)
    "${PSQL[@]}" -d bench_baseline -f "$BASELINE_SQL" >/dev/null
    end=$(now_ms)
    rows=$("${PSQL[@]}" -d bench_baseline -At -c 'select count(*) from state_doses')
    echo "$((end - start)) $rows"
}

log "warm-up (not timed): $WARMUP refresh(es), one baseline"
for ((i = 1; i <= WARMUP; i++)); do
    refresh_once >/dev/null
done
baseline_once >/dev/null

RUN_LINES=""
for ((i = 1; i <= RUNS; i++)); do
    read -r r_wall r_dur r_rows < <(refresh_once)
    read -r b_wall b_rows < <(baseline_once)
    echo "$r_wall" >>"$BENCH_TMP/refresh_wall"
    echo "$r_dur" >>"$BENCH_TMP/refresh_dur"
    echo "$b_wall" >>"$BENCH_TMP/baseline_wall"
    line=$(printf 'run %d: refresh wall %s ms, duration_ms %s (%s state rows); baseline %s ms (%s rows); load %s' \
        "$i" "$r_wall" "$r_dur" "$r_rows" "$b_wall" "$b_rows" "$(load_avg)")
    log "$line"
    RUN_LINES+="    $line"$'\n'
done

R_WALL=$(median <"$BENCH_TMP/refresh_wall")
R_DUR=$(median <"$BENCH_TMP/refresh_dur")
B_WALL=$(median <"$BENCH_TMP/baseline_wall")
read -r RATIO RATIO_DUR VERDICT < <(python3 -c '
import sys
r, d, b = map(float, sys.argv[1:])
verdict = "met" if r / b <= 1.5 else "NOT-met"
print(f"{r / b:.2f} {d / b:.2f} {verdict}")' "$R_WALL" "$R_DUR" "$B_WALL")

{
    echo
    echo "## refresh.sh — $FACTS_START"
    echo "load at end: $(load_avg); sources over local HTTP ($STATIC_KIND); $RUNS timed runs each, interleaved, after $WARMUP untimed refresh(es) and one untimed baseline"
    echo
    echo "| measure | median ms |"
    echo "| --- | ---: |"
    echo "| POST /refresh, wall clock (curl) | $R_WALL |"
    echo "| POST /refresh, report duration_ms | $R_DUR |"
    echo "| baseline: psql \\copy x3 + aggregate, wall clock | $B_WALL |"
    echo "| ratio refresh wall / baseline (target <= 1.5) | $RATIO ($VERDICT) |"
    echo "| ratio refresh duration_ms / baseline | $RATIO_DUR |"
    echo
    printf '%s' "$RUN_LINES"
} | record refresh.md
