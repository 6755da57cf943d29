#!/usr/bin/python3
"""Independent DSSE verifier for our tests: Debian's python3-securesystemslib 0.26 (run with /usr/bin/python3).

Usage: verify_dsse.py ENVELOPE_OR_BUNDLE.json PUBLIC_KEY.pem [ecdsa-sha2-nistp256|ecdsa-sha2-nistp384]
Prints VERIFIED (exit 0) or NOT VERIFIED (exit 1). securesystemslib 0.26 has no DSSE module, so the
pre-authentication encoding is built here from the DSSE spec, independently of our TypeScript code.
"""
import base64
import json
import sys

from securesystemslib import keys as sslib_keys
from securesystemslib.exceptions import UnverifiedSignatureError, VerificationError
from securesystemslib.signer import Signature, SSlibKey


def pae(payload_type: str, body: bytes) -> bytes:
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)


def b64(text: str) -> bytes:
    text += "=" * (-len(text) % 4)
    if "-" in text or "_" in text:
        return base64.b64decode(text, altchars=b"-_")
    return base64.b64decode(text)


def main() -> int:
    document = json.load(open(sys.argv[1]))
    envelope = document.get("dsseEnvelope", document)
    scheme = sys.argv[3] if len(sys.argv) > 3 else "ecdsa-sha2-nistp256"
    key = SSlibKey.from_securesystemslib_key(
        sslib_keys.import_ecdsakey_from_public_pem(open(sys.argv[2]).read(), scheme=scheme)
    )
    data = pae(envelope["payloadType"], b64(envelope["payload"]))
    for signature in envelope["signatures"]:
        try:
            key.verify_signature(Signature(keyid=key.keyid, sig=b64(signature["sig"]).hex()), data)
            print("VERIFIED")
            return 0
        except (UnverifiedSignatureError, VerificationError):
            pass
    print("NOT VERIFIED")
    return 1


sys.exit(main())
