"""Compiled templates are kept on disk between processes, and never used for a changed template or environment."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.template import engines
from jinja2 import Environment, FileSystemLoader, pass_context

from broadsheet.theme.bytecode import TemplateCache, compile_fingerprint, use_template_cache


def _environment(folder, cache, **options):
    environment = Environment(loader=FileSystemLoader(str(folder)), autoescape=True, **options)
    use_template_cache(environment, cache)
    return environment


def _counting_compiles(environment):
    compiled = []
    original = environment.compile

    def compile(source, name=None, filename=None, *args, **kwargs):
        compiled.append(name)
        return original(source, name, filename, *args, **kwargs)

    environment.compile = compile
    return compiled


@pytest.fixture
def templates(tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "page.html").write_text("<p>{{ title }}</p>{% include 'part.html' %}")
    (folder / "part.html").write_text("<em>{{ title|upper }}</em>")
    return folder


def test_a_new_environment_loads_compiled_templates_instead_of_compiling(templates, tmp_path):
    cache = tmp_path / "cache"
    first = _environment(templates, cache)
    compiled_first = _counting_compiles(first)
    assert first.get_template("page.html").render(title="a<b") == "<p>a&lt;b</p><em>A&lt;B</em>"
    assert sorted(compiled_first) == ["page.html", "part.html"]
    second = _environment(templates, cache)  # another process, in effect: nothing in memory
    compiled_second = _counting_compiles(second)
    assert second.get_template("page.html").render(title="a<b") == "<p>a&lt;b</p><em>A&lt;B</em>"
    assert compiled_second == []


def test_an_edited_template_is_compiled_again(templates, tmp_path):
    cache = tmp_path / "cache"
    _environment(templates, cache).get_template("page.html").render(title="x")
    (templates / "part.html").write_text("<strong>{{ title }}</strong>")
    again = _environment(templates, cache)
    compiled = _counting_compiles(again)
    assert again.get_template("page.html").render(title="x") == "<p>x</p><strong>x</strong>"
    assert compiled == ["part.html"]


def test_environments_that_compile_differently_do_not_share_compiled_code(templates, tmp_path):
    @pass_context
    def shout(context, value):
        return f"{value}!"

    def plain(value):
        return f"{value}?"

    cache = tmp_path / "cache"
    one = _environment(templates, cache)
    one.filters["mark"] = plain
    trimmed = _environment(templates, cache, trim_blocks=True)
    escaped_off = Environment(loader=FileSystemLoader(str(templates)), autoescape=False)
    with_context = _environment(templates, cache)
    with_context.filters["mark"] = shout
    fingerprints = {compile_fingerprint(env) for env in (one, trimmed, escaped_off, with_context)}
    assert len(fingerprints) == 4
    # (a filter that takes the context is called with it: compiled code for ``plain`` would pass too few arguments)
    (templates / "marked.html").write_text("{{ title|mark }}")
    use_template_cache(one, cache)  # the fingerprint now covers the "mark" filter
    assert one.get_template("marked.html").render(title="a") == "a?"
    use_template_cache(with_context, cache)
    assert with_context.get_template("marked.html").render(title="a") == "a!"


def test_a_damaged_or_unwritable_cache_only_means_compiling(templates, tmp_path):
    cache = tmp_path / "cache"
    first = _environment(templates, cache)
    first.get_template("page.html").render(title="t")
    compiled_files = [path for path in cache.rglob("*") if path.is_file()]
    assert len(compiled_files) == 2
    for path in compiled_files:
        path.write_bytes(path.read_bytes()[:20])  # cut short
    damaged = _environment(templates, cache)
    assert damaged.get_template("page.html").render(title="t") == "<p>t</p><em>T</em>"
    if os.geteuid() != 0:  # (root writes anywhere)
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        environment = _environment(templates, locked)
        assert environment.get_template("page.html").render(title="t") == "<p>t</p><em>T</em>"
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    environment = _environment(templates, blocked)
    assert environment.bytecode_cache is None
    assert environment.get_template("page.html").render(title="t") == "<p>t</p><em>T</em>"
    unwritable = TemplateCache(str(tmp_path / "missing-folder"))  # dump_bytecode cannot write: ignored
    environment = Environment(loader=FileSystemLoader(str(templates)), bytecode_cache=unwritable)
    assert environment.get_template("page.html").render(title="t") == "<p>t</p><em>T</em>"


def test_the_sites_templates_are_compiled_once_for_every_process(tmp_path):
    environment = engines["jinja2"].env
    assert isinstance(environment.bytecode_cache, TemplateCache)
    assert environment.bytecode_cache.directory.startswith(str(settings.TEMPLATE_CACHE_DIR))
    # A second process with the same home finds the first one's compiled templates.
    home = tmp_path / "home"
    script = (
        "import django; django.setup(); from django.template import engines; env = engines['jinja2'].env; "
        "compiled = []; original = env.compile; "
        "env.compile = lambda *a, **k: compiled.append(a[1]) or original(*a, **k); "
        "env.get_template('content/post.html'); print(len(compiled))"
    )
    environment_variables = {**os.environ, "BROADSHEET_HOME": str(home), "DJANGO_SETTINGS_MODULE": "broadsheet.conf.settings"}
    environment_variables.pop("DATABASE_URL", None)
    counts = [
        int(subprocess.run([sys.executable, "-c", script], env=environment_variables, capture_output=True, text=True,
                           check=True, timeout=120).stdout.strip())  # fmt: skip
        for _run in range(2)
    ]
    assert counts[0] >= 1 and counts[1] == 0
    assert list((home / "cache").glob("templates-*/__jinja2_*.cache"))


def test_undefined_and_policies_are_part_of_the_fingerprint(templates, tmp_path):
    # Jinja2 folds constant expressions while compiling: a missing attribute of a literal becomes the
    # environment's ``undefined`` printed (DebugUndefined when DEBUG is on: Django's default), and filters
    # such as ``truncate`` and ``tojson`` read ``environment.policies``. The compiled code holds the result.
    from jinja2 import DebugUndefined
    from jinja2.sandbox import SandboxedEnvironment

    (templates / "folded.html").write_text("[{{ {}.missing }}][{{ 'a b c d e f'|truncate(9) }}]")
    cache = tmp_path / "cache"
    # (the default leeway keeps a string 5 characters longer than asked)
    assert _environment(templates, cache).get_template("folded.html").render() == "[][a b c d e f]"
    debugging = _environment(templates, cache, undefined=DebugUndefined)
    shown = "[{{ no such element: dict object[&#39;missing&#39;] }}][a b c d e f]"
    assert debugging.get_template("folded.html").render() == shown
    strict_truncation = Environment(loader=FileSystemLoader(str(templates)), autoescape=True)
    strict_truncation.policies["truncate.leeway"] = 0
    use_template_cache(strict_truncation, cache)
    assert strict_truncation.get_template("folded.html").render() == "[][a b c...]"
    sandboxed = SandboxedEnvironment(loader=FileSystemLoader(str(templates)), autoescape=True)
    assert compile_fingerprint(sandboxed) != compile_fingerprint(_environment(templates, cache))
