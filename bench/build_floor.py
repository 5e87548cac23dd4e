"""The floor of a static build of Broadsheet's outputs in Python: start, set up, write the same files. No rendering.

    .venv/bin/python bench/build_floor.py LISTING TARGET [--workers 2]

Run (and timed) by bench/build_static.py right after ``broadsheet build``, in
the same environment. It does what that build does around its rendering and
nothing else:

1. starts Python and sets Broadsheet up as ``broadsheet build`` does before it
   renders: imports ``broadsheet.cli``, calls its Django setup (without the
   migration check, which reads the database), imports the URLconf
   (``broadsheet.conf.urls``) and ``broadsheet.publishing.build``;
2. reads LISTING (written by the bench, untimed: one ``size<TAB>relative
   path`` line per file of the build's output, sorted; a ``-1`` size for a
   folder with no files), makes the folder TARGET (which must not exist) and
   forks ``--workers`` processes; each creates its contiguous stretch of the
   sorted list (the build keeps each worker in its own stretch of folders),
   making folders as needed and each file with ``O_CREAT | O_EXCL``, of the
   same size as the build's (its bytes are all ``x``);
3. waits for the workers and ends with ``os._exit(0)``, as the build does.

No database, no templates, no rendering: the time a build takes beyond this
is what its rendering (and the rest of its own work) costs.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback

_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC


def _set_up_as_the_build_does() -> None:
    import broadsheet.cli

    broadsheet.cli._setup_django(migrate=False)
    import broadsheet.conf.urls  # noqa: F401
    import broadsheet.publishing.build  # noqa: F401


def _read_listing(path: str) -> list[tuple[int, str]]:
    entries = []
    with open(path, encoding="utf-8") as listing:
        for line in listing:
            size, _tab, relative = line.rstrip("\n").partition("\t")
            entries.append((int(size), relative))
    return entries


def _write(target: str, entries: list[tuple[int, str]], data: memoryview) -> None:
    """Create ``entries`` under ``target`` as the build's ``_write_new`` does (os calls on strings)."""
    made = set()
    for size, relative in entries:
        path = f"{target}/{relative}"
        folder = path if size < 0 else path.rpartition("/")[0]
        if folder not in made:
            try:
                os.mkdir(folder)
            except FileNotFoundError:
                os.makedirs(folder, exist_ok=True)
            except FileExistsError:  # (the other worker's stretch ends in the same folder)
                pass
            made.add(folder)
        if size < 0:
            continue
        handle = os.open(path, _NEW_FILE, 0o666)
        try:
            view = data[:size]
            while view:
                view = view[os.write(handle, view) :]
        finally:
            os.close(handle)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("listing")
    parser.add_argument("target")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    _set_up_as_the_build_does()
    entries = _read_listing(args.listing)
    data = memoryview(b"x" * max((size for size, _relative in entries), default=0))
    target = os.path.abspath(args.target)
    os.mkdir(target)
    workers = max(1, args.workers)
    stretch = -(-len(entries) // workers)
    children = []
    sys.stdout.flush()
    for number in range(workers):
        pid = os.fork()
        if pid == 0:
            try:
                _write(target, entries[number * stretch : (number + 1) * stretch], data)
            except BaseException:
                traceback.print_exc()
                sys.stderr.flush()
                os._exit(1)
            os._exit(0)
        children.append(pid)
    failed = 0
    for pid in children:
        _pid, status = os.waitpid(pid, 0)
        failed += os.waitstatus_to_exitcode(status) != 0
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(1 if failed else 0)


if __name__ == "__main__":
    main()
