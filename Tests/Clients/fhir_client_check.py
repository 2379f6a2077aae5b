"""Third-party FHIR clients against a running CareBridge hub.

Two Python clients nobody here wrote, SMART on FHIR's `fhirclient` and Beda's `fhirpy`, create, read, update
and delete a Patient and an Appointment that references it. The hub's FHIR base comes from
CAREBRIDGE_FHIR_BASE (Tests/Clients/run starts a hub and sets it).
"""

import email.utils
import os
import re
import uuid
from datetime import datetime

import pytest
import requests
from fhirclient import client as smart_client
from fhirclient import server as smart_server
from fhirclient.models.appointment import Appointment
from fhirclient.models.capabilitystatement import CapabilityStatement
from fhirclient.models.patient import Patient
from fhirpy import SyncFHIRClient
from fhirpy.base.exceptions import ResourceNotFound

BASE = os.environ.get("CAREBRIDGE_FHIR_BASE", "http://127.0.0.1:8080/fhir").rstrip("/")


def unique_identifier():
    return {"system": "urn:carebridge:test:mrn", "value": str(uuid.uuid4())}


def gone_status(path):
    """The HTTP status of a plain GET of `path` below the base (a deleted resource should be 410 Gone)."""
    return requests.get(f"{BASE}/{path}", headers={"Accept": "application/fhir+json"}, timeout=10).status_code


# --- SMART on FHIR fhirclient -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def smart():
    settings = {"app_id": "carebridge-client-check", "api_base": BASE}
    fhir = smart_client.FHIRClient(settings=settings)
    # Fetches /metadata and parses it with the client's strict R4 models.
    assert fhir.prepare(), "the open (no-auth) server should be ready"
    return fhir.server


def test_fhirclient_parses_capability_statement(smart):
    statement = smart.capabilityStatement
    assert isinstance(statement, CapabilityStatement)
    assert statement.fhirVersion == "4.0.1"
    served = {resource.type for resource in statement.rest[0].resource}
    assert {"Patient", "Appointment"} <= served


def test_fhirclient_patient_and_appointment_lifecycle(smart):
    identifier = unique_identifier()
    patient = Patient({
        "resourceType": "Patient",
        "identifier": [identifier],
        "active": True,
        "name": [{"family": "Okafor", "given": ["Adaeze"]}],
        "gender": "female",
        "birthDate": "1984-03-07",
    })
    created = patient.create(smart)
    assert created is not None, "create should return the stored representation"
    patient_id = created["id"]
    assert created["meta"]["versionId"] == "1"
    assert created["identifier"] == [identifier]

    read = Patient.read(patient_id, smart)
    assert read.id == patient_id
    assert read.meta.versionId == "1"
    assert read.name[0].family == "Okafor"
    assert read.birthDate.isostring == "1984-03-07"

    read.name[0].family = "Okafor-Bello"
    updated = read.update(smart)
    assert updated["meta"]["versionId"] == "2"
    reread = Patient.read(patient_id, smart)
    assert reread.meta.versionId == "2"
    assert reread.name[0].family == "Okafor-Bello"
    first = Patient.read_from(f"Patient/{patient_id}/_history/1", smart)
    assert first.name[0].family == "Okafor"

    appointment = Appointment({
        "resourceType": "Appointment",
        "status": "booked",
        "description": "Diabetes follow-up",
        "start": "2026-05-04T09:00:00+02:00",
        "end": "2026-05-04T09:20:00+02:00",
        "participant": [{"actor": {"reference": f"Patient/{patient_id}"}, "status": "accepted"}],
    })
    created_appointment = appointment.create(smart)
    appointment_id = created_appointment["id"]
    assert created_appointment["meta"]["versionId"] == "1"

    booked = Appointment.read(appointment_id, smart)
    assert booked.participant[0].actor.reference == f"Patient/{patient_id}"
    assert booked.start.isostring == "2026-05-04T09:00:00+02:00"
    booked.status = "arrived"
    assert booked.update(smart)["meta"]["versionId"] == "2"
    assert Appointment.read(appointment_id, smart).status == "arrived"

    booked.delete(smart)
    assert gone_status(f"Appointment/{appointment_id}") == 410
    with pytest.raises(requests.HTTPError) as raised:
        Appointment.read(appointment_id, smart)
    assert raised.value.response.status_code == 410

    reread.delete(smart)
    assert gone_status(f"Patient/{patient_id}") == 410
    # The versions before the deletion stay readable.
    assert Patient.read_from(f"Patient/{patient_id}/_history/2", smart).name[0].family == "Okafor-Bello"


def test_read_headers_match_the_stored_version(fhirpy_client):
    patient = fhirpy_client.resource("Patient", name=[{"family": "Header"}])
    patient.save()
    response = requests.get(f"{BASE}/Patient/{patient.id}", headers={"Accept": "application/fhir+json"}, timeout=10)
    assert response.status_code == 200
    assert response.headers["ETag"] == 'W/"1"'
    assert response.headers["Content-Type"].startswith("application/fhir+json")
    last_modified = email.utils.parsedate_to_datetime(response.headers["Last-Modified"])
    assert last_modified.tzinfo is not None
    assert re.fullmatch(r"\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT", response.headers["Last-Modified"])
    stored = datetime.fromisoformat(response.json()["meta"]["lastUpdated"].replace("Z", "+00:00"))
    assert abs((stored - last_modified).total_seconds()) < 1
    patient.delete()


