"""Measures 20 representative searches against the data set of `dataset.py` and prints a Markdown table.

    python3 queries.py --url http://127.0.0.1:8080 [--repeat 200] [--warmup 5] [--patients 100000] [--only a,b]

Each query is a template whose values (patient, family name, code, dates...) are drawn per repetition from a
`random.Random` seeded with the query's name, so every run sends the same sequence of requests and no query
is measured on a single cached row. Requests go one at a time over one keep-alive connection; the time is
from sending the request to having read the whole response. `page3` queries follow `next` links from the
first page and time only the request for the third page.
"""

import argparse
import http.client
import json
import math
import random
import sys
import time
import urllib.parse

import dataset

LOINC = "http://loinc.org|"
UCUM = "http://unitsofmeasure.org"


def month(r, first=2020, last=2026):
    """A (start, end) pair of whole months, as YYYY-MM-01, within the data's years."""
    y, m = r.randint(first, last), r.randint(1, 12)
    if (y, m) > (2026, 10):  # the data ends in November 2026
        y, m = 2026, r.randint(1, 10)
    return "%04d-%02d-01" % (y, m), "%04d-%02d-01" % (y + m // 12, m % 12 + 1)


def december_week(r):
    day = r.randint(1, 24)
    return "2026-12-%02d" % day, "2026-12-%02d" % (day + 7)


def family(r):
    return r.choice(dataset.FAMILIES)


def code(r):
    return r.choice(dataset.LOINC)[0]


def queries(patients, updated):
    """(name, kind, template) where the template maps a Random to a request path under /fhir/."""
    pt = lambda r: f"Patient/pt-{r.randint(1, patients)}"
    pr = lambda r: f"Practitioner/pr-{r.randint(1, 200)}"
    city = lambda r: urllib.parse.quote(r.choice(dataset.CITIES))
    q = urllib.parse.quote

    def observation_month(r):
        low, high = month(r)
        return f"Observation?code={LOINC}{code(r)}&date=ge{low}&date=lt{high}"

    def birthdate_month(r):
        low, high = month(r, 1930, 2019)
        return f"Patient?birthdate=ge{low}&birthdate=lt{high}"

    def appointments(r):
        low, high = december_week(r)
        return f"Appointment?actor={pr(r)}&date=ge{low}&date=lt{high}&status=booked,pending"

    def slots(r):
        low, high = december_week(r)
        return f"Slot?schedule.actor={pr(r)}&status=free&start=ge{low}&start=lt{high}&_sort=start"

    def last_updated(r):
        at = updated[0] + r.random() * (updated[1] - updated[0])
        iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + "Z"
        return f"Observation?_lastUpdated=ge{iso(at)}&_lastUpdated=lt{iso(at + 2)}"

    return [
        ("identifier", "match", lambda r: f"Patient?identifier={dataset.MRN}|MRN%07d" % r.randint(1, patients)),
        ("name-prefix", "match", lambda r: f"Patient?name={q(family(r)[:3].lower())}"),
        ("family-exact", "match", lambda r: f"Patient?family:exact={q(family(r))}"),
        ("birthdate-year", "match", lambda r: f"Patient?birthdate={r.randint(1930, 2020)}"),
        ("birthdate-range", "match", birthdate_month),
        ("gp-sort", "match", lambda r: f"Patient?general-practitioner={pr(r)}&_sort=-birthdate&_count=20"),
        ("city-sort-page3", "page3", lambda r: f"Patient?address-city={city(r)}&_sort=family,-birthdate&_count=20"),
        ("obs-subject", "match", lambda r: f"Observation?subject={pt(r)}"),
        ("obs-subject-sort", "match", lambda r: f"Observation?subject={pt(r)}&code={LOINC}{code(r)}&_sort=-date"),
        ("obs-code-date", "match", observation_month),
        ("obs-code-total", "match", lambda r: f"Observation?code={LOINC}{code(r)}&date={month(r)[0][:7]}"
                                               "&_total=accurate"),
        ("obs-value-quantity", "match", lambda r: f"Observation?value-quantity=gt{r.randint(100, 390)}|{UCUM}|mg/dL"),
        ("obs-lastupdated", "match", last_updated),
        ("chain-name", "match", lambda r: f"Observation?subject:Patient.name={q(family(r))}"),
        ("chain-identifier", "match", lambda r: f"Observation?patient.identifier={dataset.MRN}|MRN%07d"
                                                 % r.randint(1, patients)),
        ("has-observation", "match", lambda r: f"Patient?_has:Observation:patient:code={LOINC}{code(r)}"),
        ("appointment-week", "match", appointments),
        ("slot-week-sort", "match", slots),
        ("encounter-include", "match", lambda r: f"Encounter?subject={pt(r)}&_include=Encounter:subject"),
        ("revinclude", "match", lambda r: f"Patient?_id=pt-{r.randint(1, patients)}"
                                           "&_revinclude=Observation:subject&_revinclude=Encounter:subject"),
    ]


def get(connection, path):
    connection.request("GET", path, headers={"Accept": "application/fhir+json"})
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        sys.exit(f"GET {path}: HTTP {response.status}: {body[:1000]!r}")
    return json.loads(body)


def next_path(bundle):
    link = next((l["url"] for l in bundle.get("link", []) if l.get("relation") == "next"), None)
    if link is None:
        return None
    parts = urllib.parse.urlsplit(link)
    return parts.path + ("?" + parts.query if parts.query else "")


def run(connection, kind, path):
    """Seconds for the timed request, and its Bundle."""
    if kind == "page3":
        for _ in range(2):
            path = next_path(get(connection, path))
            if path is None:
                return None, None
    started = time.perf_counter()
    bundle = get(connection, path)
    return time.perf_counter() - started, bundle


def percentile(sorted_values, q):
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


def count(connection, path):
    """Bundle.total of `path` with `_summary=count` (all matches, not one page)."""
    path = "&".join(p for p in path.split("&") if not p.startswith(("_include", "_revinclude", "_sort", "_count")))
    return get(connection, path + "&_summary=count").get("total", 0)


def updated_range(connection):
    """The first and last `lastUpdated` of the Observations, as Unix times."""
    def stamp(sort):
        text = get(connection, f"/fhir/Observation?_sort={sort}&_count=1")["entry"][0]["resource"]["meta"]["lastUpdated"]
        return time.mktime(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
    return stamp("_lastUpdated"), stamp("-_lastUpdated")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    parts = urllib.parse.urlsplit(args.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    chosen = [q for q in queries(args.patients, updated_range(connection))
              if not args.only or q[0] in args.only.split(",")]

    print(f"{args.repeat} sequential requests per query after {args.warmup} warm-up requests; "
          "all matches: median of `_summary=count` over 10 draws; page/included: median per response")
    print("| # | query | example | all matches | page | included | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    for number, (name, kind, template) in enumerate(chosen, 1):
        warm, measured = random.Random(f"{name}/warm-up"), random.Random(name)
        for _ in range(args.warmup):
            run(connection, kind, "/fhir/" + template(warm))
        example = template(random.Random(name))
        counting = random.Random(name)
        counts = sorted(count(connection, "/fhir/" + template(counting)) for _ in range(10))
        times, matches, included = [], [], []
        for _ in range(args.repeat):
            seconds, bundle = run(connection, kind, "/fhir/" + template(measured))
            if seconds is None:
                continue
            times.append(seconds * 1000)
            modes = [e.get("search", {}).get("mode") for e in bundle.get("entry", [])]
            matches.append(modes.count("match"))
            included.append(modes.count("include"))
        times.sort()
        shown = urllib.parse.unquote(example).replace("|", "\\|")  # a Markdown table cell
        median = lambda values: sorted(values)[len(values) // 2] if values else "–"
        print(f"| {number} | {name} | `{shown}` | {median(counts)} | {median(matches)} "
              f"| {median(included)} | {percentile(times, 0.5):.1f} | {percentile(times, 0.95):.1f} "
              f"| {percentile(times, 0.99):.1f} |", flush=True)


if __name__ == "__main__":
    main()
