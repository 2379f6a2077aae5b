"""What the webhook checks share: hub processes, a signature-checking receiver, and Subscription helpers.

The receiver is Python's http.server in a thread. It records every request (method, path, headers, body, time)
and answers what the check's `respond` function says. Signatures are checked here with Python's hmac, hashlib
and base64, independently of the hub's Swift implementation (Standard Webhooks: HMAC-SHA256 over
`{webhook-id}.{webhook-timestamp}.{body}` with the base64-decoded part of the `whsec_` secret).
"""

import base64
import hashlib
import hmac
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

REPO = pathlib.Path(__file__).resolve().parents[2]
TOPIC = "https://carebridge.dev/fhir/SubscriptionTopic/"
BACKPORT = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout, step=0.05, what="the condition"):
    """Polls `condition` until it is true; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(step)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def work_folder(prefix):
    """A new folder under /tmp that the `postgres` account can reach (the embedded cluster runs as it under root)."""
    folder = tempfile.mkdtemp(prefix=f"carebridge-{prefix}.", dir="/tmp")
    os.chmod(folder, 0o755)
    return folder


def remove(folder):
    """Removes a work folder once its check passed (a failed check leaves it, with the hub logs)."""
    shutil.rmtree(folder, ignore_errors=True)


def socket_url(data):
    """The `--database-url` of the embedded cluster in `data`: its Unix socket, superuser, the hub's database."""
    return f"postgres://carebridge@/carebridge?host={data}"


class Hub:
    """One `carebridge serve` process: on its own embedded cluster in `data`, or on `database_url`."""

    def __init__(self, work, name="hub", data=None, database_url=None, options=()):
        self.binary = os.environ.get("CAREBRIDGE_BINARY") or str(REPO / ".build" / "debug" / "carebridge")
        self.work, self.name = work, name
        self.data = data or os.path.join(work, "pg")
        self.database_url = database_url
        self.options = list(options)
        self.http, self.mllp = free_port(), free_port()
        self.process = None

    @property
    def root(self):
        return f"http://127.0.0.1:{self.http}"

    @property
    def base(self):
        return f"{self.root}/fhir"

    @property
    def log(self):
        return os.path.join(self.work, f"{self.name}.log")

    def start(self):
        environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        storage = ["--database-url", self.database_url] if self.database_url else ["--data-dir", self.data]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [self.binary, "serve", "--insecure-dev", "--http-host", "127.0.0.1", "--http-port", str(self.http),
                 "--mllp-port", str(self.mllp), *storage, "--profiles-dir", str(REPO / "profiles"),
                 "--mappings-dir", str(REPO / "mappings"), *self.options],
                stdout=log, stderr=log, env=environment, cwd=REPO)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited while starting; see {self.log}")
            try:
                requests.get(f"{self.base}/metadata", timeout=2).raise_for_status()
                return self
            except requests.RequestException:
                time.sleep(0.2)
        raise AssertionError(f"{self.name} did not start within 120 s; see {self.log}")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not self.database_url:
            stop_cluster(self.data)

    def tail(self, lines=30):
        try:
            with open(self.log, "rb") as log:
                return b"\n".join(log.read().splitlines()[-lines:]).decode("utf-8", "replace")
        except OSError:
            return ""


