"""The APK container: zip read/write with alignment, the AXML codec, manifest rewrite,
resources.arsc package patch, v1/v2/v3 signing and split APK sets. Pure Python, no Java."""
