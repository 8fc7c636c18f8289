"""The agent's engine details: which exports it replaces, paths handed back (malloc'd
getcwd/realpath), fork without exec, and magic-link symlinks. Tiny C programs built here."""

from __future__ import annotations

import contextlib
import platform
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from hooks.agent_bundle import built_agent
from hooks.rpc import AgentRpc
from hooks.runner import local_device
from hooks.session import AgentSessions, attach
from tests.hooks.agent_fixtures import Layout, make_layout, run_captured

PATHS_BACK = r"""
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
  if (chdir(argv[1]) != 0) { perror("chdir"); return 10; }
  char *a = getcwd(NULL, 0);
  char *b = get_current_dir_name();
  char *c = realpath(".", NULL);
  char *d = canonicalize_file_name(".");
  char small[8];
  char *e = getcwd(small, sizeof small); /* the virtual path does not fit: ERANGE */
  printf("%s\n%s\n%s\n%s\n%s\n", a, b, c, d, e == NULL ? "ERANGE" : e);
  return 0;
}
"""

FORK_WRITE = r"""
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(argv[1], O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0 || write(fd, "from the fork child\n", 20) != 20) _exit(1);
    close(fd);
    fd = open(argv[2], O_RDONLY);  /* the other clone's file */
    _exit(fd < 0 ? 0 : 2);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 99;
}
"""

SYMLINK = r"""
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
  for (int i = 2; i < argc; i++) {
    int rc = symlink(argv[i], argv[1]);
    printf("%s %s\n", argv[i], rc == 0 ? "OK" : errno == EACCES ? "EACCES" : strerror(errno));
    if (rc == 0) unlink(argv[1]);
  }
  return 0;
}
"""


def _build(tmp_path: Path, name: str, source: str) -> Path:
    src = tmp_path / f"{name}.c"
    src.write_text(source)
    binary = tmp_path / name
    subprocess.run(["gcc", "-O1", "-o", str(binary), str(src)], check=True, capture_output=True)
    return binary


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    return make_layout(tmp_path / "world")


def test_replaced_exports(layout: Layout) -> None:
    device = local_device()
    pid = device.spawn(["/bin/sleep", "5"])
    sessions = AgentSessions(device, built_agent(), layout.policy())
    try:
        stats = sessions.instrument(pid).stats()
    finally:
        sessions.close()
        device.kill(pid)
    hooked = set(stats["installed"]) | set(stats["covered"])
    for name in (
        "open",
        "openat",
        "fopen",
        "stat",
        "lstat",
        "fstatat",
        "statx",
        "access",
        "mkdir",
        "unlink",
        "rename",
        "renameat2",
        "link",
        "symlink",
        "readlink",
        "opendir",
        "chdir",
        "getcwd",
        "realpath",
        "execve",
        "truncate",
        "utimensat",
    ):
        assert name in hooked, name
    # the hot ones go straight to C, without Interceptor's trampoline
    assert not {"open", "openat", "fstatat", "statx", "access"} & set(stats["slow"])


def _stats_of_a_spawned_process(layout: Layout, *, keep: bool = True) -> dict[str, Any]:
    """The agent's stats in a process spawned suspended, told (``keep``) that its host keeps
    it, as hooks/session.py tells every agent of an untraced host run (this test does not
    make it eternal: the process never forks and is killed)."""
    return _spawned_process(layout, keep=keep)[0]


def _spawned_process(layout: Layout, *, keep: bool = True) -> tuple[dict[str, Any], str]:
    """As ``_stats_of_a_spawned_process``, with the process's /proc/PID/maps after init."""
    device = local_device()
    pid = device.spawn(["/bin/sleep", "5"])
    sessions = AgentSessions(device, built_agent(), {**layout.policy(), "keep": keep})
    try:
        stats = dict(sessions.instrument(pid).stats())
        return stats, Path(f"/proc/{pid}/maps").read_text()
    finally:
        sessions.close()
        device.kill(pid)


HOT = {"open", "openat", "fstatat", "statx", "access", "readlink", "mkdir", "unlink", "rename"}
x86_64_only = pytest.mark.skipif(
    platform.machine() != "x86_64", reason="the direct installer (fastpath/direct.ts) is x86_64's"
)


