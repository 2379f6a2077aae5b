"""Two hub processes on one database share the webhook work: 10,000 events, none lost, duplicates below 0.1%.

The first hub runs the embedded PostgreSQL cluster; the second is started with `--database-url` on that
cluster's Unix socket. Ten topic subscriptions (appointment-booked, id-only) point at one receiver on
loopback; 1,000 booked Appointments, created with transaction Bundles of 100 entries, make 10,000 events. Every
(subscription, event number) must arrive, with a valid signature, first copies in event-number order per
subscription, and duplicates below 0.1%. Prints events/s, duplicates, and how many deliveries each hub sent
(from the owner of each kept-alive connection, read from /proc).
"""

import sys
import time

import webhook_support as support
from webhook_support import Hub, Receiver, verifies, wait_for

SUBSCRIPTIONS = 10
APPOINTMENTS = 1000
BUNDLE = 100


def main():
    work = support.work_folder("webhook-two-hubs")
    first = Hub(work, name="first", options=["--webhook-timeout", "5"])
    second = Hub(work, name="second", database_url=support.socket_url(first.data), options=["--webhook-timeout", "5"])
    receiver = Receiver()
    try:
        first.start()
        second.start()
        patient = support.patient(first.base, "TwoHubs")["id"]
        subscriptions = [support.subscribe(first, support.subscription(
            receiver.url(f"s{number}"), topic="appointment-booked", content="id-only")) for number in range(SUBSCRIPTIONS)]
        secrets = {f"/s{number}": support.secret(first, identifier)["secret"] for number, identifier in enumerate(subscriptions)}
        time.sleep(1.5)  # both hubs' catalogs have the active subscriptions (they refresh every second)

        started = time.monotonic()
        appointments = []
        for offset in range(0, APPOINTMENTS, BUNDLE):
            hub = first if offset // BUNDLE % 2 == 0 else second
            appointments += support.transaction(hub.base, [
                support.appointment(patient, start=f"2027-02-01T09:{number // 60 % 60:02d}:{number % 60:02d}Z")
                for number in range(offset, offset + BUNDLE)])
        committed = time.monotonic()
        events = SUBSCRIPTIONS * len(appointments)
        print(f"{events} events from {len(appointments)} Appointments x {SUBSCRIPTIONS} subscriptions, committed "
              f"in {committed - started:.1f} s (transaction Bundles of {BUNDLE}, alternately to each hub)")

        wait_for(lambda: len(receiver.deliveries) >= events and len(distinct(receiver)) >= events, 600, 0.2,
                 "every event being delivered")
        drained = time.monotonic()
        owners = support.connection_owners(receiver.port, {"first": first.process.pid, "second": second.process.pid})
        time.sleep(1)

        received = notifications(receiver)
        expected = {(f"/s{number}", event) for number in range(SUBSCRIPTIONS) for event in range(1, len(appointments) + 1)}
        assert set(distinct(receiver)) == expected, "events missing or unexpected"
        seen, duplicates = {}, 0
        arrival = {prefix: [] for prefix in secrets}
        for delivery in sorted(received, key=lambda delivery: delivery.received):
            assert verifies(delivery, secrets[delivery.path]), f"{delivery.path} {delivery.webhook_id}: bad signature"
            (number, _), = delivery.notification()[1]
            key = (delivery.path, number)
            if key in seen:
                duplicates += 1
                assert seen[key] == delivery.webhook_id, f"duplicate {key} with another webhook-id"
                continue
            seen[key] = delivery.webhook_id
            arrival[delivery.path].append(number)
        for prefix, numbers in arrival.items():
            assert numbers == sorted(numbers), f"{prefix}: events first arrived out of order"
        share = {}
        for delivery in received:
            owner = owners.get(delivery.peer, "unknown")
            share[owner] = share.get(owner, 0) + 1
        assert duplicates < events / 1000, f"{duplicates} duplicates: not below 0.1% of {events}"
        assert share.get("first", 0) > 0 and share.get("second", 0) > 0, f"one hub did all the work: {share}"

        first_delivery = min(delivery.received for delivery in received)
        print(f"delivered: {len(expected)} of {events} events; {duplicates} duplicates "
              f"({100 * duplicates / events:.3f}%); order by event number kept per subscription")
        print(f"throughput: {events / (drained - first_delivery):.0f} events/s from first to last delivery "
              f"({drained - first_delivery:.1f} s); {drained - started:.1f} s from the first commit to the last delivery")
        print("deliveries per hub (by connection owner): "
              + ", ".join(f"{name} {count}" for name, count in sorted(share.items())))
    except BaseException:
        for hub in (first, second):
            print(f"--- {hub.name}\n{hub.tail()}", file=sys.stderr)
        raise
    finally:
        receiver.close()
        second.stop()
        first.stop()
    support.remove(work)


def notifications(receiver):
    return [delivery for delivery in receiver.received() if not delivery.webhook_id.startswith("handshake_")]


def distinct(receiver):
    return {(delivery.path, delivery.notification()[1][0][0]) for delivery in notifications(receiver)}


if __name__ == "__main__":
    main()
