"""Where Clonespace keeps its state: ``$CLONE_HOME`` and the paths under it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "CLONE_HOME"
KEY_PASSWORD_ENV = "CLONE_KEY_PASSWORD"  # password of ``clone build --key``

# ``clone build``'s defaults (``Space.build``'s too); ``clone install`` makes as many.
DEFAULT_TEMPLATE = "{package}.clone{n}"
DEFAULT_COUNT = 1


def default_root() -> Path:
    """``$CLONE_HOME`` if set, else the platform's user data dir for ``clonespace``."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser().absolute()
    import platformdirs

    return Path(platformdirs.user_data_dir("clonespace")).absolute()


@dataclass(frozen=True)
class Home:
    """The state directory and its layout (the CLI contract names these paths)."""

    root: Path

    @classmethod
    def from_env(cls) -> Home:
        return cls(default_root())

    @property
    def registry_path(self) -> Path:
        return self.root / "registry.sqlite"

    @property
    def keys_dir(self) -> Path:
        return self.root / "keys"

    @property
    def store_dir(self) -> Path:
        return self.root / "store"

    @property
    def cache_dir(self) -> Path:
        return self.root / "cache"

    @property
    def gadget_cache(self) -> Path:
        return self.cache_dir / "gadget"

    @property
    def demo_dir(self) -> Path:
        """Where ``clone demo`` works and leaves its clones (replaced by the next demo)."""
        return self.root / "demo"

    @property
    def demo_home(self) -> Path:
        """The demo's own CLONE_HOME, inside ``demo_dir`` (the user's registry is apart)."""
        return self.demo_dir / "clone-home"

    def has_demo(self) -> bool:
        """Whether ``clone demo`` ran here and left its clones."""
        return (self.demo_home / "registry.sqlite").is_file()

    @property
    def v1_digests(self) -> Path:
        """The v1 digests of APKs already cloned, by their sha256 (``apk.pipeline``)."""
        return self.cache_dir / "v1-digests"

    def ensure(self) -> Home:
        """Create the root (and ``keys/`` with mode 0700) if missing; return self. BadInput
        when the root, or a directory above it, is something other than a directory."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise self._not_a_directory() from None
        self.keys_dir.mkdir(mode=0o700, exist_ok=True)
        os.chmod(self.keys_dir, 0o700)
        self.store_dir.mkdir(exist_ok=True)
        return self

    def check(self) -> Home:
        """Return self, making nothing; BadInput where ``ensure`` would find the root, or the
        nearest path above it that is there, to be something other than a directory (for
        what only reads the home)."""
        there = next(path for path in (self.root, *self.root.parents) if path.exists())
        if not there.is_dir():
            raise self._not_a_directory()
        return self

    def _not_a_directory(self) -> Exception:
        from clone.errors import BadInput

        return BadInput(
            f"the clone home {self.root} is not a directory",
            hint=f"set {ENV_VAR} to a directory (or to a path not there yet)",
        )
