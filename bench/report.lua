-- wrk script: optional cache-busting parameter, and a one-line report with p95.
-- BENCH_BUST=1 appends a random `bench=` parameter, so the full-page cache never answers
-- (the filter ignores unknown parameters; the per-filter-state counts stay cached).
local bust = os.getenv("BENCH_BUST") == "1"
local counter = 0

request = function()
  local path = wrk.path
  if bust then
    counter = counter + 1
    local sep = string.find(path, "?", 1, true) and "&" or "?"
    path = path .. sep .. "bench=" .. math.random(1, 1000000000) .. "-" .. counter
  end
  return wrk.format("GET", path)
end

done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    "RESULT rps=%.1f p50=%.1fms p95=%.1fms p99=%.1fms requests=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.requests, errors))
end
