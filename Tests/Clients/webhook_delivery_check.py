"""Outbound webhooks end to end (issue 5): a real hub delivering to a Python receiver on loopback.

Every request the receiver gets, handshakes included, must carry a Standard Webhooks signature that Python's
hmac verifies with the subscription's secret. The hub runs with a short retry schedule (1s,1s,2s). Checked:
- a topic subscription (appointment-cancelled, full-resource) gets exactly one notification, with the Appointment;
- a criteria subscription (Appointment?status=booked, with payload) whose receiver answers 500 twice then 200:
  each event arrives three times with the same webhook-id, and the second event waits for the first (ordering);
- `Retry-After: 3` after a 503 is honoured although the schedule says 1 s;
- secret rotation: two signatures, each verified, the old secret alone still verifies; with no overlap, one;
- a receiver that was down: its event is dead-lettered, the subscription goes to error, `$events` returns the
  events it missed, and after `$resend` and `$resume` they arrive in order.
"""

import threading
import time

import requests

import webhook_support as support
from webhook_support import Hub, Receiver, verifies, wait_for

FAILS_BEFORE_SUCCESS = 2
RETRY_AFTER = 3


class Behaviour:
    """How the receiver answers, by endpoint path; handshakes always succeed."""

    def __init__(self):
        self.attempts = {}
        self.lock = threading.Lock()

    def __call__(self, delivery):
        if delivery.is_handshake:
            return 200
        with self.lock:
            seen = self.attempts.get(delivery.webhook_id, 0)
            self.attempts[delivery.webhook_id] = seen + 1
        if delivery.path.startswith("/booked") and seen < FAILS_BEFORE_SUCCESS:
            return 500
        if delivery.path.startswith("/later") and seen == 0:
            return 503, {"Retry-After": str(RETRY_AFTER)}
        return 200


def check_signatures(receiver, secrets):
    """Every request at a path prefix verifies with one of its subscription's secrets (the current one and those
    rotated out); returns how many were checked."""
    checked = 0
    for prefix, valid in secrets.items():
        for delivery in receiver.received(prefix):
            assert any(verifies(delivery, secret) for secret in valid), \
                f"{delivery.method} {delivery.path} {delivery.webhook_id}: bad signature"
            checked += 1
    return checked


def main():
    work = support.work_folder("webhooks")
    hub = Hub(work, options=["--webhook-retry-schedule", "1s,1s,2s", "--webhook-timeout", "2"])
    behaviour = Behaviour()
    receiver = Receiver(behaviour)
    down = Receiver()
    with support.running(work, [hub], [receiver, down]):
        hub.start()
        patient = support.patient(hub.base, "Webhook")["id"]
        cancelled = support.subscribe(hub, support.subscription(
            receiver.url("cancelled"), topic="appointment-cancelled", content="full-resource"))
        booked = support.subscribe(hub, support.subscription(receiver.url("booked"), criteria="Appointment?status=booked"))
        later = support.subscribe(hub, support.subscription(
            receiver.url("later"), criteria="Patient?family=Later", payload=False))
        secrets = {f"/{name}": [support.secret(hub, identifier)["secret"]]
                   for name, identifier in [("cancelled", cancelled), ("booked", booked), ("later", later)]}

        first = support.create(hub.base, support.appointment(patient))
        second = support.create(hub.base, support.appointment(patient, start="2026-12-02T09:00:00Z"))
        support.update(hub.base, {**first, "status": "cancelled"})
        support.patient(hub.base, "Later")
        wait_for(lambda: len(receiver.notifications("/booked")) >= 6 and len(receiver.notifications("/later")) >= 2
                 and len(receiver.notifications("/cancelled")) >= 1, 60, what="the first deliveries")
        time.sleep(1.5)  # anything extra would have come by now

        notifications = receiver.notifications("/cancelled")
        assert len(notifications) == 1, f"{len(notifications)} notifications for one cancellation"
        kind, events, resources = notifications[0].notification()
        assert kind == "event-notification" and [number for number, _ in events] == [1], (kind, events)
        assert events[0][1].endswith(f"/Appointment/{first['id']}/_history/2"), events
        assert resources[0]["id"] == first["id"] and resources[0]["status"] == "cancelled", resources
        print(f"topic: 1 notification, event 1, focus {events[0][1].split('/fhir/')[1]}, resource included")

        retried = receiver.notifications("/booked")
        retried.sort(key=lambda delivery: delivery.received)
        assert len(retried) == 6, f"{len(retried)} requests for two events with two failures each"
        for group, appointment in [(retried[:3], first), (retried[3:], second)]:
            assert {delivery.webhook_id for delivery in group} == {group[0].webhook_id}, "webhook-id changed on retry"
            assert [delivery.status for delivery in group] == [500, 500, 200]
            assert all(delivery.method == "PUT" and delivery.path == f"/booked/Appointment/{appointment['id']}"
                       for delivery in group), [(delivery.method, delivery.path) for delivery in group]
            assert all(delivery.json["id"] == appointment["id"] for delivery in group)
        assert retried[0].webhook_id != retried[3].webhook_id
        gaps = [later_one.received - earlier.received for earlier, later_one in zip(retried, retried[1:])]
        assert min(gaps[:2] + gaps[3:]) >= 0.7, f"retries came faster than the 1 s schedule allows: {gaps}"
        records = support.deliveries(hub, booked)
        assert sorted((record["status"], record["attempts"]) for record in records) == [("delivered", 3)] * 2, records
        print(f"retries: 2 events x (500, 500, 200), same webhook-id per event, second event after the first; "
              f"gaps {', '.join(f'{gap:.2f}' for gap in gaps)} s")

        waited = receiver.notifications("/later")
        assert [delivery.status for delivery in waited] == [503, 200], [delivery.status for delivery in waited]
        assert waited[0].webhook_id == waited[1].webhook_id and waited[0].body == b"" and waited[0].method == "POST"
        gap = waited[1].received - waited[0].received
        assert gap >= RETRY_AFTER - 0.05, f"Retry-After: {RETRY_AFTER} not honoured: the retry came after {gap:.2f} s"
        print(f"Retry-After: {RETRY_AFTER} honoured: retry after {gap:.2f} s (schedule: 1 s)")

        rotation(hub, receiver, patient, cancelled, secrets)
        catch_up(hub, receiver, down, patient, secrets)
        print(f"signatures: {check_signatures(receiver, secrets)} requests verified with Python's hmac "
              f"(besides those of the receiver that was down)")


