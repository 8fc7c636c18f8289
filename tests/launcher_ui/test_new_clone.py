""" "+ New clone" without a window: the form, the run off the UI thread (a slow fake
workflow under Kivy's clock), and the real work against the FAKE adb server."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from clone import Cancelled, NotFound
from clone.space import Space
from launcher_ui import quiet_kivy
from launcher_ui.background import Reporter, Step, Task
from launcher_ui.new_clone import (
    MAX_COUNT,
    ApkFile,
    DeviceApp,
    FlowState,
    NewCloneFlow,
    NewCloneJob,
)
from tests.device.fake_adb import FakeAdbServer, FakePackage, FakePhone

GATE_TIMEOUT = 20.0  # a fake step waits this long for the test's go-ahead, then fails


# -- the form ---------------------------------------------------------------------------


def test_the_form_checks_each_field_in_one_line(tmp_path: Path) -> None:
    flow = NewCloneFlow(devices=("emulator-5554",))
    assert flow.device == "emulator-5554" and flow.target_text == "install on emulator-5554"
    assert not flow.can_start
    assert flow.start() is None
    assert flow.error == "choose an APK file or an app on a device first"

    (tmp_path / "notes.txt").write_text("x")
    assert not flow.choose_apk(str(tmp_path / "notes.txt"))
    assert flow.error == "notes.txt is not an APK (.apk, .apks or .xapk)"
    assert not flow.choose_apk(str(tmp_path / "gone.apk"))
    assert flow.error == f"no file at {tmp_path / 'gone.apk'}"
    assert not flow.choose_apk(str(tmp_path))
    assert flow.error == f"{tmp_path} holds no .apk files"
    (tmp_path / "app.apk").write_bytes(b"PK")
    assert flow.choose_apk(str(tmp_path / "app.apk")) and flow.error == ""
    assert flow.source == ApkFile(tmp_path / "app.apk")

    for text, said in [
        ("", f"the count must be a number from 1 to {MAX_COUNT}"),
        ("two", f"the count must be a number from 1 to {MAX_COUNT}"),
        ("0", f"the count must be from 1 to {MAX_COUNT}, not 0"),
        ("100", f"the count must be from 1 to {MAX_COUNT}, not 100"),
    ]:
        assert not flow.set_count(text)
        assert flow.error == said and not flow.can_start
    assert flow.set_count(" 3 ") and flow.can_start
    flow.bump_count(+1)
    assert flow.count_text == "4"
    flow.set_count(str(MAX_COUNT))
    flow.bump_count(+1)
    assert flow.count_text == str(MAX_COUNT)

    flow.set_target("other-1")
    assert flow.error == "other-1 is not connected" and flow.device == "emulator-5554"
    flow.set_target(None)
    assert flow.target_text == "no device: build the clone APKs only"
    flow.set_hooks(False)

    job = flow.start()
    assert job == NewCloneJob(ApkFile(tmp_path / "app.apk"), MAX_COUNT, None, None, "none")
    assert flow.state is FlowState.RUNNING and flow.start() is None  # one run at a time


def test_the_devices_arriving_late_keep_what_was_chosen(tmp_path: Path) -> None:
    (tmp_path / "app.apk").write_bytes(b"PK")
    flow = NewCloneFlow()  # opened before the adb server answered
    assert flow.device is None
    flow.choose_apk(str(tmp_path / "app.apk"))
    flow.set_count("0")
    flow.devices_found(("emulator-5554", "fake-0001"))
    assert flow.device == "emulator-5554"  # the first, as no target was chosen
    assert flow.source == ApkFile(tmp_path / "app.apk") and flow.count_text == "0"
    assert flow.error.startswith("the count must be")
    flow.set_target(None)
    flow.devices_found(("fake-0001",))
    assert flow.device is None  # chosen: build only, kept


def test_an_app_from_a_device_goes_back_to_it() -> None:
    flow = NewCloneFlow(devices=())
    flow.choose_device_app("com.example.app", "fake-0001")
    assert flow.source == DeviceApp("com.example.app", "fake-0001")
    assert flow.device == "fake-0001"
    assert flow.source.title == "com.example.app (on fake-0001)"


# -- the run, under Kivy's clock ----------------------------------------------------------


@pytest.fixture(scope="module")
def kivy_clock(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Kivy's clock (no window: the clock alone), in a Kivy home of the tests' own."""
    quiet_kivy(tmp_path_factory.mktemp("kivy"))
    from kivy.clock import Clock

    return Clock


