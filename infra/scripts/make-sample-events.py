#!/usr/bin/env python3
"""Writes events/mdes-authorize-service/*.json: API Gateway (REST) proxy events
carrying authorizeService requests whose fundingAccountInfo.encryptedPayload is
encrypted, the way MDES does it, for the TEST-ONLY key in events/test-keys/.

It uses Python's `cryptography` package (installed with moto in .venv), so the
events double as an interoperability check of our Rust decryption.
"""
import hashlib
import json
import os
import pathlib

from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import padding as rsa_padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

ROOT = pathlib.Path(__file__).resolve().parents[2]
KEY = ROOT / "events/test-keys/mdes-test-public-key.pem"
OUT = ROOT / "events/mdes-authorize-service"


def encrypt(public_key, plaintext: bytes, oaep: str | None, key_bits: int = 128, zero_iv: bool = False):
    spki = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    aes_key = os.urandom(key_bits // 8)
    iv = bytes(16) if zero_iv else os.urandom(16)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(aes_key), modes.CBC(iv)).encryptor()
    data = encryptor.update(padded) + encryptor.finalize()
    if oaep is None:
        wrapped = public_key.encrypt(aes_key, rsa_padding.PKCS1v15())
    else:
        digest = hashes.SHA256() if oaep == "SHA256" else hashes.SHA512()
        wrapped = public_key.encrypt(aes_key, rsa_padding.OAEP(mgf=rsa_padding.MGF1(digest), algorithm=digest, label=None))
    payload = {
        "publicKeyFingerprint": hashlib.sha256(spki).hexdigest(),
        "encryptedKey": wrapped.hex(),
        "encryptedData": data.hex(),
    }
    if oaep is not None:
        payload["oaepHashingAlgorithm"] = oaep
    if not zero_iv:
        payload["iv"] = iv.hex()
    return payload


def request(n: int, card: dict, wallet: dict | None, payload: dict, tr: str = "50110030273"):
    body = {
        "requestId": f"sample-as-{n:04d}",
        "services": ["DIGITIZATION"],
        "correlationId": f"C{n:012d}",
        "tokenType": "CLOUD",
        "tokenRequestorId": tr,
        "walletId": "103",
        "paymentAppInstanceId": f"app-instance-{n:04d}",
        "deviceInfo": {"deviceName": "Sample Phone", "formFactor": "PHONE", "osName": "ANDROID", "osVersion": "15"},
        "fundingAccountInfo": {
            "tokenUniqueReference": f"DWSPMC0000000000000000000000000000000000000{n:05d}",
            "panUniqueReference": f"FWSPMC0000000000000000000000000000000000000{n:05d}",
            "encryptedPayload": payload,
        },
    }
    if wallet is not None:
        body["walletProviderDecisioningInfo"] = wallet
    return body


def event(body: str) -> dict:
    return {
        "resource": "/mdes/authorizeService",
        "path": "/mdes/authorizeService",
        "httpMethod": "POST",
        "headers": {"Content-Type": "application/json", "Host": "tmp.example.com"},
        "multiValueHeaders": {"Content-Type": ["application/json"], "Host": ["tmp.example.com"]},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/mdes/authorizeService",
            "httpMethod": "POST",
            "path": "/v1/mdes/authorizeService",
            "stage": "v1",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "accountId": "123456789012",
            "apiId": "tmpapi0001",
            "protocol": "HTTP/1.1",
            "identity": {"sourceIp": "216.119.218.1", "userAgent": "MDES"},
            "requestTimeEpoch": 1764115200000,
        },
        "body": body,
        "isBase64Encoded": False,
    }


def card(pan, mm, yy, cvc=None, valid_until=None):
    data = {"cardAccountData": {"accountNumber": pan, "expiryMonth": mm, "expiryYear": yy}, "source": "ACCOUNT_ADDED_MANUALLY"}
    if cvc is not None:
        data["cardAccountData"]["securityCode"] = cvc
    if valid_until is not None:
        data["dataValidUntilTimestamp"] = valid_until
    return json.dumps(data).encode()


def main():
    public_key = serialization.load_pem_public_key(KEY.read_bytes())
    trusted = {"recommendedDecision": "APPROVED", "recommendationStandardVersion": "1.0.0", "deviceScore": "5", "accountScore": "5"}
    doubtful = {"recommendedDecision": "REQUIRE_ADDITIONAL_AUTHENTICATION", "deviceScore": "3", "accountScore": "4",
                "recommendationReasons": ["ACCOUNT_TOO_NEW"]}
    risky = {"recommendedDecision": "DECLINED", "deviceScore": "1", "accountScore": "2"}
    jane = ("5555555555554444", "12", "30")
    scenarios = {
        # name: (card plaintext, wallet, wrap, kwargs)
        "green-approved": (card(*jane, cvc="123"), trusted, "SHA512", {}),
        "yellow-sms-and-email": (card(*jane, cvc="123"), doubtful, "SHA256", {}),
        "orange-call-centre-only": (card("5105105105105100", "06", "29", cvc="456"), doubtful, None, {}),
        "yellow-zero-iv-aes256": (card("5200828282828210", "03", "31"), doubtful, "SHA512", {"key_bits": 256, "zero_iv": True}),
        "red-card-lost": (card("5577000055770004", "02", "30", cvc="222"), trusted, "SHA512", {}),
        "red-cvc-mismatch": (card(*jane, cvc="999"), trusted, "SHA512", {}),
        "red-expiry-mismatch": (card("5555555555554444", "11", "30", cvc="123"), trusted, "SHA512", {}),
        "red-wallet-declined": (card(*jane, cvc="123"), risky, "SHA512", {}),
        "red-unknown-card": (card("5204740000001002", "12", "30", cvc="123"), trusted, "SHA512", {}),
        "crypto-expired-payload": (card(*jane, cvc="123", valid_until="2025-01-01T00:00:00Z"), trusted, "SHA512", {}),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    for n, (name, (plaintext, wallet, wrap, kwargs)) in enumerate(scenarios.items(), start=1):
        body = request(n, None, wallet, encrypt(public_key, plaintext, wrap, **kwargs))
        (OUT / f"{name}.json").write_text(json.dumps(event(json.dumps(body)), indent=2) + "\n")
    # Requests the TMP must refuse with MDES error codes.
    base = request(90, None, trusted, encrypt(public_key, card(*jane, cvc="123"), "SHA512"))
    bad_key = json.loads(json.dumps(base))
    bad_key["requestId"] = "sample-as-0091"
    bad_key["fundingAccountInfo"]["encryptedPayload"]["encryptedKey"] = "00" * 256
    missing = json.loads(json.dumps(base))
    missing["requestId"] = "sample-as-0092"
    del missing["correlationId"]
    unknown_fp = json.loads(json.dumps(base))
    unknown_fp["requestId"] = "sample-as-0093"
    unknown_fp["fundingAccountInfo"]["encryptedPayload"]["publicKeyFingerprint"] = "4c4ead5927f0df8117f178eea9308daa58e27c2b"
    refused = {
        "error-bad-encrypted-key": json.dumps(bad_key),
        "error-missing-correlation-id": json.dumps(missing),
        "error-unknown-key-fingerprint": json.dumps(unknown_fp),
        "error-malformed-json": '{"requestId": "sample-as-0094", "services": [',
    }
    for name, body in refused.items():
        (OUT / f"{name}.json").write_text(json.dumps(event(body), indent=2) + "\n")


if __name__ == "__main__":
    main()
