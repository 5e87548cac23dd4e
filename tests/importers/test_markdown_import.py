"""Importing a folder of Markdown posts (Jekyll, Hugo, Pelican): parsing, loading, the command and the CLI."""

import datetime
import shutil
import zoneinfo
from io import StringIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.core.management import CommandError, call_command

from broadsheet.cli import main
from broadsheet.content.models import Author, Category, Post, PostAuthor, SiteSettings, Tag
from broadsheet.importers.markdown.frontmatter import InvalidFrontMatterError, read_markdown
from broadsheet.importers.markdown.load import import_markdown
from broadsheet.importers.models import ImportedSource
from tests import factories

BLOG = Path(__file__).parent / "fixtures" / "markdown" / "blog"
UTC = zoneinfo.ZoneInfo("UTC")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")

JEKYLL = "_posts/2010-07-28-why-councils-stopped-building-homes.md"
HUGO = "hugo/notes-on-a-budget-week.md"
TOML = "hugo/toml-bundle/index.md"
PELICAN = "pelican/treaty.md"

BAD_YAML = """---
title: Broken
date: 2010-07-01
tags: [one, two
---
Body.
"""

BAD_DATE = """---
title: Bad date
author: Alice Archer
date: the 31st of Julember
---
Body.
"""


@pytest.fixture
def blog(tmp_path):
    """A copy of the fixture blog that tests may change."""
    folder = tmp_path / "blog"
    shutil.copytree(BLOG, folder)
    return folder


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _post(key: str) -> Post:
    return ImportedSource.objects.get(importer="markdown", key=key).post


def _snapshot() -> dict:
    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (Post, PostAuthor, Author, Category, Tag, ImportedSource, SiteSettings)
    }


# Parsing one file (no database).


def _read(tmp_path, text, name="post.md", zone=UTC):
    path = _write(tmp_path, name, text)
    return read_markdown(path, key=name, zone=zone)


@pytest.mark.parametrize(
    "written,expected",
    [
        ("2010-07-28", datetime.datetime(2010, 7, 28, 0, 0, tzinfo=BERLIN)),
        ("2010-07-28 09:15", datetime.datetime(2010, 7, 28, 9, 15, tzinfo=BERLIN)),
        ("'2010-07-28 09:15:00'", datetime.datetime(2010, 7, 28, 9, 15, tzinfo=BERLIN)),
        ("2010-07-28T09:15:00+02:00", datetime.datetime(2010, 7, 28, 7, 15, tzinfo=UTC)),
        ("2010-07-28 09:15:00 +0100", datetime.datetime(2010, 7, 28, 8, 15, tzinfo=UTC)),
        ("2010-07-28T09:15:00Z", datetime.datetime(2010, 7, 28, 9, 15, tzinfo=UTC)),
        ("28 July 2010", datetime.datetime(2010, 7, 28, 0, 0, tzinfo=BERLIN)),
    ],
)
def test_date_formats(tmp_path, written, expected):
    source = _read(tmp_path, f"---\ntitle: T\ndate: {written}\n---\nBody.\n", zone=BERLIN)
    assert source.published_at == expected


def test_jekyll_name_gives_date_and_slug(tmp_path):
    source = _read(tmp_path, "---\ntitle: Something else\n---\nBody.\n", name="_posts/2010-07-28-the-slug.md")
    assert source.slug == "the-slug"
    assert source.published_at == datetime.datetime(2010, 7, 28, tzinfo=UTC)


def test_slug_from_title_when_not_given(tmp_path):
    assert _read(tmp_path, "---\ntitle: Plain name\n---\nBody.\n").slug == ""


def test_pelican_headers_end_at_the_first_blank_line(tmp_path):
    source = _read(tmp_path, "Title: Hello\nAuthor: Ann Example\nTags: a, b\n\nNote: this is body text.\n")
    assert source.title == "Hello"
    assert source.authors == ("Ann Example",)
    assert source.tags == ("a", "b")
    assert source.body == "Note: this is body text."


@pytest.mark.parametrize(
    "header,status",
    [("draft: true", "draft"), ("draft: false", "publish"), ("status: draft", "draft"),
     ("status: published", "publish"), ("status: hidden", "private"), ("", "publish")],
)  # fmt: skip
def test_status(tmp_path, header, status):
    assert _read(tmp_path, f"---\ntitle: T\ndate: 2010-07-01\n{header}\n---\nBody.\n").status == status