class Gates:
    """The slow fake workflow's steps wait here for the test's go-ahead."""

    def __init__(self) -> None:
        self._go = threading.Semaphore(0)
        self.threads: set[int] = set()

    def release(self) -> None:
        self._go.release()

    def wait(self) -> None:
        self.threads.add(threading.get_ident())
        if not self._go.acquire(timeout=GATE_TIMEOUT):
            raise AssertionError("the test never let the step go: was the work on its thread?")


def slow_fake_workflow(gates: Gates, steps: int) -> Callable[[Reporter], str]:
    """Reports like ``Space.install``: ``progress(label, total)`` and ``advance(1)`` per
    clone; each step waits for the test."""

    def work(reporter: Reporter) -> str:
        with reporter.progress("building and installing 3 clones on fake-0001", steps) as adv:
            for _ in range(steps):
                gates.wait()
                adv(1)
        gates.wait()  # before it ends
        return "Installed app:1, app:2, app:3 on fake-0001"

    return work


class Measured:
    """A ``schedule`` over Kivy's ``Clock.schedule_once`` that records, for each callback,
    the thread it ran on and how long it took."""

    def __init__(self, clock: Any) -> None:
        self.clock = clock
        self.runs: list[tuple[int, float]] = []

    def __call__(self, callback: Callable[[], None]) -> None:
        def timed(_dt: float) -> None:
            start = time.perf_counter()
            callback()
            self.runs.append((threading.get_ident(), time.perf_counter() - start))

        self.clock.schedule_once(timed)


def tick_until(clock: Any, done: Callable[[], bool], limit: int = 400) -> None:
    for _ in range(limit):
        clock.tick()
        if done():
            return
    raise AssertionError("the UI thread never saw it")


def run_flow(flow: NewCloneFlow, work: Callable[[Reporter], str], schedule: Any) -> Task[str]:
    assert flow.start() is not None
    return Task(
        work, schedule, on_step=flow.progressed, on_done=flow.finished, on_error=flow.failed
    ).start()


