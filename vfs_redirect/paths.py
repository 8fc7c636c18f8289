"""Lexical path canonicalisation, component-boundary prefix tests and safe joins.

Everything here works on strings, never touches the file system and never follows symlinks:
it is the reference for what the agent's CModule does on every path argument. The rules:

- a relative path is taken against ``cwd`` (which must itself be absolute);
- empty components (``//``) and ``.`` are dropped, a trailing ``/`` is dropped;
- ``..`` removes the previous component and never climbs above ``/``;
- ``/proc/self/root``, ``/proc/thread-self/root`` and ``/proc/<pid>/root`` (any numeric
  pid) are magic links to ``/`` for processes of one mount namespace, so reaching one of
  them restarts the path at ``/``: ``/proc/self/root/../etc`` is ``/etc``, like the kernel.

The canonical form is what rules are judged on. What it drops at the end still means
something to the kernel (``file/`` and ``file/.`` must be directories, ``mkdir("new/.")``
fails): ``directory_suffix`` and ``keep_directory`` put it back on a path handed over.
"""

from __future__ import annotations

from collections.abc import Iterator

_PROC_ROOT_OWNERS = ("self", "thread-self")
_PROC_MAGIC = ("cwd", "fd", "exe", "map_files", "task")
_DEV_MAGIC = ("fd", "stdin", "stdout", "stderr")


def canonicalise(path: str, cwd: str = "/") -> str:
    """The canonical absolute form of ``path`` (relative paths against ``cwd``).

    Raises ValueError naming the path if it is empty or holds a NUL byte, or if ``cwd``
    is not absolute.
    """
    _check(path, "path")
    if not path.startswith("/"):
        _check(cwd, "cwd")
        if not cwd.startswith("/"):
            raise ValueError(f"bad cwd {cwd!r}: it must be an absolute path")
        path = f"{cwd}/{path}"
    stack: list[str] = []
    for _ in _walk(path, stack):
        pass
    return "/" + "/".join(stack)


def directory_suffix(path: str) -> str:
    """What the end of ``path``'s text says that ``canonicalise`` drops: ``"/."`` when its last
    component is ``.`` or ``..`` (trailing slashes aside), ``"/"`` when it ends in ``/``,
    else ``""``.

    For the kernel, ``file/``, ``file/.`` and ``dir/sub/..`` all require a directory where
    ``<canonical>`` alone would also take a file (``open("file/")`` fails with ENOTDIR); a
    last component ``.`` or ``..`` also makes mkdir, rmdir, rename and unlink fail rather
    than act on the directory (``rmdir("dir/.")`` is EINVAL, ``rmdir("dir/")`` removes it),
    which ``/.`` keeps and a bare ``/`` would not.
    """
    stripped = path.rstrip("/")
    if stripped.rsplit("/", 1)[-1] in (".", ".."):
        return "/."
    return "/" if stripped != path else ""


def keep_directory(canonical: str, path: str) -> str:
    """Canonical ``canonical`` with ``path``'s ``directory_suffix``: the text to hand the
    kernel for a path that was rewritten (``/`` stays ``/``, and ``/.`` on it is ``/.``)."""
    return with_directory_suffix(canonical, directory_suffix(path))


def with_directory_suffix(canonical: str, suffix: str) -> str:
    """Canonical ``canonical`` ending in ``suffix`` (a ``directory_suffix``)."""
    return (canonical.rstrip("/") + suffix) or "/"


def _walk(path: str, stack: list[str]) -> Iterator[list[str]]:
    """Apply ``path``'s components to ``stack`` one by one, yielding it after each new one.

    ``.`` and empty components are skipped, ``..`` pops (never above ``/``), and reaching
    ``/proc/<self|thread-self|pid>/root`` restarts at ``/``.
    """
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if stack:
                stack.pop()
            continue
        stack.append(part)
        if _is_proc_root(stack):
            stack.clear()
        yield stack


def parse_absolute(text: str) -> str:
    """A user-given absolute path, canonicalised. Raises ValueError for anything else."""
    _check(text, "path")
    if not text.startswith("/"):
        raise ValueError(f"bad path {text!r}: it must be absolute (start with '/')")
    return canonicalise(text)


def is_under(path: str, prefix: str) -> bool:
    """Whether canonical ``path`` is ``prefix`` or lies below it (at a component boundary).

    ``/data/app/x`` is under ``/data/app``; ``/data/apple`` is not.
    """
    if prefix == "/":
        return True
    return path == prefix or path.startswith(prefix + "/")


def replace_prefix(path: str, old: str, new: str) -> str:
    """``path`` with its leading ``old`` (a component-boundary prefix) replaced by ``new``."""
    if not is_under(path, old):
        raise ValueError(f"path {path!r} is not under {old!r}")
    rest = path[len(old) :] if old != "/" else path
    rest = rest.lstrip("/")
    if not rest:
        return new
    return new.rstrip("/") + "/" + rest


def safe_join(base: str, relative: str) -> str:
    """``base`` joined with the relative path ``relative``, which must stay inside ``base``.

    Like mitmproxy's ``_safe_path_join``: ``..`` that would leave ``base``, an absolute
    ``relative`` or a NUL byte raise ValueError naming the offending value.
    """
    base = parse_absolute(base)
    _check(relative, "relative path")
    if relative.startswith("/"):
        raise ValueError(f"bad relative path {relative!r}: it is absolute")
    depth = 0
    for part in relative.split("/"):
        if part in ("", "."):
            continue
        depth += -1 if part == ".." else 1
        if depth < 0:
            raise ValueError(f"bad relative path {relative!r}: it leaves {base!r}")
    joined = canonicalise(relative, cwd=base)
    if not is_under(joined, base):  # e.g. a component spelling /proc/self/root
        raise ValueError(f"bad relative path {relative!r}: it leaves {base!r}")
    return joined


def through_magic_link(path: str, cwd: str = "/") -> bool:
    """Whether ``path`` passes through a link the kernel resolves per process, at any step.

    ``/proc/<self|thread-self|pid>/{cwd,fd,exe,map_files,task}`` and ``/dev/fd``,
    ``/dev/std{in,out,err}`` point wherever the reading process's cwd or descriptors point
    at that moment, so no lexical check can judge what follows them (``..`` included).
    A symlink whose text passes through one must be refused: it would mean something else
    after the next ``chdir``. (``/proc/…/root`` is ``/`` and handled by ``canonicalise``.)
    """
    _check(path, "path")
    stack = [p for p in canonicalise(cwd).split("/") if p] if not path.startswith("/") else []
    return any(_is_magic(step) for step in _walk(path, stack))


def _is_magic(stack: list[str]) -> bool:
    if len(stack) == 2 and stack[0] == "dev" and stack[1] in _DEV_MAGIC:
        return True
    if len(stack) != 3 or stack[0] != "proc" or stack[2] not in _PROC_MAGIC:
        return False
    owner = stack[1]
    return owner in _PROC_ROOT_OWNERS or (owner.isascii() and owner.isdigit())


def _is_proc_root(stack: list[str]) -> bool:
    if len(stack) != 3 or stack[0] != "proc" or stack[2] != "root":
        return False
    owner = stack[1]
    return owner in _PROC_ROOT_OWNERS or (owner.isascii() and owner.isdigit())


def _check(text: str, what: str) -> None:
    if not text:
        raise ValueError(f"bad {what} {text!r}: it is empty")
    if "\0" in text:
        raise ValueError(f"bad {what} {text!r}: it holds a NUL byte")
