"""Feed formats that also carry each item's full text.

Django's RSS 2.0 and Atom writers carry only a description/summary; WordPress
feeds also carry the whole post (``content:encoded`` in RSS, ``content`` in
Atom), which feed readers show. These subclasses add it.
"""

import io

from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed


class WrittenAtOnce:
    """The feed goes to the response in one piece.

    Django's writers hand a response each tag and run of text separately (about
    450 writes for a ten-item feed), and the response encodes and keeps each
    one. The bytes are the same: encoded as ``xml.sax.saxutils`` encodes them
    (characters the encoding lacks become character references).
    """

    def write(self, outfile, encoding):
        if isinstance(outfile, io.TextIOBase):
            return super().write(outfile, encoding)
        text = io.StringIO()
        super().write(text, encoding)
        outfile.write(text.getvalue().encode(encoding, "xmlcharrefreplace"))
        return None


class StableDateMixin:
    """An empty feed's date comes from its ``Feed`` (``empty_feed_date``), not from the clock.

    Django dates a feed with no dated items "now", so the same content gave
    different bytes at every render; the page store stores and compares them.
    """

    def latest_post_date(self):
        if not any(item.get("updateddate") or item.get("pubdate") for item in self.items):
            fallback = self.feed.get("empty_feed_date")
            fallback = fallback() if callable(fallback) else fallback
            if fallback:
                return fallback
        return super().latest_post_date()


class FullTextRssFeed(WrittenAtOnce, StableDateMixin, Rss201rev2Feed):
    def rss_attributes(self):
        attributes = super().rss_attributes()
        attributes["xmlns:content"] = "http://purl.org/rss/1.0/modules/content/"
        return attributes

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])


class FullTextAtomFeed(WrittenAtOnce, StableDateMixin, Atom1Feed):
    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})
