"""Several machines, each with its own page store: a Redis stream of the changes applied to any store.

With ``BROADSHEET_REDIS_URL`` set, every change applied to a store on one
machine (``publish.apply_changes`` after a commit, ``publish_due`` for
scheduled posts, ``mark_stale`` after a bulk change) is announced here: the
URLs it rendered, removed or deferred, and whether site-wide parts changed or
the whole store must be rendered again. Every server process (serve.py)
follows the stream with a ``Follower``, whose threads

* read entries (``XREAD BLOCK``), note at once, in memory, the URLs each one
  names as *unsettled* (the process answers them through Django, which reads
  the database, instead of from the store), and acknowledge receipt;
* apply them to the machine's own store (``publish.apply_stream_entries``,
  under the store's render lock): each named URL is rendered again from the
  database, parts too, a stale mark marks this store stale. The store records
  the last entry it applied (its ``stream_at``/``stream_n`` meta), so a
  machine's processes apply each entry once, and a process started later
  goes on from there.

The announcing process waits (at most ``RECEIPT_TIMEOUT``) until every live
follower of another store has acknowledged receipt. A follower is live while
its registration (renewed at least every ``BLOCK_MS``) has not expired after
``LEASE`` seconds; it answers from its store only within its own lease,
counted from before it renewed it, and only after a read that began after
the renewal found nothing older left to read. So once ``save()`` (or the
request that made the change) has returned on one machine, no server process
on another answers a page that change touched from its store before it has
been rendered again there: it has either noted the change, or it is not
answering from its store at all (Redis unreachable, lease lapsed, catching
up). See docs/architecture.md ("Several machines") for what this does not
cover. The wait is bounded: a follower that keeps renewing its registration
but has not acknowledged within ``RECEIPT_TIMEOUT`` (its reader starved for
seconds) is logged and no longer waited for.

Entries carry a sequence number (``n``, one ``INCR`` with each ``XADD``); a
store that finds one missing (the stream was trimmed past it by ``MAXLEN``,
or Redis lost its data) marks itself stale and renders everything again.

The stream's key is derived from the database's identity, so sites sharing a
Redis server but not a database never follow each other.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field

log = logging.getLogger("broadsheet.publishing")

MAXLEN = 10_000  # entries kept (approximately); a store further behind renders everything again
LEASE = 5.0  # seconds a follower's registration lasts without renewal
LEASE_MARGIN = 0.5  # a follower stops answering from its store this much before its registration expires
BLOCK_MS = 1000  # longest wait of one XREAD, so registrations are renewed at least this often
READ_COUNT = 500  # entries per read; a read that returns fewer has caught up
RECEIPT_TIMEOUT = LEASE + 1.0  # longest an announcement waits for receipts
RECEIPT_POLL = 0.002

_ADD = """
local n = redis.call('INCR', KEYS[2])
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'n', n, 'origin', ARGV[2], 'change', ARGV[3])
return {id, n}
"""
_RENEW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return now
"""
_RECEIPTS = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
for _, member in ipairs(expired) do redis.call('HDEL', KEYS[2], member) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local out = {}
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  out[#out + 1] = member
  out[#out + 1] = redis.call('HGET', KEYS[2], member) or '0-0'
end
return out
"""


@dataclass
class Entry:
    """One change applied to a store, as announced: what every other store renders again."""

    render: list[str] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    defer: list[str] = field(default_factory=list)
    parts: bool = False
    stale: bool = False
    id: str = ""
    n: int = 0
    origin: str = ""

    def __bool__(self):
        return bool(self.render or self.remove or self.defer or self.parts or self.stale)

    @property
    def urls(self) -> list[str]:
        return [*self.render, *self.remove, *self.defer]

    @property
    def affects_every_page(self) -> bool:
        return self.parts or self.stale

    def encode(self) -> str:
        return json.dumps({"render": self.render, "remove": self.remove, "defer": self.defer,
                           "parts": self.parts, "stale": self.stale})  # fmt: skip

    @classmethod
    def decode(cls, entry_id, fields: dict) -> Entry:
        text = {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
                for k, v in fields.items()}  # fmt: skip
        body = json.loads(text.get("change", "{}"))
        return cls(render=body.get("render", []), remove=body.get("remove", []), defer=body.get("defer", []),
                   parts=bool(body.get("parts")), stale=bool(body.get("stale")),
                   id=entry_id.decode() if isinstance(entry_id, bytes) else entry_id,
                   n=int(text.get("n", 0)), origin=text.get("origin", ""))  # fmt: skip


def id_key(entry_id: str | None) -> tuple[int, int]:
    """Order stream ids ("1700000000000-3")."""
    if not entry_id:
        return (0, 0)
    milliseconds, _, sequence = entry_id.partition("-")
    return int(milliseconds), int(sequence or 0)


# -- configuration -----------------------------------------------------------------------------------


def enabled() -> bool:
    from django.conf import settings

    return bool(getattr(settings, "REDIS_URL", ""))


def stream_key() -> str:
    """The stream of this site: named after its database, so sites sharing a Redis server stay apart."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    identity = "|".join(str(database.get(name) or "") for name in ("ENGINE", "HOST", "PORT", "NAME"))
    return "broadsheet:pages:" + hashlib.blake2b(identity.encode(), digest_size=8).hexdigest()


_clients: dict[tuple[int, str], object] = {}


def client():
    """This process's Redis client (a new one after a fork)."""
    import redis
    from django.conf import settings

    key = (os.getpid(), settings.REDIS_URL)
    connection = _clients.get(key)
    if connection is None:
        connection = _clients[key] = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=BLOCK_MS / 1000 + 3, socket_connect_timeout=3
        )
    return connection


def store_identity(store) -> str:
    """The store's own name on the stream (made once; two machines sharing one store folder share it)."""
    identity = store.meta("store_id")
    if identity is None:
        with store.writing() as writer:
            identity = writer.meta("store_id")
            if identity is None:
                identity = uuid.uuid4().hex
                writer.set_meta("store_id", identity)
    return identity


# -- announcing --------------------------------------------------------------------------------------

_applying = threading.local()  # set while a follower applies entries: what it writes is not announced again


def announce(store, entry: Entry) -> str | None:
    """Append ``entry`` (a change just applied to ``store``) to the stream; wait for the other stores' receipts.

    Return the entry's id (None when there is no stream or nothing to say). Never raises: a change that
    cannot be announced is logged (the other machines' followers, cut off from Redis, do not answer from
    their stores meanwhile; if Redis is up for them, they serve that change late).
    """
    if not entry or not enabled() or getattr(_applying, "active", False):
        return None
    import redis

    key = stream_key()
    try:
        started = time.perf_counter()
        origin = store_identity(store)
        connection = client()
        entry_id, _n = connection.eval(_ADD, 2, key, key + ":n", MAXLEN, origin, entry.encode())
        entry_id = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
        added = time.perf_counter()
        wait_for_receipts(connection, key, entry_id, origin)
        log.info("Announced %s in %.1f ms, then waited %.1f ms for receipts", entry_id,
                 (added - started) * 1000, (time.perf_counter() - added) * 1000)  # fmt: skip
        return entry_id
    except redis.RedisError as error:
        log.error("Could not announce a change to the page store on %s: %s", key, error)
        return None


def wait_for_receipts(connection, key: str, entry_id: str, origin: str, timeout: float = RECEIPT_TIMEOUT) -> list[str]:
    """Wait until every live follower of another store has read ``entry_id``; return those that never did."""
    target = id_key(entry_id)
    deadline = time.monotonic() + timeout
    while True:
        flat = connection.eval(_RECEIPTS, 2, key + ":followers", key + ":received")
        pairs = [(flat[i].decode(), flat[i + 1].decode()) for i in range(0, len(flat), 2)]
        waiting = [member for member, received in pairs
                   if not member.startswith(origin + "|") and id_key(received) < target]  # fmt: skip
        if not waiting:
            return []
        if time.monotonic() > deadline:
            log.warning("Followers %s did not acknowledge %s within %.1f s", waiting, entry_id, timeout)
            return waiting
        time.sleep(RECEIPT_POLL)


def stream_tip() -> tuple[str, int] | None:
    """The id and number of the stream's last entry (("0-0", 0) when it is empty; None without Redis)."""
    if not enabled():
        return None
    import redis

    try:
        last = client().xrevrange(stream_key(), count=1)
    except redis.RedisError as error:
        log.error("Could not read the page store's stream: %s", error)
        return None
    if not last:
        return "0-0", 0
    entry = Entry.decode(*last[0])
    return entry.id, entry.n


# -- following ---------------------------------------------------------------------------------------


class Follower:
    """Follows the stream for one store in one server process (see the module's docstring).

    ``allows(path)`` is the server's question before answering from the store: False while this process
    is not in step with the stream (not started, Redis unreachable, lease lapsed, catching up), while
    ``path`` is named by an entry read but not yet applied to the store, or while an entry that changes
    every page (site-wide parts, a stale mark) is.
    """

    def __init__(self, store):
        self.store = store
        self.key = stream_key()
        self.origin = store_identity(store)
        self.member = f"{self.origin}|{uuid.uuid4().hex[:12]}"
        self.received = store.meta("stream_at")
        self.caught_up = False
        self.lease_until = 0.0  # monotonic: this process's registration holds until then
        self.serving_until = 0.0  # monotonic: answers from the store allowed until then
        self.unsettled: dict[str, str] = {}  # URL -> id of the newest entry naming it, not yet applied
        self.unsettled_all: set[str] = set()  # ids of unapplied entries that change every page
        self._guard = threading.Lock()
        self._queue: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    # -- the server's question (hot path) --

    def allows(self, path: str) -> bool:
        if time.monotonic() >= self.serving_until or self.unsettled_all:
            return False
        return not self.unsettled or path not in self.unsettled

    # -- threads --

    def start(self) -> Follower:
        for target, name in ((self._read_forever, "broadsheet-stream-reader"),
                             (self._apply_forever, "broadsheet-stream-applier")):  # fmt: skip
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        self._queue.put(None)

    def alive(self) -> bool:
        return all(thread.is_alive() for thread in self._threads) and bool(self._threads)

    def _read_forever(self) -> None:
        import redis

        if self.received is None:
            self._join_stream()
        while not self._stop.is_set():
            try:
                self.read_once()
            except (redis.RedisError, OSError) as error:
                self.serving_until, self.caught_up = 0.0, False
                log.warning("Page store stream unreachable (answering through Django meanwhile): %s", error)
                self._stop.wait(0.5)
            except Exception:
                self.serving_until, self.caught_up = 0.0, False
                log.exception("Following the page store stream failed")
                self._stop.wait(0.5)

    def _join_stream(self) -> None:
        """A store that never recorded a stream position: start from the tip (rendered again if it had entries)."""
        tip = None
        while tip is None and not self._stop.is_set():
            tip = stream_tip()
            if tip is None:
                self._stop.wait(0.5)
        if tip is None:
            return
        from broadsheet.publishing.publish import join_stream

        join_stream(self.store, *tip)
        self.received = tip[0]

    def read_once(self) -> None:
        """Renew this process's registration (acknowledging what it has read), then read what is new."""
        connection = client()
        renewing = time.monotonic()
        connection.eval(_RENEW, 2, self.key + ":followers", self.key + ":received", self.member,
                        int(LEASE * 1000), self.received or "0-0")  # fmt: skip
        if renewing >= self.lease_until:  # lapsed (or never held): announcers may have stopped waiting for us
            self.caught_up = False
            self.serving_until = 0.0
        self.lease_until = renewing + LEASE - LEASE_MARGIN
        if self.caught_up:
            self.serving_until = self.lease_until
        response = connection.xread({self.key: self.received or "0-0"}, count=READ_COUNT,
                                    block=BLOCK_MS if self.caught_up else None)  # fmt: skip
        entries = [Entry.decode(entry_id, fields) for _key, items in response or () for entry_id, fields in items]
        if entries:
            self._note(entries)
            self.received = entries[-1].id
        if len(entries) < READ_COUNT and not self.caught_up:
            self.caught_up = True  # this read began after the renewal above and found everything
            self.serving_until = self.lease_until

    def _note(self, entries: list[Entry]) -> None:
        with self._guard:
            for entry in entries:
                if entry.origin == self.origin:
                    continue  # this store wrote it before announcing it
                if entry.affects_every_page:
                    self.unsettled_all.add(entry.id)
                for url in entry.urls:
                    self.unsettled[url] = entry.id
        self._queue.put(entries)

    def _apply_forever(self) -> None:
        from django.db import close_old_connections

        while not self._stop.is_set():
            batch = self._queue.get()
            if batch is None:
                return
            while True:  # take everything already read: one store transaction for all of it
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._stop.set()
                    break
                batch.extend(more)
            try:
                self.apply(batch)
            except Exception:
                log.exception("Applying changes from the page store stream failed; marking the store stale")
                self._mark_stale()
            finally:
                close_old_connections()

    def apply(self, entries: list[Entry]) -> None:
        from broadsheet.publishing.publish import apply_stream_entries

        _applying.active = True
        try:
            apply_stream_entries(self.store, entries, origin=self.origin)
        finally:
            _applying.active = False
        self._settle(entries[-1].id)

    def _mark_stale(self) -> None:
        from broadsheet.publishing.publish import mark_stale

        _applying.active = True
        try:
            mark_stale(self.store)
        finally:
            _applying.active = False

    def _settle(self, applied_id: str) -> None:
        """Forget unsettled URLs of entries up to ``applied_id`` (the store has them now)."""
        applied = id_key(applied_id)
        with self._guard:
            self.unsettled = {url: entry_id for url, entry_id in self.unsettled.items() if id_key(entry_id) > applied}
            self.unsettled_all = {entry_id for entry_id in self.unsettled_all if id_key(entry_id) > applied}
