"""What the webhook checks share: hub processes, a signature-checking receiver, Subscription helpers, and the
checks of topic notifications that the crash and two-hub checks both make.

The receiver is Python's http.server in a thread. It records every request (method, path, headers, body, time)
and answers what the check's `respond` function says. Signatures are checked here with Python's hmac, hashlib
and base64, independently of the hub's Swift implementation (Standard Webhooks: HMAC-SHA256 over
`{webhook-id}.{webhook-timestamp}.{body}` with the base64-decoded part of the `whsec_` secret).
"""

import base64
import contextlib
import hashlib
import hmac
import json
import os
import pathlib
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from hub_process import Hub, remove, socket_url, wait_for, work_folder  # noqa: F401 (the checks take them from here)

TOPIC = "https://carebridge.dev/fhir/SubscriptionTopic/"
BACKPORT = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/"


class Delivery:
    """One request the receiver got."""

    def __init__(self, method, path, headers, body, status, received):
        self.method, self.path, self.headers, self.body = method, path, headers, body
        self.status, self.received = status, received

    @property
    def webhook_id(self):
        return self.headers.get("webhook-id")

    @property
    def is_handshake(self):
        return self.webhook_id.startswith("handshake_")

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
    """A threading HTTP server that does not print a traceback when a killed hub resets its connection.

    Its listen backlog is 256 (the class attribute is read when the socket starts listening, in the
    constructor): with the default of 5, a hub opening dozens of connections at once overflows it, and the
    dropped handshakes come back to the hub as connection resets.
    """

    request_queue_size = 256

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

    def notifications(self, prefix=""):
        """The requests at `prefix` that are event notifications, not the handshake."""
        return [delivery for delivery in self.received(prefix) if not delivery.is_handshake]

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


@contextlib.contextmanager
def running(work, hubs, receivers):
    """The frame of a check: on failure prints each hub's last log lines; always closes the receivers and stops the
    hubs (the last started first); removes the work folder only when the check passed."""
    try:
        yield
    except BaseException:
        for hub in hubs:
            print(f"--- {hub.name}\n{hub.tail()}", file=sys.stderr)
        raise
    finally:
        for receiver in receivers:
            receiver.close()
        for hub in reversed(hubs):
            hub.stop()
    remove(work)


def subscribe_booked(hub, receiver, count):
    """`count` id-only appointment-booked subscriptions at the receiver's paths /s0, /s1, ...; returns their ids and
    each path's secret."""
    subscriptions = [subscribe(hub, subscription(receiver.url(f"s{number}"), topic="appointment-booked", content="id-only"))
                     for number in range(count)]
    secrets = {f"/s{number}": secret(hub, identifier)["secret"] for number, identifier in enumerate(subscriptions)}
    return subscriptions, secrets


def book(hubs, patient_id, count, day, bundle=100):
    """Creates `count` booked Appointments on `day` in transaction Bundles of `bundle`, sent to each hub in turn;
    returns their ids."""
    appointments = []
    for offset in range(0, count, bundle):
        hub = hubs[offset // bundle % len(hubs)]
        appointments += transaction(hub.base, [
            appointment(patient_id, start=f"{day}T09:{number // 60 % 60:02d}:{number % 60:02d}Z")
            for number in range(offset, min(offset + bundle, count))])
    return appointments


def delivered_events(receiver):
    """The (path, event number) pairs that have arrived at least once."""
    return {(delivery.path, delivery.notification()[1][0][0]) for delivery in receiver.notifications()}


def wait_for_every_event(receiver, events, timeout, step):
    wait_for(lambda: len(receiver.deliveries) >= events and len(delivered_events(receiver)) >= events, timeout, step,
             "every event being delivered")


def check_booked_events(receiver, secrets, appointments):
    """Checks the notifications of `subscribe_booked` subscriptions for `appointments`: every (subscription, event
    number) arrived, each request is signed with its subscription's secret, a duplicate carries the webhook-id and
    focus of its first copy, first copies arrive in event-number order, and each subscription has one event per
    Appointment. Returns the notifications and how many were duplicates."""
    received = receiver.notifications()
    expected = {(path, event) for path in secrets for event in range(1, len(appointments) + 1)}
    assert delivered_events(receiver) == expected, "events missing or unexpected"
    first_copy, duplicates = {}, 0
    arrival = {path: [] for path in secrets}
    for delivery in sorted(received, key=lambda delivery: delivery.received):
        assert verifies(delivery, secrets[delivery.path]), f"{delivery.path} {delivery.webhook_id}: bad signature"
        (number, focus), = delivery.notification()[1]
        key = (delivery.path, number)
        if key in first_copy:
            duplicates += 1
            assert first_copy[key] == (delivery.webhook_id, focus), f"duplicate {key} with another id or focus"
            continue
        first_copy[key] = (delivery.webhook_id, focus)
        arrival[delivery.path].append(number)
    for path, numbers in arrival.items():
        assert numbers == sorted(numbers), f"{path}: events first arrived out of order"
        focuses = {first_copy[(path, number)][1].split("/Appointment/")[1].split("/")[0] for number in numbers}
        assert focuses == set(appointments), f"{path}: the events are not one per Appointment"
    return received, duplicates
