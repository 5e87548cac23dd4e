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
