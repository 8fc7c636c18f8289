"""``python -m clone`` runs the ``clone`` command (used where the script may not be on PATH)."""

from clone.cli import main

main()
