#!/usr/bin/env python3
"""Writes events/mdes-*/*.json, events/vts-*/*.json and events/tmp-*/*.json:
API Gateway (REST) proxy events carrying MDES Pre-Digitization requests
(authorizeService and the six other operations), whose
fundingAccountInfo.encryptedPayload is encrypted the way MDES does it, Visa
Token Service issuer API requests (the five operations), whose encryptedData
is a compact JWE (RSA-OAEP-256 + A256GCM) the way VTS sends it, and TMP API
requests of the issuer's back office (the ten operations), whose bearer
access token is an RS256 JWT with Cognito's claims, with the SQS batches of
their job worker; each for the TEST-ONLY keys in events/test-keys/.

It uses Python's `cryptography` and `jwcrypto` packages (installed with moto in
.venv), so the events double as an interoperability check of our Rust
decryption.

  make-sample-events.py                # every family
  make-sample-events.py mdes|vts|tmp   # one family only
"""
import hashlib
import json
import os
import pathlib
import sys

from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import padding as rsa_padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

ROOT = pathlib.Path(__file__).resolve().parents[2]
KEY = ROOT / "events/test-keys/mdes-test-public-key.pem"
VTS_KEY = ROOT / "events/test-keys/vts-test-public-key.pem"
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
    families = sys.argv[1:] or ["mdes", "vts", "tmp", "admin"]
    unknown = set(families) - {"mdes", "vts", "tmp", "admin"}
    if unknown:
        sys.exit(f"unknown families {sorted(unknown)}: mdes, vts, tmp, admin")
    if "mdes" in families:
        mdes()
    if "vts" in families:
        vts()
    if "tmp" in families:
        tmp()
    if "admin" in families:
        admin()


def mdes():
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



# ----------------------------------------------------------------------------- VTS
# The Visa family: checkEligibility, approveProvisioning, then the step-up path
# of token VTS_YELLOW (getCardholderVerificationMethods, sendPasscode,
# tokenChanged). The cards are infra/local/cards.json's Visa cards (cards.md);
# the handler tests (functions/vts-predigitization) replay every file and check
# the answer its name says, at their clock of 2026-12-01T10:00Z.

VTS_TR = "40010030273"
VTS_CARDS = {
    # name: (PAN, expiry month, expiry year, the CVV2 the samples enter)
    "active": ("4111111111111111", "12", "2029", "123"),
    "lost": ("4000000000000002", "12", "2029", "123"),
    # Its CVV2 is 123.
    "cvv2-mismatch": ("4012888888881881", "12", "2029", "999"),
    "no-contact": ("4217651111111119", "07", "2031", "135"),
    "unknown": ("4012000033330026", "12", "2029", "123"),
}
VTS_TOKEN = "DNITHE{:018d}".format
VTS_GREEN, VTS_YELLOW, VTS_ORANGE = VTS_TOKEN(1), VTS_TOKEN(2), VTS_TOKEN(3)
VTS_STAND_IN = VTS_TOKEN(7)
VTS_OTHER = VTS_TOKEN(99)
VTS_TOKEN_NUMBER = "4895370012003478"
VTS_EVENT_TIME = "2026-12-01T09:59:30.000Z"
VTS_OTP_EXPIRY = "2026-12-01T10:30:00.000Z"
VTS_TOKEN_PATH = "/vts/v1/tokenRequestors/{tokenRequestorID}/tokens/{tokenReferenceID}/"
VTS_ROUTES = {
    "vts-check-eligibility": "/vts/v1/checkEligibility",
    "vts-approve-provisioning": VTS_TOKEN_PATH + "approveProvisioning",
    "vts-get-cardholder-verification-methods": "/vts/v1/getCardholderVerificationMethods",
    "vts-send-passcode": "/vts/v1/sendPasscode",
    "vts-token-changed": VTS_TOKEN_PATH + "tokenChanged",
}


def vts_kid(public_key) -> str:
    """The kid tmp-local gives an imported key (tmp_aws::vts_keys::derived_kid):
    `vts-` and the first 16 hex digits of the SHA-256 of its SubjectPublicKeyInfo."""
    spki = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return "vts-" + hashlib.sha256(spki).hexdigest()[:16]


