"""A FAKE adb server for protocol-level tests — no real device is behind it.

It speaks the adb host protocol on a local TCP port (``host:version``, ``host:devices-l``,
``host-serial:S:features``, ``host:transport:S`` / ``host:tport:serial:S``, then
``shell:``, ``shell,v2:`` and ``sync:`` (STAT, SEND, RECV)) so adbutils and our device layer
run unchanged against it. Behind it, ``FakePhone`` answers a handful of shell commands the
way Android's ``pm``/``am``/``cmd``/``ps`` print them. Package names of pushed APKs are read
with the real ``aapt``, and an update must keep the installed package's certificate (compared
with the real ``apksigner``); ``pm path`` names an installed APK that ``sync:`` RECV serves;
everything a fake phone "does" is bookkeeping in Python, so tests
that use it are labelled ``fake`` and never stand in for a device result.
"""

from __future__ import annotations

import re
import shlex
import socketserver
import struct
import subprocess
import tempfile
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

Reply = tuple[int, str, str]  # exit code, stdout, stderr


@dataclass
class FakePackage:
    name: str
    launcher: str | None
    users: set[int] = field(default_factory=set)
    data: dict[int, set[str]] = field(default_factory=dict)  # user -> "files" (labels)
    apk: bytes = field(default=b"", repr=False)  # the (base) APK last installed


@dataclass
class FakePhone:
    """The bookkeeping of one fake phone (see the module docstring: nothing real here)."""

    serial: str = "fake-0001"
    model: str = "Fake_Phone"
    sdk: int = 34
    abis: tuple[str, ...] = ("x86_64", "x86")
    rooted: bool = False
    max_users: int = 4
    features: str = "shell_v2,cmd,stat_v2,abb_exec"
    files: dict[str, bytes] = field(default_factory=dict)
    packages: dict[str, FakePackage] = field(default_factory=dict)
    running: dict[tuple[str, int], int] = field(default_factory=dict)
    users: dict[int, str] = field(default_factory=lambda: {0: "Owner"})
    max_profiles: int = 0  # managed profiles pm create-user --profileOf may add
    profiles: set[int] = field(default_factory=set)
    current_user: int = 0  # the user on screen
    refuse_nth_install: dict[int, str] = field(default_factory=dict)  # n -> "CODE: detail"
    refuse_create_user_after: int | None = None  # users created before create-user fails
    commands: list[list[str]] = field(default_factory=list)
    installs: int = 0
    _pid: int = 4000
    _sessions: dict[int, list[bytes]] = field(default_factory=dict)

    # -- the shell ---------------------------------------------------------------------

    def shell(self, argv: list[str]) -> Reply:
        self.commands.append(argv)
        if argv[:2] == ["su", "-c"] and self.rooted:
            return self.shell(shlex.split(argv[2]))
        handler = _HANDLERS.get(tuple(argv[:2])) or _HANDLERS.get((argv[0],))
        if handler is None and argv[0] in self.files and argv[1:] == ["-D"]:
            return self._daemon(argv[0])
        if handler is None:
            return 127, "", f"/system/bin/sh: {argv[0]}: inaccessible or not found\n"
        return handler(self, argv)

    def apk_file(self, path: str) -> bytes | None:
        """The installed APK at ``path`` (what ``pm path`` names), or None."""
        for name, pkg in self.packages.items():
            if path == _apk_path(name):
                return pkg.apk
        return None

    def installed_for(self, user: int | None) -> list[str]:
        return sorted(p.name for p in self.packages.values() if user is None or user in p.users)

    def pid_of(self, package: str, user: int = 0) -> int | None:
        return self.running.get((package, user))

    # -- helpers -------------------------------------------------------------------------

    def _daemon(self, path: str) -> Reply:
        """A pushed binary started with -D (frida-server) "runs" only when run as root."""
        caller = self.commands[-2] if len(self.commands) > 1 else []
        if caller[:1] != ["su"]:
            return 1, "", "Unable to start: Permission denied\n"
        self.running[(path, 0)] = self._next_pid()
        return 0, "", ""

    def _next_pid(self) -> int:
        self._pid += 1
        return self._pid

    def _install_bytes(self, data: bytes, user: int | None) -> Reply:
        self.installs += 1
        refusal = self.refuse_nth_install.get(self.installs)
        if refusal:
            return 1, f"Failure [{refusal}]\n", ""
        with tempfile.NamedTemporaryFile(suffix=".apk") as tmp:
            tmp.write(data)
            tmp.flush()
            badging = subprocess.run(
                ["aapt", "dump", "badging", tmp.name], capture_output=True, text=True, check=False
            )
            abis = _lib_abis(Path(tmp.name))
        found = re.search(r"package: name='([^']+)'", badging.stdout)
        if not found:
            return 1, "Failure [INSTALL_PARSE_FAILED_NOT_APK: Failed to parse]\n", ""
        if abis and not abis & set(self.abis):
            detail = "Failed to extract native libraries, res=-113"
            return 1, f"Failure [INSTALL_FAILED_NO_MATCHING_ABIS: {detail}]\n", ""
        launcher = re.search(r"launchable-activity: name='([^']+)'", badging.stdout)
        name = found.group(1)
        old = self.packages.get(name)
        if old is not None and _signer(old.apk) != _signer(data):
            detail = f"Existing package {name} signatures do not match newer version; ignoring!"
            return 1, f"Failure [INSTALL_FAILED_UPDATE_INCOMPATIBLE: {detail}]\n", ""
        pkg = self.packages.setdefault(name, FakePackage(name, launcher and launcher.group(1)))
        pkg.apk = data
        for u in [user] if user is not None else list(self.users):
            pkg.users.add(u)
            pkg.data.setdefault(u, set())
        return 0, "Success\n", ""