def test_a_slow_build_runs_off_the_ui_thread_and_its_progress_arrives_by_the_clock(
    kivy_clock: Any, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    (tmp_path / "app.apk").write_bytes(b"PK")
    flow = NewCloneFlow(devices=("fake-0001",))
    flow.choose_apk(str(tmp_path / "app.apk"))
    gates, schedule = Gates(), Measured(kivy_clock)
    ui_thread = threading.get_ident()

    task = run_flow(flow, slow_fake_workflow(gates, 3), schedule)

    tick_until(kivy_clock, lambda: flow.step is not None and flow.step.total == 3)
    assert flow.progress_text == "Building and installing 3 clones on fake-0001: 0 of 3"
    for n in (1, 2, 3):
        # The work waits for this go-ahead; the clock ticks meanwhile, so the UI thread
        # is not waiting for the work (a step run on it would wait on itself and fail).
        gates.release()
        tick_until(kivy_clock, lambda: flow.step is not None and flow.step.done == n)  # noqa: B023
        assert flow.state is FlowState.RUNNING
    assert flow.progress_text.endswith("3 of 3")
    gates.release()
    tick_until(kivy_clock, lambda: flow.state is FlowState.DONE)

    assert flow.result == "Installed app:1, app:2, app:3 on fake-0001"
    assert not task.running
    task.thread.join(timeout=GATE_TIMEOUT)
    assert gates.threads == {task.thread.ident} and ui_thread not in gates.threads
    assert schedule.runs and {thread for thread, _ in schedule.runs} == {ui_thread}
    # Four progress reports and the end, at most one callback each (reports coalesce).
    assert len(schedule.runs) <= 5
    longest = max(took for _, took in schedule.runs)
    record_property("longest_ui_callback_s", longest)  # a figure, not a threshold


def test_progress_reports_coalesce_while_the_ui_thread_is_busy(kivy_clock: Any) -> None:
    steps: list[Step] = []
    done: list[str] = []

    def work(reporter: Reporter) -> str:
        with reporter.progress("exporting notes:1", 10_000) as advance:
            for _ in range(10_000):
                advance(1)  # no frame in between: the reports wait for one
        return "ok"

    schedule = Measured(kivy_clock)
    task = Task(work, schedule, on_step=steps.append, on_done=done.append, on_error=print)
    task.start().thread.join(timeout=GATE_TIMEOUT)
    tick_until(kivy_clock, lambda: bool(done))

    assert done == ["ok"] and steps[-1] == Step("exporting notes:1", 10_000, 10_000)
    assert len(schedule.runs) <= 3  # not 10 001 callbacks


def test_cancel_stops_the_work_at_its_next_step(kivy_clock: Any, tmp_path: Path) -> None:
    (tmp_path / "app.apk").write_bytes(b"PK")
    flow = NewCloneFlow(devices=("fake-0001",))
    flow.choose_apk(str(tmp_path / "app.apk"))
    gates = Gates()
    task = run_flow(flow, slow_fake_workflow(gates, 3), Measured(kivy_clock))
    tick_until(kivy_clock, lambda: flow.step is not None and flow.step.total == 3)

    assert flow.cancel()
    task.cancel()
    assert flow.state is FlowState.CANCELLING
    assert flow.progress_text.endswith("(cancelling: what was done is undone)")
    gates.release()  # the step ends; its advance sees the cancel
    tick_until(kivy_clock, lambda: flow.state is FlowState.FAILED)

    assert flow.error == "Cancelled: nothing was kept"
    assert flow.result == ""
    flow.edit_again()
    after: FlowState = flow.state
    assert after is FlowState.EDITING and flow.can_start  # the choices are kept


def test_an_error_of_the_work_is_one_line(kivy_clock: Any, tmp_path: Path) -> None:
    (tmp_path / "app.apk").write_bytes(b"PK")
    flow = NewCloneFlow(devices=())
    flow.choose_apk(str(tmp_path / "app.apk"))

    def work(reporter: Reporter) -> str:
        raise NotFound("no APK at /x.apk\nreally", hint="pass an .apk file")

    run_flow(flow, work, Measured(kivy_clock))
    tick_until(kivy_clock, lambda: flow.state is FlowState.FAILED)
    assert flow.error == "Could not make the clones: no APK at /x.apk really; pass an .apk file"


# -- the real work (no Kivy): a queue stands in for the UI thread ---------------------------


class UiQueue:
    """``schedule`` into a queue the test drains on its own thread, as a UI thread would."""

    def __init__(self) -> None:
        self.calls: queue.Queue[Callable[[], None]] = queue.Queue()

    def __call__(self, callback: Callable[[], None]) -> None:
        self.calls.put(callback)

    def drain_until(self, done: Callable[[], bool]) -> None:
        while not done():
            self.calls.get(timeout=120)()


def run_job(
    flow: NewCloneFlow, home: Path, ui: UiQueue, seen: list[Step] | None = None
) -> Task[str]:
    job = flow.start()
    assert job is not None
    steps = seen if seen is not None else []

    def step(s: Step) -> None:
        steps.append(s)
        flow.progressed(s)

    task = Task(
        lambda reporter: job.run(home, reporter), ui,
        on_step=step, on_done=flow.finished, on_error=flow.failed,
    )  # fmt: skip
    return task.start()


@pytest.fixture
def phone_with_app(fake_phone: FakePhone, uiautomator_apk: Path) -> FakePhone:
    """The FAKE phone with uiautomator2's real APK installed as an app of the user's."""
    fake_phone.packages["com.github.uiautomator"] = FakePackage(
        "com.github.uiautomator", ".MainActivity", users={0}, data={0: set()},
        apk=uiautomator_apk.read_bytes(),
    )  # fmt: skip
    return fake_phone


def test_an_app_on_a_fake_phone_is_pulled_and_cloned_onto_it(
    space: Space, fake_adb: FakeAdbServer, phone_with_app: FakePhone
) -> None:
    """FAKE adb server: the list, ``pm path``, the pull and the install are its bookkeeping."""
    serial = phone_with_app.serial
    assert space.device_apps() == ["com.github.uiautomator"]
    flow = NewCloneFlow(devices=(serial,))
    flow.choose_device_app("com.github.uiautomator", serial)
    flow.set_count("2")
    flow.set_hooks(False)
    seen: list[Step] = []
    ui = UiQueue()
    task = run_job(flow, space.home.root, ui, seen)
    ui.drain_until(lambda: flow.state in (FlowState.DONE, FlowState.FAILED))

    assert flow.error == ""
    assert flow.result == (
        f"Installed com.github.uiautomator:1, com.github.uiautomator:2 on {serial}"
    )
    assert ["pm", "path", "com.github.uiautomator"] in phone_with_app.commands
    assert {"com.github.uiautomator.clone1", "com.github.uiautomator.clone2"} <= set(
        phone_with_app.packages
    )
    assert [r.name for r in space.records()] == [
        "com.github.uiautomator:1", "com.github.uiautomator:2",
    ]  # fmt: skip
    assert seen[-1] == Step(f"building and installing 2 clones on {serial}", 2, 2)
    assert not task.running
    # The clones are not offered as sources of new clones.
    assert space.device_apps() == ["com.github.uiautomator"]


def test_a_cancel_during_the_install_leaves_nothing(
    space: Space, fake_adb: FakeAdbServer, phone_with_app: FakePhone
) -> None:
    """FAKE adb server: the cancel lands after the first clone is installed; it is undone."""
    serial = phone_with_app.serial
    flow = NewCloneFlow(devices=(serial,))
    flow.choose_device_app("com.github.uiautomator", serial)
    flow.set_count("2")
    flow.set_hooks(False)
    job = flow.start()
    assert job is not None
    cancelled = threading.Event()
    steps: list[Step] = []

    def post(step: Step) -> None:
        steps.append(step)
        if step.done == 1 and step.label.startswith("building"):
            cancelled.set()  # as Cancel would, while clone 1 is on the phone

    with pytest.raises(Cancelled):
        job.run(space.home.root, Reporter(post, cancelled))

    assert "com.github.uiautomator.clone1" not in phone_with_app.packages
    assert space.records() == []
    assert ["pm", "uninstall", "com.github.uiautomator.clone1"] in phone_with_app.commands


@pytest.mark.slow
def test_without_a_device_the_clone_apks_are_built(space: Space, uiautomator_apk: Path) -> None:
    flow = NewCloneFlow(devices=())
    flow.choose_apk(str(uiautomator_apk))
    flow.set_count("2")
    flow.set_hooks(False)
    ui = UiQueue()
    run_job(flow, space.home.root, ui)
    ui.drain_until(lambda: flow.state in (FlowState.DONE, FlowState.FAILED))

    builds = space.home.root / "builds"
    assert flow.result == (f"Built 2 clone APKs of com.github.uiautomator into {builds}")
    assert sorted(p.name for p in builds.iterdir()) == [
        "com.github.uiautomator.clone1.apk", "com.github.uiautomator.clone2.apk",
    ]  # fmt: skip
    assert space.records() == []  # built, not installed: nothing registered
