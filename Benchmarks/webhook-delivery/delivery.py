"""Webhook delivery benchmark (issue 5): deliveries/s to a loopback receiver and latency from commit to delivery.

For each number of subscriptions a fresh release hub is started on a new embedded cluster (durable commits),
with that many topic subscriptions (`appointment-booked`, `full-resource`) pointing at one receiver on
loopback that answers 200 at once and records when each delivery arrived. Every booked Appointment is one
event per subscription, so a target of R events/s with N subscriptions writes R/N Appointments/s, in
transaction Bundles at up to ~100 commits/s, from a separate writer process. The writer records when each
transaction's 2xx came back (after its commit); a delivery's latency is its arrival time minus that time
(both CLOCK_MONOTONIC, shared by the two processes). A backlog case pauses the subscriptions, commits events,
resumes them and times the drain.

Settings from the environment: SUBSCRIPTIONS ("1 10 50"), RATES (events/s, "500 1000 1500"), DURATION
(seconds per case, 20), BACKLOG_SUBSCRIPTIONS ("10 50"; empty for none), BACKLOG_EVENTS (10000),
DRAIN_TIMEOUT (seconds to wait for the last delivery after the writes, 60), CAREBRIDGE_BINARY.
"""

import multiprocessing
import os
import queue
import re
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler

import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "Clients"))
import webhook_support as support  # noqa: E402
from webhook_support import Hub, QuietServer, wait_for  # noqa: E402

FOCUS = re.compile(rb"/Appointment/([A-Za-z0-9.\-]+)")
COMMITS_PER_SECOND = 100
WRITER_THREADS = 16


