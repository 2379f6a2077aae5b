-- POST /fhir/Patient: create with a server-assigned id (resource, history and identifier index rows, one commit).
package.path = package.path .. ";" .. (os.getenv("WRK_SCRIPTS") or ".") .. "/?.lua"
local common = require("common")
local prefix, serial = "", 0
local headers = { ["Content-Type"] = "application/fhir+json", ["Accept"] = "application/fhir+json" }

function init(args)
  common.seed_random()
  prefix = string.format("%08x", math.random(0, 0x7fffffff))
end

function request()
  serial = serial + 1
  return wrk.format("POST", "/fhir/Patient", headers, common.patient(nil, prefix .. "-" .. serial))
end

function done(summary, latency, requests)
  common.report("create", summary, latency)
end
