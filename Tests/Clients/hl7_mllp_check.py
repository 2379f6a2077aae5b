"""A third-party HL7v2 client against a running CareBridge hub's MLLP listener.

python-hl7 (the `hl7` package: its `MLLPClient` and its `mllp_send` command) sends the project's ADT, SIU, ORU
and DFT samples. Each must be acknowledged AA; the resources must then be found by FHIR search; sending the same
messages again must create nothing new. CAREBRIDGE_FHIR_BASE and CAREBRIDGE_MLLP_PORT come from Tests/Clients/run.
"""

import os
import pathlib
import shutil
import subprocess

import hl7
import requests
from hl7.client import MLLPClient

BASE = os.environ.get("CAREBRIDGE_FHIR_BASE", "http://127.0.0.1:8080/fhir").rstrip("/")
MLLP_PORT = int(os.environ.get("CAREBRIDGE_MLLP_PORT", "2575"))
SAMPLES = pathlib.Path(__file__).resolve().parents[2] / "samples" / "hl7v2"
MESSAGES = ["adt_a01.hl7", "siu_s12.hl7", "oru_r01.hl7", "dft_p03.hl7"]
TYPES = ["Patient", "Encounter", "Appointment", "DiagnosticReport", "Observation", "ChargeItem", "Invoice"]


def unframe(reply):
    """python-hl7's client returns the reply as received, MLLP framing included."""
    return reply.strip(b"\x0b\x1c\r\n").decode("utf-8")

def message_text(name):
    text = (SAMPLES / name).read_text(encoding="utf-8")
    return "\r".join(line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line) + "\r"


def counts():
    result = {}
    for resource_type in TYPES:
        reply = requests.get(f"{BASE}/{resource_type}", params={"_summary": "count"}, timeout=30)
        reply.raise_for_status()
        result[resource_type] = reply.json()["total"]
    return result


def send_all():
    acks = []
    with MLLPClient("127.0.0.1", MLLP_PORT) as client:
        for name in MESSAGES:
            ack = hl7.parse(unframe(client.send_message(message_text(name))))
            acks.append((name, str(ack.segment("MSA")[1]), str(ack.segment("MSA")[2])))
    return acks


def test_samples_are_acknowledged_then_found_and_not_applied_twice():
    before = counts()
    acks = send_all()
    for name, code, control_id in acks:
        original = hl7.parse(message_text(name))
        assert code == "AA", f"{name}: {code}"
        assert control_id == str(original.segment("MSH")[10]), name
    after = counts()
    for resource_type in TYPES:
        assert after[resource_type] > before[resource_type], f"no {resource_type} was created"
    mrn = str(hl7.parse(message_text("adt_a01.hl7")).segment("PID")[3][0][0])
    patients = requests.get(f"{BASE}/Patient", params={"identifier": mrn}, timeout=30).json()
    assert len(patients.get("entry", [])) == 1

    again = send_all()
    assert [code for _, code, _ in again] == ["AA"] * len(MESSAGES)
    assert counts() == after, "re-sent messages must not create resources"


def test_mllp_send_command_line():
    command = shutil.which("mllp_send") or str(pathlib.Path(os.sys.executable).parent / "mllp_send")
    result = subprocess.run(
        [command, "--loose", "--port", str(MLLP_PORT), "--file", str(SAMPLES / "adt_a08.hl7"), "127.0.0.1"],
        capture_output=True, timeout=60, check=True)
    assert b"MSA|AA|" in result.stdout, result.stdout
