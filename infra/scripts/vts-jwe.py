#!/usr/bin/env python3
"""Compact JWE with an independent JOSE library (jwcrypto), for tmp-vts tests.

  vts-jwe.py encrypt --public-key PEM --kid KID [--alg A] [--enc E] < plaintext > jwe
  vts-jwe.py decrypt --private-key PEM [--kid KID] < jwe > plaintext

`encrypt` builds what VTS sends as `encryptedData` (default RSA-OAEP-256 +
A256GCM); `--alg`/`--enc` make the variants our allow-list must refuse
(RSA1_5, RSA-OAEP, dir with a random key, A128GCM, ...). `decrypt` accepts only
RSA-OAEP-256 + A256GCM and checks the `kid` when given. Test keys only.
"""

import argparse
import json
import sys

from jwcrypto import jwe, jwk
from jwcrypto.common import json_encode

ENC_KEY_BITS = {"A128GCM": 128, "A192GCM": 192, "A256GCM": 256,
                "A128CBC-HS256": 256, "A256CBC-HS512": 512}


def encrypt(args):
    plaintext = sys.stdin.buffer.read()
    header = {"alg": args.alg, "enc": args.enc, "kid": args.kid}
    if args.alg == "dir":
        key = jwk.JWK.generate(kty="oct", size=ENC_KEY_BITS[args.enc])
    else:
        with open(args.public_key, "rb") as pem:
            key = jwk.JWK.from_pem(pem.read())
    token = jwe.JWE(plaintext, protected=json_encode(header),
                    algs=[args.alg, args.enc])
    token.add_recipient(key)
    sys.stdout.write(token.serialize(compact=True))


def decrypt(args):
    with open(args.private_key, "rb") as pem:
        key = jwk.JWK.from_pem(pem.read())
    token = jwe.JWE(algs=["RSA-OAEP-256", "A256GCM"])
    token.deserialize(sys.stdin.read().strip(), key=key)
    header = json.loads(token.objects["protected"])
    if args.kid is not None and header.get("kid") != args.kid:
        sys.exit(f"kid is {header.get('kid')!r}, expected {args.kid!r}")
    sys.stdout.buffer.write(token.payload)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    enc = sub.add_parser("encrypt")
    enc.add_argument("--public-key", required=True, help="PEM SubjectPublicKeyInfo")
    enc.add_argument("--kid", required=True)
    enc.add_argument("--alg", default="RSA-OAEP-256")
    enc.add_argument("--enc", default="A256GCM")
    enc.set_defaults(run=encrypt)
    dec = sub.add_parser("decrypt")
    dec.add_argument("--private-key", required=True, help="PEM PKCS#8 private key")
    dec.add_argument("--kid")
    dec.set_defaults(run=decrypt)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
