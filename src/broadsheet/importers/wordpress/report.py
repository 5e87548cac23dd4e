"""The import report: what was imported, updated, skipped, and why."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from broadsheet.importers.wordpress.wxr import ParseStats


@dataclass
class ImportReport:
    dry_run: bool = False
    site_url: str = ""
    counts: Counter = field(default_factory=Counter)  # (kind, action) -> n; action: created, updated, unchanged, skipped...
    skipped: list[str] = field(default_factory=list)  # one line each: what and why
    warnings: list[str] = field(default_factory=list)
    unknown_shortcodes: Counter = field(default_factory=Counter)
    missing_media: list[str] = field(default_factory=list)
    permalink_structure: str = ""
    time_zone: str = ""  # inferred from the items' local and GMT dates
    permalink_source: str = ""  # "--permalinks", "inferred from N of M links", "kept"
    stats: ParseStats = field(default_factory=ParseStats)
    reader_process_peak_mb: float | None = None  # when items were prepared in a second process
    rendered_ahead: int = 0  # new posts whose bodies that process rendered
    attachments_with_sizes: int = 0  # saved with the sizes of their _wp_attachment_metadata
    featured_images_linked: int = 0  # posts whose _thumbnail_id named an attachment of the export

    def add(self, kind: str, action: str, n: int = 1) -> None:
        self.counts[(kind, action)] += n

    def count(self, kind: str, action: str) -> int:
        return self.counts[(kind, action)]

    def skip(self, kind: str, what: str, reason: str) -> None:
        self.add(kind, "skipped")
        self.skipped.append(f"{kind} {what}: {reason}")

    def rows(self) -> list[tuple[str, int, int, int, int]]:
        """Return (kind, created, updated, unchanged, skipped) per kind, in a stable order."""
        kinds = sorted({kind for kind, _ in self.counts}, key=_order)
        actions = ("created", "updated", "unchanged", "skipped")
        return [(k, *(self.count(k, action) for action in actions)) for k in kinds]

    def linked(self, kind: str) -> int:
        return self.count(kind, "linked")


_KINDS = ["author", "category", "tag", "term", "post", "page", "attachment", "menu item", "other item", "comment", "old address"]


def _order(kind: str) -> int:
    return _KINDS.index(kind) if kind in _KINDS else len(_KINDS)