def test_bad_yaml_names_the_line_of_the_mistake(tmp_path):
    with pytest.raises(InvalidFrontMatterError) as caught:
        _read(tmp_path, BAD_YAML)
    [problem] = caught.value.problems
    assert problem.path.endswith("post.md")
    assert problem.line in (4, 5)  # the unclosed list, or where YAML noticed it
    assert "invalid YAML" in problem.reason


def test_every_problem_of_a_file_is_listed(tmp_path):
    with pytest.raises(InvalidFrontMatterError) as caught:
        _read(tmp_path, "---\nauthor: Nobody\ndate: soon\nupdated: later\n---\nBody.\n")
    assert [str(problem).split("/")[-1] for problem in caught.value.problems] == [
        "post.md:1: missing title",
        "post.md:3: date: cannot parse 'soon' as a date",
        "post.md:4: updated: cannot parse 'later' as a date",
    ]


@pytest.mark.parametrize(
    "text", ['+++\ntitle = "T"\ndate = \nslug = "s"\n+++\nBody.\n', '+++\ntitle = "T"\ndate = \n+++\n']
)
def test_bad_toml_names_the_line(tmp_path, text):
    with pytest.raises(InvalidFrontMatterError) as caught:
        _read(tmp_path, text)
    assert str(caught.value).endswith("post.md:3: invalid TOML: Invalid value")


# Loading a folder.


@pytest.mark.django_db
def test_imports_every_markdown_file_and_skips_the_rest():
    report = import_markdown(BLOG)
    assert (report.created, report.updated, report.unchanged) == (4, 0, 0)
    assert sorted(item.key for item in report.files) == sorted([JEKYLL, HUGO, TOML, PELICAN])
    assert Post.objects.count() == 4
    assert all(post.body_format == "markdown" for post in Post.objects.all())


@pytest.mark.django_db
def test_jekyll_post_takes_date_and_slug_from_its_file_name():
    import_markdown(BLOG)
    post = _post(JEKYLL)
    assert post.title == "Why councils stopped building homes"
    assert post.slug == "why-councils-stopped-building-homes"
    assert post.published_at == datetime.datetime(2010, 7, 28, tzinfo=UTC)
    assert post.status == "publish"
    assert post.excerpt == "Forty years of right-to-buy, in one essay."
    assert sorted(tag.name for tag in post.tags.all()) == ["councils", "homes"]
    assert sorted(category.path for category in post.categories.all()) == ["housing", "politics/local"]
    assert Category.objects.get(path="politics/local").parent.name == "Politics"


@pytest.mark.django_db
def test_hugo_draft_is_imported_as_a_draft():
    import_markdown(BLOG)
    post = _post(HUGO)
    assert post.status == "draft"
    assert post.published_at == datetime.datetime(2010, 7, 9, 5, 30, tzinfo=UTC)
    assert post.modified_at == datetime.datetime(2010, 7, 10, 6, 0, tzinfo=UTC)
    assert post.excerpt == "Not finished yet."
    assert [category.name for category in post.categories.all()] == ["Economy"]


@pytest.mark.django_db
def test_hugo_toml_front_matter():
    import_markdown(BLOG)
    post = _post(TOML)
    assert post.title == "A TOML page bundle"
    assert post.slug == "a-toml-page-bundle"
    assert post.byline == "Cara Cole"
    assert post.published_at == datetime.datetime(2010, 6, 30, 12, tzinfo=UTC)


