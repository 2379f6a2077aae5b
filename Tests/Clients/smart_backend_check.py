"""SMART Backend Services against a hub with authorization on (issue 7), with SMART on FHIR's `fhirclient`.

The check makes two client keys (ES384 and RS384, with `cryptography`), registers their public JWKs in a security
configuration and starts `carebridge serve --auth-config` on it. It discovers the token endpoint from
`/.well-known/smart-configuration`, and the EHR client (RS384) gets a token to create two Patients. Then the lab
client completes the Backend Services flow through fhirclient: fhirclient 4.4 posts `grant_type=client_credentials`
with the signed `client_assertion` itself (its `jwt_token` setting), to the token endpoint it finds in the hub's
CapabilityStatement (the SMART `oauth-uris` security extension). fhirclient then searches Patient and reads one
with the token. Requests
without a token, and a replayed assertion, are refused.
"""

import base64
import json
import os
import time
import uuid

import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from fhirclient import client as smart_client
from fhirclient.models.patient import Patient

from hub_process import Hub, remove, work_folder

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def integer_bytes(number, length=None):
    return number.to_bytes(length or (number.bit_length() + 7) // 8, "big")


class ClientKey:
    """A backend client's key pair: the public JWK to register, and assertions signed with the private key."""

    def __init__(self, client_id, algorithm):
        self.client_id, self.algorithm, self.kid = client_id, algorithm, f"{client_id}-{uuid.uuid4().hex[:8]}"
        if algorithm == "ES384":
            self.key = ec.generate_private_key(ec.SECP384R1())
            numbers = self.key.public_key().public_numbers()
            self.jwk = {"kty": "EC", "crv": "P-384", "x": b64url(integer_bytes(numbers.x, 48)),
                        "y": b64url(integer_bytes(numbers.y, 48))}
        else:
            self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            numbers = self.key.public_key().public_numbers()
            self.jwk = {"kty": "RSA", "n": b64url(integer_bytes(numbers.n)), "e": b64url(integer_bytes(numbers.e))}
        self.jwk.update({"kid": self.kid, "alg": algorithm, "use": "sig"})

    def assertion(self, token_endpoint):
        """A client assertion per SMART Backend Services: iss = sub = client_id, aud = token endpoint, exp in 4
        minutes, a fresh jti."""
        header = {"alg": self.algorithm, "kid": self.kid, "typ": "JWT"}
        claims = {"iss": self.client_id, "sub": self.client_id, "aud": token_endpoint,
                  "exp": int(time.time()) + 240, "jti": str(uuid.uuid4())}
        signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}".encode()
        if self.algorithm == "ES384":
            r, s = decode_dss_signature(self.key.sign(signing_input, ec.ECDSA(hashes.SHA384())))
            signature = integer_bytes(r, 48) + integer_bytes(s, 48)
        else:
            signature = self.key.sign(signing_input, padding.PKCS1v15(), hashes.SHA384())
        return f"{signing_input.decode()}.{b64url(signature)}"


def write_configuration(path, audience, clients):
    """The security configuration: one role per client, each client with its public JWK inline (JSON is YAML)."""
    configuration = {
        "audience": audience,
        "roles": {
            "ehr-system": ["system/*.cruds"],
            "lab-system": ["system/Patient.rs", "system/Observation.cruds", "carebridge/ingest"],
        },
        "clients": [{"client_id": key.client_id, "role": role, "jwks": {"keys": [key.jwk]}} for key, role in clients],
    }
    with open(path, "w", encoding="utf-8") as file:
        json.dump(configuration, file, indent=2)


def request_token(token_endpoint, key, scope, assertion=None):
    return requests.post(token_endpoint, timeout=10, data={
        "grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion or key.assertion(token_endpoint), "scope": scope})


def main():
    work = work_folder("smart")
    ehr, lab = ClientKey("ehr-system", "RS384"), ClientKey("lab-system", "ES384")
    configuration = os.path.join(work, "auth.yaml")
    hub = Hub(work, auth_config=configuration)
    write_configuration(configuration, hub.base, [(ehr, "ehr-system"), (lab, "lab-system")])
    try:
        hub.start()
        smart = requests.get(f"{hub.base}/.well-known/smart-configuration", timeout=10).json()
        token_endpoint = smart["token_endpoint"]
        assert "private_key_jwt" in smart["token_endpoint_auth_methods_supported"], smart
        assert {"ES384", "RS384"} <= set(smart["token_endpoint_auth_signing_alg_values_supported"]), smart
        assert "client-confidential-asymmetric" in smart["capabilities"], smart
        print(f"SMART configuration: token endpoint {token_endpoint}")

        refused = requests.get(f"{hub.base}/Patient", timeout=10)
        assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer"), refused.text
        print("no token: 401 with a Bearer challenge")

        answer = request_token(token_endpoint, ehr, "system/Patient.cruds")
        assert answer.status_code == 200, answer.text
        ehr_token = answer.json()["access_token"]
        family = f"Backend{uuid.uuid4().hex[:8]}"
        created = []
        for given in ["Ada", "Grace"]:
            reply = requests.post(f"{hub.base}/Patient", timeout=10, json={
                "resourceType": "Patient", "name": [{"family": family, "given": [given]}]},
                headers={"Authorization": f"Bearer {ehr_token}", "Content-Type": "application/fhir+json"})
            assert reply.status_code == 201, reply.text
            created.append(reply.json()["id"])
        print(f"ehr-system (RS384 assertion) created Patient/{created[0]} and Patient/{created[1]}")

        # fhirclient does the token request itself: grant_type=client_credentials with the client assertion.
        assertion = lab.assertion(token_endpoint)
        # It finds the token endpoint itself, in the CapabilityStatement's SMART security extension (oauth-uris).
        fhir = smart_client.FHIRClient(settings={
            "app_id": lab.client_id, "api_base": hub.base + "/", "scope": "system/Patient.rs system/Observation.rs",
            "jwt_token": assertion})
        fhir.wants_patient = False
        fhir.prepare()
        assert fhir.server.auth is not None and fhir.server.auth._token_uri == token_endpoint, vars(fhir.server.auth or {})
        fhir.authorize()
        assert fhir.ready, "fhirclient holds no access token"
        granted = fhir.launch_context.get("scope", "")
        assert set(granted.split()) == {"system/Patient.rs", "system/Observation.rs"}, granted
        found = Patient.where(struct={"family": family}).perform_resources(fhir.server)
        assert sorted(patient.id for patient in found) == sorted(created), [patient.id for patient in found]
        read = Patient.read(created[0], fhir.server)
        assert read.name[0].given == ["Ada"], read.as_json()
        print(f"fhirclient (lab-system, ES384 assertion) got a token for '{granted}', "
              f"found {len(found)} Patients and read Patient/{read.id}")

        replay = request_token(token_endpoint, lab, "system/Patient.rs", assertion=assertion)
        assert replay.status_code == 401 and replay.json()["error"] == "invalid_client", replay.text
        print("replayed assertion: 401 invalid_client")
    except BaseException:
        print(f"--- hub log\n{hub.tail()}")
        raise
    finally:
        hub.stop()
    remove(work)
    print("SMART Backend Services check passed")


if __name__ == "__main__":
    main()
