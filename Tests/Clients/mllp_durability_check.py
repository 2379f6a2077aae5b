"""No acknowledged HL7v2 message is lost when the hub is killed (SIGKILL) in the middle of a stream.

Starts its own hub (the binary named by CAREBRIDGE_BINARY) on free ports with a new data folder, streams ADT^A04
messages over MLLP with python-hl7's client while another thread kills the hub after some acknowledgements,
restarts it on the same data folder, and checks that every acknowledged message is in the inbound log as
processed and its patient is found by FHIR search.
"""

import threading
import time

import hl7
import hl7.exceptions
import requests
from hl7.client import MLLPClient

from hub_process import Hub, remove, work_folder


def unframe(reply):
    """python-hl7's client returns the reply as received, MLLP framing included."""
    return reply.strip(b"\x0b\x1c\r\n").decode("utf-8")


def adt(number):
    control = f"DUR-{number}"
    return "\r".join([
        f"MSH|^~\\&|DURABILITY|TEST|CAREBRIDGE|HUB|20261123101500||ADT^A04^ADT_A01|{control}|P|2.5.1",
        "EVN|A04|20261123101500",
        f"PID|1||{control}^^^DURABILITY&1.2.3.4&ISO^MR||Durable^Number{number}||19800101|F",
        f"PV1|1|O|CLINIC^1^A||||||||||||||||V-{control}",
    ]) + "\r"


def test_acknowledged_messages_survive_sigkill():
    work = work_folder("durability")
    hub = Hub(work)
    acknowledged = []
    try:
        hub.start()
        killer = threading.Thread(target=lambda: (wait_for(lambda: len(acknowledged) >= 40), hub.kill()))
        killer.start()
        try:
            with MLLPClient("127.0.0.1", hub.mllp) as client:
                for number in range(100_000):
                    ack = hl7.parse(unframe(client.send_message(adt(number))))
                    if str(ack.segment("MSA")[1]) == "AA":
                        acknowledged.append(number)
        except (OSError, IndexError, hl7.exceptions.ParseException):
            pass  # the hub was killed mid-stream: the connection closed, maybe in the middle of a reply
        killer.join()
        assert len(acknowledged) >= 40
        hub.start()
        for number in acknowledged:
            log = requests.get(f"{hub.root}/inbound/messages",
                               params={"control-id": f"DUR-{number}"}, timeout=30).json()["messages"]
            assert [entry["status"] for entry in log] == ["processed"], f"DUR-{number}: {log}"
            found = requests.get(f"{hub.base}/Patient", params={"identifier": f"DUR-{number}"}, timeout=30).json()
            assert len(found.get("entry", [])) == 1, f"the patient of DUR-{number} was lost"
    finally:
        hub.stop()
    remove(work)


def wait_for(condition, timeout=120):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
