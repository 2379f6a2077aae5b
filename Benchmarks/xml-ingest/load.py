"""Posts XML lab documents to a hub's `POST /fhir/$ingest` from several concurrent keep-alive clients and prints
documents/s, latency percentiles, errors, the CPU used by the client, the hub and PostgreSQL, and whether the
expected number of DiagnosticReports was written.

    python3 load.py URL KIND CLIENTS DOCUMENTS TAG [--patients N] [--hub-pid PID] [--postmaster-pid PID] [--no-check]

KIND is northwind (samples/xml/northwind_cbc.xml), ccda (samples/xml/ccda_lipid_panel.xml) or v2xml
(samples/hl7v2/oru_r01.v2.xml, the v2.xml twin of samples/hl7v2/oru_r01.hl7), or er7 for reference (that
ER7 message itself, posted as application/hl7-v2 to the same endpoint and answered with its ACK). Every document gets a unique
document id and order numbers (so it is neither a duplicate nor an update of an earlier report) and a patient
identifier from a pool of N (default 500), so once the pool is used up each document updates an existing Patient.
Standard library only; a client thread per connection, each waiting for its answer before the next document.
"""

import argparse
import http.client
import json
import os
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


class Kind:
    """A document template, the substitutions that make a copy unique, and the reports one copy writes."""

    def __init__(self, path, unique, patient, reports, content_type="application/xml"):
        with open(path, encoding="utf-8") as handle:
            self.text = handle.read()
        if content_type != "application/xml":  # ER7: segments end with CR
            self.text = self.text.replace("\r\n", "\r").replace("\n", "\r")
        self.content_type = content_type
        self.unique = unique      # template text -> prefix of a per-document value
        self.patient = patient    # template text -> format of a per-patient value ({0} is the pool index)
        self.reports = reports    # DiagnosticReports written per document
        for needle in list(unique) + list(patient):
            if needle not in self.text:
                raise SystemExit(f"{needle!r} is not in {path}")

    def document(self, unique, patient):
        text = self.text
        for needle, prefix in self.unique.items():
            text = text.replace(needle, prefix + unique)
        for needle, pattern in self.patient.items():
            text = text.replace(needle, pattern.format(patient))
        return text.encode("utf-8")


KINDS = {
    "northwind": lambda: Kind(
        os.path.join(REPO, "samples/xml/northwind_cbc.xml"),
        {"NWL-20260314-000117": "NWL-", "NWL-5590231": "F-", "PL-77120": "P-"},
        {'mrn="448812"': 'mrn="B{0}"'},
        reports=1),
    "ccda": lambda: Kind(
        os.path.join(REPO, "samples/xml/ccda_lipid_panel.xml"),
        {"LAB-DOC-20200301-0007": "DOC-", "ORD-4471-LIPID": "ORD-"},  # the organizer's id prefixes its results'
        {'extension="998877"': 'extension="B{0}"', "111-00-2345": "900-00-{0:04d}"},
        reports=1),
    "v2xml": lambda: Kind(
        os.path.join(REPO, "samples/hl7v2/oru_r01.v2.xml"),
        {"LAB-2026-0315-0091": "C", "LAB-90017731": "F1", "LAB-90017732": "F2",
         "ORD-448812": "P1", "ORD-448813": "P2"},
        {"4471233": "BENCH{0}", "7734512": "V{0}"},
        reports=2),
    "er7": lambda: Kind(
        os.path.join(REPO, "samples/hl7v2/oru_r01.hl7"),
        {"LAB-2026-0315-0091": "C", "LAB-90017731": "F1", "LAB-90017732": "F2",
         "ORD-448812": "P1", "ORD-448813": "P2"},
        {"4471233": "BENCH{0}", "7734512": "V{0}"},
        reports=2, content_type="application/hl7-v2"),
}