@x86_64_only
def test_hot_exports_skip_gums_relocator(layout: Layout) -> None:
    """In a process spawned suspended, the hot exports are replaced by the direct installer,
    the exec family and the host-name queries too; the two Frida's child gating hooks first
    (execve, opendir) stay with Interceptor.replace, which shares a function with Frida's
    hook."""
    stats = _stats_of_a_spawned_process(layout)
    patched = set(stats["patched"])
    assert not HOT - patched, HOT - patched
    assert patched <= set(stats["installed"])
    assert {"execveat", "posix_spawn", "posix_spawnp"} <= patched
    assert {"gethostname", "uname"} <= patched  # the host name answered in C, not from JS
    assert not patched & {"execve", "opendir"}
    assert {"execve", "opendir"} <= set(stats["slow"])
    assert not patched & set(stats["slow"])


@x86_64_only
def test_the_direct_jumps_are_written_in_place_and_libc_stays_read_only(layout: Layout) -> None:
    """The direct installer writes its jumps with one mprotect span over libc's code, not
    Memory.patchCode's page by page (fastpath/direct.ts, writeJumps), and leaves that code as
    it found it: executable, not writable (a page left rwx would be a hole in the process)."""
    stats, maps = _spawned_process(layout)
    assert stats["jumps"] == "in place" and stats["patched"]
    libc = [line.split() for line in maps.splitlines() if re.search(r"/libc[.-][^/]*$", line)]
    assert libc, maps
    perms = {fields[1] for fields in libc}
    assert "r-xp" in perms
    assert not {p for p in perms if "w" in p and "x" in p}, perms


_FRESH_PAGES = """
const size = 320 * 1024;  // the C state's size (fastpath/index.ts, STATE_BYTES)
let dirty = Memory.alloc(size);
const ones = new Uint8Array(4096).fill(0xff).buffer;
for (let at = 0; at < size; at += 4096) { dirty.add(at).writeByteArray(ones); }
dirty = null;
gc();
send("state", Memory.alloc(size).readByteArray(size));
"""


def test_frida_hands_out_zeroed_pages_for_the_c_state() -> None:
    """The agent takes the C state from Memory.alloc without writing zeros over it
    (fastpath/index.ts, zeroed): a page multiple is fresh pages from the OS, zero even where
    a freed allocation of the same size had been written."""
    device = local_device()
    pid = device.spawn(["/bin/true"])
    try:
        session = device.attach(pid)
        script = session.create_script(_FRESH_PAGES)
        got: list[bytes | None] = []
        script.on("message", lambda message, data: got.append(data))
        script.load()
        session.detach()
    finally:
        device.kill(pid)
    assert len(got) == 1 and got[0] is not None
    assert len(got[0]) == 320 * 1024 and got[0].count(0) == len(got[0])


OPENDIR_LATER = r"""
#include <dirent.h>
#include <stdio.h>
int main(int argc, char **argv) {
  DIR *d = opendir(argv[1]);
  FILE *out = fopen(argv[2], "w");
  if (out == NULL) return 10;
  fputs(d != NULL ? "opened" : "missing", out);
  return fclose(out) == 0 ? 0 : 11;
}
"""


@x86_64_only
def test_a_hook_frida_holds_too_outlives_fridas(tmp_path: Path, layout: Layout) -> None:
    """Frida's child gating hooks opendir (its cloak) before the agent comes; the direct
    installer leaves such an export to Interceptor.replace. Once gating is disabled and
    Frida's hook goes, opendir is still redirected: written over directly, Frida's going
    would have put libc's bytes back over the agent's jump."""
    program = _build(tmp_path, "opendir_later", OPENDIR_LATER)
    (layout.store / "sub").mkdir(parents=True)
    marker = tmp_path / "opendir.out"
    device = local_device()
    pid = device.spawn([str(program), str(layout.data / "sub"), str(marker)])
    session = None
    try:
        session = attach(device, pid)
        session.enable_child_gating()
        rpc = AgentRpc(built_agent().load(session))
        rpc.init({**layout.policy(), "keep": True})
        stats = rpc.stats()
        assert "opendir" in stats["afresh"] and "opendir" not in stats["patched"]
        assert {"execveat", "posix_spawn", "posix_spawnp"} <= set(stats["patched"])
        assert "execve" not in stats["patched"]  # Frida's gating hooks it too
        session.disable_child_gating()
        device.resume(pid)
        deadline = time.monotonic() + 20
        while not marker.exists() or marker.stat().st_size == 0:
            assert time.monotonic() < deadline, "the program did not write its answer"
            time.sleep(0.02)
    finally:
        if session is not None:
            with contextlib.suppress(Exception):
                session.detach()
        with contextlib.suppress(Exception):
            device.kill(pid)
    assert marker.read_text() == "opened"