class ArrivalReceiver:
    """Answers 200 at once and records (path, focus id, webhook-id, arrival time) of every notification."""

    def __init__(self):
        self.arrivals = []
        arrivals = self.arrivals

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *arguments):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                arrived = time.monotonic()
                webhook_id = self.headers.get("webhook-id") or ""
                if not webhook_id.startswith("handshake_"):
                    focus = FOCUS.search(body)
                    arrivals.append((self.path, focus.group(1).decode() if focus else "", webhook_id, arrived))
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.server.server_address[1]}/{path}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def write(base, patient, appointments_per_second, bundle, duration, results):
    """The writer process: transaction Bundles of `bundle` booked Appointments on a fixed schedule; puts
    ([(id, acknowledged at)], failures, started, finished, CPU seconds) on `results`."""
    period = bundle / appointments_per_second
    acknowledged, failures, lock = [], [], threading.Lock()
    ticks = iter(range(10**9))
    started = time.monotonic() + 0.2
    finish = started + duration

    def writer():
        session = requests.Session()
        while True:
            tick = next(ticks)
            due = started + tick * period
            if due >= finish:
                return
            if due > time.monotonic():
                time.sleep(due - time.monotonic())
            entries = [{"resource": support.appointment(patient, start=f"2027-03-01T09:{(tick * bundle + n) // 60 % 60:02d}:"
                                                        f"{(tick * bundle + n) % 60:02d}Z"),
                        "request": {"method": "POST", "url": "Appointment"}} for n in range(bundle)]
            try:
                reply = session.post(base, json={"resourceType": "Bundle", "type": "transaction", "entry": entries}, timeout=60)
                at = time.monotonic()
                if reply.status_code != 200:
                    raise RuntimeError(f"{reply.status_code} {reply.text[:200]}")
                ids = [entry["response"]["location"].split("/")[1] for entry in reply.json()["entry"]]
            except Exception as error:  # a failed write is counted, not fatal
                with lock:
                    failures.append(str(error))
                continue
            with lock:
                acknowledged.extend((identifier, at) for identifier in ids)

    threads = [threading.Thread(target=writer) for _ in range(WRITER_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    times = os.times()
    results.put((acknowledged, failures[:5] + [f"... {len(failures)} failures"] * (len(failures) > 5),
                 started, time.monotonic(), times.user + times.system))


def run_writer(base, patient, appointments_per_second, bundle, duration):
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=write, args=(base, patient, appointments_per_second, bundle, duration, results))
    process.start()
    while True:  # a timed wait, so that a signal stops the benchmark here too
        try:
            outcome = results.get(timeout=1)
            break
        except queue.Empty:
            if not process.is_alive():
                raise RuntimeError("the writer process died")
    process.join()
    return outcome


class CPU:
    """CPU seconds of the hub and of PostgreSQL (postmaster and its children), read from /proc."""

    tick = os.sysconf("SC_CLK_TCK")

    def __init__(self, hub):
        self.hub = hub.process.pid
        with open(os.path.join(hub.data, "postmaster.pid")) as pidfile:
            self.postmaster = int(pidfile.readline())

    def sample(self):
        hub = postgres = 0.0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid, parent, seconds = int(entry), int(fields[1]), (int(fields[11]) + int(fields[12])) / self.tick
            if pid == self.hub:
                hub += seconds
            elif pid == self.postmaster or parent == self.postmaster:
                postgres += seconds
        own = os.times()
        return time.monotonic(), hub, postgres, own.user + own.system


def load_average():
    with open("/proc/loadavg") as file:
        return file.read().split()[0]


def percentile(values, share):
    return values[min(len(values) - 1, int(share * len(values)))] if values else float("nan")


class Bench:
    def __init__(self, subscriptions):
        self.count = subscriptions
        self.work = support.work_folder("webhook-bench")
        self.hub = Hub(self.work, options=["--webhook-timeout", "10"])
        self.receiver = ArrivalReceiver()
        self.paths, self.ids = [], []

    def start(self):
        self.hub.start()
        self.cpu = CPU(self.hub)
        self.patient = support.patient(self.hub.base, "WebhookBench")["id"]
        for number in range(self.count):
            self.paths.append(f"/s{number}")
            self.ids.append(support.subscribe(self.hub, support.subscription(
                self.receiver.url(f"s{number}"), topic="appointment-booked", content="full-resource")))
        time.sleep(1.5)  # the catalog has every active subscription (it refreshes every second)

    def stop(self):
        self.receiver.close()
        self.hub.stop()
        support.remove(self.work)

    def operate(self, operation):
        for identifier in self.ids:
            requests.post(f"{self.hub.root}/webhooks/subscriptions/{identifier}/${operation}", timeout=30).raise_for_status()

    def measure(self, label, events_per_second, duration, paused=False):
        appointments_per_second = events_per_second / self.count
        bundle = max(1, round(appointments_per_second / COMMITS_PER_SECOND))
        mark = len(self.receiver.arrivals)
        load_before, before = load_average(), self.cpu.sample()
        if paused:
            self.operate("pause")
        acknowledged, failures, started, finished, writer_cpu = run_writer(
            self.hub.base, self.patient, appointments_per_second, bundle, duration)
        resumed = time.monotonic()
        if paused:
            self.operate("resume")
        expected = len(acknowledged) * self.count
        timeout = float(os.environ.get("DRAIN_TIMEOUT", "60"))
        try:
            wait_for(lambda: len({(a[0], a[1]) for a in self.receiver.arrivals[mark:]}) >= expected, timeout, 0.2)
        except AssertionError:
            pass
        after = self.cpu.sample()
        return self.report(label, acknowledged, failures, started, finished, resumed if paused else None, mark,
                           before, after, writer_cpu, load_before, bundle)

    def report(self, label, acknowledged, failures, started, finished, resumed, mark, before, after, writer_cpu, load_before, bundle):
        committed = dict(acknowledged)
        first, ids, duplicates, other = {}, {}, 0, 0
        for path, focus, webhook_id, arrived in self.receiver.arrivals[mark:]:
            key = (path, focus)
            if focus not in committed:
                other += 1
            elif key in first:
                duplicates += 1
                assert ids[key] == webhook_id, f"duplicate {key} with another webhook-id"
            else:
                first[key], ids[key] = arrived, webhook_id
        events = len(acknowledged) * self.count
        window = finished - started
        arrivals = sorted(first.values())
        last = arrivals[-1] if arrivals else finished
        latencies = sorted(1000 * (arrived - committed[focus]) for (path, focus), arrived in first.items())
        elapsed, hub, postgres, own = (b - a for a, b in zip(before, after))
        row = {
            "case": label, "subs": self.count, "bundle": bundle,
            "events": events, "events/s": events / window,
            "delivered/s": sum(1 for t in arrivals if t <= finished) / window if resumed is None else 0,
            "drain s": last - (resumed or finished),
            "drain/s": len(arrivals) / (last - resumed) if resumed is not None and last > resumed else 0,
            "missing": events - len(first), "dups": duplicates,
            "p50": percentile(latencies, 0.50), "p95": percentile(latencies, 0.95),
            "p99": percentile(latencies, 0.99), "max": latencies[-1] if latencies else float("nan"),
            "hub CPU": 50 * hub / elapsed, "PG CPU": 50 * postgres / elapsed,
            "bench CPU": 50 * (own + writer_cpu) / elapsed, "load": f"{load_before}->{load_average()}",
        }
        if failures or other:
            row["notes"] = f"failed writes {failures}; {other} deliveries of unknown focus"
        return row


def show(row):
    if row["case"] == "backlog":
        print(f" backlog  subs {row['subs']:>3}  events {row['events']}  missing {row['missing']}  "
              f"drained in {row['drain s']:.1f} s = {row['drain/s']:.0f} deliveries/s  dups {row['dups']}  "
              f"hub {row['hub CPU']:.0f}%  PG {row['PG CPU']:.0f}%  bench {row['bench CPU']:.0f}%  load {row['load']}", flush=True)
        return
    print(f"{row['case']:>8}  subs {row['subs']:>3}  bundle {row['bundle']:>2}  events/s {row['events/s']:6.0f}  "
          f"delivered/s {row['delivered/s']:6.0f}  drain {row['drain s']:5.1f} s  missing {row['missing']}  dups {row['dups']}  "
          f"p50 {row['p50']:.0f}  p95 {row['p95']:.0f}  p99 {row['p99']:.0f}  max {row['max']:.0f} ms  "
          f"hub {row['hub CPU']:.0f}%  PG {row['PG CPU']:.0f}%  bench {row['bench CPU']:.0f}%  load {row['load']}", flush=True)
    if "notes" in row:
        print(f"          {row['notes']}", flush=True)


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the hub and its cluster on the way out
    counts = [int(n) for n in os.environ.get("SUBSCRIPTIONS", "1 10 50").split()]
    rates = [int(n) for n in os.environ.get("RATES", "500 1000 1500").split()]
    duration = float(os.environ.get("DURATION", "20"))
    backlog = [int(n) for n in os.environ.get("BACKLOG_SUBSCRIPTIONS", "10 50").split()]
    backlog_events = int(os.environ.get("BACKLOG_EVENTS", "10000"))
    print(f"CareBridge webhook delivery: {time.strftime('%Y-%m-%dT%H:%MZ', time.gmtime())}, {os.cpu_count()} cores, "
          f"{duration:.0f} s per case, durable commits, topic appointment-booked, full-resource; latency = arrival "
          f"minus the writer's 2xx; CPU as a share of all cores", flush=True)
    cases = [(count, rate) for count in counts for rate in rates] + [(count, None) for count in backlog]
    for count, rate in cases:
        bench = Bench(count)  # a fresh hub and cluster per case: a backlog left by one case must not slow the next
        try:
            bench.start()
            bench.measure("warm-up", 100, 2)
            if rate:
                show(bench.measure(f"{rate}/s", rate, duration))
            else:
                # As fast as the writer can commit for the time it takes; the drain starts at the resume.
                show(bench.measure("backlog", backlog_events / 5, 5, paused=True))
        except BaseException:
            print(f"--- hub log\n{bench.hub.tail()}", file=sys.stderr)
            raise
        finally:
            bench.stop()

if __name__ == "__main__":
    main()
