# Open data (issue 14), sourced by bench/public.sh while its gunicorn runs ($PY, $base, $server,
# $DURATION, the database and cache of the size). BENCH_ONLY=opendata bench/public.sh runs this
# part alone; BENCH_WRITE=1 deletes the written files first, so the job's cost is measured.

echo "== open data: the job writes the files (once per data version)"
if [ "${BENCH_WRITE:-0}" = 1 ]; then
  "$PY" manage.py shell -c "from grants.models import OpenDataRelease; from grants.tasks.opendata import prune; prune(keep=0)" 2>/dev/null
fi
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
printf "%-28s %-45s " "whole package (file)" "/oppna-data/360giving.json"
BENCH_BUST=0 wrk -t2 -c16 -d"$DURATION" --timeout 30s -s bench/report.lua "$base/oppna-data/360giving.json" | grep RESULT
echo "web workers' largest RSS after 16 connections: $(largest_worker_rss) kB"
filtered="/beviljade-bidrag.csv?county=21"
rows=$(curl -s "$base$filtered" | wc -l)
curl -s -o /dev/null -w "FILTERED CSV alone: %{http_code} %{size_download} bytes %{time_total} s, $((rows - 1)) grants\n" "$base$filtered"
printf "%-28s %-45s " "filtered CSV (stream)" "$filtered"
BENCH_BUST=0 wrk -t2 -c16 -d"$DURATION" --timeout 30s -s bench/report.lua "$base$filtered" | grep RESULT
printf "%-28s %-45s " "filtered JSON (stream)" "/beviljade-bidrag.json?county=21"
BENCH_BUST=0 wrk -t2 -c16 -d"$DURATION" --timeout 30s -s bench/report.lua "$base/beviljade-bidrag.json?county=21" | grep RESULT
echo "web workers' largest RSS at the end: $(largest_worker_rss) kB"