def test_fhirclient_reading_unknown_id_is_not_found(smart):
    with pytest.raises(smart_server.FHIRNotFoundException):
        Patient.read(str(uuid.uuid4()), smart)


# --- fhirpy --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fhirpy_client():
    return SyncFHIRClient(BASE)


def test_fhirpy_patient_and_appointment_lifecycle(fhirpy_client):
    identifier = unique_identifier()
    patient = fhirpy_client.resource(
        "Patient",
        identifier=[identifier],
        name=[{"family": "Nguyen", "given": ["Thi", "Lan"]}],
        birthDate="1990-11-30",
    )
    patient.save()
    assert patient.id
    assert patient["meta"]["versionId"] == "1"

    fetched = fhirpy_client.reference("Patient", patient.id).to_resource()
    assert fetched["name"][0]["family"] == "Nguyen"
    assert fetched["meta"]["versionId"] == "1"

    # refresh() sends If-None-Match with the version it holds; 304 keeps it as it is.
    fetched.refresh()
    assert fetched["meta"]["versionId"] == "1"

    patient["telecom"] = [{"system": "phone", "value": "+84 28 3829 5000", "use": "mobile"}]
    patient.save()
    assert patient["meta"]["versionId"] == "2"
    fetched.refresh()
    assert fetched["meta"]["versionId"] == "2"
    assert fetched["telecom"][0]["value"] == "+84 28 3829 5000"

    appointment = fhirpy_client.resource(
        "Appointment",
        status="proposed",
        start="2026-06-01T14:30:00Z",
        end="2026-06-01T15:00:00Z",
        participant=[{"actor": patient.to_reference(), "status": "needs-action"}],
    )
    appointment.save()
    assert appointment["meta"]["versionId"] == "1"
    assert appointment["participant"][0]["actor"]["reference"] == f"Patient/{patient.id}"

    appointment["status"] = "booked"
    appointment["participant"][0]["status"] = "accepted"
    appointment.save()
    assert appointment["meta"]["versionId"] == "2"
    stored = fhirpy_client.reference("Appointment", appointment.id).to_resource()
    assert stored["status"] == "booked"
    assert stored["meta"]["versionId"] == "2"

    # The reference resolves back to the stored Patient.
    actor = fhirpy_client.reference(reference=stored["participant"][0]["actor"]["reference"])
    assert actor.to_resource()["meta"]["versionId"] == "2"

    appointment.delete()
    with pytest.raises(ResourceNotFound):
        fhirpy_client.reference("Appointment", appointment.id).to_resource()
    assert gone_status(f"Appointment/{appointment.id}") == 410

    patient.delete()
    with pytest.raises(ResourceNotFound):
        fhirpy_client.reference("Patient", patient.id).to_resource()
    assert gone_status(f"Patient/{patient.id}") == 410


def test_fhirpy_update_as_create_with_client_id(fhirpy_client):
    patient_id = f"client-{uuid.uuid4().hex[:12]}"
    patient = fhirpy_client.resource("Patient", id=patient_id, name=[{"family": "Haddad"}])
    patient.save()  # PUT to an id that does not exist yet
    assert patient.id == patient_id
    assert patient["meta"]["versionId"] == "1"
    patient["gender"] = "male"
    patient.save()
    assert patient["meta"]["versionId"] == "2"
    patient.delete()
    assert gone_status(f"Patient/{patient_id}") == 410


# --- search and history, as the clients parse them ---------------------------------------------------------------


def test_fhirclient_search_and_history_bundles(smart):
    from fhirclient.models.bundle import Bundle

    identifier = unique_identifier()
    created = Patient({"resourceType": "Patient", "identifier": [identifier], "name": [{"family": "Lindqvist"}]}).create(smart)
    patient_id = created["id"]

    token = f"{identifier['system']}|{identifier['value']}"
    found = list(Patient.where(struct={"identifier": token}).perform_resources_iter(smart))
    assert [p.id for p in found] == [patient_id]
    by_id = next(Patient.where(struct={"_id": patient_id}).perform_iter(smart))
    assert isinstance(by_id, Bundle) and by_id.type == "searchset"
    assert by_id.total == 1
    assert by_id.entry[0].resource.id == patient_id
    assert by_id.entry[0].fullUrl.endswith(f"/Patient/{patient_id}")

    patient = Patient.read(patient_id, smart)
    patient.active = False
    patient.update(smart)
    history = Bundle(smart.request_json(f"Patient/{patient_id}/_history"))
    assert history.type == "history"
    assert sorted(entry.resource.meta.versionId for entry in history.entry) == ["1", "2"]


def test_fhirpy_search(fhirpy_client):
    identifier = unique_identifier()
    patient = fhirpy_client.resource("Patient", identifier=[identifier], name=[{"family": "Mbeki"}])
    patient.save()

    token = f"{identifier['system']}|{identifier['value']}"
    matches = fhirpy_client.resources("Patient").search(identifier=token).fetch()
    assert [p.id for p in matches] == [patient.id]
    # fhirpy's count() asks with Aidbox's `_totalMethod`; the standard way is `_total` and Bundle.total.
    counted = fhirpy_client.resources("Patient").search(identifier=token, _total="accurate").limit(0).fetch_raw()
    assert counted["total"] == 1
    assert counted.get("entry", []) == []
    assert fhirpy_client.resources("Patient").search(_id=patient.id).get().id == patient.id
    assert fhirpy_client.resources("Patient").search(identifier=token).first()["name"][0]["family"] == "Mbeki"
    patient.delete()
    assert fhirpy_client.resources("Patient").search(identifier=token).fetch() == []