@pytest.mark.django_db
def test_pelican_headers_with_comma_separated_authors_and_tags():
    import_markdown(BLOG)
    post = _post(PELICAN)
    assert post.title == "A treaty nobody reads"
    assert post.slug == "a-treaty-nobody-reads"
    assert post.byline == "Cara Cole and Alice Archer"
    assert sorted(tag.name for tag in post.tags.all()) == ["europe", "law", "treaties"]
    assert [category.name for category in post.categories.all()] == ["Foreign"]
    assert post.excerpt == "Why the Lisbon text matters anyway."
    assert post.published_at == datetime.datetime(2010, 7, 21, 18, 40, tzinfo=UTC)
    assert post.modified_at == datetime.datetime(2010, 7, 22, 10, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_authors_keep_their_order_and_are_shared_between_posts():
    import_markdown(BLOG)
    assert _post(JEKYLL).byline == "Alice Archer and Bob Brook"
    assert _post(PELICAN).byline == "Cara Cole and Alice Archer"
    assert Author.objects.filter(slug="alice-archer").count() == 1


@pytest.mark.django_db
def test_existing_author_is_matched_by_slug():
    alice = factories.author("Alice Archer", bio="Housing correspondent.")
    import_markdown(BLOG)
    assert _post(JEKYLL).ordered_authors[0] == alice


@pytest.mark.django_db
def test_fold_is_kept_and_the_month_archive_shows_continue_reading(client):
    import_markdown(BLOG)
    post = _post(JEKYLL)
    assert "<!--more-->" in post.body
    assert post.has_fold is True
    response = client.get("/2010/07/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "First part of the essay." in html
    assert "The rest, only on the post" not in html
    assert f"#more-{post.pk}" in html
    assert "Continue reading" in html
    assert "Read the rest of our argument" in html  # Pelican post's custom fold text


@pytest.mark.django_db
def test_naive_dates_are_in_the_site_time_zone(client, tmp_path):
    factories.site(time_zone="Europe/Berlin")
    _write(tmp_path, "late.md", "---\ntitle: Late on the last of July\ndate: 2010-07-31 23:30\n---\nBody.\n")
    import_markdown(tmp_path)
    post = _post("late.md")
    assert post.published_at == datetime.datetime(2010, 7, 31, 21, 30, tzinfo=UTC)
    assert "Late on the last of July" in client.get("/2010/07/").content.decode()
    assert client.get("/2010/08/").status_code == 404


@pytest.mark.django_db
def test_reimport_updates_in_place(blog):
    import_markdown(blog)
    post = _post(JEKYLL)
    path = blog / JEKYLL
    path.write_text(path.read_text().replace("Why councils stopped building homes", "Councils and homes"))
    report = import_markdown(blog)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 3)
    assert Post.objects.count() == 4
    post.refresh_from_db()
    assert post.title == "Councils and homes"
    assert post.slug == "why-councils-stopped-building-homes"
    assert post.byline == "Alice Archer and Bob Brook"


@pytest.mark.django_db
def test_reimport_keeps_a_title_slug_when_the_title_changes(blog):
    import_markdown(blog)
    path = blog / HUGO
    path.write_text(path.read_text().replace("title: Notes on a budget week", "title: Budget week notes"))
    import_markdown(blog)
    post = _post(HUGO)
    assert (post.title, post.slug) == ("Budget week notes", "notes-on-a-budget-week")


@pytest.mark.django_db
def test_reimport_of_unchanged_files_changes_nothing():
    import_markdown(BLOG)
    before = {post.pk: post.modified_at for post in Post.objects.all()}
    report = import_markdown(BLOG)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)
    assert {post.pk: post.modified_at for post in Post.objects.all()} == before


@pytest.mark.django_db
def test_dry_run_counts_and_writes_nothing(blog):
    before = _snapshot()
    report = import_markdown(blog, dry_run=True)
    assert report.dry_run is True
    assert (report.created, report.updated, report.unchanged) == (4, 0, 0)
    assert _snapshot() == before

    import_markdown(blog)
    path = blog / PELICAN
    path.write_text(path.read_text().replace("Opening.", "A new opening."))
    before = _snapshot()
    report = import_markdown(blog, dry_run=True)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 3)
    assert _snapshot() == before
    assert "A new opening." not in _post(PELICAN).body


@pytest.mark.django_db
@pytest.mark.parametrize("bad_name", ["aaa-first.md", "zzz-last.md"])
def test_bad_yaml_fails_with_file_and_line_and_changes_nothing(blog, bad_name):
    _write(blog, bad_name, BAD_YAML)
    before = _snapshot()
    with pytest.raises(InvalidFrontMatterError) as caught:
        import_markdown(blog)
    message = str(caught.value)
    assert f"{blog / bad_name}:" in message
    [problem] = caught.value.problems
    assert problem.line in (4, 5)
    assert _snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("bad_name", ["aaa-first.md", "zzz-last.md"])
def test_bad_date_fails_with_file_line_and_value_and_changes_nothing(blog, bad_name):
    _write(blog, bad_name, BAD_DATE)
    before = _snapshot()
    with pytest.raises(InvalidFrontMatterError) as caught:
        import_markdown(blog)
    assert str(caught.value) == f"{blog / bad_name}:4: date: cannot parse 'the 31st of Julember' as a date"
    assert _snapshot() == before


