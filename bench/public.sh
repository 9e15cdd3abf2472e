#!/usr/bin/env bash
# Benchmark of the public award list (issue 3): gunicorn on PostgreSQL, wrk at 16 connections,
# 127.0.0.1 only, each scenario bounded by BENCH_DURATION. Usage: bench/public.sh
# Prints one line per scenario; bench/RESULTS.md records a run.
# Sizes: BENCH_GRANTS=100000 (the default, database delmos_bench_public) or BENCH_GRANTS=500000
# (database delmos_bench_public_500000); each size has its own database, generated once.
# The open data part (issue 14) follows the list's: bench/opendata.sh; BENCH_ONLY=opendata runs
# it alone, BENCH_ONLY=list leaves it out.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-.venv/bin/python}
GUNICORN=${GUNICORN:-.venv/bin/gunicorn}
PORT=${BENCH_PORT:-8403}
DURATION=${BENCH_DURATION:-15s}
GRANTS=${BENCH_GRANTS:-100000}
WORKERS=${BENCH_WORKERS:-4}
default_db=delmos_bench_public
[ "$GRANTS" = 100000 ] || default_db="delmos_bench_public_$GRANTS"
export DATABASE_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/$default_db}
export CACHE_URL=${BENCH_CACHE_URL:-redis://127.0.0.1:6379/3}
export SECRET_KEY=bench-only-secret-key-not-used-anywhere-else-0123456789abcdefghij
export ALLOWED_HOSTS=127.0.0.1 DEBUG=0 LOG_LEVEL=WARNING

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

db_name=${DATABASE_URL##*/}
if ! psql "${DATABASE_URL%/*}/postgres" -tAc "select 1 from pg_database where datname='$db_name'" | grep -q 1; then
  psql "${DATABASE_URL%/*}/postgres" -qc "create database $db_name"
fi
"$PY" manage.py migrate -v0
if ! "$PY" manage.py shell -c "from grants.models import Round; import sys; sys.exit(0 if Round.objects.filter(slug__startswith='bench-').exists() else 1)" 2>/dev/null; then
  "$PY" manage.py generate_bench_data --grants "$GRANTS"
fi
psql "$DATABASE_URL" -qc "VACUUM ANALYZE"
"$PY" manage.py shell -c "from grants.models import Grant; print('grants in database:', Grant.objects.count())"

# Page 1 500 as a visitor reaches it: by the "next page" link of page 1 499, which carries the
# last row shown there (keyset pagination). Found here, before the server starts, so that no
# worker has the list's counts in its memory before the "empty cache" requests below. A bare
# ?page=1500 (typed into the address) starts after the last row of page 1 499, found among the
# ends of every page that the first typed page of a filter state computes (one pass; kept).
after=$("$PY" manage.py shell -c "from grants.selectors import public as s; print(s.list_rows(s.public_grants(), sort='organisation', limit=1, offset=1499 * 50 - 1)[0]['pk'])" 2>/dev/null | tail -1)
deep="/beviljade-bidrag/?page=1500&after=$after"

"$GUNICORN" delmos.wsgi -b "127.0.0.1:$PORT" -w "$WORKERS" --access-logfile /dev/null --log-level warning &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/robots.txt" >/dev/null && break; sleep 0.2; done

base="http://127.0.0.1:$PORT"
[ "${BENCH_ONLY:-}" != opendata ] || { . bench/opendata.sh; exit 0; }
cold() {  # one request with an empty cache: the first visitor of a filter state
  redis-cli -u "$CACHE_URL" flushdb >/dev/null
  curl -s -o /dev/null -w "%{time_total}" "$base$1" | awk -v p="$1" '{printf "COLD %-45s %.0f ms\n", p, $1 * 1000}'
}
run() {  # name, bust (0/1), path
  redis-cli -u "$CACHE_URL" flushdb >/dev/null
  curl -s -o /dev/null "$base$3"  # warm: fills the caches a repeated visitor would find
  printf "%-28s %-45s " "$1" "$3"
  BENCH_BUST=$2 wrk -t2 -c16 -d"$DURATION" --timeout 10s -s bench/report.lua "$base$3" | grep RESULT
}

echo "== single requests with an empty cache"
for path in "/beviljade-bidrag/" "/beviljade-bidrag/?county=21&min=500000" "/beviljade-bidrag/?q=soderhamn" "/beviljade-bidrag/?page=1500" "$deep"; do
  cold "$path"
done
seq50() {  # the server's time for one request, not cached, one at a time: median of 50
  curl -s -o /dev/null "$base$1"  # the filter state's parts, as in run() below
  for i in $(seq 50); do
    curl -s -o /dev/null -w "%{time_total}\n" "$base$1${2}bench=seq$i-$RANDOM"
  done | sort -n | awk -v p="$1" '{t[NR] = $1} END {
    printf "SEQ50 %-45s median %.1f ms, fastest %.1f ms\n", p, t[25] * 1000, t[1] * 1000}'
}
echo "== one request at a time, not cached (median of 50; load $(uptime | sed 's/.*average: //'))"
seq50 "/robots.txt" "?"
seq50 "/beviljade-bidrag/?county=21&min=500000" "&"
seq50 "/beviljade-bidrag/" "?"
seq50 "$deep" "&"
seq50 "/beviljade-bidrag/?page=1500" "&"
echo "== wrk, 16 connections, $DURATION each (load $(uptime | sed 's/.*average: //'))"
run "trivial view (ceiling)" 0 "/robots.txt"
run "unfiltered, page not cached" 1 "/beviljade-bidrag/"
run "county+amount, not cached" 1 "/beviljade-bidrag/?county=21&min=500000"
run "county+amount+dates, not cached" 1 "/beviljade-bidrag/?county=21&min=500000&decided_from=2021-01-01&decided_to=2024-12-31"
run "text search, not cached" 1 "/beviljade-bidrag/?q=soderhamn"
run "deep page (link), not cached" 1 "$deep"
run "deep page (typed), not cached" 1 "/beviljade-bidrag/?page=1500"
run "county+amount, cached" 0 "/beviljade-bidrag/?county=21&min=500000"
run "grant page, cached" 0 "/beviljade-bidrag/1/"
run "round page, cached" 0 "/utlysningar/2020/"
run "trivial view (again)" 0 "/robots.txt"
echo "== load $(uptime | sed 's/.*average: //')"
[ "${BENCH_ONLY:-}" != list ] || exit 0
. bench/opendata.sh
