"""``clone demo``: a guided run of Clonespace without a phone.

It builds two clones of a real APK (pure Python, signed, aligned) and runs a small Linux
"notes" app (``probe.py``) as two host clones under the hook engine: each clone keeps its
own login and data, sees its own hostname and machine-id, and cannot reach the other's store.
"""
