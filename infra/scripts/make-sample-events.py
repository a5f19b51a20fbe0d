#!/usr/bin/env python3
"""Writes events/mdes-*/*.json: API Gateway (REST) proxy events carrying MDES
Pre-Digitization requests (authorizeService and the six other operations)
whose fundingAccountInfo.encryptedPayload is encrypted, the way MDES does it,
for the TEST-ONLY key in events/test-keys/.

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
EVENTS = ROOT / "events"
OUT = EVENTS / "mdes-authorize-service"


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


def event(body: str, operation: str = "authorizeService") -> dict:
    path = f"/mdes/{operation}"
    return {
        "resource": path,
        "path": path,
        "httpMethod": "POST",
        "headers": {"Content-Type": "application/json", "Host": "tmp.example.com"},
        "multiValueHeaders": {"Content-Type": ["application/json"], "Host": ["tmp.example.com"]},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": "POST",
            "path": f"/v1{path}",
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
        "orange-call-centre-only": (card("5105105105105100", "06", "29", cvc="456"), doubtful, "SHA256", {}),
        "yellow-aes256": (card("5200828282828210", "03", "31"), doubtful, "SHA512", {"key_bits": 256}),
        "red-card-lost": (card("5577000055770004", "02", "30", cvc="222"), trusted, "SHA512", {}),
        "red-cvc-mismatch": (card(*jane, cvc="999"), trusted, "SHA512", {}),
        "red-expiry-mismatch": (card("5555555555554444", "11", "30", cvc="123"), trusted, "SHA512", {}),
        "red-wallet-declined": (card(*jane, cvc="123"), risky, "SHA512", {}),
        "red-unknown-card": (card("5204740000001002", "12", "30", cvc="123"), trusted, "SHA512", {}),
        "crypto-expired-payload": (card(*jane, cvc="123", valid_until="2025-01-01T00:00:00Z"), trusted, "SHA512", {}),
        # Refused by default: legacy forms (TMP_... parameters enable them) and a bad field inside.
        "crypto-pkcs1-key-wrap": (card(*jane, cvc="123"), trusted, None, {}),
        "crypto-absent-iv": (card(*jane, cvc="123"), trusted, "SHA256", {"zero_iv": True}),
        "crypto-invalid-card-field": (card("5555555555554445", "12", "30", cvc="123"), trusted, "SHA256", {}),
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
    predigitization(public_key, card(*jane, cvc="123"))


# The yellow path of authorizeService scenario 2 ("yellow-sms-and-email"), continued:
# RAM, DAC, VAC, NSA for its token, then the token's later life (NTU, NSE).
YELLOW = 2
TOKEN = f"DWSPMC0000000000000000000000000000000000000{YELLOW:05d}"
PAN_REF = f"FWSPMC0000000000000000000000000000000000000{YELLOW:05d}"
CORRELATION = f"C{YELLOW:012d}"
SMS = {"type": "TEXT_TO_CARDHOLDER_NUMBER", "value": "***-***-0123"}


def write(function: str, operation: str, name: str, body) -> None:
    out = EVENTS / function
    out.mkdir(parents=True, exist_ok=True)
    text = body if isinstance(body, str) else json.dumps(body)
    (out / f"{name}.json").write_text(json.dumps(event(text, operation), indent=2) + "\n")


def without(body: dict, field: str, request_id: str) -> dict:
    copy = json.loads(json.dumps(body))
    copy["requestId"] = request_id
    del copy[field]
    return copy


def predigitization(public_key, jane_card: bytes) -> None:
    ram = {
        "requestId": "sample-ram-0001", "services": ["DIGITIZATION"], "correlationId": CORRELATION,
        "tokenType": "CLOUD", "tokenRequestorId": "50110030273", "walletId": "103",
        "paymentAppInstanceId": f"app-instance-{YELLOW:04d}", "mobileNumberSuffix": "0123",
        "fundingAccountInfo": {"tokenUniqueReference": TOKEN, "panUniqueReference": PAN_REF,
                               "encryptedPayload": encrypt(public_key, jane_card, "SHA256")},
    }
    f, op = "mdes-request-activation-methods", "requestActivationMethods"
    write(f, op, "yellow-request-methods", ram)
    write(f, op, "error-missing-correlation-id", without(ram, "correlationId", "sample-ram-0091"))
    write(f, op, "error-malformed-json", '{"requestId": "sample-ram-0092", "services": [')

    sms = {"requestId": "sample-dac-0001", "tokenUniqueReference": TOKEN, "correlationId": CORRELATION,
           "activationMethod": SMS}
    mdes_code = {"requestId": "sample-dac-0002", "tokenUniqueReference": TOKEN, "correlationId": CORRELATION,
                 "activationMethod": SMS, "activationCode": "482913",
                 "expirationDateTime": "2026-11-26T10:30:00.000Z"}
    f, op = "mdes-deliver-activation-code", "deliverActivationCode"
    write(f, op, "yellow-sms-issuer-code", sms)
    write(f, op, "yellow-mdes-generated-code", mdes_code)
    write(f, op, "error-missing-activation-method", without(sms, "activationMethod", "sample-dac-0091"))
    write(f, op, "error-malformed-json", '{"requestId": "sample-dac-0092", "activationMethod": {')

    vac = {"requestId": "sample-vac-0001", "tokenUniqueReference": TOKEN, "correlationId": CORRELATION,
           "activationCode": "482913"}
    f, op = "mdes-validate-activation-code", "validateActivationCode"
    write(f, op, "yellow-code-entered", vac)
    write(f, op, "error-missing-activation-code", without(vac, "activationCode", "sample-vac-0091"))
    write(f, op, "error-malformed-json", '{"requestId": "sample-vac-0092", "activationCode": 4829')

    # NSA's encrypted data carries the card and the token (a network test number).
    card_and_token = json.loads(jane_card)
    card_and_token["tokenData"] = {"token": "5454545454545454", "expiryMonth": "12", "expiryYear": "30",
                                   "sequenceNumber": "01"}
    nsa = {
        "requestId": "sample-nsa-0001", "services": ["DIGITIZATION"], "correlationId": CORRELATION,
        "tokenRequestorId": "50110030273", "walletId": "103", "paymentAppInstanceId": f"app-instance-{YELLOW:04d}",
        "tokenType": "CLOUD", "accountPanSuffix": "4444",
        "serviceRequestDateTime": "2026-11-26T10:00:00.000Z", "tokenActivatedDateTime": "2026-11-26T10:02:30.000Z",
        "decision": "REQUIRE_ADDITIONAL_AUTHENTICATION", "decisionMadeBy": "AUTHORIZATION_REQUEST",
        "consumerLanguage": "en", "numberOfActivationAttempts": 1, "numberOfActiveTokens": 1,
        "deviceInfo": {"deviceName": "Sample Phone", "formFactor": "PHONE", "osName": "ANDROID", "osVersion": "15"},
        "fundingAccountInfo": {"tokenUniqueReference": TOKEN, "panUniqueReference": PAN_REF,
                               "encryptedPayload": encrypt(public_key, json.dumps(card_and_token).encode(), "SHA512")},
    }
    f, op = "mdes-notify-service-activated", "notifyServiceActivated"
    write(f, op, "yellow-token-activated", nsa)
    write(f, op, "error-missing-account-pan-suffix", without(nsa, "accountPanSuffix", "sample-nsa-0091"))
    write(f, op, "error-malformed-json", '{"requestId": "sample-nsa-0092", "services": [')

    f, op = "mdes-notify-token-updated", "notifyTokenUpdated"
    updates = {
        "suspended-by-token-requestor": ("sample-ntu-0001", "STATUS_UPDATE",
                                         {"status": "SUSPENDED", "suspendedBy": ["TOKEN_REQUESTOR"]}),
        "deactivated": ("sample-ntu-0002", "STATUS_UPDATE", {"status": "DEACTIVATED"}),
        "deleted-from-consumer-app": ("sample-ntu-0003", "DELETED_FROM_CONSUMER_APP", {}),
        "error-missing-status": ("sample-ntu-0091", "STATUS_UPDATE", {"suspendedBy": ["ISSUER"]}),
    }
    for name, (request_id, reason, token) in updates.items():
        body = {"requestId": request_id, "reasonCode": reason, "tokens": [{"tokenUniqueReference": TOKEN, **token}]}
        write(f, op, name, body)
    write(f, op, "error-malformed-json", '{"requestId": "sample-ntu-0092", "tokens": [')

    nse = {
        "requestId": "sample-nse-0001", "tokenUniqueReference": TOKEN,
        "paymentAppInstanceId": f"app-instance-{YELLOW:04d}", "status": "ACTIVE",
        "events": {"eventName": "REPLENISH",
                   "walletAtcStatus": {"unusedDiscarded": ["0012"], "usedForContactless": ["0010", "0011"],
                                       "usedForDsrp": [], "unusedActive": ["0013", "0014"]},
                   "systemAtcStatus": {"atcNotFound": ["0011"], "atcAlreadyProcessed": ["0010"],
                                       "atcReportedUsedByWallet": [], "unusedActive": ["0013", "0014"]}},
    }
    f, op = "mdes-notify-suspicious-events", "notifySuspiciousEvents"
    write(f, op, "replenish-suspicious-atcs", nse)
    write(f, op, "error-missing-events", without(nse, "events", "sample-nse-0091"))
    write(f, op, "error-malformed-json", '{"requestId": "sample-nse-0092", "events": {')


if __name__ == "__main__":
    main()