def _apk_path(package: str) -> str:
    return f"/data/app/~~fake==/{package}-1/base.apk"


def _signer(apk: bytes) -> str:
    """The signer's certificate digest, as Debian's apksigner prints it (an update must keep
    the installed package's certificate, as Android's package manager insists)."""
    with tempfile.NamedTemporaryFile(suffix=".apk") as tmp:
        tmp.write(apk)
        tmp.flush()
        done = subprocess.run(
            ["apksigner", "verify", "--print-certs", tmp.name],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
    found = re.search(r"certificate SHA-256 digest: (\w+)", done.stdout)
    return found.group(1) if found else f"unsigned: {done.stdout}{done.stderr}"


def _lib_abis(apk: Path) -> set[str]:
    with zipfile.ZipFile(apk) as zf:
        return {n.split("/")[1] for n in zf.namelist() if n.startswith("lib/") and n.count("/") > 1}


def _opt_user(argv: list[str]) -> tuple[int | None, list[str]]:
    if "--user" in argv:
        i = argv.index("--user")
        return int(argv[i + 1]), argv[:i] + argv[i + 2 :]
    return None, argv


def _getprop(p: FakePhone, argv: list[str]) -> Reply:
    props = {
        "ro.product.model": p.model,
        "ro.build.version.sdk": str(p.sdk),
        "ro.product.cpu.abilist": ",".join(p.abis),
        "ro.product.cpu.abi": p.abis[0],
    }
    return 0, props.get(argv[1], "") + "\n", ""


def _id(p: FakePhone, argv: list[str]) -> Reply:
    return 0, "2000\n", ""


def _which(p: FakePhone, argv: list[str]) -> Reply:
    if argv[1:] == ["su"] and p.rooted:
        return 0, "/system/xbin/su\n", ""
    return 1, "", ""


def _list_packages(p: FakePhone, argv: list[str]) -> Reply:
    user, _ = _opt_user(argv)
    return 0, "".join(f"package:{n}\n" for n in p.installed_for(user)), ""


def _pm(p: FakePhone, argv: list[str]) -> Reply:
    user, args = _opt_user(argv)
    verb = args[1]
    if verb == "list" and args[2] == "packages":
        return _list_packages(p, argv)
    if verb == "list" and args[2] == "users":

        def flags(u: int) -> str:
            return "c13" if u == 0 else "1030" if u in p.profiles else "410"

        lines = "".join(
            f"\tUserInfo{{{u}:{n}:{flags(u)}}} running\n" for u, n in sorted(p.users.items())
        )
        return 0, "Users:\n" + lines, ""
    if verb == "create-user" and "--profileOf" in args:
        if len(p.profiles) >= p.max_profiles or len(p.users) >= p.max_users:
            return 1, "", "Error: couldn't create User.\n"
        uid = max(max(p.users) + 1, 10)
        p.users[uid] = args[-1]
        p.profiles.add(uid)
        return 0, f"Success: created user id {uid}\n", ""
    if verb == "install":
        path = args[-1]
        if path not in p.files:
            return 1, "", f"Error: Unable to open file: {path}\n"
        return p._install_bytes(p.files[path], user)
    if verb == "path":
        found = p.packages.get(args[2])
        return (0, f"package:{_apk_path(found.name)}\n", "") if found else (1, "", "")
    if verb in ("uninstall", "clear"):
        return _pm_remove_or_clear(p, verb, args[2], user)
    if verb == "get-max-users":
        return 0, f"Maximum supported users: {p.max_users}\n", ""
    if verb == "create-user":
        made = len(p.users) - 1
        if len(p.users) >= p.max_users or made == p.refuse_create_user_after:
            return 1, "", "Error: couldn't create User.\n"
        uid = max(max(p.users) + 1, 10)
        p.users[uid] = args[2]
        return 0, f"Success: created user id {uid}\n", ""
    if verb == "remove-user":
        p.profiles.discard(int(args[2]))
        if p.current_user == int(args[2]):
            p.current_user = 0  # Android switches to the owner first
        return (0, "Success: removed user\n", "") if p.users.pop(int(args[2]), None) else (
            1, "", f"Error: couldn't remove user id {args[2]}\n")  # fmt: skip
    if verb == "install-existing":
        pkg = p.packages.get(args[2])
        if pkg is None or user not in p.users:
            return 1, "", f"Failure [NameNotFoundException: {args[2]}]\n"
        pkg.users.add(user)
        pkg.data.setdefault(user, set())
        return 0, f"Package {args[2]} installed for user: {user}\n", ""
    return _pm_session(p, args, user)


def _pm_remove_or_clear(p: FakePhone, verb: str, name: str, user: int | None) -> Reply:
    pkg = p.packages.get(name)
    if pkg is None:
        return (1, "Failure [DELETE_FAILED_INTERNAL_ERROR]\n", "") if verb == "uninstall" else (
            1, "Failed\n", "")  # fmt: skip
    targets = [user] if user is not None else sorted(pkg.users)
    for u in targets:
        p.running.pop((name, u), None)
        if verb == "clear":
            pkg.data[u] = set()
        else:
            pkg.users.discard(u)
            pkg.data.pop(u, None)
    if not pkg.users:
        del p.packages[name]
    return 0, "Success\n", ""


def _pm_session(p: FakePhone, args: list[str], user: int | None) -> Reply:
    verb = args[1]
    if verb == "install-create":
        sid = 1000 + len(p._sessions)
        p._sessions[sid] = []
        return 0, f"Success: created install session [{sid}]\n", ""
    if verb == "install-write":
        sid, path = int(args[-3]), args[-1]
        p._sessions[sid].append(p.files[path])
        return 0, f"Success: streamed {len(p.files[path])} bytes\n", ""
    if verb == "install-commit":
        parts = p._sessions.pop(int(args[2]))
        return p._install_bytes(parts[0], user)
    if verb == "install-abandon":
        p._sessions.pop(int(args[2]), None)
        return 0, "Success\n", ""
    return 255, "", f"Unknown command: {verb}\n"


def _am(p: FakePhone, argv: list[str]) -> Reply:
    user, args = _opt_user(argv)
    verb = args[1]
    if verb == "force-stop":
        p.running.pop((args[2], user or 0), None)
        return 0, "", ""
    if verb == "start-user":
        return 0, "Success: user started\n", ""
    if verb == "get-current-user":
        return 0, f"{p.current_user}\n", ""
    if verb == "switch-user":
        if int(args[2]) not in p.users or int(args[2]) in p.profiles:
            return 255, "", f"Error: cannot switch to user {args[2]}\n"
        p.current_user = int(args[2])
        return 0, "", ""
    if verb == "start":
        component = args[args.index("-n") + 1]
        name = component.split("/")[0]
        pkg = p.packages.get(name)
        if pkg is None or (user or 0) not in pkg.users:
            cls = component.replace("/", "/.") if "/." not in component else component
            return 0, f"Error: Activity class {{{cls}}} does not exist.\n", ""
        p.running.setdefault((name, user or 0), p._next_pid())
        pkg.data[user or 0].add("started")
        return 0, f"Starting: Intent {{ cmp={component} }}\nStatus: ok\nLaunchState: COLD\n", ""
    return 255, "", f"Unknown command: {verb}\n"


def _cmd(p: FakePhone, argv: list[str]) -> Reply:
    user, args = _opt_user(argv)
    if args[1:3] != ["package", "resolve-activity"]:
        return 255, "", "Unknown command\n"
    pkg = p.packages.get(args[-1])
    if pkg is None or pkg.launcher is None or (user or 0) not in pkg.users:
        return 0, "No activity found\n", ""
    head = "priority=0 preferredOrder=0 match=0x108000 specificIndex=-1 isDefault=true\n"
    return 0, f"{head}{pkg.name}/{pkg.launcher}\n", ""


def _ps(p: FakePhone, argv: list[str]) -> Reply:
    if p.sdk < 26:
        return _toolbox_ps(p, argv)
    lines = ["USER            PID NAME", "root              1 init", "shell          3999 ps"]
    for (name, user), pid in sorted(p.running.items(), key=lambda kv: kv[1]):
        lines.append(f"u{user}_a{100 + len(name) % 50:<9} {pid:5d} {name}")
    return 0, "\n".join(lines) + "\n", ""


def _toolbox_ps(p: FakePhone, argv: list[str]) -> Reply:
    """Android 7's toolbox ``ps``: unknown arguments are a name filter (``-A`` matches no
    process, so only the header), columns USER PID PPID VSIZE RSS WCHAN PC (state) NAME."""
    head = "USER      PID   PPID  VSIZE  RSS   WCHAN              PC  NAME"
    rows = [("root", 1, "/init"), ("shell", 3999, "ps")]
    rows += [(f"u{u}_a{100 + len(n) % 50}", pid, n) for (n, u), pid in p.running.items()]
    if len(argv) > 1:
        rows = [r for r in rows if r[2] == argv[-1]]  # toolbox keeps the last name given
    cols = "1     9152   1884  SyS_epoll_ 0000000000 S"
    lines = [f"{u:<9} {pid:<5} {cols} {n}" for u, pid, n in rows]
    return 0, "\n".join([head, *lines]) + "\n", ""


def _rm(p: FakePhone, argv: list[str]) -> Reply:
    for path in argv[1:]:
        if not path.startswith("-"):
            p.files.pop(path, None)
    return 0, "", ""


def _cat(p: FakePhone, argv: list[str]) -> Reply:
    if argv[1] in p.files:
        return 0, p.files[argv[1]].decode(), ""
    return 1, "", f"cat: {argv[1]}: No such file or directory\n"


def _test(p: FakePhone, argv: list[str]) -> Reply:
    return (0, "", "") if argv[-1] in p.files else (1, "", "")


_HANDLERS: dict[tuple[str, ...], Callable[[FakePhone, list[str]], Reply]] = {
    ("getprop",): _getprop,
    ("id",): _id,
    ("which",): _which,
    ("pm",): _pm,
    ("am",): _am,
    ("cmd",): _cmd,
    ("ps",): _ps,
    ("rm",): _rm,
    ("cat",): _cat,
    ("test",): _test,
}


# -- the adb host protocol ---------------------------------------------------------------


class FakeAdbServer:
    """A FAKE adb server on 127.0.0.1:<port> serving ``phones`` (start/stop explicitly)."""

    def __init__(self, phones: list[FakePhone] | None = None, version: int = 40) -> None:
        self.phones = {p.serial: p for p in (phones or [])}
        self.version = version
        self.lock = threading.Lock()
        fake = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                _Session(fake, self.request).run()

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> FakeAdbServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class _Session:
    def __init__(self, fake: FakeAdbServer, sock: object) -> None:
        self.fake = fake
        self.sock = sock
        self.phone: FakePhone | None = None

    def read(self, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))  # type: ignore[attr-defined]
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)  # type: ignore[attr-defined]

    def okay(self, block: str | None = None) -> None:
        self.send(b"OKAY" + (_block(block) if block is not None else b""))

    def fail(self, message: str) -> None:
        self.send(b"FAIL" + _block(message))

    def run(self) -> None:
        try:
            while True:
                size = int(self.read(4), 16)
                if not self.dispatch(self.read(size).decode()):
                    return
        except (EOFError, ConnectionError, OSError):
            return

    def dispatch(self, cmd: str) -> bool:
        """Serve one request; False when the connection is done."""
        phones = self.fake.phones
        if cmd == "host:version":
            self.okay(f"{self.fake.version:04x}")
            return False
        if cmd in ("host:devices", "host:devices-l"):
            long = cmd.endswith("-l")
            lines = [
                f"{s}\tdevice" + (f" product:fake model:{p.model} device:fake" if long else "")
                for s, p in phones.items()
            ]
            self.okay("".join(line + "\n" for line in lines))
            return False
        m = re.fullmatch(r"host-serial:([^:]+):(features|get-state|get-serialno)", cmd)
        if m:
            if m.group(1) not in phones:
                self.fail(f"device '{m.group(1)}' not found")
            else:
                answer = {"features": phones[m.group(1)].features, "get-state": "device"}
                self.okay(answer.get(m.group(2), m.group(1)))
            return False
        m = re.fullmatch(r"host:(?:transport:|tport:serial:)(.+)", cmd)
        if m:
            self.phone = phones.get(m.group(1))
            if self.phone is None:
                self.fail(f"device '{m.group(1)}' not found")
                return False
            self.okay()
            if cmd.startswith("host:tport"):
                self.send(struct.pack("<Q", 1))
            return True
        if self.phone is not None and cmd.startswith(("shell:", "shell,v2:")):
            self.shell(cmd)
            return False
        if self.phone is not None and cmd == "sync:":
            self.okay()
            self.sync()
            return False
        self.fail(f"unknown service {cmd}")
        return False

    def shell(self, cmd: str) -> None:
        assert self.phone is not None
        v2 = cmd.startswith("shell,v2:")
        text = cmd.split(":", 1)[1]
        marker = "; echo X4EXIT:$?"
        v1_exit = text.endswith(marker)
        text = text.removesuffix(marker)
        with self.fake.lock:
            code, out, err = self.phone.shell(shlex.split(text))
        self.okay()
        if v2:
            for stream, data in ((1, out), (2, err)):
                if data:
                    payload = data.encode()
                    self.send(bytes([stream]) + struct.pack("<I", len(payload)) + payload)
            self.send(bytes([3]) + struct.pack("<I", 1) + bytes([code & 0xFF]))
        else:
            self.send((out + err + (f"X4EXIT:{code}\n" if v1_exit else "")).encode())
        self.sock.close()  # type: ignore[attr-defined]

    def sync(self) -> None:
        assert self.phone is not None
        while True:
            ident, size = self.read(4), struct.unpack("<I", self.read(4))[0]
            if ident == b"QUIT":
                return
            path = self.read(size).decode()
            if ident == b"STAT":
                data = self.phone.files.get(path) or self.phone.apk_file(path)
                if data is None:
                    self.send(b"STAT" + struct.pack("<III", 0, 0, 0))
                else:
                    self.send(b"STAT" + struct.pack("<III", 0o100644, len(data), 1))
            elif ident == b"SEND":
                self.receive_file(path.rsplit(",", 1)[0])
            elif ident == b"RECV":
                data = self.phone.files.get(path) or self.phone.apk_file(path)
                if data is None:
                    self.send(b"FAIL" + struct.pack("<I", 14) + b"No such file!!")
                else:
                    self.send(b"DATA" + struct.pack("<I", len(data)) + data)
                    self.send(b"DONE" + struct.pack("<I", 0))
            else:
                return

    def receive_file(self, path: str) -> None:
        assert self.phone is not None
        chunks = []
        while True:
            ident, size = self.read(4), struct.unpack("<I", self.read(4))[0]
            if ident == b"DONE":
                break
            chunks.append(self.read(size))
        with self.fake.lock:
            self.phone.files[path] = b"".join(chunks)
        self.send(b"OKAY" + struct.pack("<I", 0))


def _block(text: str) -> bytes:
    data = text.encode()
    return f"{len(data):04x}".encode() + data
