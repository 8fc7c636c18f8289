"""APK signing in pure Python: keys, v1 (JAR) and the v2/v3 APK Signing Block.

Typical use by the clone pipeline::

    key = keys.load_or_create(home.keys_dir)
    if v1.needs_v1(min_sdk):
        algorithm = v1.digest_algorithm(key, min_sdk)
        digests = {name: v1.entry_digest(data, algorithm) ...}   # once per build
        files = v1.sign(digests_of_this_clone, key, algorithm=algorithm).files()
    sections = ...                                               # from the zip writer
    apk_bytes = sections.assemble(v2v3.signing_block(sections, key))

``apk.signing.zipsign`` (signing a zip made by :mod:`zipfile`) is not imported here: a clone
build does not need :mod:`zipfile`.
"""

from apk.signing.keys import (
    KeyAlgorithm,
    KeyCertMismatchError,
    KeyFileMissingError,
    KeyPasswordError,
    SigningKey,
    SigningKeyError,
    UnsupportedKeyError,
    load_or_create,
    load_user_key,
)
from apk.signing.v2v3 import content_digest, signing_block

__all__ = [
    "KeyAlgorithm",
    "KeyCertMismatchError",
    "KeyFileMissingError",
    "KeyPasswordError",
    "SigningKey",
    "SigningKeyError",
    "UnsupportedKeyError",
    "content_digest",
    "load_or_create",
    "load_user_key",
    "signing_block",
]