@pytest.mark.django_db
def test_every_bad_file_is_listed_and_a_reimport_is_left_alone(blog):
    import_markdown(blog)
    before = _snapshot()
    titles = sorted(Post.objects.values_list("title", flat=True))
    path = blog / JEKYLL
    path.write_text(path.read_text().replace("Why councils", "Whether councils"))
    _write(blog, "bad/yaml.md", BAD_YAML)
    _write(blog, "bad/date.md", BAD_DATE)
    _write(blog, "bad/untitled.md", "Author: Nobody\n\nNo title here.\n")
    with pytest.raises(InvalidFrontMatterError) as caught:
        import_markdown(blog)
    lines = str(caught.value).splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(f"{blog / 'bad/date.md'}:4: ")
    assert lines[1] == f"{blog / 'bad/untitled.md'}:1: missing title"
    assert lines[2].startswith(f"{blog / 'bad/yaml.md'}:")
    assert _snapshot() == before
    assert sorted(Post.objects.values_list("title", flat=True)) == titles


# The management command and the CLI.


@pytest.mark.django_db
def test_command_prints_a_summary(blog):
    out = StringIO()
    call_command("import_markdown", str(blog), stdout=out)
    output = out.getvalue()
    assert "Created 4, updated 0, unchanged 0." in output
    assert PELICAN in output and "A treaty nobody reads" in output
    assert Post.objects.count() == 4


@pytest.mark.django_db
def test_command_dry_run(blog):
    out = StringIO()
    call_command("import_markdown", str(blog), dry_run=True, stdout=out)
    assert "would create 4, update 0, leave 0 unchanged" in out.getvalue()
    assert Post.objects.count() == 0


@pytest.mark.django_db
def test_command_fails_with_path_line_and_reason(blog):
    _write(blog, "zzz.md", BAD_DATE)
    with pytest.raises(CommandError) as caught:
        call_command("import_markdown", str(blog), stdout=StringIO())
    assert f"{blog / 'zzz.md'}:4: date: cannot parse" in str(caught.value)
    assert Post.objects.count() == 0


@pytest.mark.django_db
def test_command_refuses_a_missing_folder(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_markdown", str(tmp_path / "nowhere"), stdout=StringIO())


@pytest.mark.django_db
def test_cli_imports_a_folder(blog):
    result = CliRunner().invoke(main, ["import", "markdown", str(blog)])
    assert result.exit_code == 0, result.output
    assert "Created 4, updated 0, unchanged 0." in result.output
    assert Post.objects.count() == 4


@pytest.mark.django_db
def test_cli_dry_run(blog):
    result = CliRunner().invoke(main, ["import", "markdown", "--dry-run", str(blog)])
    assert result.exit_code == 0, result.output
    assert Post.objects.count() == 0


@pytest.mark.django_db
def test_cli_fails_with_path_line_and_reason(blog):
    _write(blog, "zzz.md", BAD_DATE)
    result = CliRunner().invoke(main, ["import", "markdown", str(blog)])
    assert result.exit_code != 0
    assert f"{blog / 'zzz.md'}:4: date: cannot parse 'the 31st of Julember' as a date" in result.output
    assert Post.objects.count() == 0


def test_a_large_folder_is_imported_as_one_batch(db, tmp_path):
    """Past BULK_LIMIT posts the site's content version is bumped once, and each author, category and tag is
    looked up once for the whole folder (not once per post), however many posts name it."""
    from broadsheet.publishing.changes import BULK_LIMIT

    factories.site()
    count = BULK_LIMIT + 10
    for number in range(count):
        (tmp_path / f"post-{number:03d}.md").write_text(
            f"---\ntitle: Post {number}\ndate: 2010-07-{number % 28 + 1:02d} 09:00\nauthor: Alice Archer\n"
            f"categories: [Economy/Budgets]\ntags: [rail, housing]\n---\nText {number}.\n"
        )
    version = SiteSettings.load().content_version
    report = import_markdown(tmp_path)
    assert report.created == count
    assert SiteSettings.load().content_version == version + 1
    assert Author.objects.count() == 1 and Tag.objects.count() == 2
    assert list(Category.objects.values_list("path", flat=True)) == ["economy", "economy/budgets"]
    assert all(post.byline == "Alice Archer" for post in Post.objects.all())
    assert {tag.slug for tag in Post.objects.get(slug="post-7").tags.all()} == {"rail", "housing"}
