-- GET /fhir/Patient/bench-<random>: the read path (one prepared SELECT by primary key).
package.path = package.path .. ";" .. (os.getenv("WRK_SCRIPTS") or ".") .. "/?.lua"
local common = require("common")
local requests = {}

function init(args)
  common.seed_random()
  for i = 1, common.seeded do
    requests[i] = wrk.format("GET", "/fhir/Patient/bench-" .. i, { ["Accept"] = "application/fhir+json" })
  end
end

function request()
  return requests[math.random(common.seeded)]
end

function done(summary, latency, requests)
  common.report("read", summary, latency)
end
