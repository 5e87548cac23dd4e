"""Feed formats that also carry each item's full text.

Django's RSS 2.0 and Atom writers carry only a description/summary; WordPress
feeds also carry the whole post (``content:encoded`` in RSS, ``content`` in
Atom), which feed readers show. These subclasses add it.
"""

from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed


class FullTextRssFeed(Rss201rev2Feed):
    def rss_attributes(self):
        attributes = super().rss_attributes()
        attributes["xmlns:content"] = "http://purl.org/rss/1.0/modules/content/"
        return attributes

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])


class FullTextAtomFeed(Atom1Feed):
    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})
