#!/usr/bin/env python3
"""Mastercard's own OAuth 1.0a signer (mastercard-oauth1-signer, pinned in
infra/requirements-dev.txt) as a reference for tmp-mdes's oauth1 module.

  mc-oauth1.py sign   --method M --url U --body-file F --consumer-key K --private-key key.pem
                      [--nonce N --timestamp T]
      prints the Authorization header the library produces (a fixed nonce and
      timestamp replace the library's random ones).
  mc-oauth1.py verify --method M --url U --body-file F --consumer-key K --public-key pub.pem
                      --header H
      recomputes the body hash and base string with the library's functions
      and verifies the RSA-SHA256 signature with `cryptography`; exit 0 when
      the header verifies, 1 (reason on stderr) when it does not.
"""
import argparse
import sys
import urllib.parse

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

import oauth1.coreutils as util
from oauth1.oauth import OAuth


def sign(args, body):
    key = serialization.load_pem_private_key(open(args.private_key, "rb").read(), password=None)
    if args.nonce is not None:
        util.get_nonce = lambda length=16: args.nonce
    if args.timestamp is not None:
        util.get_timestamp = lambda: int(args.timestamp)
    print(OAuth.get_authorization_header(args.url, args.method, body, args.consumer_key, key), end="")


def parse_header(header):
    scheme, _, rest = header.strip().partition(" ")
    if scheme != "OAuth":
        raise ValueError("not an OAuth header")
    params = {}
    for part in rest.split(","):
        key, _, value = part.strip().partition("=")
        if not (value.startswith('"') and value.endswith('"')) or key in params:
            raise ValueError("malformed parameter " + key)
        params[key] = urllib.parse.unquote(value[1:-1])
    return params


def verify(args, body):
    key = serialization.load_pem_public_key(open(args.public_key, "rb").read())
    params = parse_header(args.header)
    if params.get("oauth_signature_method") != "RSA-SHA256" or params.get("oauth_version") != "1.0":
        sys.exit("unsupported signature method or version")
    if params.get("oauth_consumer_key") != args.consumer_key:
        sys.exit("consumer key differs")
    if params.get("oauth_body_hash") != util.base64_encode(util.sha256_encode(body)):
        sys.exit("body hash differs")
    signature = util.base64.b64decode(params.pop("oauth_signature"))
    base_string = OAuth.get_base_string(args.url, args.method, params)
    try:
        key.verify(signature, base_string.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        sys.exit("signature does not verify over " + base_string)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["sign", "verify"])
    parser.add_argument("--method", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--body-file", required=True)
    parser.add_argument("--consumer-key", required=True)
    parser.add_argument("--private-key")
    parser.add_argument("--public-key")
    parser.add_argument("--nonce")
    parser.add_argument("--timestamp")
    parser.add_argument("--header")
    args = parser.parse_args()
    body = open(args.body_file, "rb").read()
    if args.command == "sign":
        sign(args, body)
    else:
        verify(args, body)


if __name__ == "__main__":
    main()
