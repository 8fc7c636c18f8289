"""redirect.c, natively under ASan/UBSan, against vfs_redirect's RedirectTable.

Hypothesis draws a policy and a batch of calls (paths rich in "/", ".", "..", components that
share prefixes with the rules, /proc/self/root, lengths around CS_PMAX, relative paths from a
cwd inside and outside the redirected directories); the harness runs each call with the path
against a guard page and in an exact-size heap block. A sanitizer report or a fault fails the
test with the case; so does any answer model.py does not accept.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Sequence

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from tests.hooks.fastpath.harness import Case, Harness
from tests.hooks.fastpath.model import PATH_OPS, Model, blen
from vfs_redirect.paths import canonicalise, is_under
from vfs_redirect.rules import Policy, policy_from_json

# path components: the rules' own, near misses of them ("note", "notesx"), dot names that
# are not "." or "..", /proc magic, a non-ASCII name
NAMES = (
    *("home", "u", "notes", "note", "notes2", "notesx", "cache", "ch", "store", "1", "2"),
    *("data", "0", "app", "x", "é", "p", "pear", ".hidden", "..x", "...", "proc", "self"),
    *("root", "thread-self", "4242", "fd", "cwd", "dev"),
)
VIRTUALS = (
    *("/home/u/notes", "/home/u/notes/cache", "/home/u/note", "/data/app", "/p", "/é"),
    *("/etc/machine-id", "/.hidden", "/proc/self/cwd"),
)
STORE = "/ch/store/notes"
REALS = (
    *(f"{STORE}/1/data/0", f"{STORE}/1/data/1", "/r/app", "/", "/home/u/notes/inner"),
    *("/home/u", f"{STORE}/1/é"),
)
DENIES = ("/ch", f"{STORE}/2", "/", "/home/u/notes/secret", "/r", "/proc", "/p")
ALLOWS = (f"{STORE}/1", "/ch/store", "/r/app/ok", "/home", f"{STORE}/1/data/0/x")
OPS = (
    *PATH_OPS,
    *("readlink1", "readlink7", "readlink4096", "getcwd", "getcwd1", "getcwd16", "getcwd4096"),
)

dirs = st.lists(st.sampled_from(NAMES), min_size=1, max_size=4).map(lambda p: "/" + "/".join(p))


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    virtuals = st.one_of(st.sampled_from(VIRTUALS), dirs)
    # no real under /proc: the harness's readlink answers /proc/N/root, which the C reaches
    # through a rule on ".." (as the kernel would) and the lexical reference does not
    reals = st.one_of(st.sampled_from(REALS), dirs).filter(
        lambda r: not is_under(canonicalise(r), "/proc")
    )
    rules = draw(st.lists(st.tuples(virtuals, reals), max_size=5, unique_by=lambda r: r[0]))
    data = {
        "version": 1,
        "clone": "notes:1",
        "platform": "linux",
        "redirects": [{"virtual": v, "real": r} for v, r in rules],
        "deny": draw(st.lists(st.one_of(st.sampled_from(DENIES), dirs), max_size=4)),
        "allow": draw(st.lists(st.one_of(st.sampled_from(ALLOWS), dirs), max_size=4)),
        "deny_errno": draw(st.sampled_from([errno.EACCES, errno.ENOENT])),
    }
    # as the agent receives it: one flat allow list (make_policy refuses the policies whose
    # per-deny allows would mean less than the flat list)
    try:
        return policy_from_json(data)
    except ValueError:  # "/" redirected, one virtual mapped twice, an allow another deny refuses
        reject()


def _anchors(policy: Policy) -> list[str]:
    """The policy's own paths: components spliced into paths and cwds."""
    out = [r.virtual for r in policy.redirects] + [r.real for r in policy.redirects]
    out += [d.prefix for d in policy.deny] + [a for d in policy.deny for a in d.allow]
    return out or ["/home/u/notes"]


