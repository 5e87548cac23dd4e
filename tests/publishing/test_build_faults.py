"""``broadsheet build`` killed with SIGKILL, or out of disk space, leaves a complete site (CONC-05, F-7, CONC-10).

Both tests run the real ``broadsheet`` console script in subprocesses, on a site of a
few hundred posts written by bench/corpus.py and read by ``broadsheet import
markdown`` into a temporary BROADSHEET_HOME (SQLite), as bench/build_static.py does.
What is compared is a manifest (relative path -> SHA-256) of every file of the output.
No assertion is about speed: kill moments are chosen by watching the folder being built.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BROADSHEET = str(Path(sys.executable).with_name("broadsheet"))
POSTS = 300  # about 2,000 files: a build takes a second or two on two cores
TIMEOUT = 120  # seconds; a bound for hung processes, not a speed assertion
BASES = ("http://a.example", "http://b.example")  # every page names its address: two builds differ in every file


def _env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "BROADSHEET_DEBUG", "BROADSHEET_SITE_URL")}  # fmt: skip
    env["BROADSHEET_HOME"] = str(home)
    env.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.conf.settings")
    return env


def _run(home: Path, *arguments: str, log: Path) -> subprocess.CompletedProcess:
    with log.open("w") as handle:
        done = subprocess.run([BROADSHEET, *arguments], env=_env(home), cwd=REPO, stdout=handle,
                              stderr=subprocess.PIPE, timeout=TIMEOUT)  # fmt: skip
    return done


def _start_build(home: Path, output: Path, base: str, log: Path) -> subprocess.Popen:
    """Start ``broadsheet build`` as the leader of its own process group (its workers join it)."""
    with log.open("w") as handle:
        return subprocess.Popen([BROADSHEET, "build", "--output", str(output), "--base-url", base, "--workers", "2"],
                                env=_env(home), cwd=REPO, stdout=handle, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip


def _build(home: Path, output: Path, base: str, log: Path) -> subprocess.CompletedProcess:
    done = _run(home, "build", "--output", str(output), "--base-url", base, "--workers", "2", log=log)
    assert done.returncode == 0, done.stderr.decode()
    return done


def _manifest(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (and every empty folder) -> its SHA-256."""
    manifest = {}
    for parent, folders, files in os.walk(folder):
        for name in files:
            path = os.path.join(parent, name)
            with open(path, "rb") as handle:
                manifest[os.path.relpath(path, folder)] = hashlib.sha256(handle.read()).hexdigest()
        if not folders and not files:
            manifest[os.path.relpath(parent, folder) + "/"] = "empty folder"
    return manifest


def _count_files(folder: Path) -> int:
    return sum(len(files) for _parent, _folders, files in os.walk(folder))


def _leftovers(output: Path) -> list[Path]:
    return sorted([*output.parent.glob(f".{output.name}.building-*"), *output.parent.glob(f".{output.name}.old-*")])


def _stat(pid: int) -> tuple[str, int] | None:
    """Return (state, process group) of ``pid``, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return fields[0], int(fields[2])


def _workers(pid: int) -> list[int]:
    """The build's descendants in its process group (its forked workers; not the background ``rm -rf``)."""
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            with contextlib.suppress(OSError):
                for child in map(int, (task / "children").read_text().split()):
                    stat = _stat(child)
                    if stat is not None and stat[1] == pid:
                        found.append(child)
                    frontier.append(child)
    return found


def _alive(pids: list[int]) -> list[int]:
    return [pid for pid in pids if (stat := _stat(pid)) is not None and stat[0] not in ("Z", "X")]


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A BROADSHEET_HOME holding a site of POSTS posts imported from bench/corpus.py's Markdown."""
    work = tmp_path_factory.mktemp("build-faults")
    subprocess.run([sys.executable, str(REPO / "bench" / "corpus.py"), "--posts", str(POSTS), "--seed", "7",
                    "--out", str(work / "corpus")], check=True, stdout=subprocess.DEVNULL, timeout=TIMEOUT)  # fmt: skip
    home = work / "home"
    home.mkdir()
    done = _run(home, "import", "markdown", str(work / "corpus" / "markdown" / "posts"), log=work / "import.log")
    assert done.returncode == 0, done.stderr.decode()
    return home


# -- CONC-05 / F-7: kill -9 in the middle of a build ---------------------------------------------------

# Where each build is killed: as soon as its folder exists, after a share of the files are written, while
# the main process copies the theme's files, and after the swap (the output's folder changed) but before
# the process ended (a short moment: that kill often comes too late). "parent" kills only the
# main process, as the OOM killer would; the others kill the whole process group, as `kill -9 -PGID` does.
KILL_POINTS = [("appeared", 0.0, "group"), ("files", 0.2, "group"), ("files", 0.5, "parent"),
               ("files", 0.8, "group"), ("static", 1.0, "group"), ("swapped", 1.0, "group")]  # fmt: skip


def _kill_at(process: subprocess.Popen, output: Path, point: str, share: float, total: int,
             before: set[Path], inode: int) -> str:
    """SIGKILL the build at ``point``; return where it was (or "finished" if it ended first)."""
    deadline = time.monotonic() + TIMEOUT
    building = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return "finished"
        if building is None:
            new = [path for path in output.parent.glob(f".{output.name}.building-*") if path not in before]
            building = new[0] if new else None
        with contextlib.suppress(OSError):
            swapped = os.stat(output).st_ino != inode
        if point == "swapped" and swapped:
            return "after the swap"
        if point == "appeared" and building is not None:
            return "its folder just made"
        if point == "static" and building is not None and (building / "static").exists():
            return "copying the theme's files (the pages are written)"
        if point == "files" and building is not None and not swapped:
            written = _count_files(building)
            if written >= share * total:
                return f"{written} of {total} files written"
        time.sleep(0.002)
    pytest.fail(f"the build reached no kill point ({point}) in {TIMEOUT} s")


