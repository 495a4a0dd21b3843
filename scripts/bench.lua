-- make bench (scripts/bench.py): one line for the script to read: requests, duration (µs),
-- p50 and p95 latency (µs), and the errors (connect, read, write, timeout, HTTP status ≥ 400).
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), e.connect + e.read + e.write + e.status + e.timeout))
end