def rotation(hub, receiver, patient, cancelled, secrets):
    old = secrets["/cancelled"][0]
    assert all(verifies(delivery, old) for delivery in receiver.received("/cancelled"))
    rotated = requests.post(f"{hub.root}/webhooks/subscriptions/{cancelled}/$rotate-secret", timeout=30).json()
    new = rotated["secret"]
    assert new != old and rotated["previousSecret"] == old, rotated
    before = len(receiver.notifications("/cancelled"))
    support.create(hub.base, support.appointment(patient, status="cancelled", start="2026-12-03T09:00:00Z"))
    wait_for(lambda: len(receiver.notifications("/cancelled")) > before, 30, what="the notification after rotation")
    during = receiver.notifications("/cancelled")[-1]
    assert len(support.signatures(during)) == 2, during.headers["webhook-signature"]
    assert verifies(during, new) and verifies(during, old), "both secrets must verify during the overlap"
    assert sum(1 for secret in (old, new) for signature in support.signatures(during)
               if signature == support.expected_signature(during, secret)) == 2, "one signature per secret"

    latest = requests.post(f"{hub.root}/webhooks/subscriptions/{cancelled}/$rotate-secret",
                           json={"overlapSeconds": 0}, timeout=30).json()["secret"]
    support.create(hub.base, support.appointment(patient, status="cancelled", start="2026-12-04T09:00:00Z"))
    wait_for(lambda: len(receiver.notifications("/cancelled")) > before + 1, 30, what="the notification after the second rotation")
    after = receiver.notifications("/cancelled")[-1]
    assert len(support.signatures(after)) == 1 and verifies(after, latest), after.headers["webhook-signature"]
    assert not verifies(after, new) and not verifies(after, old), "a secret rotated out without overlap still verifies"
    secrets["/cancelled"] += [new, latest]
    print("rotation: 2 signatures during the overlap (old one alone verifies), 1 after a rotation without overlap")


def catch_up(hub, receiver, down, patient, secrets):
    port = down.port
    subscription = support.subscribe(hub, support.subscription(
        down.url("down"), topic="appointment-cancelled", content="id-only"))
    secret = support.secret(hub, subscription)["secret"]
    assert all(verifies(delivery, secret) for delivery in down.received())
    down.close()
    missed = [support.create(hub.base, support.appointment(patient, status="cancelled", start=f"2026-12-1{day}T09:00:00Z"))["id"]
              for day in range(3)]
    wait_for(lambda: requests.get(f"{hub.base}/Subscription/{subscription}", timeout=30).json()["status"] == "error",
             60, 0.2, "the subscription going to error after its first event was dead-lettered")
    dead = support.deliveries(hub, subscription, status="dead")
    assert [record["eventNumber"] for record in dead] == [1], dead
    pending = support.deliveries(hub, subscription, status="pending")
    assert sorted(record["eventNumber"] for record in pending) == [2, 3], pending

    reply = requests.get(f"{hub.base}/Subscription/{subscription}/$events",
                         params={"eventsSinceNumber": 1, "eventsUntilNumber": 3}, timeout=30)
    reply.raise_for_status()
    bundle = reply.json()
    status = bundle["entry"][0]["resource"]
    numbered = {}
    for parameter in status["parameter"]:
        if parameter["name"] == "notification-event":
            parts = {part["name"]: part for part in parameter["part"]}
            numbered[int(parts["event-number"]["valueString"])] = parts["focus"]["valueReference"]["reference"]
    assert sorted(numbered) == [1, 2, 3], numbered
    assert [numbered[number].split("/Appointment/")[1].split("/")[0] for number in (1, 2, 3)] == missed, numbered
    assert [entry["fullUrl"].rsplit("/", 1)[1] for entry in bundle["entry"][1:]] == missed
    assert all("resource" not in entry for entry in bundle["entry"][1:]), "id-only must not carry the resources"
    print(f"$events: events 1-3 with their focus after the receiver was down (event 1 dead-lettered, "
          f"subscription in error)")

    back = Receiver(port=port)
    try:
        resent = requests.post(f"{hub.root}/webhooks/subscriptions/{subscription}/$resend", timeout=30).json()
        assert resent["resent"] == 1, resent
        requests.post(f"{hub.root}/webhooks/subscriptions/{subscription}/$resume", timeout=30).raise_for_status()
        wait_for(lambda: len(back.notifications("/down")) >= 3, 60, 0.1, "the missed events after $resend and $resume")
        arrived = [delivery.notification()[1][0][0] for delivery in back.notifications("/down")]
        assert arrived == [1, 2, 3], arrived
        assert all(verifies(delivery, secret) for delivery in back.received())
        assert requests.get(f"{hub.base}/Subscription/{subscription}", timeout=30).json()["status"] == "active"
        print("resend + resume: events 1, 2, 3 delivered in order, subscription active again")
    finally:
        back.close()


if __name__ == "__main__":
    main()
