"""Two hub processes on one database share the webhook work: 10,000 events, none lost, duplicates below 0.1%.

The first hub runs the embedded PostgreSQL cluster; the second is started with `--database-url` on that
cluster's Unix socket. Ten topic subscriptions (appointment-booked, id-only) point at one receiver on
loopback; 1,000 booked Appointments, created with transaction Bundles of 100 entries, make 10,000 events. Every
(subscription, event number) must arrive, with a valid signature, first copies in event-number order per
subscription, and duplicates below 0.1%. Prints events/s, duplicates, and how many deliveries each hub sent
(from the owner of each kept-alive connection, read from /proc).
"""

import time

import webhook_support as support
from webhook_support import Hub, Receiver

SUBSCRIPTIONS = 10
APPOINTMENTS = 1000
BUNDLE = 100


def main():
    work = support.work_folder("webhook-two-hubs")
    first = Hub(work, name="first", options=["--webhook-timeout", "5"])
    second = Hub(work, name="second", database_url=support.socket_url(first.data), options=["--webhook-timeout", "5"])
    receiver = Receiver()
    with support.running(work, [first, second], [receiver]):
        first.start()
        second.start()
        patient = support.patient(first.base, "TwoHubs")["id"]
        _, secrets = support.subscribe_booked(first, receiver, SUBSCRIPTIONS)
        time.sleep(1.5)  # both hubs' catalogs have the active subscriptions (they refresh every second)

        started = time.monotonic()
        appointments = support.book([first, second], patient, APPOINTMENTS, day="2027-02-01", bundle=BUNDLE)
        committed = time.monotonic()
        events = SUBSCRIPTIONS * len(appointments)
        print(f"{events} events from {len(appointments)} Appointments x {SUBSCRIPTIONS} subscriptions, committed "
              f"in {committed - started:.1f} s (transaction Bundles of {BUNDLE}, alternately to each hub)")

        support.wait_for_every_event(receiver, events, 600, 0.2)
        drained = time.monotonic()
        owners = support.connection_owners(receiver.port, {"first": first.process.pid, "second": second.process.pid})
        time.sleep(1)

        received, duplicates = support.check_booked_events(receiver, secrets, appointments)
        share = {}
        for delivery in received:
            owner = owners.get(delivery.peer, "unknown")
            share[owner] = share.get(owner, 0) + 1
        assert duplicates < events / 1000, f"{duplicates} duplicates: not below 0.1% of {events}"
        assert share.get("first", 0) > 0 and share.get("second", 0) > 0, f"one hub did all the work: {share}"

        first_delivery = min(delivery.received for delivery in received)
        print(f"delivered: {events} of {events} events; {duplicates} duplicates "
              f"({100 * duplicates / events:.3f}%); order by event number kept per subscription")
        print(f"throughput: {events / (drained - first_delivery):.0f} events/s from first to last delivery "
              f"({drained - first_delivery:.1f} s); {drained - started:.1f} s from the first commit to the last delivery")
        print("deliveries per hub (by connection owner): "
              + ", ".join(f"{name} {count}" for name, count in sorted(share.items())))


if __name__ == "__main__":
    main()