def _pad(path: str, total: int, unit: int) -> str:
    """``path`` lengthened by components of ``unit`` bytes to ``total`` bytes (if shorter)."""
    missing = total - blen(path) - 1
    while missing > 0:
        n = min(unit, missing)
        path += "/" + "y" * n
        missing -= n + 1
    return path


ABSOLUTE = (
    *("/", "//", "/./", "/../", "/proc/self/root/", "/proc/thread-self/root"),
    *("/proc/4242/root/", "/proc/"),
)
RELATIVE = ("", "./", "../", "../../", ".//")
# how paths end: the kernel reads "/", "/." and "/.." as "a directory" (keep_dir)
TAILS = ("", "", "/", "/.", "/..", "//", "/./", "/../", "/.//")
TEXTS = ("x", "../2/login", "a/../b")


def _paths(anchors: list[str]) -> st.SearchStrategy[str]:
    """Paths as programs spell them, built from NAMES and pieces of the policy's own paths."""
    spliced = [a.strip("/") for a in anchors if a != "/"] or ["x"]
    spliced += [a[:-1] for a in spliced] + [a + "2" for a in spliced]  # "note", "notes2"
    heads = st.one_of(st.sampled_from(ABSOLUTE), st.sampled_from(RELATIVE))
    piece = st.one_of(st.sampled_from((*NAMES, ".", "")), st.just(".."), st.sampled_from(spliced))

    @st.composite
    def paths(draw: st.DrawFn) -> str:
        path = draw(heads) + "/".join(draw(st.lists(piece, max_size=6)))
        if draw(st.integers(0, 3)) == 0:  # around CS_PMAX, in components of 1 to 4000 bytes
            total = draw(st.one_of(st.integers(4060, 4110), st.integers(4000, 4200)))
            path = _pad(path, total, draw(st.sampled_from([1, 60, 255, 4000])))
            path += "/".join(["", *draw(st.lists(piece, max_size=3))])
        return path + draw(st.sampled_from(TAILS))

    return paths()


def _cwds(anchors: list[str], reals: list[str]) -> st.SearchStrategy[str]:
    """Real current directories (canonical, as getcwd reports them); often in a rule's real."""
    bases = st.one_of(st.sampled_from(reals), st.sampled_from(["/", "/tmp", *anchors]), dirs)
    subs = st.lists(st.sampled_from(NAMES), max_size=2)

    @st.composite
    def cwds(draw: st.DrawFn) -> str:
        cwd = canonicalise("/".join([draw(bases), *draw(subs)]))
        if draw(st.integers(0, 9)) == 0:  # near the limits of the joins and of map_back
            total = draw(st.integers(3950, 4090))
            cwd = canonicalise(_pad(cwd, total, draw(st.sampled_from([60, 255, 4000]))))
        assert blen(cwd) < 4095
        return cwd

    return cwds()


class Scenario:
    """A policy and a batch of calls (with a repr short enough for Hypothesis to print)."""

    def __init__(self, policy: Policy, cases: Sequence[Case]) -> None:
        self.policy = policy
        self.cases = tuple(cases)

    def __repr__(self) -> str:
        lines = [f"Scenario({self.policy.to_agent_json()!r}, ["]
        lines += [f"    {shorten(repr(c))}," for c in self.cases]
        return "\n".join([*lines, "])"])


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    policy = draw(policies())
    model = Model(policy)
    anchors = _anchors(policy)
    path_st = _paths(anchors)
    cwd_st = _cwds(anchors, [r.real for r in policy.redirects] or ["/"])
    texts = st.sampled_from([*(canonicalise(a + "/x") for a in anchors), *TEXTS])
    cases = []
    for _ in range(draw(st.integers(1, 30))):
        op = draw(st.sampled_from(OPS))
        cwd = draw(cwd_st)
        path = draw(path_st) if draw(st.integers(0, 15)) else ""
        extra = ""
        if op.startswith("realpath"):  # the kernel's answer: the path the call was given
            real = model.table.resolve(path, model.map_back(cwd)).real if path else "/"
            extra = real if blen(real) < 4000 else "/"
        elif op.startswith("readlink"):  # the link's text: absolute canonical or relative
            extra = draw(texts)
        elif op.startswith("getcwd"):
            path = "-"
        cases.append(Case(op, cwd, path, extra))
    return Scenario(policy, cases)


