"""Events come from every source: an ORU^R01 ingested over MLLP fires the lab-result-final topic (issue 5).

Two topic subscriptions to lab-result-final (full-resource), narrowed with the backport filter to the CBC panel
(LOINC 58410-2, result status F in the sample) and to creatinine (2160-0, status P: not final). python-hl7's
client sends `samples/hl7v2/oru_r01.hl7` over MLLP and must get AA; the CBC subscription then gets exactly one
notification whose focus is the DiagnosticReport the message created (found by FHIR search on its filler order
number), signed as Python's hmac expects; the creatinine subscription gets none.
"""

import pathlib
import time

import hl7
import requests
from hl7.client import MLLPClient

import webhook_support as support
from webhook_support import Hub, Receiver, verifies, wait_for

SAMPLE = pathlib.Path(__file__).resolve().parents[2] / "samples" / "hl7v2" / "oru_r01.hl7"
LOINC = "http://loinc.org"


def message_text():
    text = SAMPLE.read_text(encoding="utf-8")
    return "\r".join(line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line) + "\r"


def main():
    work = support.work_folder("webhook-mllp")
    hub = Hub(work)
    receiver = Receiver()
    with support.running(work, [hub], [receiver]):
        hub.start()
        final = support.subscribe(hub, support.subscription(
            receiver.url("cbc"), topic="lab-result-final", content="full-resource",
            filters=[f"DiagnosticReport?code={LOINC}|58410-2"]))
        preliminary = support.subscribe(hub, support.subscription(
            receiver.url("creatinine"), topic="lab-result-final", content="full-resource",
            filters=[f"DiagnosticReport?code={LOINC}|2160-0"]))
        secret = support.secret(hub, final)["secret"]

        message = message_text()
        sent = time.monotonic()
        with MLLPClient("127.0.0.1", hub.mllp) as client:
            reply = client.send_message(message)
        ack = hl7.parse(reply.strip(b"\x0b\x1c\r\n").decode("utf-8"))
        assert str(ack.segment("MSA")[1]) == "AA", str(ack)
        print(f"ORU^R01 {hl7.parse(message).segment('MSH')[10]} acknowledged AA over MLLP")

        wait_for(lambda: receiver.notifications("/cbc"), 30, what="the lab-result-final notification")
        arrived = time.monotonic()
        time.sleep(1.5)  # anything extra would have come by now
        notifications = receiver.notifications("/cbc")
        assert len(notifications) == 1, f"{len(notifications)} notifications for one final report"
        delivery = notifications[0]
        assert verifies(delivery, secret), "bad signature"
        kind, numbered, resources = delivery.notification()
        assert kind == "event-notification" and len(numbered) == 1, (kind, numbered)
        focus = numbered[0][1]

        filler = str(hl7.parse(message).segment("OBR")[3][0][0])
        found = requests.get(f"{hub.base}/DiagnosticReport", params={"identifier": filler}, timeout=30).json()
        reports = [entry["resource"] for entry in found.get("entry", [])]
        assert len(reports) == 1, f"DiagnosticReport with identifier {filler}: {len(reports)}"
        report = reports[0]
        assert focus.split("/fhir/")[1].startswith(f"DiagnosticReport/{report['id']}/_history/"), focus
        assert resources[0]["id"] == report["id"] and resources[0]["status"] == "final", resources[0]
        assert receiver.notifications("/creatinine") == [], "a preliminary report fired lab-result-final"
        print(f"lab-result-final: 1 notification {arrived - sent:.2f} s after sending, focus {focus.split('/fhir/')[1]} "
              f"(the report of filler order {filler}), signature verified; the preliminary report fired nothing")
        assert support.deliveries(hub, preliminary) == []


if __name__ == "__main__":
    main()
