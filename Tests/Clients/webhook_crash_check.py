"""No webhook event is lost when the hub is killed (SIGKILL) while 1,000 are pending (issue 5's crash test).

Four topic subscriptions (appointment-booked, id-only) point at a slow receiver (50 ms per request); 250 booked
Appointments, created with transaction Bundles, make 1,000 events. After about 100 deliveries the hub is killed
with SIGKILL and started again on the same data folder. Every event (subscription, event number) must then
arrive at least once with the right focus; a duplicate must carry the webhook-id of the earlier copy; per
subscription, events first arrive in event-number order. Prints the delivered count, duplicates and the time
the restarted hub took to drain the queue (the deliveries in flight at the kill are leased for timeout + 30 s
and only then re-sent).
"""

import time

import webhook_support as support
from webhook_support import Hub, Receiver, wait_for

SUBSCRIPTIONS = 4
APPOINTMENTS = 250
RECEIVER_DELAY = 0.05
KILL_AFTER = 100
TIMEOUT = 2


def main():
    work = support.work_folder("webhook-crash")
    hub = Hub(work, options=["--webhook-timeout", str(TIMEOUT)])
    receiver = Receiver(lambda delivery: (200, {}, 0 if delivery.is_handshake else RECEIVER_DELAY))
    with support.running(work, [hub], [receiver]):
        hub.start()
        patient = support.patient(hub.base, "Crash")["id"]
        subscriptions, secrets = support.subscribe_booked(hub, receiver, SUBSCRIPTIONS)

        created = time.monotonic()
        appointments = support.book([hub], patient, APPOINTMENTS, day="2027-01-01")
        events = SUBSCRIPTIONS * len(appointments)
        print(f"{events} events from {len(appointments)} Appointments x {SUBSCRIPTIONS} subscriptions, "
              f"committed in {time.monotonic() - created:.1f} s")

        wait_for(lambda: len(receiver.notifications()) >= KILL_AFTER, 120, 0.005, f"{KILL_AFTER} deliveries")
        hub.kill()
        killed = time.monotonic()
        before = len(receiver.notifications())
        print(f"SIGKILL after {before} deliveries ({events - before} events not yet delivered)")

        hub.start()
        restarted = time.monotonic()
        print(f"restarted on the same data folder in {restarted - killed:.1f} s")
        support.wait_for_every_event(receiver, events, 300, 0.1)
        drained = time.monotonic()
        time.sleep(1)

        received, duplicates = support.check_booked_events(receiver, secrets, appointments)
        for identifier in subscriptions:
            assert support.deliveries(hub, identifier, status="pending") == [], "deliveries still pending"
        print(f"delivered: {events} of {events} events at least once; duplicates: {duplicates} (a duplicate must "
              f"carry the webhook-id of its first copy); order by event number kept per subscription")
        resumed = min(delivery.received for delivery in received if delivery.received > restarted)
        print(f"first delivery {resumed - restarted:.1f} s after the restart; drain after restart: {drained - restarted:.1f} s (deliveries in flight at the kill stay leased for "
              f"{TIMEOUT + 30} s and hold back their subscription's later events); {len(received)} requests in all")


if __name__ == "__main__":
    main()
