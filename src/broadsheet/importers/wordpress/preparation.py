"""The export's items made ready for the loader: digest, unknown shortcodes and, for new posts, rendered bodies.

The loader reads the export a second time (after the survey) and writes it batch by batch.
Reading the XML and rendering new posts' bodies need nothing from the database and are about
half the work of a large import, so for a large export they run in a second process
(:class:`ReaderProcess`, ``python -m broadsheet.importers.wordpress.preparation``) a few
batches ahead of the loader, which meanwhile writes: on two cores the halves overlap. The
reader process

- is started before the survey (Django's start-up overlaps it) and then given the export's
  path, what else shapes the digests, and the WordPress IDs already imported (their posts are
  not rendered there: an unchanged item is skipped, a changed one is saved the ordinary way);
- never opens the database: a body whose rendering would read it (a gallery, an image of the
  media library) is left for the loader, which renders it as ``Post.save()`` does;
- renders as a new post with WordPress's ID as its key; the loader uses that only for a post
  it inserts with that key and that body, and renders any other itself;
- sends pickled batches on its standard output; the pipe's small buffer bounds what is in
  flight, so memory stays flat, and it ends when the loader goes away (its next write fails).

Small exports, and machines with one core, are prepared in the loader's process (:func:`prepared_batches`).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import resource
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from broadsheet.content.rendering.shortcodes import find_unknown_shortcodes
from broadsheet.importers.wordpress.records import ItemRecord, to_json
from broadsheet.importers.wordpress.wxr import ParseStats, read_wxr

# Part of every item's digest: bump it when the import maps items to rows differently, so a
# re-import rewrites items whose export did not change.
DIGEST_FORMAT = 2  # 2: attachments get their sizes, posts their featured image
# Below this size an export is prepared in the loader's process (starting Django again costs a second).
READER_PROCESS_MIN_BYTES = 4_000_000
_UPLOADS = "/wp-content/uploads/"


def digest(data: dict, comment_data: list[dict], context: str) -> str:
    """Return a digest of an item and its comments as read, and of what else shaped their rows."""
    text = json.dumps([DIGEST_FORMAT, context, data, comment_data], ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


@dataclass
class PreparedItem:
    item: ItemRecord
    digest: str
    unknown_shortcodes: set[str]
    # The fields Entry.render() set on the item as a new post keyed by its WordPress ID, when rendered ahead.
    rendered: dict | None = None
    # The item and its comments as JSON-ready data, when prepared in the loader's process.
    data: dict | None = None
    comment_data: list[dict] | None = None


@dataclass
class Preparation:
    """What preparing an item depends on besides the item."""

    context: str  # what besides the file shapes the rows (time zone, media folder): part of the digest
    zone: object = None  # the site's time zone, for the dates of a post rendered ahead
    imported_ids: frozenset[int] = frozenset()  # WordPress IDs the site already has: not rendered ahead
    uploads_rewritten: bool = False  # with --media-dir, bodies that name uploads are rewritten by the loader
    render_ahead: bool = False
    keep_data: bool = True

    def prepare(self, item: ItemRecord) -> PreparedItem:
        data = to_json(item)
        comment_data = [to_json(record) for record in item.comments]
        prepared = PreparedItem(item, digest(data, comment_data, self.context), find_unknown_shortcodes(item.content))
        if self.keep_data:
            prepared.data, prepared.comment_data = data, comment_data
        if self.render_ahead and self._renders(item):
            prepared.rendered = _render_new_post(item, self.zone)
        return prepared

    def _renders(self, item: ItemRecord) -> bool:
        return (
            item.post_type == "post"
            and item.post_id
            and item.post_id not in self.imported_ids
            and item.status not in ("trash", "auto-draft")
            and not (self.uploads_rewritten and _UPLOADS in item.content)
        )


def prepared_batches(path: Path, preparation: Preparation, batch_size: int) -> Iterator[list[PreparedItem]]:
    """Read the export's items in batches of ``batch_size`` and prepare them in this process."""
    batch: list[PreparedItem] = []
    with path.open("rb") as stream:
        for record in read_wxr(stream, ParseStats()):
            if isinstance(record, ItemRecord):
                batch.append(preparation.prepare(record))
                if len(batch) >= batch_size:
                    yield batch
                    batch = []
    if batch:
        yield batch


