"""A software passkey for tests: a real P-256 key that answers WebAuthn ceremonies.

Nothing on the server is bypassed: allauth's fido2 server checks the challenge, the
origin, the RP id hash, the flags and the signature exactly as for a hardware key.
"""

import hashlib
import json
import os
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import websafe_decode, websafe_encode
from fido2.webauthn import (
    AttestationObject,
    AttestedCredentialData,
    AuthenticatorData,
)

ORIGIN = "https://testserver"
RP_ID = "testserver"
_FLAGS_REGISTER = 0x45  # user present, user verified, attested credential data
_FLAGS_ASSERT = 0x05  # user present, user verified


def _client_data(kind: str, challenge: str) -> bytes:
    return json.dumps(
        {"type": kind, "challenge": challenge, "origin": ORIGIN, "crossOrigin": False},
        separators=(",", ":"),
    ).encode()


@dataclass
class SoftPasskey:
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    credential_id: bytes = field(default_factory=lambda: os.urandom(32))
    user_handle: bytes = b""
    counter: int = 0

    def create(self, creation_options: dict) -> dict:
        """Answer `navigator.credentials.create()` with a 'none' attestation."""
        public_key = creation_options["publicKey"]
        self.user_handle = websafe_decode(public_key["user"]["id"])
        rp_hash = hashlib.sha256(public_key["rp"]["id"].encode()).digest()
        cose = ES256.from_cryptography_key(self.key.public_key())
        credential = AttestedCredentialData.create(b"\0" * 16, self.credential_id, cose)
        auth_data = AuthenticatorData.create(
            rp_hash, _FLAGS_REGISTER, self.counter, credential
        )
        attestation = AttestationObject.create("none", auth_data, {})
        client_data = _client_data("webauthn.create", public_key["challenge"])
        return {
            "id": websafe_encode(self.credential_id),
            "rawId": websafe_encode(self.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {"credProps": {"rk": True}},
            "response": {
                "clientDataJSON": websafe_encode(client_data),
                "attestationObject": websafe_encode(bytes(attestation)),
                "transports": ["internal"],
            },
        }

    def get(self, request_options: dict) -> dict:
        """Answer `navigator.credentials.get()` (a discoverable passkey sign-in)."""
        public_key = request_options["publicKey"]
        rp_id = public_key.get("rpId") or RP_ID
        self.counter += 1
        auth_data = bytes(
            AuthenticatorData.create(
                hashlib.sha256(rp_id.encode()).digest(), _FLAGS_ASSERT, self.counter
            )
        )
        client_data = _client_data("webauthn.get", public_key["challenge"])
        signature = self.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": websafe_encode(self.credential_id),
            "rawId": websafe_encode(self.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": websafe_encode(client_data),
                "authenticatorData": websafe_encode(auth_data),
                "signature": websafe_encode(signature),
                "userHandle": websafe_encode(self.user_handle),
            },
        }
