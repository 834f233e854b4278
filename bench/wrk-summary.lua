-- Prints one SUMMARY line: requests/s, p50, p99 and errors (non-2xx/3xx counted by wrk).
function done(summary, latency, requests)
  io.write(string.format("SUMMARY req/s=%.1f p50=%.2fms p99=%.2fms errors=%d non200=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout, summary.errors.status))
end