class _NeedsDatabase(Exception):
    """Rendering wanted the database, which the reader process never opens."""


def _render_new_post(item: ItemRecord, zone) -> dict | None:
    """Render ``item`` as a new post keyed by its WordPress ID; return the fields render() set, or None."""
    from broadsheet.content.models import Post
    from broadsheet.importers.wordpress.entry_fields import fill_entry

    post = Post(pk=item.post_id)
    fill_entry(post, item, body=item.content, zone=zone)
    names = [field.attname for field in Post._meta.concrete_fields]
    before = [getattr(post, name) for name in names]
    try:
        post.render()
    except _NeedsDatabase:
        return None
    return {name: getattr(post, name) for name, old in zip(names, before) if getattr(post, name) != old}


def _peak_rss_mb() -> float:
    """Return this process's peak resident memory since it started its program.

    ``ru_maxrss`` would also count the loader's pages, which this process shared between
    fork and exec; the kernel's VmHWM starts again at exec.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class ReaderProcessError(Exception):
    """The reader process failed; the message holds what it reported."""


class ReaderProcess:
    """A second process that reads and prepares the export's items, a few batches ahead of the loader."""

    def __init__(self):
        self.peak_rss_mb: float | None = None
        self._process = subprocess.Popen(
            [sys.executable, "-m", "broadsheet.importers.wordpress.preparation"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )  # fmt: skip

    def batches(self, path: Path, preparation: Preparation, batch_size: int) -> Iterator[list[PreparedItem]]:
        """Have the process read ``path``; yield its prepared batches in file order."""
        pickle.dump((str(path), preparation, batch_size), self._process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        self._process.stdin.close()
        while True:
            try:
                kind, payload = pickle.load(self._process.stdout)
            except EOFError:
                code = self._process.wait()
                raise ReaderProcessError(f"the reader process stopped without finishing (exit status {code})") from None
            if kind == "batch":
                yield payload
            elif kind == "end":
                self.peak_rss_mb = payload
                return
            else:
                raise ReaderProcessError(f"the reader process failed:\n{payload}")

    def close(self) -> None:
        """Stop the process if it still runs, and reap it."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None and not stream.closed:
                stream.close()


def _serve() -> int:
    """The reader process: set Django up, read the job from stdin, write pickled batches to stdout."""
    import signal
    import traceback

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the loader, which stops this process
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, never into the pickles
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.conf.settings")
    import django

    django.setup()
    from django.db import connections

    def refuse():
        raise _NeedsDatabase

    for alias in connections:
        connections[alias].ensure_connection = refuse
    from broadsheet.media.responsive import lookups_by_class

    try:
        path, preparation, batch_size = pickle.load(sys.stdin.buffer)
        with lookups_by_class(False):  # as in the loader: images named by class are rendered at the end
            for batch in prepared_batches(Path(path), preparation, batch_size):
                pickle.dump(("batch", batch), channel, protocol=pickle.HIGHEST_PROTOCOL)
                channel.flush()
        pickle.dump(("end", _peak_rss_mb()), channel)
        channel.flush()
    except BrokenPipeError:  # the loader went away (stopped, or killed)
        return 1
    except Exception:  # noqa: BLE001 - reported to the loader, which raises it
        try:
            pickle.dump(("error", traceback.format_exc()), channel)
            channel.flush()
        except BrokenPipeError:
            pass
        return 1
    return 0


if __name__ == "__main__":
    # Serve from the module under its own name, so what is pickled names it (not __main__).
    from broadsheet.importers.wordpress import preparation

    sys.exit(preparation._serve())