def vts_seal(key, kid: str, content: dict) -> str:
    from jwcrypto import jwe
    from jwcrypto.common import json_encode

    token = jwe.JWE(json.dumps(content).encode(), protected=json_encode({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": kid}),
                    algs=["RSA-OAEP-256", "A256GCM"])
    token.add_recipient(key)
    return token.serialize(compact=True)


def vts_tampered(compact: str) -> str:
    """The JWE with its ciphertext's first character changed in transit."""
    parts = compact.split(".")
    parts[3] = ("B" if parts[3].startswith("A") else "A") + parts[3][1:]
    return ".".join(parts)


def vts_event(function: str, body: str, token: str | None = None, query: dict | None = None) -> dict:
    resource = VTS_ROUTES[function]
    path = resource
    path_parameters = None
    if token is not None:
        path_parameters = {"tokenRequestorID": VTS_TR, "tokenReferenceID": token}
        path = resource.replace("{tokenRequestorID}", VTS_TR).replace("{tokenReferenceID}", token)
    return {
        "resource": resource,
        "path": path,
        "httpMethod": "POST",
        "headers": {"Content-Type": "application/json", "Host": "tmp.example.com"},
        "multiValueHeaders": {"Content-Type": ["application/json"], "Host": ["tmp.example.com"]},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": None if query is None else {k: [v] for k, v in query.items()},
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": "POST",
            "path": f"/v1{path}",
            "stage": "v1",
            "requestId": "3f1c2a9e-8d4b-4c1e-9b7a-5e6f7a8b9c0d",
            "accountId": "123456789012",
            "apiId": "tmpvts0001",
            "protocol": "HTTP/1.1",
            "identity": {"sourceIp": "198.51.100.7", "userAgent": "VTS"},
            "requestTimeEpoch": 1796119200000,
        },
        "body": body,
        "isBase64Encoded": False,
    }


def vts_write(function: str, name: str, body, token: str | None = None, query: dict | None = None) -> None:
    out = EVENTS / function
    out.mkdir(parents=True, exist_ok=True)
    text = body if isinstance(body, str) else json.dumps(body)
    (out / f"{name}.json").write_text(json.dumps(vts_event(function, text, token, query), indent=2) + "\n")


def vts_cardholder(card: str, with_cvv2: bool = True) -> dict:
    pan, month, year, cvv2 = VTS_CARDS[card]
    info = {"primaryAccountNumber": pan, "name": "Alex Visa", "expirationDate": {"month": month, "year": year},
            "billingAddress": {"line1": "1 Main St", "city": "London", "postalCode": "EC1A 1BB", "country": "GB"}}
    if with_cvv2:
        info["cvv2"] = cvv2
    return info


def vts_risk(wallet: str, visa: str) -> dict:
    return {"walletProviderRiskAssessment": wallet, "walletProviderAccountScore": "5",
            "walletProviderDeviceScore": "5", "visaTokenScore": "12", "visaTokenDecisioning": visa}


def vts_token_content(status: str, card: str | None) -> dict:
    content = {"tokenInfo": {"token": VTS_TOKEN_NUMBER, "tokenType": "SECURE_ELEMENT", "tokenStatus": status,
                             "tokenExpirationDate": {"month": "03", "year": "2030"}}}
    if card is not None:
        content["cardholderInfo"] = vts_cardholder(card, with_cvv2=False)
    return content


def without_member(body: dict, member: str) -> dict:
    copy = json.loads(json.dumps(body))
    del copy[member]
    return copy


def vts():
    from jwcrypto import jwk

    pem = VTS_KEY.read_bytes()
    key = jwk.JWK.from_pem(pem)
    kid = vts_kid(serialization.load_pem_public_key(pem))
    seal = lambda content: vts_seal(key, kid, content)  # noqa: E731
    trusted, step_up, wallet_declined = vts_risk("0", "00"), vts_risk("1", "85"), vts_risk("2", "00")

    f = "vts-check-eligibility"
    def check(n: int, encrypted: str) -> dict:
        return {"tokenRequestorID": VTS_TR, "panReferenceID": f"V-PANREF-{n:06d}", "locale": "en",
                "walletProviderMsgTracing": {"wpRequestId": f"sample-ce-{n:04d}"}, "encryptedData": encrypted}
    provisioning = lambda card, risk: {"cardholderInfo": vts_cardholder(card), "riskInformation": risk}  # noqa: E731
    for n, (name, card) in enumerate([("eligible-debit-card", "active"), ("not-eligible-lost-card", "lost"),
                                      ("not-eligible-cvv2-mismatch", "cvv2-mismatch"),
                                      ("not-eligible-unknown-card", "unknown")], start=1):
        vts_write(f, name, check(n, seal(provisioning(card, trusted))))
    good = seal(provisioning("active", trusted))
    vts_write(f, "error-tampered-jwe", check(91, vts_tampered(good)))
    vts_write(f, "error-unknown-kid", check(92, vts_seal(key, "vts-0000000000000000", provisioning("active", trusted))))
    vts_write(f, "error-missing-encrypted-data", without_member(check(93, good), "encryptedData"))
    vts_write(f, "error-malformed-json", '{"tokenRequestorID": "40010030273", "encryptedData": ')

    f = "vts-approve-provisioning"
    def approve(n: int, encrypted: str) -> dict:
        return {
            "tokenInfo": {"tokenType": "SECURE_ELEMENT", "tokenAssuranceLevel": "20",
                          "numberOfActiveTokensForPAN": "0", "numberOfInactiveTokensForPAN": "0",
                          "numberOfSuspendedTokensForPAN": "0"},
            "panReferenceID": f"V-PANREF-{n:06d}",
            "lifeCycleTraceID": f"38123456789{n:04d}",
            "locale": "en_GB",
            "deviceInfo": {"deviceID": f"04A5B1C2D3E4{n:04d}", "deviceType": "MOBILE_PHONE",
                           "deviceName": "QWxleCdzIFBob25l", "osType": "ANDROID"},
            "walletProviderMsgTracing": {"tokenRequestorID": VTS_TR, "wpRequestId": f"sample-ap-{n:04d}"},
            "encryptedData": encrypted,
        }
    scenarios = {
        # name: (token, card, risk)
        "green-approved": (VTS_GREEN, "active", trusted),
        "yellow-step-up": (VTS_YELLOW, "active", step_up),
        "orange-call-centre-only": (VTS_ORANGE, "no-contact", step_up),
        "red-card-lost": (VTS_TOKEN(4), "lost", trusted),
        "red-cvv2-mismatch": (VTS_TOKEN(5), "cvv2-mismatch", trusted),
        "red-wallet-declined": (VTS_TOKEN(6), "active", wallet_declined),
    }
    for n, (name, (token, card, risk)) in enumerate(scenarios.items(), start=1):
        vts_write(f, name, approve(n, seal(provisioning(card, risk))), token=token)
    vts_write(f, "error-tampered-jwe", approve(91, vts_tampered(good)), token=VTS_TOKEN(91))
    vts_write(f, "error-unknown-kid", approve(92, vts_seal(key, "vts-0000000000000000", provisioning("active", trusted))),
              token=VTS_TOKEN(92))
    vts_write(f, "error-missing-token-info", without_member(approve(93, good), "tokenInfo"), token=VTS_TOKEN(93))
    vts_write(f, "error-malformed-json", '{"tokenInfo": {"tokenType": ', token=VTS_TOKEN(94))

    f = "vts-get-cardholder-verification-methods"
    def methods(token: str, n: int) -> dict:
        return {"tokenReferenceID": token,
                "walletProviderMsgTracing": {"tokenRequestorID": VTS_TR, "wpRequestId": f"sample-cvm-{n:04d}"},
                "otpReason": "01", "otpMaxReached": False}
    vts_write(f, "yellow-methods", methods(VTS_YELLOW, 1))
    vts_write(f, "orange-call-centre-only", methods(VTS_ORANGE, 2))
    vts_write(f, "error-unknown-token", methods(VTS_OTHER, 91))
    vts_write(f, "error-missing-wallet-provider-msg-tracing", without_member(methods(VTS_YELLOW, 92), "walletProviderMsgTracing"))
    vts_write(f, "error-malformed-json", '{"tokenReferenceID": ')

    f = "vts-send-passcode"
    def passcode(n: int, identifier: str) -> dict:
        return {"tokenReferenceID": VTS_YELLOW,
                "walletProviderMsgTracing": {"tokenRequestorID": VTS_TR, "wpRequestId": f"sample-sp-{n:04d}"},
                "otpMethodIdentifier": identifier, "OTPCode": "482913", "OTPCodeExp": VTS_OTP_EXPIRY}
    vts_write(f, "yellow-sms-passcode", passcode(1, "cvm-sms"))
    # The same code again under a new message id: answered, not delivered twice.
    vts_write(f, "yellow-sms-passcode-again", passcode(2, "cvm-sms"))
    vts_write(f, "error-unknown-method-identifier", passcode(91, "bank_app"))
    vts_write(f, "error-missing-otp-code", without_member(passcode(92, "cvm-sms"), "OTPCode"))
    vts_write(f, "error-malformed-json", '{"tokenReferenceID": "DNITHE000000000000000002", "OTPCode": 4829')

    f = "vts-token-changed"
    def changed(reason: str, encrypted: str) -> dict:
        return {"messageReason": "Token status updated", "messageReasonCode": reason,
                "dateTimeOfEvent": VTS_EVENT_TIME, "panReferenceID": "V-PANREF-000002",
                "deviceInfo": {"deviceID": "04A5B1C2D3E40002", "deviceName": "QWxleCdzIFBob25l"},
                "encryptedData": encrypted}
    def query(event_type: str, n: int) -> dict:
        return {"eventType": event_type, "eventID": f"sample-tc-{n:04d}"}
    notices = {
        # name: (token, eventType, status, card inside)
        "yellow-token-activated": (VTS_YELLOW, "TOKEN_STATUS_UPDATED", "ACTIVE", None),
        "green-token-created": (VTS_GREEN, "TOKEN_CREATED", "ACTIVE", "active"),
        "stand-in-token-created": (VTS_STAND_IN, "TOKEN_CREATED", "ACTIVE", "active"),
        "yellow-token-suspended": (VTS_YELLOW, "TOKEN_STATUS_UPDATED", "SUSPENDED", None),
        "error-unknown-token": (VTS_OTHER, "TOKEN_STATUS_UPDATED", "SUSPENDED", None),
    }
    for n, (name, (token, event_type, status, card)) in enumerate(notices.items(), start=1):
        reason = "3700" if event_type == "TOKEN_CREATED" else "3701"
        vts_write(f, name, changed(reason, seal(vts_token_content(status, card))), token=token,
                  query=query(event_type, n))
    active = vts_token_content("ACTIVE", None)
    vts_write(f, "error-tampered-jwe", changed("3701", vts_tampered(seal(active))), token=VTS_YELLOW,
              query=query("TOKEN_STATUS_UPDATED", 91))
    vts_write(f, "error-unknown-kid", changed("3701", vts_seal(key, "vts-0000000000000000", active)), token=VTS_YELLOW,
              query=query("TOKEN_STATUS_UPDATED", 92))
    vts_write(f, "error-missing-event-id", changed("3701", seal(active)), token=VTS_YELLOW,
              query={"eventType": "TOKEN_STATUS_UPDATED"})
    vts_write(f, "error-malformed-json", '{"dateTimeOfEvent": "2026-12-01T09:59:30.000Z", ', token=VTS_YELLOW,
              query=query("TOKEN_STATUS_UPDATED", 94))



# The TMP API family: the issuer's back office calling the ten operations (token
# look-ups and actions, card events, bulk actions, jobs) with a client-credentials
# access token, and the job worker's SQS batches (no token: the queue's own). Tokens are signed by the TEST-ONLY key
# events/test-keys/tmp-api-test-private-key.pem (made once, kept; its JWKS is
# tmp-api-test-jwks.json) and issued in 2099: the handler tests
# (functions/issuer-api) check each against the JWKS at its own iat, then send it
# re-issued at their clock (same claims and lifetime), as the verifier refuses a
# token issued in the future and Cognito's lifetime is one day at most.

TMP_KEY = ROOT / "events/test-keys/tmp-api-test-private-key.pem"
TMP_JWKS = ROOT / "events/test-keys/tmp-api-test-jwks.json"
TMP_ISSUER = "https://tmp.test/issuer"
TMP_CLIENT = "issuer-backoffice"
TMP_READ, TMP_WRITE = "tmp/tokens.read", "tmp/tokens.write"
TMP_IAT = 4070908800  # 2099-01-01T00:00:00Z
TMP_LIFETIME = 3600
TMP_EXPIRED_IAT = 1577836800  # 2020-01-01T00:00:00Z
TMP_TOKEN = "DWSPMC00000000000000000000000000000000000000{:04d}".format
TMP_ACTIVE, TMP_SUSPENDED, TMP_INACTIVE, TMP_UNKNOWN = TMP_TOKEN(101), TMP_TOKEN(102), TMP_TOKEN(103), TMP_TOKEN(199)
TMP_VISA = "DNITHE000000000000000101"
TMP_PAN = "5555555555554444"
# The issuer's card id of Jane's Mastercard (the three Mastercard tokens) and of
# the Visa card; the device (MDES paymentAppInstanceId) holding the active
# Mastercard token and the Visa token. The handler tests seed the same.
TMP_CARD, TMP_VISA_CARD, TMP_DEVICE = "card-0001", "card-0002", "phone-0001"
TMP_NEW_PAN = "5105105105105100"
TMP_ACTION_PATH = "/api/v1/tokens/{tokenId}/"
TMP_ROUTES = {
    # function: (method, resource)
    "tmp-search-tokens": ("POST", "/api/v1/tokens/search"),
    "tmp-get-token": ("GET", "/api/v1/tokens/{tokenId}"),
    "tmp-activate-token": ("POST", TMP_ACTION_PATH + "activate"),
    "tmp-suspend-token": ("POST", TMP_ACTION_PATH + "suspend"),
    "tmp-unsuspend-token": ("POST", TMP_ACTION_PATH + "unsuspend"),
    "tmp-delete-token": ("POST", TMP_ACTION_PATH + "delete"),
    "tmp-post-card-event": ("POST", "/api/v1/cards/{cardId}/events"),
    "tmp-bulk-card-tokens": ("POST", "/api/v1/cards/{cardId}/tokens/{action}"),
    "tmp-bulk-device-tokens": ("POST", "/api/v1/devices/{deviceId}/tokens/{action}"),
    "tmp-get-job": ("GET", "/api/v1/jobs/{jobId}"),
}
# Read-only operations: no Idempotency-Key.
TMP_READS = ("tmp-search-tokens", "tmp-get-token", "tmp-get-job")
TMP_JOB_QUEUE = "arn:aws:sqs:us-east-1:123456789012:TokenJobQueue"


def b64url(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def tmp_key():
    """The TEST-ONLY signing key: made once (RSA-2048, PKCS#8), then reused so
    that regenerating the events changes nothing; its JWKS is rewritten."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    if not TMP_KEY.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        TMP_KEY.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
    key = serialization.load_pem_private_key(TMP_KEY.read_bytes(), password=None)
    public = key.public_key()
    spki = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    kid = "tmp-api-test-" + hashlib.sha256(spki).hexdigest()[:16]
    numbers = public.public_numbers()
    n, e = numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big"), numbers.e.to_bytes(3, "big")
    jwks = {"keys": [{"kty": "RSA", "kid": kid, "n": b64url(n), "e": b64url(e), "alg": "RS256", "use": "sig"}]}
    TMP_JWKS.write_text(json.dumps(jwks, indent=2) + "\n")
    return key, kid


def tmp_claims(n: int, scopes: list[str], iat: int = TMP_IAT, issuer: str = TMP_ISSUER) -> dict:
    """Cognito's access-token claims for a client-credentials token."""
    return {"sub": TMP_CLIENT, "iss": issuer, "client_id": TMP_CLIENT, "token_use": "access", "scope": " ".join(scopes),
            "auth_time": iat, "exp": iat + TMP_LIFETIME, "iat": iat, "jti": f"00000000-0000-4000-8000-{n:012d}",
            "version": 2}


def tmp_jwt(key, kid: str, claims: dict) -> str:
    from cryptography.hazmat.primitives.asymmetric import padding as asym_padding

    compact = lambda value: b64url(json.dumps(value, separators=(",", ":")).encode())  # noqa: E731
    signing_input = f"{compact({'kid': kid, 'alg': 'RS256'})}.{compact(claims)}"
    signature = key.sign(signing_input.encode(), asym_padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url(signature)}"


def tmp_job_id(idempotency_key: str) -> str:
    """The job a start under `idempotency_key` creates (tmp_core::usecases::jobs::job_id_for)."""
    digest = hashlib.sha256(f"{TMP_CLIENT}|job|{idempotency_key}".encode()).digest()
    return "job_" + digest[:12].hex()


def tmp_event(function: str, n: int, body, token: str | None, params: dict | None = None,
              idempotency_key: str | None = None, claims: dict | None = None) -> dict:
    method, resource = TMP_ROUTES[function]
    path = resource
    for name, value in (params or {}).items():
        path = path.replace("{" + name + "}", value)
    headers = {"Accept": "application/json", "Host": "api.tmp.example.com", "User-Agent": "issuer-backoffice/1.0"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    context = {
        "resourcePath": resource,
        "httpMethod": method,
        "path": f"/v1{path}",
        "stage": "v1",
        "requestId": f"5b1f7c2e-8a4d-4e6f-9c3b-{n:012d}",
        "accountId": "123456789012",
        "apiId": "tmpiss0001",
        "protocol": "HTTP/1.1",
        "identity": {"sourceIp": "203.0.113.10", "userAgent": "issuer-backoffice/1.0"},
        "requestTimeEpoch": 1796119200000,
    }
    if claims is not None:
        # What the Cognito authorizer passes on for a token it accepted: every claim as text.
        context["authorizer"] = {"claims": {k: str(v) for k, v in claims.items()}}
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": params or None,
        "stageVariables": None,
        "requestContext": context,
        "body": None if body is None else (body if isinstance(body, str) else json.dumps(body)),
        "isBase64Encoded": False,
    }


def tmp():
    key, kid = tmp_key()
    counter = iter(range(1, 1000))

    def write(function: str, name: str, body, token_id: str | None = None, scopes=None, idempotency: bool = True,
              token: str | None = "valid", path: dict | None = None) -> str | None:
        """Writes the sample; answers its Idempotency-Key (if any)."""
        n = next(counter)
        claims = tmp_claims(n, scopes or [TMP_READ, TMP_WRITE])
        if token == "valid":
            token, passed = tmp_jwt(key, kid, claims), claims
        else:
            passed = None
        is_action = function not in TMP_READS
        idempotency_key = f"sample-{function.removeprefix('tmp-')}-{n:04d}" if is_action and idempotency else None
        out = EVENTS / function
        out.mkdir(parents=True, exist_ok=True)
        params = path if token_id is None else {"tokenId": token_id}
        event = tmp_event(function, n, body, token, params, idempotency_key, passed)
        (out / f"{name}.json").write_text(json.dumps(event, indent=2) + "\n")
        return idempotency_key

    def tampered(claims: dict) -> str:
        """A token whose payload was changed after signing (its scope widened)."""
        header, _, signature = tmp_jwt(key, kid, claims).split(".")
        return f"{header}.{b64url(json.dumps(dict(claims, scope=f'{TMP_READ} {TMP_WRITE}')).encode())}.{signature}"

    f = "tmp-search-tokens"
    write(f, "by-pan", {"pan": TMP_PAN, "status": "ACTIVE", "limit": 25}, scopes=[TMP_READ])
    write(f, "by-token-reference", {"tokenReference": TMP_SUSPENDED}, scopes=[TMP_READ])
    write(f, "error-two-selectors", {"pan": TMP_PAN, "cardId": "card-0001"}, scopes=[TMP_READ])
    write(f, "error-invalid-pan", {"pan": "5555555555554445"}, scopes=[TMP_READ])
    write(f, "error-malformed-json", '{"pan": "5555555555554444", ', scopes=[TMP_READ])
    write(f, "error-no-access-token", {"pan": TMP_PAN}, token=None)

    f = "tmp-get-token"
    write(f, "active-token", None, token_id=TMP_ACTIVE, scopes=[TMP_READ])
    write(f, "error-unknown-token", None, token_id=TMP_UNKNOWN, scopes=[TMP_READ])
    write(f, "error-invalid-token-id", None, token_id="tok", scopes=[TMP_READ])
    write(f, "error-missing-scope", None, token_id=TMP_ACTIVE, scopes=[TMP_WRITE])
    write(f, "error-expired-access-token", None, token_id=TMP_ACTIVE,
          token=tmp_jwt(key, kid, tmp_claims(90, [TMP_READ], iat=TMP_EXPIRED_IAT)))

    f = "tmp-activate-token"
    write(f, "inactive-token-activated", {"reasonCode": "CARDHOLDER_VERIFIED", "operator": "agent.17"},
          token_id=TMP_INACTIVE, scopes=[TMP_WRITE])
    write(f, "error-token-already-active", {"reasonCode": "CARDHOLDER_VERIFIED", "operator": "agent.17"},
          token_id=TMP_ACTIVE, scopes=[TMP_WRITE])
    write(f, "error-missing-idempotency-key", {"reasonCode": "CARDHOLDER_VERIFIED", "operator": "agent.17"},
          token_id=TMP_INACTIVE, scopes=[TMP_WRITE], idempotency=False)

    f = "tmp-suspend-token"
    write(f, "active-token-suspended", {"reasonCode": "DEVICE_LOST", "comment": "Cardholder called", "operator": "agent.17"},
          token_id=TMP_ACTIVE, scopes=[TMP_WRITE])
    write(f, "error-missing-idempotency-key", {"reasonCode": "DEVICE_LOST", "operator": "agent.17"},
          token_id=TMP_ACTIVE, scopes=[TMP_WRITE], idempotency=False)
    write(f, "error-reason-of-another-action", {"reasonCode": "FRAUD_CLEARED", "operator": "agent.17"},
          token_id=TMP_ACTIVE, scopes=[TMP_WRITE])
    write(f, "error-unknown-token", {"reasonCode": "SUSPECTED_FRAUD", "operator": "agent.17"},
          token_id=TMP_UNKNOWN, scopes=[TMP_WRITE])
    write(f, "error-read-only-access-token", {"reasonCode": "DEVICE_LOST", "operator": "agent.17"},
          token_id=TMP_ACTIVE, scopes=[TMP_READ])
    write(f, "error-tampered-access-token", {"reasonCode": "DEVICE_LOST", "operator": "agent.17"},
          token_id=TMP_ACTIVE, token=tampered(tmp_claims(91, [TMP_READ])))

    f = "tmp-unsuspend-token"
    write(f, "suspended-token-unsuspended", {"reasonCode": "DEVICE_FOUND", "operator": "agent.17"},
          token_id=TMP_SUSPENDED, scopes=[TMP_WRITE])
    write(f, "error-operator-not-an-id", {"reasonCode": "DEVICE_FOUND", "operator": "Jane Doe"},
          token_id=TMP_SUSPENDED, scopes=[TMP_WRITE])
    write(f, "error-missing-idempotency-key", {"reasonCode": "DEVICE_FOUND", "operator": "agent.17"},
          token_id=TMP_SUSPENDED, scopes=[TMP_WRITE], idempotency=False)

    f = "tmp-delete-token"
    write(f, "visa-token-deleted", {"reasonCode": "CONFIRMED_FRAUD", "comment": "Case 4711", "operator": "agent.17"},
          token_id=TMP_VISA, scopes=[TMP_WRITE])
    write(f, "error-other-without-comment", {"reasonCode": "OTHER", "operator": "agent.17"},
          token_id=TMP_VISA, scopes=[TMP_WRITE])
    write(f, "error-unknown-member", {"reasonCode": "CONFIRMED_FRAUD", "operator": "agent.17", "pan": TMP_PAN},
          token_id=TMP_VISA, scopes=[TMP_WRITE])
    write(f, "error-unknown-token", {"reasonCode": "CONFIRMED_FRAUD", "operator": "agent.17"},
          token_id=TMP_UNKNOWN, scopes=[TMP_WRITE])

    # Jobs: each start answers 202 and the job's id (derived from its key).
    f = "tmp-post-card-event"
    card = {"cardId": TMP_CARD}
    for name, kind in [("card-lost", "LOST"), ("card-blocked", "BLOCKED"), ("card-unblocked", "UNBLOCKED"),
                       ("card-closed", "CLOSED")]:
        write(f, name, {"type": kind}, path=card, scopes=[TMP_WRITE])
    write(f, "error-new-pan-on-lost", {"type": "LOST", "newPan": TMP_NEW_PAN}, path=card, scopes=[TMP_WRITE])
    write(f, "error-missing-idempotency-key", {"type": "LOST"}, path=card, scopes=[TMP_WRITE], idempotency=False)
    write(f, "error-read-only-access-token", {"type": "LOST"}, path=card, scopes=[TMP_READ])
    write(f, "error-malformed-json", '{"type": "LOST", ', path=card, scopes=[TMP_WRITE])

    f = "tmp-bulk-card-tokens"
    on_card = lambda action: {"cardId": TMP_CARD, "action": action}  # noqa: E731
    suspension = write(f, "card-tokens-suspended",
                       {"reasonCode": "SUSPECTED_FRAUD", "comment": "Case 4712", "operator": "agent.17"},
                       path=on_card("suspend"), scopes=[TMP_WRITE])
    write(f, "error-unknown-action", {"reasonCode": "SUSPECTED_FRAUD", "operator": "agent.17"},
          path=on_card("wipe"), scopes=[TMP_WRITE])
    # Activation is per token (after the cardholder was verified), never bulk.
    write(f, "error-activate-not-bulk", {"reasonCode": "CARDHOLDER_VERIFIED", "operator": "agent.17"},
          path=on_card("activate"), scopes=[TMP_WRITE])
    write(f, "error-reason-of-another-action", {"reasonCode": "FRAUD_CLEARED", "operator": "agent.17"},
          path=on_card("suspend"), scopes=[TMP_WRITE])

    f = "tmp-bulk-device-tokens"
    write(f, "device-tokens-deleted", {"reasonCode": "DEVICE_LOST", "operator": "agent.17"},
          path={"deviceId": TMP_DEVICE, "action": "delete"}, scopes=[TMP_WRITE])

    # The card suspension's job, as getJob and the worker see it.
    job = tmp_job_id(suspension)
    f = "tmp-get-job"
    write(f, "card-suspension-job", None, path={"jobId": job}, scopes=[TMP_READ])
    write(f, "error-invalid-job-id", None, path={"jobId": "job"}, scopes=[TMP_READ])
    write(f, "error-unknown-job", None, path={"jobId": tmp_job_id("sample-never-started")}, scopes=[TMP_READ])

    # The worker's batches: one record each, the item of the card suspension for the
    # active token (first delivery, fifth delivery: the World's last attempt) and a
    # body that is no item.
    f = "tmp-job-worker"
    item = json.dumps({"jobId": job, "tokenRef": TMP_ACTIVE})
    for n, (name, body, receive_count) in enumerate([
        ("card-suspension-item", item, 1),
        ("card-suspension-item-fifth-delivery", item, 5),
        ("error-poison-body", '{"jobId": 42', 1),
    ], start=1):
        record = {
            "messageId": f"7d2e0000-0000-4000-8000-{n:012d}",
            "receiptHandle": f"AQEB{n:04d}sample-receipt-handle",
            "body": body,
            "attributes": {
                "ApproximateReceiveCount": str(receive_count),
                "SentTimestamp": "1796119200000",
                "SenderId": "AROAEXAMPLE:tmp-bulk-card-tokens",
                "ApproximateFirstReceiveTimestamp": "1796119200050",
            },
            "messageAttributes": {},
            "md5OfBody": hashlib.md5(body.encode()).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": TMP_JOB_QUEUE,
            "awsRegion": "us-east-1",
        }
        out = EVENTS / f
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{name}.json").write_text(json.dumps({"Records": [record]}, indent=2) + "\n")


# The admin API family: the admin panel calling its fifteen operations with an
# agent's access token (Cognito's user-pool claims: `username` the agent's
# e-mail, `cognito:groups` the roles), signed by the same TEST-ONLY key as the
# TMP API samples for the test-only issuer https://tmp.test/admin and client
# admin-panel-test, issued in 2099 (the handler tests re-issue each at their
# clock with the same agent and groups). Each sample's expected status is
# listed in functions/admin-api/src/samples.rs, which replays every file here.

ADMIN_ISSUER = "https://tmp.test/admin"
ADMIN_CLIENT = "admin-panel-test"
ADMIN_LIFETIME = 900
ADMIN_TOKEN = "DWSPMC000000000000000000000000000000000000000901"
ADMIN_UNKNOWN = "DWSPMC000000000000000000000000000000000000000999"
ADMIN_DEVICE = "phone-1"
ADMIN_AGENTS = {
    "viewer": ("viewer@bank.test", ["viewer"]),
    "agent": ("agent@bank.test", ["agent"]),
    "supervisor": ("supervisor@bank.test", ["supervisor"]),
    "admin": ("admin@bank.test", ["admin"]),
}
ADMIN_TOKEN_PATH = "/admin-api/v1/tokens/{tokenId}"
ADMIN_ROUTES = {
    "admin-me": ("GET", "/admin-api/v1/me"),
    "admin-search-tokens": ("POST", "/admin-api/v1/tokens/search"),
    "admin-get-token": ("GET", ADMIN_TOKEN_PATH),
    "admin-token-transactions": ("GET", ADMIN_TOKEN_PATH + "/transactions"),
    "admin-activate-token": ("POST", ADMIN_TOKEN_PATH + "/activate"),
    "admin-suspend-token": ("POST", ADMIN_TOKEN_PATH + "/suspend"),
    "admin-unsuspend-token": ("POST", ADMIN_TOKEN_PATH + "/unsuspend"),
    "admin-delete-token": ("POST", ADMIN_TOKEN_PATH + "/delete"),
    "admin-preview-bulk": ("GET", "/admin-api/v1/devices/{deviceId}/tokens/{action}/preview"),
    "admin-start-bulk": ("POST", "/admin-api/v1/devices/{deviceId}/tokens/{action}"),
    "admin-get-job": ("GET", "/admin-api/v1/jobs/{jobId}"),
    "admin-post-card-event": ("POST", "/admin-api/v1/cards/{cardId}/events"),
    "admin-audit-log": ("GET", "/admin-api/v1/audit"),
    "admin-funnel-report": ("GET", "/admin-api/v1/reports/funnel"),
    "admin-apple-pay-report": ("GET", "/admin-api/v1/reports/apple-pay"),
    "admin-active-tokens-report": ("GET", "/admin-api/v1/reports/active-tokens"),
    "admin-get-decision-rules": ("GET", "/admin-api/v1/decision-rules"),
    "admin-update-decision-rules": ("PUT", "/admin-api/v1/decision-rules"),
    "admin-list-agents": ("GET", "/admin-api/v1/agents"),
    "admin-set-agent-role": ("PUT", "/admin-api/v1/agent-roles"),
}


def admin_claims(n: int, agent: str, iat: int = TMP_IAT) -> dict:
    email, groups = ADMIN_AGENTS[agent]
    return {"sub": f"0f1e2d3c-0000-4000-8000-{n:012d}", "cognito:groups": groups, "iss": ADMIN_ISSUER,
            "client_id": ADMIN_CLIENT, "token_use": "access", "scope": "openid email", "auth_time": iat,
            "exp": iat + ADMIN_LIFETIME, "iat": iat, "jti": f"00000000-0000-4000-9000-{n:012d}", "username": email,
            "version": 2}


def admin():
    key, kid = tmp_key()
    counter = iter(range(1, 1000))

    def write(function: str, name: str, agent: str | None, body=None, path: dict | None = None,
              query: dict | None = None, idempotency: bool = True, token: str | None = None):
        n = next(counter)
        method, resource = ADMIN_ROUTES[function]
        concrete = resource
        for k, v in (path or {}).items():
            concrete = concrete.replace("{" + k + "}", v)
        headers = {"Accept": "application/json", "Host": "admin-api.tmp.example.com",
                   "Origin": "https://admin.tmp.example.com", "User-Agent": "Mozilla/5.0 (admin panel)"}
        claims = None
        if agent is not None:
            claims = admin_claims(n, agent)
            headers["Authorization"] = f"Bearer {tmp_jwt(key, kid, claims)}"
        elif token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if body is not None:
            headers["Content-Type"] = "application/json"
        if method == "POST" and idempotency:
            headers["Idempotency-Key"] = f"sample-{function.removeprefix('admin-')}-{n:04d}"
        context = {
            "resourcePath": resource, "httpMethod": method, "path": f"/v1{concrete}", "stage": "v1",
            "requestId": f"6c2a8d3f-9b5e-4f70-8d4c-{n:012d}", "accountId": "123456789012", "apiId": "tmpadm0001",
            "protocol": "HTTP/1.1", "identity": {"sourceIp": "198.51.100.20", "userAgent": "Mozilla/5.0 (admin panel)"},
            "requestTimeEpoch": 1796119200000,
        }
        if claims is not None:
            context["authorizer"] = {"claims": {k: (" ".join(v) if isinstance(v, list) else str(v))
                                                for k, v in claims.items()}}
        event = {
            "resource": resource, "path": concrete, "httpMethod": method, "headers": headers,
            "multiValueHeaders": {k: [v] for k, v in headers.items()},
            "queryStringParameters": query, "multiValueQueryStringParameters": (
                {k: [v] for k, v in query.items()} if query else None),
            "pathParameters": path or None, "stageVariables": None, "requestContext": context,
            "body": None if body is None else (body if isinstance(body, str) else json.dumps(body)),
            "isBase64Encoded": False,
        }
        out = EVENTS / function
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{name}.json").write_text(json.dumps(event, indent=2) + "\n")

    token = {"tokenId": ADMIN_TOKEN}
    write("admin-me", "viewer", "viewer")
    write("admin-me", "error-no-access-token", None)
    write("admin-me", "error-expired-access-token", None,
          token=tmp_jwt(key, kid, admin_claims(90, "agent", iat=TMP_EXPIRED_IAT)))

    f = "admin-search-tokens"
    write(f, "by-last4-and-expiry", "agent", {"last4": "4444", "expiry": "12/30"})
    write(f, "by-pan", "agent", {"pan": TMP_PAN, "status": "ACTIVE"})
    write(f, "by-phone", "agent", {"phoneNumber": "+44 7700 900123"})
    write(f, "apple-pay-tokens-of-a-week", "viewer",
          {"from": "2026-11-23", "to": "2026-11-29", "wallet": "APPLE_PAY", "network": "MASTERCARD"})
    write(f, "error-two-keys", "agent", {"phoneNumber": "+44 7700 900123", "cardId": "card-0001"})
    write(f, "error-range-too-long", "agent", {"from": "2026-01-01", "to": "2026-03-01"})

    write("admin-get-token", "active-token", "viewer", path=token)
    write("admin-get-token", "error-unknown-token", "viewer", path={"tokenId": ADMIN_UNKNOWN})
    write("admin-token-transactions", "active-token", "viewer", path=token)

    reason = {"reasonCode": "DEVICE_LOST", "comment": "Cardholder called: phone lost"}
    write("admin-suspend-token", "active-token-suspended", "agent", reason, path=token)
    write("admin-suspend-token", "error-viewer-may-not", "viewer", reason, path=token)
    write("admin-suspend-token", "error-missing-idempotency-key", "agent", reason, path=token, idempotency=False)
    write("admin-activate-token", "error-token-already-active", "agent",
          {"reasonCode": "CARDHOLDER_VERIFIED"}, path=token)
    write("admin-unsuspend-token", "error-token-not-suspended", "agent", {"reasonCode": "DEVICE_FOUND"}, path=token)
    write("admin-delete-token", "error-agent-may-not", "agent", {"reasonCode": "CONFIRMED_FRAUD"}, path=token)

    device = {"deviceId": ADMIN_DEVICE, "action": "delete"}
    write("admin-preview-bulk", "device-delete-preview", "supervisor", path=device)
    write("admin-preview-bulk", "error-agent-may-not", "agent", path=device)
    write("admin-start-bulk", "device-tokens-deleted", "supervisor",
          {"reasonCode": "DEVICE_STOLEN", "comment": "Phone stolen"}, path=device)
    write("admin-get-job", "error-unknown-job", "supervisor", path={"jobId": tmp_job_id("sample-never-started")})
    card = {"cardId": TMP_CARD}
    write("admin-post-card-event", "card-stolen", "supervisor", {"type": "STOLEN", "comment": "Wallet stolen"},
          path=card)
    write("admin-post-card-event", "error-replaced-not-from-the-panel", "supervisor",
          {"type": "REPLACED", "newPan": TMP_NEW_PAN, "newExpiry": "09/30"}, path=card)
    write("admin-post-card-event", "error-agent-may-not", "agent", {"type": "LOST"}, path=card)

    days = {"from": "2026-11-25", "to": "2026-12-01"}
    write("admin-audit-log", "a-week", "supervisor", query=days)
    write("admin-audit-log", "a-week-as-csv", "supervisor", query=dict(days, format="csv"))
    write("admin-audit-log", "error-agent-may-not", "agent", query=days)
    write("admin-funnel-report", "a-week", "viewer", query=days)
    write("admin-funnel-report", "a-week-as-csv", "viewer", query=dict(days, format="csv"))
    write("admin-funnel-report", "error-range-too-long", "viewer", query={"from": "2026-01-01", "to": "2026-12-01"})
    write("admin-apple-pay-report", "a-week", "viewer", query=days)
    write("admin-active-tokens-report", "now", "viewer")
    write("admin-active-tokens-report", "now-as-csv", "viewer", query={"format": "csv"})
    write("admin-get-decision-rules", "in-force", "admin")
    write("admin-get-decision-rules", "error-supervisor-may-not", "supervisor")
    apple_two = {"default": {}, "tokenRequestors": {"50110030273": {"maxLiveTokensPerCard": 2}}}
    write("admin-update-decision-rules", "apple-pay-two-tokens-per-card", "admin", {"version": 0, "rules": apple_two})
    write("admin-update-decision-rules", "error-stale-version", "admin", {"version": 3, "rules": apple_two})
    write("admin-update-decision-rules", "error-unknown-threshold", "admin",
          {"version": 0, "rules": {"default": {"maxTokens": 2}}})
    write("admin-list-agents", "all", "admin")
    write("admin-list-agents", "error-supervisor-may-not", "supervisor")
    write("admin-set-agent-role", "viewer-made-agent", "admin",
          {"username": "viewer@bank.test", "role": "agent"}, idempotency=False)
    write("admin-set-agent-role", "every-role-taken-away", "admin",
          {"username": "agent@bank.test", "role": None}, idempotency=False)
    write("admin-set-agent-role", "error-own-role", "admin",
          {"username": "admin@bank.test", "role": "viewer"}, idempotency=False)
    write("admin-set-agent-role", "error-unknown-agent", "admin",
          {"username": "nobody@bank.test", "role": "viewer"}, idempotency=False)
    write("admin-set-agent-role", "error-unknown-role", "admin",
          {"username": "viewer@bank.test", "role": "root"}, idempotency=False)


if __name__ == "__main__":
    main()