def shorten(text: str) -> str:
    """``text`` with runs of padding ("yyy/y/yyyy") abbreviated, for messages."""
    return re.sub(r"y[y/]{30,}", lambda m: f"<{len(m.group())} bytes of y and />", text)


def _run_and_check(harness: Harness, policy: Policy, cases: Sequence[Case]) -> None:
    model = Model(policy)
    observed = harness.run(policy, cases)
    problems = []
    for case, got in zip(cases, observed, strict=True):
        problem = model.check(case, got)
        if problem is not None:
            problems.append(shorten(f"{case!r}\n  C: {got.raw!r}\n  -> {problem}"))
    assert not problems, f"policy {policy.to_agent_json()}:\n" + "\n".join(problems[:5])


@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(scenarios())
def test_fast_path_matches_the_reference(harness: Harness, scenario: Scenario) -> None:
    _run_and_check(harness, scenario.policy, scenario.cases)


# -- the cases the fuzzing found, kept as plain examples ----------------------------------

ONE = f"{STORE}/1/data/0"


def _policy(redirects: dict[str, str], deny: list[str], allow: list[str]) -> Policy:
    return policy_from_json(
        {
            "version": 1,
            "clone": "notes:1",
            "platform": "linux",
            "redirects": [{"virtual": v, "real": r} for v, r in redirects.items()],
            "deny": deny,
            "allow": allow,
        }
    )


NOTES = _policy({"/home/u/notes": ONE}, ["/ch"], [f"{STORE}/1"])


@pytest.mark.parametrize(
    ("policy", "case"),
    [
        # the cwd is redirected (chdir went to the store): "../../../2" climbs out of the
        # virtual cwd to /2/…, which is not denied; handed over as given, the kernel took it
        # from the real cwd into clone 2's store
        (NOTES, Case("open", ONE, "../../../2/data/0/login")),
        (NOTES, Case("openat", ONE, "../../../2/data/0/login")),
        (NOTES, Case("execvp", ONE, "../../../2/data/0/login")),
        (NOTES, Case("readlink7", ONE, "../../../2/data/0/login", "x")),
        # a deny prefix "/" must concern paths whose first letter no rule starts with
        (_policy({"/home/u/notes": ONE}, ["/"], [f"{STORE}/1"]), Case("open", "/", "/etc/passwd")),
        # a rule to the real "/": "/v/ch/x" became "//ch/x", which no deny prefix matched
        (_policy({"/v": "/"}, ["/ch"], []), Case("open", "/", "/v/ch/secret")),
        # ... and the real "/" mapped back with a trailing slash
        (_policy({"/v": "/"}, ["/ch"], []), Case("getcwd", "/", "-")),
        # an allow equal to another deny prefix is no exception to that deny
        (_policy({}, ["/ch", "/ch/home"], ["/ch/home"]), Case("open", "/", "/ch/home/x")),
        # paths that end on the guard page: shorter than a rule, near misses, around the limits
        (NOTES, Case("open", "/", "/home")),
        (NOTES, Case("open", "/", "/home/u/note")),
        (NOTES, Case("open", "/", "/home/u/notes2")),
        (NOTES, Case("open", "/", "/home/u/notes/" + "y" * 4080)),
        (NOTES, Case("open", "/", "/home/u/notes/" + "y/" * 2100 + "../" * 2100)),
    ],
)
def test_found_cases(harness: Harness, policy: Policy, case: Case) -> None:
    _run_and_check(harness, policy, [case])


