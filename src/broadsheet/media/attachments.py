"""Media items as the renderer sees them (``[gallery ids="…"]``, ``[playlist]``)."""

from __future__ import annotations

from broadsheet.content.rendering.shortcodes import Attachment
from broadsheet.media.models import MediaItem


def resolve_attachment(attachment_id: int) -> Attachment | None:
    """Return the attachment a WordPress ID names (imported items keep their WordPress IDs)."""
    media = MediaItem.objects.filter(pk=attachment_id).first()
    if media is None:
        from broadsheet.importers.wordpress.models import WordPressItem

        link = WordPressItem.objects.filter(wp_id=attachment_id).exclude(media=None).select_related("media").first()
        media = link.media if link else None
    if media is None or not media.url:
        return None
    return Attachment(
        url=media.url, title=media.title, caption=media.caption, alt=media.alt_text, width=media.width, height=media.height
    )
