"""The Android-shaped JVM test bed: a clone APK's code, run on HotSpot over fake framework
classes, with our agent loaded the way the Gadget loads it.

What it is: the clone's own DEX files (the app's, and the boot loader that `clone build`
added), translated to JVM bytecode by Debian's enjarify, run by OpenJDK 17 on top of fake
``android.*`` classes (``tests/jvm/framework``) whose hooked methods have the exact
signatures of real Android and whose ``ActivityThread`` follows AOSP's start order
(``handleBindApplication``: the Application class is made — its static initializer loads the
payload — then ``attachBaseContext``, each ContentProvider's ``onCreate``,
``Application.onCreate``, then the first Activity). The agent is the clone's embedded
``lib<name>.script.so`` with the parameters of its ``lib<name>.config.so``; frida-java-bridge
drives HotSpot through its JVM backend.

What it is not: ART, the real framework, or a phone. The Gadget is a stand-in
(``gadget_standin.c``): it holds ``System.loadLibrary`` while this host loads the script
and calls its ``init``, as the Gadget does in-process. Traits of the JVM backend that ART does
not share: a method replacement takes effect on the script's next tick, so a synchronous RPC
after ``init`` is the barrier before the app goes on; a JVM with a session attached does not
exit until the script is unloaded and the session detached.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import queue
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from apk.facts import dex_entry_names, signing_certificates
from apk.manifest import ProviderDecl, read_providers, read_requested_permissions
from apk.source import load_source
from hooks.payload.config import parse_config

if TYPE_CHECKING:
    import frida

HERE = Path(__file__).resolve().parent
FRAMEWORK_SOURCES = HERE / "framework"
APPLIB_SOURCES = HERE / "applib"
STANDIN_SOURCE = HERE / "gadget_standin.c"
JDK17 = next(iter(sorted(Path("/usr/lib/jvm").glob("java-17-openjdk-*"))), Path("/nonexistent"))
ENJARIFY_PACKAGE = Path("/usr/lib/python3/dist-packages/enjarify")
BED_ABI = {"x86_64": "x86_64", "aarch64": "arm64-v8a"}.get(platform.machine(), platform.machine())
TIMEOUT = 60.0

# What the fake framework answers as the "real" device: what an app sees unhooked.
REAL_DEVICE: Mapping[str, str] = {
    "android_id": "f00dfacef00dface",
    "imei": "490154203237518",
    "meid": "A0000000000001",
    "imsi": "310260000000001",
    "iccid": "89014103211118510720",
    "phone_number": "+15550000001",
    "sim_operator": "310260",
    "sim_operator_name": "Real Carrier",
    "sim_country_iso": "us",
    "serial": "REALSERIAL01",
    "model": "Real Phone",
    "manufacturer": "RealMaker",
    "brand": "realbrand",
    "device": "realdevice",
    "product": "realproduct",
    "fingerprint": "realbrand/realproduct/realdevice:14/REAL.240101/1:user/release-keys",
    "wifi_mac": "02:00:00:aa:bb:01",
    "bt_mac": "02:00:00:aa:bb:02",
    "advertising_id": "00000000-0000-4000-8000-00000000a11d",
    "gsf_id": "3a1b2c3d4e5f6071",
}


class BedError(AssertionError):
    """The bed could not run a clone as asked (a tool missing, the JVM died, a time-out)."""


@dataclass(frozen=True)
class Toolchain:
    """The tools the bed needs: OpenJDK 17 (frida-java-bridge does not work with 20+),
    enjarify, gcc."""

    java: Path
    javac: Path
    enjarify: tuple[str, ...]
    cc: str

    @classmethod
    def find(cls) -> Toolchain:
        java, javac = JDK17 / "bin" / "java", JDK17 / "bin" / "javac"
        cc = shutil.which("gcc")
        missing = [str(p) for p in (java, javac) if not p.exists()]
        if not ENJARIFY_PACKAGE.is_dir():
            missing.append("enjarify")
        if cc is None:
            missing.append("gcc")
        if missing or cc is None:
            raise BedError(
                f"the JVM test bed needs {', '.join(missing)}: run 'make setup' as root "
                "(apt: openjdk-17-jdk-headless enjarify gcc)"
            )
        # Debian's /usr/bin/enjarify runs whichever python3 is first on PATH, which may not
        # see Debian's dist-packages; the system interpreter does.
        return cls(java, javac, ("/usr/bin/python3", "-O", "-m", "enjarify.main"), cc)

    def javac_into(self, sources: Path, out: Path, classpath: Sequence[Path] = ()) -> Path:
        """Compiles every ``.java`` below ``sources`` into ``out``."""
        files = sorted(str(p) for p in sources.rglob("*.java"))
        argv = [str(self.javac), "-nowarn", "-encoding", "UTF-8", "-d", str(out)]
        if classpath:
            argv += ["-cp", os.pathsep.join(str(p) for p in classpath)]
        _run([*argv, *files], f"javac {sources.name}")
        return out

    def dex_to_jar(self, dex: Path, jar: Path) -> Path:
        """The DEX file translated to JVM bytecode (every class, or an error)."""
        done = _run([*self.enjarify, str(dex), "-o", str(jar), "-f"], f"enjarify {dex.name}")
        if " 0 classes had errors" not in done.stdout:
            raise BedError(f"enjarify could not translate all of {dex.name}: {done.stdout}")
        return jar

    def standin(self, out: Path) -> Path:
        """The Gadget stand-in, built as ``out`` (a real ELF shared object)."""
        _run(
            [
                self.cc,
                "-shared",
                "-fPIC",
                "-O2",
                "-Wall",
                "-Werror",
                "-o",
                str(out),
                str(STANDIN_SOURCE),
            ],
            "gcc gadget_standin.c",
        )
        return out


def _run(argv: Sequence[str], what: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=600)
    if done.returncode != 0:
        raise BedError(f"{what} failed ({done.returncode}): {done.stderr or done.stdout}")
    return done


@dataclass(frozen=True)
class Framework:
    """The compiled fake framework (the bed's boot class path) and the library classes an
    app ships in its own APK (Play services, androidx), loaded by the app's class loader."""

    classes: Path
    applib: Path

    @classmethod
    def build(cls, tools: Toolchain, out: Path) -> Framework:
        classes = tools.javac_into(FRAMEWORK_SOURCES, out / "framework")
        applib = tools.javac_into(APPLIB_SOURCES, out / "applib", [classes])
        return cls(classes, applib)


@dataclass(frozen=True)
class BedApp:
    """One APK installed on the bed: what ``ActivityThread`` reads (``properties``), its code
    translated to jars, and its native library directory."""

    package: str
    application: str | None
    activity: str | None
    providers: tuple[ProviderDecl, ...]
    classpath: tuple[Path, ...]
    lib_dir: Path
    data_dir: Path
    signatures: tuple[str, ...]
    permissions: tuple[str, ...]

    def properties(self) -> str:
        entries = {
            "package": self.package,
            "application": self.application or "",
            "activity": self.activity or "",
            "providers": "|".join(f"{p.name}={';'.join(p.authorities)}" for p in self.providers),
            "classpath": os.pathsep.join(str(p) for p in self.classpath),
            "data_dir": str(self.data_dir),
            "signatures": ",".join(self.signatures),
            "permissions": ",".join(self.permissions),
        }
        return "".join(f"{k}={_escape(v)}\n" for k, v in entries.items())


def _escape(value: str) -> str:
    """A java.util.Properties value: backslashes and leading blanks escaped."""
    return value.replace("\\", "\\\\").replace(":", "\\:").replace("=", "\\=")


def install(
    apk: Path, root: Path, tools: Toolchain, framework: Framework, *, standin: Path | None
) -> BedApp:
    """Installs ``apk`` into ``root`` as the package installer would for an x86_64 device: its
    dex files (translated) are its code, ``lib/x86_64/`` its native libraries. ``standin`` is
    put where the APK carries its Gadget (``lib<name>.so`` beside ``lib<name>.config.so``);
    None installs the APK without one, as a device whose ABI the payload lacks would."""
    source = load_source(apk)
    archive = source.archive
    code = root / "code"
    lib_dir = root / "lib"
    data_dir = root / "data"
    for d in (code, lib_dir, data_dir):
        d.mkdir(parents=True, exist_ok=True)
    jars: list[Path] = []
    for name in dex_entry_names(archive.names):
        dex = code / name
        dex.write_bytes(archive.read(name, 1 << 30))
        jars.append(tools.dex_to_jar(dex, code / f"{dex.stem}.jar"))
    prefix = f"lib/{BED_ABI}/"
    for name in archive.names:
        if name.startswith(prefix) and "/" not in name[len(prefix) :]:
            (lib_dir / name[len(prefix) :]).write_bytes(archive.read(name, 1 << 30))
    for config in lib_dir.glob("lib*.config.so"):
        gadget = lib_dir / config.name.replace(".config.so", ".so")
        gadget.unlink(missing_ok=True)  # the stand-in ELF `clone build` used, or a Gadget
        if standin is not None:
            shutil.copyfile(standin, gadget)
    return BedApp(
        package=source.package,
        application=source.info.application_name,
        activity=source.info.launchable_activity,
        providers=read_providers(source.manifest, source.resolver()),
        classpath=(*jars, framework.applib),
        lib_dir=lib_dir,
        data_dir=data_dir,
        signatures=signing_certificates(source),
        permissions=read_requested_permissions(source.manifest),
    )


@dataclass
class BedRun:
    """One start of an installed app on the bed, from ``ActivityThread.main`` to its first
    Activity, then a command loop (``call``) until ``close``."""

    lines: list[str] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    hook_report: dict[str, int | str] | None = None
    startup_line: str | None = None
    fast_path: str | None = None  # how the agent got its C fast path (stats()["cmodule"])
    file_hooks: list[str] = field(default_factory=list)  # the libc exports it replaced
    agent_error: str | None = None  # what init raised, when it did
    agent_log: list[str] = field(default_factory=list)  # the agent's console and errors
    stderr: str = ""  # the JVM's, when it has exited
    exit_code: int | None = None  # set when the JVM has exited

    @property
    def steps(self) -> list[str]:
        """The start-up steps in the order they ran (``bind``, ``makeApplication``, …)."""
        return [
            line.removeprefix("bed: step ") for line in self.lines if line.startswith("bed: step ")
        ]

    @property
    def seen(self) -> list[dict[str, Any]]:
        """What the probe app logged at each step (tag ``clonespace-probe``)."""
        tag = "I/clonespace-probe: "
        return [json.loads(line[len(tag) :]) for line in self.lines if line.startswith(tag)]

    def seen_at(self, step: str) -> dict[str, Any]:
        found = [s for s in self.seen if s.get("step") == step]
        if len(found) != 1:
            raise BedError(f"the probe logged {len(found)} reports for {step!r}: {self.lines}")
        return found[0]

    def logged(self, priority: str, tag: str) -> list[str]:
        """Lines the app logged with ``android.util.Log`` at ``priority`` (I, W, E…)."""
        head = f"{priority}/{tag}: "
        return [line[len(head) :] for line in self.lines if line.startswith(head)]


class _Jvm:
    """The JVM process and its output, read line by line on a thread."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str], pass_fd: int) -> None:
        self.process = subprocess.Popen(
            argv,
            env=dict(env),
            pass_fds=(pass_fd,),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stdout: queue.Queue[str | None] = queue.Queue()
        self.eof = False  # the None that ends stdout was taken
        self.stderr: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()
        self._stderr_reader = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_reader.start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.stdout.put(line.rstrip("\n"))
        self.stdout.put(None)

    def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        self.stderr.extend(self.process.stderr)

    def stderr_text(self) -> str:
        """Standard error, once the process has exited."""
        self._stderr_reader.join(TIMEOUT)
        return "".join(self.stderr)

    def close(self) -> None:
        """Closes the pipes (the process has exited and its output was read)."""
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()


class Bed:
    """Runs installed apps: ``with bed.start(app) as run: run_value = bed.call(...)``."""

    def __init__(
        self, tools: Toolchain, framework: Framework, device: Mapping[str, str] = REAL_DEVICE
    ):
        self.tools = tools
        self.framework = framework
        self.device = dict(device)
        self._jvm: _Jvm | None = None
        self._run: BedRun | None = None

    @contextlib.contextmanager
    def start(self, app: BedApp, *, inject: bool = True) -> Iterator[BedRun]:
        """Starts ``app`` and returns once its first Activity was created (``bed: started``),
        it crashed (``bed: crash``) or it exited. ``inject=False`` lets the stand-in go on
        without loading the agent (an unhooked run, for comparison)."""
        props = app.lib_dir.parent / "bed.properties"
        props.write_text(app.properties())
        ours, theirs = socket.socketpair()
        argv = [
            str(self.tools.java),
            "-XX:+UseSerialGC",
            f"-Djava.library.path={app.lib_dir}",
            *(f"-Dbed.device.{k}={v}" for k, v in sorted(self.device.items())),
            "-cp",
            str(self.framework.classes),
            "android.app.ActivityThread",
            str(props),
        ]
        env = {**os.environ, "CLONESPACE_BED_FD": str(theirs.fileno())}
        jvm = _Jvm(argv, env, theirs.fileno())
        theirs.close()
        run = BedRun()
        self._jvm, self._run = jvm, run
        session: frida.Session | None = None
        script: frida.Script | None = None
        try:
            session, script = self._until_started(jvm, run, ours, inject)
            yield run
        finally:
            self._stop(jvm, run, session, script)
            ours.close()
            self._jvm = self._run = None

    def call(self, name: str, arg: str = "") -> str:
        """Runs ``com.clonespace.bed.Calls`` ``name`` in the started app: an app calling one
        API, after start-up. Returns what the app got (``null``, ``error:…``)."""
        jvm, run = self._jvm, self._run
        if jvm is None or run is None:
            raise BedError("call() outside start()")
        jvm.send(f"call {name} {arg}".rstrip())
        head = f"bed: result {name} "
        line = self._expect(jvm, run, lambda text: text.startswith(head))
        return line[len(head) :]

    def _until_started(
        self, jvm: _Jvm, run: BedRun, ours: socket.socket, inject: bool
    ) -> tuple[frida.Session | None, frida.Script | None]:
        session: frida.Session | None = None
        script: frida.Script | None = None
        loading = threading.Event()
        library: list[str] = []

        def wait_for_gadget() -> None:
            with ours.makefile("r") as stream:
                reply = stream.readline()
            if reply.startswith("loading "):
                library.append(reply.removeprefix("loading ").strip())
                loading.set()

        threading.Thread(target=wait_for_gadget, daemon=True).start()
        done = ("bed: started", "bed: crash ")
        try:
            while True:
                if loading.is_set():
                    loading.clear()
                    if inject:
                        session, script = self._load_agent(jvm.process.pid, Path(library[0]), run)
                    with contextlib.suppress(OSError):  # the agent may have ended the process
                        ours.sendall(b"g")
                line = self._next(jvm, run, timeout=0.05)
                if line is not None and line.startswith(done):
                    return session, script
        except _Exited:
            return session, script

    def _load_agent(
        self, pid: int, gadget: Path, run: BedRun
    ) -> tuple[frida.Session, frida.Script]:
        """What the Gadget does in script mode: load ``lib<name>.script.so`` beside it and
        call its ``init("early", parameters)`` with the config's parameters."""
        import frida

        from hooks.session import attach

        config = parse_config(
            gadget.with_name(gadget.name.replace(".so", ".config.so")).read_bytes()
        )
        interaction = config["interaction"]
        source = (gadget.parent / interaction["path"]).read_text()
        session = attach(frida.get_local_device(), pid)
        script = session.create_script(source)

        def on_message(message: Mapping[str, Any], _data: bytes | None) -> None:
            if message.get("type") == "log":
                run.agent_log.append(str(message.get("payload")))
            elif message.get("type") == "error":
                run.agent_log.append(f"error: {message.get('description')}")
            payload = message.get("payload")
            if isinstance(payload, dict) and payload.get("type") == "events":
                run.events.extend(e for e in payload.get("events", []) if isinstance(e, dict))

        script.on("message", on_message)
        script.load()
        try:
            script.exports_sync.init("early", interaction.get("parameters", {}))
            # a synchronous call after init: the JVM backend's replacements are in place
            run.hook_report = script.exports_sync.hook_report()
            run.startup_line = script.exports_sync.startup_line()
            stats = script.exports_sync.stats()
            run.fast_path = str(stats["cmodule"])
            run.file_hooks = [str(name) for name in stats["installed"]]
        except (frida.RPCException, frida.InvalidOperationError, frida.TransportError) as e:
            run.agent_error = str(e)
        return session, script

    def _next(self, jvm: _Jvm, run: BedRun, timeout: float) -> str | None:
        try:
            line = jvm.stdout.get(timeout=timeout)
        except queue.Empty:
            return None
        if line is None:
            jvm.eof = True
            run.exit_code = jvm.process.wait(timeout=TIMEOUT)
            raise _Exited(f"the JVM exited with status {run.exit_code}")
        run.lines.append(line)
        return line

    def _expect(self, jvm: _Jvm, run: BedRun, match: Any) -> str:
        while True:
            line = self._next(jvm, run, timeout=TIMEOUT)
            if line is None:
                raise BedError(f"the bed gave no answer in {TIMEOUT} s: {run.lines[-5:]}")
            if match(line):
                return line

    def _stop(
        self, jvm: _Jvm, run: BedRun, session: frida.Session | None, script: frida.Script | None
    ) -> None:
        import frida

        with contextlib.suppress(frida.InvalidOperationError, frida.ProcessNotFoundError):
            if script is not None:
                script.unload()
            if session is not None:
                session.detach()
        with contextlib.suppress(BrokenPipeError, OSError):
            jvm.send("exit")
        try:
            run.exit_code = jvm.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            jvm.process.kill()
            run.exit_code = jvm.process.wait()
        while not jvm.eof and (line := jvm.stdout.get(timeout=TIMEOUT)) is not None:
            run.lines.append(line)
        run.stderr = jvm.stderr_text()
        jvm.close()


class _Exited(BedError):
    """The JVM's output ended (its status is in ``BedRun.exit_code``)."""