def stop_cluster(data):
    """The embedded PostgreSQL outlives a SIGKILLed hub; stop it so no postmaster is left behind."""
    if not os.path.exists(os.path.join(data, "postmaster.pid")):
        return
    pg_ctl = sorted(pathlib.Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if not pg_ctl:
        return
    command = [str(pg_ctl[-1]), "-D", data, "-m", "immediate", "-w", "stop"]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--"] + command
    subprocess.run(command, capture_output=True, timeout=60)


class Delivery:
    """One request the receiver got."""

    def __init__(self, method, path, headers, body, status, received):
        self.method, self.path, self.headers, self.body = method, path, headers, body
        self.status, self.received = status, received

    @property
    def webhook_id(self):
        return self.headers.get("webhook-id")

    @property
    def json(self):
        return json.loads(self.body) if self.body else None

    def notification(self):
        """For a topic notification: (type, [(event number, focus reference)], resources after the status)."""
        if not hasattr(self, "_notification"):
            self._notification = self.parse_notification()
        return self._notification

    def parse_notification(self):
        bundle = self.json
        status = bundle["entry"][0]["resource"]
        kind = next(p["valueCode"] for p in status["parameter"] if p["name"] == "type")
        events = []
        for parameter in status["parameter"]:
            if parameter["name"] != "notification-event":
                continue
            parts = {part["name"]: part for part in parameter["part"]}
            events.append((int(parts["event-number"]["valueString"]), parts["focus"]["valueReference"]["reference"]))
        return kind, events, [entry.get("resource") for entry in bundle["entry"][1:]]


class QuietServer(ThreadingHTTPServer):
    """A threading HTTP server that does not print a traceback when a killed hub resets its connection."""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Receiver:
    """An HTTP receiver on loopback that records requests and answers as `respond(delivery)` says.

    `respond` returns a status, or (status, headers) or (status, headers, seconds to wait before answering).
    """

    def __init__(self, respond=None, port=0):
        self.respond = respond or (lambda delivery: 200)
        self.deliveries = []
        self.connections = set()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *arguments):
                pass

            def setup(self):
                super().setup()
                with receiver.lock:
                    receiver.connections.add(self.connection)

            def finish(self):
                with receiver.lock:
                    receiver.connections.discard(self.connection)
                super().finish()

            def handle_one(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {name.lower(): value for name, value in self.headers.items()}
                delivery = Delivery(self.command, self.path, headers, body, None, time.monotonic())
                delivery.peer = self.client_address[1]
                answer = receiver.respond(delivery)
                answer = (answer,) if isinstance(answer, int) else tuple(answer)
                status, extra, pause = answer + ({}, 0)[len(answer) - 1:]
                if pause:
                    time.sleep(pause)
                delivery.status = status
                with receiver.lock:
                    receiver.deliveries.append(delivery)
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("content-length", "0")
                self.end_headers()

            do_POST = do_PUT = handle_one

        self.server = QuietServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.server.request_queue_size = 128
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self):
        return self.server.server_address[1]

    def url(self, path):
        return f"http://127.0.0.1:{self.port}/{path}"

    def received(self, prefix=""):
        with self.lock:
            return [delivery for delivery in self.deliveries if delivery.path.startswith(prefix)]

    def close(self):
        """Stops listening and drops the kept-alive connections too, so the hub finds nobody there."""
        if self.thread.is_alive():
            self.server.shutdown()
            self.server.server_close()
        with self.lock:
            connections = list(self.connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def connection_owners(receiver_port, processes):
    """Which process (by name) owns each open TCP connection to `receiver_port`, by client port; read from
    /proc/net/tcp and the processes' file descriptors (Linux only)."""
    inodes = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = pathlib.Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            if int(remote.rsplit(":", 1)[1], 16) == receiver_port:
                inodes[f"socket:[{inode}]"] = int(local.rsplit(":", 1)[1], 16)
    owners = {}
    for name, pid in processes.items():
        try:
            descriptors = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for descriptor in descriptors:
            try:
                target = os.readlink(f"/proc/{pid}/fd/{descriptor}")
            except OSError:
                continue
            if target in inodes:
                owners[inodes[target]] = name
    return owners


def signatures(delivery):
    """The `v1` signatures of the `webhook-signature` header, decoded."""
    found = []
    for entry in (delivery.headers.get("webhook-signature") or "").split(" "):
        version, _, value = entry.partition(",")
        if version == "v1" and value:
            found.append(base64.b64decode(value))
    return found


def expected_signature(delivery, secret):
    key = base64.b64decode(secret.removeprefix("whsec_"))
    content = f"{delivery.headers['webhook-id']}.{delivery.headers['webhook-timestamp']}.".encode() + delivery.body
    return hmac.new(key, content, hashlib.sha256).digest()


def verifies(delivery, secret, tolerance=300):
    """Whether one of the delivery's signatures is right for `secret` and its timestamp is fresh."""
    if abs(time.time() - int(delivery.headers.get("webhook-timestamp", "0"))) > tolerance:
        return False
    expected = expected_signature(delivery, secret)
    return any(hmac.compare_digest(expected, signature) for signature in signatures(delivery))


def subscription(endpoint, criteria=None, topic=None, filters=(), content=None, payload=True, headers=()):
    """An R4 Subscription: a criteria search, or a topic (name under profiles/topics) with backport filters."""
    resource = {
        "resourceType": "Subscription", "status": "requested", "reason": "webhook check",
        "criteria": TOPIC + topic if topic else criteria,
        "channel": {"type": "rest-hook", "endpoint": endpoint},
    }
    if headers:
        resource["channel"]["header"] = list(headers)
    if payload:
        resource["channel"]["payload"] = "application/fhir+json"
    if content:
        resource["channel"]["_payload"] = {"extension": [{"url": BACKPORT + "backport-payload-content", "valueCode": content}]}
    if filters:
        resource["_criteria"] = {"extension": [
            {"url": BACKPORT + "backport-filter-criteria", "valueString": text} for text in filters]}
    return resource


def create(base, resource):
    reply = requests.post(f"{base}/{resource['resourceType']}", json=resource, timeout=30)
    assert reply.status_code == 201, f"{resource['resourceType']}: {reply.status_code} {reply.text[:500]}"
    return reply.json()


def update(base, resource):
    reply = requests.put(f"{base}/{resource['resourceType']}/{resource['id']}", json=resource, timeout=30)
    assert reply.status_code == 200, f"{resource['resourceType']}/{resource['id']}: {reply.status_code} {reply.text[:500]}"
    return reply.json()


def subscribe(hub, resource):
    """Creates the Subscription and waits for the handshake to make it active; returns its id."""
    created = create(hub.base, resource)
    assert created["status"] == "requested", created
    identifier = created["id"]
    wait_for(lambda: requests.get(f"{hub.base}/Subscription/{identifier}", timeout=30).json()["status"] == "active",
             30, 0.1, f"Subscription/{identifier} becoming active")
    return identifier


def secret(hub, identifier):
    reply = requests.get(f"{hub.root}/webhooks/subscriptions/{identifier}/secret", timeout=30)
    reply.raise_for_status()
    return reply.json()


def deliveries(hub, identifier, status=None, count=1000):
    parameters = {"_count": count, **({"status": status} if status else {})}
    reply = requests.get(f"{hub.root}/webhooks/subscriptions/{identifier}/deliveries", params=parameters, timeout=30)
    reply.raise_for_status()
    return reply.json()["deliveries"]


def patient(base, family):
    return create(base, {"resourceType": "Patient", "name": [{"family": family, "given": ["Webhook"]}]})


def appointment(patient_id, status="booked", start="2026-12-01T09:00:00Z"):
    return {
        "resourceType": "Appointment", "status": status, "start": start, "end": start.replace("09:00", "09:30"),
        "participant": [{"actor": {"reference": f"Patient/{patient_id}"}, "status": "accepted"}],
    }


def transaction(base, resources):
    """Creates `resources` in one transaction Bundle; returns their ids."""
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"resource": resource, "request": {"method": "POST", "url": resource["resourceType"]}} for resource in resources]}
    reply = requests.post(base, json=bundle, timeout=120)
    assert reply.status_code == 200, f"transaction: {reply.status_code} {reply.text[:500]}"
    return [entry["response"]["location"].split("/")[1] for entry in reply.json()["entry"]]