def test_an_agent_not_kept_leaves_libc_to_gum(layout: Layout) -> None:
    """A fork child loses an agent that is not eternal without its dispose (Frida tears it
    down there), so such an agent patches nothing that would outlive it."""
    stats = _stats_of_a_spawned_process(layout, keep=False)
    assert (stats["patched"], stats["jumps"]) == ([], None)
    assert set(stats["installed"]) >= HOT


THROUGH_ORIGINALS = r"""
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
int main(int argc, char **argv) {
  char path[4096], link[4096], back[4096];
  snprintf(path, sizeof path, "%s/direct.txt", argv[1]);
  snprintf(link, sizeof link, "%s/direct.lnk", argv[1]);
  int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);      /* redirected, then the original */
  if (fd < 0 || write(fd, "direct\n", 7) != 7) return 10;
  close(fd);
  if (access(path, R_OK) != 0) return 11;
  struct stat st;
  if (fstatat(AT_FDCWD, path, &st, 0) != 0 || st.st_size != 7) return 12;
  if (symlink("direct.txt", link) != 0) return 13;
  ssize_t n = readlink(link, back, sizeof back - 1);
  if (n < 0) return 14;
  back[n] = 0;
  fd = openat(AT_FDCWD, "/etc/hostname", O_RDONLY);               /* not redirected */
  if (fd < 0) return 15;
  close(fd);
  printf("%s\n", back);
  return 0;
}
"""


@x86_64_only
def test_redirects_and_originals_work_through_direct_replacements(
    tmp_path: Path, layout: Layout, capfd: pytest.CaptureFixture[str]
) -> None:
    """open, access, fstatat, symlink, readlink and openat (all directly replaced, see the test
    above) translate the virtual path and reach libc's original through its trampoline."""
    program = _build(tmp_path, "through_originals", THROUGH_ORIGINALS)
    ran = run_captured([program, layout.data], layout.policy(), capfd)
    assert (ran.status, ran.stdout) == (0, "direct.txt\n")
    assert (layout.store / "direct.txt").read_text() == "direct\n"
    assert (layout.store / "direct.lnk").is_symlink()
    assert not (layout.data / "direct.txt").exists()


FORTIFIED = r"""
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
  char path[4096], link[4096], back[64], cwd[4096];
  size_t room = strtoul(argv[2], NULL, 10);  /* unknown sizes: the _chk functions */
  snprintf(path, sizeof path, "%s/fortified.txt", argv[1]);
  snprintf(link, sizeof link, "%s/fortified.lnk", argv[1]);
  int flags = argc > 5 ? O_CREAT : O_WRONLY;  /* not a constant: __open_2 */
  int fd = open(path, flags);
  if (fd < 0) return 10;
  close(fd);
  if (symlink("fortified.txt", link) != 0) return 11;
  ssize_t n = readlink(link, back, room);  /* __readlink_chk */
  if (n < 0) return 12;
  back[n] = 0;
  if (chdir(argv[1]) != 0 || getcwd(cwd, room * 64) == NULL) return 13;  /* __getcwd_chk */
  printf("%s %s\n", back, cwd);
  return 0;
}
"""


@x86_64_only
def test_exports_opening_with_a_conditional_jump_work_through_direct_replacements(
    tmp_path: Path, layout: Layout, capfd: pytest.CaptureFixture[str]
) -> None:
    """__open_2, __readlink_chk and __getcwd_chk begin with ``test``/``cmp`` and a short
    conditional jump, which their trampolines carry as ``jcc rel32``; the fortified program
    reaches them, and the originals behind them."""
    stats = _stats_of_a_spawned_process(layout)
    assert {"__open_2", "__readlink_chk", "__getcwd_chk"} <= set(stats["patched"])
    src = tmp_path / "fortified.c"
    src.write_text(FORTIFIED)
    program = tmp_path / "fortified"
    argv = ["gcc", "-O2", "-D_FORTIFY_SOURCE=2", "-o", str(program), str(src)]
    subprocess.run(argv, check=True, capture_output=True)
    nm = ["nm", "-D", str(program)]
    symbols = subprocess.run(nm, check=True, capture_output=True, text=True).stdout
    assert "__open_2" in symbols and "__readlink_chk" in symbols and "__getcwd_chk" in symbols
    (layout.store / "fortified.txt").write_text("in the store\n")
    ran = run_captured([program, layout.data, "63"], layout.policy(), capfd)
    assert (ran.status, ran.stdout) == (0, f"fortified.txt {layout.data}\n")
    assert (layout.store / "fortified.lnk").is_symlink()
    assert not (layout.data / "fortified.lnk").exists()