def process_cpu(pid):
    """User + system CPU seconds of one process, 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def postgres_cpu(postmaster):
    """CPU seconds of the postmaster and its children (the backends and background workers)."""
    total = process_cpu(postmaster)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == postmaster:
                total += process_cpu(int(entry))
    return total


def machine_busy():
    """(busy, total) jiffies of all cores from /proc/stat."""
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def count_reports(url):
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    connection.request("GET", "/fhir/DiagnosticReport?_summary=count")
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if response.status != 200:
        raise SystemExit(f"DiagnosticReport count: HTTP {response.status} {body[:200]!r}")
    return json.loads(body)["total"]


def client(url, kind, tag, number, count, patients, offset, latencies, failures):
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    headers = {"Content-Type": kind.content_type}
    for index in range(count):
        body = kind.document(f"{tag}-{number}-{index}", (offset + index) % patients)
        started = time.perf_counter()
        connection.request("POST", "/fhir/$ingest", body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read()
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            status = ""
        elif kind.content_type == "application/xml":
            status = json.loads(answer).get("status", "")
        else:  # the ACK; AA once processed
            status = "processed" if b"MSA|AA|" in answer else answer.decode("utf-8", "replace")
        if status != "processed":
            failures.append(f"HTTP {response.status} {status}: {answer[:300]!r}")
    connection.close()


def percentile(values, share):
    return values[min(len(values) - 1, int(len(values) * share))] if values else 0.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("kind", choices=sorted(KINDS))
    parser.add_argument("clients", type=int)
    parser.add_argument("documents", type=int, help="in all, split evenly over the clients")
    parser.add_argument("tag", help="makes this run's ids unique")
    parser.add_argument("--patients", type=int, default=500)
    parser.add_argument("--hub-pid", type=int)
    parser.add_argument("--postmaster-pid", type=int)
    parser.add_argument("--no-check", action="store_true", help="skip the DiagnosticReport count (warm-up)")
    options = parser.parse_args()
    kind = KINDS[options.kind]()
    per_client = options.documents // options.clients
    size = len(kind.document(f"{options.tag}-0-0", 0))

    reports_before = 0 if options.no_check else count_reports(options.url)
    latencies, failures = [], []
    threads = [
        threading.Thread(target=client, args=(
            options.url, kind, options.tag, number, per_client, options.patients, number * per_client,
            latencies, failures))
        for number in range(options.clients)
    ]
    cpu_client, cpu_hub = time.process_time(), process_cpu(options.hub_pid) if options.hub_pid else 0.0
    cpu_pg = postgres_cpu(options.postmaster_pid) if options.postmaster_pid else 0.0
    busy, total = machine_busy()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    cpu_client = time.process_time() - cpu_client
    cpu_hub = (process_cpu(options.hub_pid) - cpu_hub) if options.hub_pid else 0.0
    cpu_pg = (postgres_cpu(options.postmaster_pid) - cpu_pg) if options.postmaster_pid else 0.0
    busy_after, total_after = machine_busy()
    cores = os.cpu_count() or 1

    sent = per_client * options.clients
    latencies.sort()
    print(f"{options.kind:<9} {size:>5} B  {options.clients} clients  {sent} docs in {seconds:5.1f} s: "
          f"{sent / seconds:6.1f} docs/s; latency ms p50 {percentile(latencies, 0.50):.1f} "
          f"p95 {percentile(latencies, 0.95):.1f} p99 {percentile(latencies, 0.99):.1f}; errors {len(failures)}; "
          f"CPU share of {cores} cores: client {100 * cpu_client / seconds / cores:.0f}% "
          f"hub {100 * cpu_hub / seconds / cores:.0f}% postgres {100 * cpu_pg / seconds / cores:.0f}% "
          f"machine {100 * (busy_after - busy) / max(1, total_after - total):.0f}%; "
          f"per doc: hub {1000 * cpu_hub / sent:.1f} ms, postgres {1000 * cpu_pg / sent:.1f} ms", flush=True)
    if failures:
        print(f"  first error: {failures[0]}")
    if not options.no_check:
        expected = reports_before + (sent - len(failures)) * kind.reports
        found = count_reports(options.url)
        print(f"  DiagnosticReports: {found} (expected {expected}: {reports_before} before + "
              f"{sent - len(failures)} x {kind.reports}){'' if found == expected else '  MISMATCH'}")
        if found != expected:
            raise SystemExit(1)
    if failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
