-- Shared by the CareBridge wrk scripts: seeded ids, a Patient body, and a one-line result from done().
local common = {}

-- The benchmark seeds Patients bench-1 ... bench-N (N from SEED_COUNT).
common.seeded = tonumber(os.getenv("SEED_COUNT") or "1000")

function common.seed_random()
  -- Each wrk thread has its own Lua state; mix in its address so threads do not share a sequence.
  local salt = tonumber(tostring({}):match("0x(%x+)") or "0", 16) or 0
  math.randomseed(os.time() + salt % 1000003)
end

function common.patient(id, serial)
  local id_member = id and string.format('"id":"%s",', id) or ""
  return string.format([[{"resourceType":"Patient",%s"identifier":[{"system":"urn:oid:2.16.840.1.113883.19.5","value":"MRN-%s"}],"active":true,"name":[{"use":"official","family":"Benchmark","given":["Load","%s"]}],"telecom":[{"system":"phone","value":"+1 555 0100","use":"home"}],"gender":"female","birthDate":"1980-02-29","address":[{"line":["1 Test Street"],"city":"Springfield","postalCode":"12345","country":"US"}]}]],
    id_member, serial, serial)
end

function common.report(name, summary, latency)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    "RESULT case=%s requests=%d rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d socket_errors=%d\n",
    name, summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end

return common
