-- PUT /fhir/Patient/bench-<random>: update a seeded Patient (read current version, then a versioned write).
package.path = package.path .. ";" .. (os.getenv("WRK_SCRIPTS") or ".") .. "/?.lua"
local common = require("common")
local serial = 0
local headers = { ["Content-Type"] = "application/fhir+json", ["Accept"] = "application/fhir+json" }

function init(args)
  common.seed_random()
end

function request()
  serial = serial + 1
  local n = math.random(common.seeded)
  return wrk.format("PUT", "/fhir/Patient/bench-" .. n, headers, common.patient("bench-" .. n, n .. "-" .. serial))
end

function done(summary, latency, requests)
  common.report("update", summary, latency)
end