def test_paths_handed_back_are_virtual(
    tmp_path: Path, layout: Layout, capfd: pytest.CaptureFixture[str]
) -> None:
    program = _build(tmp_path, "paths_back", PATHS_BACK)
    ran = run_captured([program, layout.data], layout.policy(), capfd)
    assert ran.status == 0
    assert ran.stdout.splitlines() == [str(layout.data)] * 4 + ["ERANGE"]


def test_fork_child_without_exec_keeps_the_policy(
    tmp_path: Path, layout: Layout, capfd: pytest.CaptureFixture[str]
) -> None:
    program = _build(tmp_path, "fork_write", FORK_WRITE)
    target = layout.data / "forked.txt"
    ran = run_captured([program, target, layout.other / "secret.txt"], layout.policy(), capfd)
    assert ran.status == 0
    assert (layout.store / "forked.txt").read_text() == "from the fork child\n"
    assert not target.exists()


def test_symlinks_through_magic_links_are_refused(
    tmp_path: Path, layout: Layout, capfd: pytest.CaptureFixture[str]
) -> None:
    program = _build(tmp_path, "symlinker", SYMLINK)
    texts = ["/proc/self/cwd/x", "/dev/fd/3/x", "/proc/self/root/etc", "f.txt", "/etc/hostname"]
    ran = run_captured([program, layout.data / "l", *texts], layout.policy(), capfd)
    assert ran.status == 0
    verdicts = dict(line.rsplit(" ", 1) for line in ran.stdout.splitlines())
    assert verdicts["/proc/self/cwd/x"] == "EACCES"
    assert verdicts["/dev/fd/3/x"] == "EACCES"
    assert verdicts["/proc/self/root/etc"] == "EACCES"
    assert verdicts["f.txt"] == "OK"
    assert verdicts["/etc/hostname"] == "OK"


def test_a_descendant_that_outlives_the_program_keeps_its_hooks(
    layout: Layout, capfd: pytest.CaptureFixture[str]
) -> None:
    """The run lasts until the program's background job is done, and the job (a subshell
    forked just before the program exits) and the children it starts later (``sleep``, a
    ``sh -c`` forked and exec'd a second after the program ended) all keep the policy."""
    late, later = layout.data / "late.txt", layout.data / "later.txt"
    job = f"sleep 1; echo late > {late}; sh -c 'echo later > {later}'"
    ran = run_captured(["/bin/sh", "-c", f"({job}) & echo started"], layout.policy(), capfd)
    assert (ran.status, ran.stdout) == (0, "started\n")
    assert (layout.store / "late.txt").read_text() == "late\n"
    assert (layout.store / "later.txt").read_text() == "later\n"
    assert not late.exists() and not later.exists()


STAT_EACH = r"""
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    struct stat st;
    int s = stat(argv[i], &st);
    const char *a = s == 0 ? "OK" : strerror(errno);
    int fd = open(argv[i], O_RDONLY);
    printf("%s %s %s\n", argv[i], a, fd >= 0 ? "OK" : strerror(errno));
    if (fd >= 0) close(fd);
  }
  return 0;
}
"""


def test_deny_prefixes_inside_and_around_redirect_targets_still_hold(
    tmp_path: Path, layout: Layout, capfd: pytest.CaptureFixture[str]
) -> None:
    """The fast path skips the deny check for redirects whose whole real tree is allowed;
    a deny prefix below a redirect's real root, or a root inside a denied store, keeps it."""
    (layout.store / "sealed").mkdir()
    (layout.store / "sealed" / "f").write_text("sealed\n")
    (layout.store / "open.txt").write_text("open\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    policy = layout.policy()
    policy["redirects"].append({"virtual": str(elsewhere), "real": str(layout.other)})
    policy["deny"].append(str(layout.store / "sealed"))
    program = _build(tmp_path, "stat_each", STAT_EACH)
    paths = [layout.data / "open.txt", layout.data / "sealed" / "f", elsewhere / "secret.txt"]
    ran = run_captured([program, *paths], policy, capfd)
    assert ran.status == 0
    verdicts = {line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in ran.stdout.splitlines()}
    denied = "Permission denied Permission denied"
    assert verdicts[str(layout.data / "open.txt")] == "OK OK"
    assert verdicts[str(layout.data / "sealed" / "f")] == denied
    assert verdicts[str(elsewhere / "secret.txt")] == denied
