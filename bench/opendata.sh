# Open data (issue 14), sourced by bench/public.sh while its gunicorn runs ($PY, $base, $server,
# $DURATION, the database and cache of the size). BENCH_ONLY=opendata bench/public.sh runs this
# part alone; BENCH_WRITE=1 deletes the written files and the award list's precomputed counts
# first, so the job's cost is measured. The machine may be shared: each wrk figure is printed
# with the load average, beside the trivial view's figure from the same run.

od_load() { uptime | sed 's/.*load average: /load /'; }
od_wrk() {  # name, path, timeout
  printf "%-28s %-45s " "$1" "$2"
  BENCH_BUST=0 wrk -t2 -c16 -d"$DURATION" --timeout "${3:-30s}" -s bench/report.lua "$base$2" | grep RESULT | tr -d '\n'
  echo " ($(od_load))"
}
# The first visitor of a filter state: a new public data version (as after any change) makes
# every cached part of every filter state, in Redis and in each worker's memory, unfindable.
od_first_visitor() {  # label, path
  psql "$DATABASE_URL" -qc "UPDATE grants_publicdataversion SET version = floor(random() * 1e15)::bigint WHERE id = 1"
  curl -s -o /dev/null -w "%{http_code} %{time_total}" "$base$2" | awk -v l="$1" -v p="$2" '{printf "FIRST VISITOR %-9s %-55s %s %.0f ms\n", l, p, $1, $2 * 1000}'
}
od_states=(
  "/beviljade-bidrag/"
  "/beviljade-bidrag/?county=21"
  "/beviljade-bidrag/?county=01&municipality=0180"
  "/beviljade-bidrag/?year=2020&type=kommun"
  "/beviljade-bidrag/?seat=1480&supplementary=yes"
  "/beviljade-bidrag/?county=21&min=500000"
)

echo "== open data: the job writes the files (once per data version)"
if [ "${BENCH_WRITE:-0}" = 1 ]; then
  "$PY" manage.py shell -c "from grants.models import OpenDataRelease, GrantFacetState; from grants.tasks.opendata import prune; prune(keep=0); GrantFacetState.objects.update(built_version=None)" 2>/dev/null
fi
echo "== award list counts: the first visitor of a filter state while the counts are stale (the scan), $(od_load)"
for path in "${od_states[@]}"; do od_first_visitor scan "$path"; done
/usr/bin/time -f "COUNTS JOB wall=%es user=%Us sys=%Ss maxrss=%MkB" "$PY" manage.py write_open_data --counts-only 2>&1 | grep -E "^COUNTS|counts|rror"
"$PY" manage.py shell -c "from grants.models import GrantFacet; print('precomputed count rows:', GrantFacet.objects.count())" 2>/dev/null
echo "== award list counts: the first visitor of a filter state with the counts current, $(od_load)"
for path in "${od_states[@]}"; do od_first_visitor counts "$path"; done
/usr/bin/time -f "JOB wall=%es user=%Us sys=%Ss maxrss=%MkB" "$PY" manage.py write_open_data 2>&1 | grep -E "^JOB|Wrote|current|rror"

largest_worker_rss() { ps -o rss= --ppid "$server" | sort -n | tail -1; }
echo "== open data: whole files, one request at a time"
echo "web workers' largest RSS before: $(largest_worker_rss) kB"
for _ in 1 2 3; do
  curl -s -o /dev/null -w "FULL PACKAGE %{http_code} %{size_download} bytes %{time_total} s\n" "$base/oppna-data/360giving.json"
done
curl -s -o /dev/null -w "FULL CSV     %{http_code} %{size_download} bytes %{time_total} s\n" "$base/oppna-data/beviljade-bidrag.csv"
etag=$(curl -s -D - -o /dev/null "$base/oppna-data/360giving.json" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')
curl -s -o /dev/null -H "If-None-Match: $etag" -w "CONDITIONAL  %{http_code} %{size_download} bytes %{time_total} s\n" "$base/oppna-data/360giving.json"
echo "web workers' largest RSS after: $(largest_worker_rss) kB"

echo "== open data: wrk, 16 connections, $DURATION each"
od_wrk "trivial view (ceiling)" "/robots.txt" 10s
od_wrk "whole package (file)" "/oppna-data/360giving.json"
echo "web workers' largest RSS after 16 connections: $(largest_worker_rss) kB"
filtered="/beviljade-bidrag.csv?county=21"
rows=$(curl -s "$base$filtered" | wc -l)
curl -s -o /dev/null -w "FILTERED CSV alone: %{http_code} %{size_download} bytes %{time_total} s, $((rows - 1)) grants\n" "$base$filtered"
od_wrk "filtered CSV (stream)" "$filtered"
od_wrk "filtered JSON (stream)" "/beviljade-bidrag.json?county=21"
od_wrk "trivial view (ceiling)" "/robots.txt" 10s
echo "web workers' largest RSS at the end: $(largest_worker_rss) kB"
