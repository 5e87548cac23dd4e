import xml.etree.ElementTree as ET

import pytest
from django.conf import settings

from tests import factories

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def site(db):
    factories.site()
    politics = factories.category("Politics")
    budget = factories.tag("Budget")
    first = factories.post("First", "2010-07-28 09:00", categories=[politics], tags=[budget])
    factories.post("Second", "2010-06-02 09:00")
    factories.post("Draft", "2010-05-02 09:00", status="draft", categories=[factories.category("Empty")])
    factories.post("Protected", "2010-05-03 09:00", password="x")
    about = factories.page("About")
    factories.page("Team", parent=about)
    return first


def test_sitemap_lists_public_urls_with_lastmod(site, client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    urls = {url.find("s:loc", NS).text: url.find("s:lastmod", NS) for url in root.findall("s:url", NS)}
    base = settings.SITE_URL
    expected = {
        base + site.get_absolute_url(),
        base + "/2010/06/02/second/",
        base + "/about/",
        base + "/about/team/",
        base + "/2010/07/",
        base + "/2010/06/",
        base + "/category/politics/",
        base + "/tag/budget/",
    }
    assert set(urls) == expected
    assert all(lastmod is not None and lastmod.text[:4].isdigit() for lastmod in urls.values())


def test_robots_txt_points_to_the_sitemap(site, client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in response.content.decode()


def test_the_urlset_is_written_as_djangos_template_writes_it(db, settings):
    """``urlset_xml`` (the sitemap's writer) gives the bytes of Django's ``sitemap.xml`` template for the same URLs."""
    import datetime
    import zoneinfo

    from django.template import loader
    from django.utils import timezone

    from broadsheet.feeds.sitemaps import urlset_xml

    settings.USE_TZ = True
    zone = zoneinfo.ZoneInfo("Pacific/Auckland")
    urls = [
        {"location": "https://example.org/", "lastmod": None, "changefreq": None, "priority": "", "alternates": []},
        {"location": "https://example.org/2010/07/28/ça-va/?a=1&b=<2>\"'", "priority": "0.5", "changefreq": "daily",
         "lastmod": datetime.datetime(2010, 7, 28, 13, 30, tzinfo=datetime.timezone.utc), "alternates": []},
        {"location": "https://example.org/about/", "lastmod": datetime.date(2009, 1, 2), "changefreq": None,
         "priority": "", "alternates": [{"lang_code": "fr", "location": "https://example.org/fr/à-propos/"}]},
        {"location": "https://example.org/0001/", "lastmod": datetime.datetime(1, 1, 1, 12), "changefreq": None,
         "priority": "", "alternates": []},
    ]  # fmt: skip
    for zone_name in (zone, datetime.timezone.utc):
        with timezone.override(zone_name):
            expected = loader.get_template("sitemap.xml", using="django").render({"urlset": urls})
            assert urlset_xml(urls) == expected
    with timezone.override(zone):  # 13:30 UTC is the next day in Auckland
        assert "<lastmod>2010-07-29</lastmod>" in urlset_xml(urls)
    assert urlset_xml([]) == loader.get_template("sitemap.xml", using="django").render({"urlset": []})