def test_a_build_killed_with_sigkill_leaves_the_previous_or_the_new_site_whole(home, tmp_path):
    """kill -9 at six points of a build: the output is the previous build or the new one, byte for byte.

    After each kill no worker is left (and nothing more is written); the folders the killed
    builds left next to the output are removed by the next build, which succeeds.
    """
    output = tmp_path / "live" / "site"
    _build(home, output, BASES[0], tmp_path / "first.log")  # the previous build of the first kill
    reference = tmp_path / "reference" / "site"
    _build(home, reference, BASES[1], tmp_path / "reference.log")
    references = {BASES[0]: _manifest(output), BASES[1]: _manifest(reference)}
    assert references[BASES[0]] != references[BASES[1]]
    total = len(references[BASES[1]])
    current, landed, left_behind = BASES[0], [], set()
    for number, (point, share, scope) in enumerate(KILL_POINTS):
        new = BASES[1] if current == BASES[0] else BASES[0]
        before, inode = set(_leftovers(output)), os.stat(output).st_ino
        process = _start_build(home, output, new, tmp_path / f"killed-{number}.log")
        try:
            where = _kill_at(process, output, point, share, total, before, inode)
            workers = _workers(process.pid)
            if where != "finished":
                if scope == "group":
                    os.killpg(process.pid, signal.SIGKILL)
                else:
                    os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=TIMEOUT)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if process.returncode == 0:  # it ended first (or between the last look and the kill)
            where = "finished"
        else:
            assert process.returncode == -signal.SIGKILL, (tmp_path / f"killed-{number}.log").read_text()
            landed.append(f"{point} ({scope}): {where}")
        deadline = time.monotonic() + TIMEOUT
        while _alive(workers):  # a worker whose parent is gone ends (after its chunk at most)
            assert time.monotonic() < deadline, f"workers {_alive(workers)} outlived the killed build"
            time.sleep(0.01)
        stale = {path: _manifest(path) for path in output.parent.glob(f".{output.name}.building-*")
                 if path not in before}  # fmt: skip
        time.sleep(0.2)
        for path, files in stale.items():  # nothing writes there any more
            assert _manifest(path) == files, f"{path} changed after the kill"
        left_behind |= set(stale)
        found = _manifest(output)
        assert found in (references[current], references[new]), (
            f"kill {number} ({where}): the output is neither the previous build nor the new one: "
            f"{len(found)} files, {sum(found.get(k) == v for k, v in references[new].items())} of the new build's"
        )
        current = new if found == references[new] else current
    assert len(landed) >= 4, f"too few kills landed during a build: {landed}"
    assert left_behind, "no killed build left its folder behind: the clean-up below was not exercised"
    new = BASES[1] if current == BASES[0] else BASES[0]
    _build(home, output, new, tmp_path / "after.log")
    assert _manifest(output) == references[new]
    deadline = time.monotonic() + TIMEOUT
    while _leftovers(output):  # removed in the background by the build
        assert time.monotonic() < deadline, f"left after the next build: {_leftovers(output)}"
        time.sleep(0.05)
    assert sorted(os.listdir(output.parent)) == [output.name]
    print("kills:", *landed, sep="\n  ")


# -- CONC-10: the disk fills up during a build ---------------------------------------------------------


@contextlib.contextmanager
def _small_disk(folder: Path, size: str):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    folder.mkdir(parents=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                             capture_output=True, text=True)  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _fill(disk: Path, leave_kb: int) -> None:
    """Write a file that leaves only ``leave_kb`` kB free on ``disk``."""
    free = os.statvfs(disk)
    available = free.f_bavail * free.f_frsize // 1024
    with open(disk / "filler", "wb") as handle:
        for _ in range(max(0, available - leave_kb) // 1024):
            handle.write(b"\0" * 1024 * 1024)
        handle.write(b"\0" * (max(0, available - leave_kb) % 1024) * 1024)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_build_that_runs_out_of_disk_fails_cleanly_and_keeps_the_previous_site(home, tmp_path, workers):
    """Disk full mid-build: exit 1 with a one-line message, no traceback, the previous site byte for byte.

    With one worker the error is raised in the main process, with two in a forked worker.
    """
    with _small_disk(tmp_path / "disk", "80m") as disk:
        output = disk / "site"
        _build(home, output, BASES[0], tmp_path / "first.log")
        previous = _manifest(output)
        _fill(disk, leave_kb=256)
        done = _run(home, "build", "--output", str(output), "--base-url", BASES[1], "--workers", str(workers),
                    log=tmp_path / "full.log")  # fmt: skip
        stderr = done.stderr.decode()
        assert done.returncode != 0
        assert "Traceback" not in stderr, stderr
        lines = [line for line in stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "No space left on device" in lines[0], stderr
        assert _manifest(output) == previous
        assert sorted(os.listdir(disk)) == ["filler", "site"]  # no building folder, no partial file
        (disk / "filler").unlink()  # and with room again, the next build succeeds
        _build(home, output, BASES[1], tmp_path / "after.log")
        assert _manifest(output) != previous