# a real path of 4094 bytes: the longest swap_prefix makes (its NUL fills CS_PMAX)
LONGEST = "/home/u/notes/" + "y" * (4094 - len(ONE) - 1)


@pytest.mark.parametrize(
    ("case", "handed"),
    [
        # the suffix the canonical form dropped goes back on the path handed over
        (Case("open", "/", "/home/u/notes/file/"), f"{ONE}/file/"),
        (Case("open", "/", "/home/u/notes/file//"), f"{ONE}/file/"),
        (Case("open", "/", "/home/u/notes/file/."), f"{ONE}/file/."),
        (Case("open", "/", "/home/u/notes/file/./"), f"{ONE}/file/."),
        (Case("open", "/", "/home/u/notes/dir/sub/.."), f"{ONE}/dir/."),
        (Case("open", "/", "/home/u/notes/dir/sub/../"), f"{ONE}/dir/."),
        (Case("open", "/", "/home/u/notes/."), f"{ONE}/."),
        (Case("open", "/", "/home/u/notes/file/.x"), f"{ONE}/file/.x"),
        (Case("open", "/", "/home/u/notes/file/..x/"), f"{ONE}/file/..x/"),
        (Case("open", "/", "/home/u/notes/file/.../"), f"{ONE}/file/.../"),
        (Case("realpath", "/", "/home/u/notes/file/.", f"{ONE}/file"), f"{ONE}/file/."),
        (Case("readlink7", "/", "/home/u/notes/ln/", "x"), f"{ONE}/ln/"),
        # relative: redirected, and passed (handed over as the absolute path judged)
        (Case("open", ONE, "file/"), f"{ONE}/file/"),
        (Case("openat", ONE, "file/."), f"{ONE}/file/."),
        (Case("openat-cwd", ONE, "."), f"{ONE}/."),
        (Case("open", ONE, "./"), f"{ONE}/."),
        (Case("open", f"{ONE}/dir", ".."), f"{ONE}/."),
        (Case("open", "/tmp", "file/"), "/tmp/file/"),
        (Case("open", "/tmp", "file/."), "/tmp/file/."),
        (Case("open", "/tmp", "."), "/tmp/."),
        (Case("open", "/tmp", ".."), "/."),
        (Case("open", "/tmp", "../"), "/."),
        (Case("open", "/tmp", "../.."), "/."),
        (Case("open", "/tmp", "x/../"), "/tmp/."),
        (Case("open", "/", "proc/self/root/"), "/"),
        (Case("execvp", "/tmp", "dir/."), "/tmp/dir/."),
        # at the limit: the handed text and its NUL fill CS_PMAX exactly, or do not fit
        (Case("open", "/", LONGEST), f"{ONE}{LONGEST[13:]}"),
        (Case("open", "/", LONGEST + "/"), f"{ONE}{LONGEST[13:]}/"),
        (Case("open", "/", LONGEST[:-1] + "/."), f"{ONE}{LONGEST[13:-1]}/."),
        (Case("open", "/", LONGEST + "/."), None),
        (Case("open", "/", LONGEST + "/x/.."), None),
        (Case("open", "/", LONGEST + "//./"), None),
    ],
)
def test_what_the_end_of_a_path_says_is_handed_over(
    harness: Harness, case: Case, handed: str | None
) -> None:
    """A rewritten path ends in "/" or "/." as the caller's did: "file/" and "file/." must
    be directories for the kernel ("<store>/file" alone opened a file), "dir/." must not be
    made, removed or renamed. Where that no longer fits, the call fails with ENAMETOOLONG
    (the kernel's PATH_MAX is CS_PMAX: it would refuse the text as well)."""
    [got] = harness.run(NOTES, [case])
    if handed is None:
        assert (got.kind, got.value) == ("err", str(errno.ENAMETOOLONG))
    else:
        assert (got.kind, got.value) == ("path", handed)
        assert blen(handed) < 4096
    assert Model(NOTES).check(case, got) is None
