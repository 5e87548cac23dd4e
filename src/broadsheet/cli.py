"""The ``broadsheet`` command: a click group whose commands wrap Django management commands.

Every command works on a fresh ``BROADSHEET_HOME``: the database is created
and migrated first. ``serve`` is the one composite command.
"""

from __future__ import annotations

import os
import sys

import click

from broadsheet import __version__

# True when ``main`` is this process's program (``run``), not called from other code (tests, scripts).
_OWN_PROCESS = False


def _setup_django(migrate: bool = True) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.conf.settings")
    import django
    from django.core.management import call_command

    django.setup()
    if migrate and not _migrations_applied():
        call_command("migrate", interactive=False, verbosity=0)


def _migrations_applied() -> bool:
    """Whether the database has every migration on disk recorded as applied (then ``migrate`` has nothing to do).

    One query and a listing of each app's migrations folder, where ``migrate``
    imports every migration and builds the project state (a quarter of a
    second, most of what a small command costs). Any doubt answers False.
    """
    import importlib.util
    import pkgutil

    from django.apps import apps
    from django.db import DatabaseError, connection
    from django.db.migrations.loader import MigrationLoader

    on_disk = set()
    for config in apps.get_app_configs():
        module_name, _explicit = MigrationLoader.migrations_module(config.label)
        if module_name is None:
            continue
        try:
            spec = importlib.util.find_spec(module_name)
        except ImportError:
            continue
        if spec is None or not spec.submodule_search_locations:
            continue
        on_disk.update(
            (config.label, name)
            for _finder, name, is_package in pkgutil.iter_modules(spec.submodule_search_locations)
            if not is_package and name[0] not in "_~"
        )  # fmt: skip
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = set(cursor.fetchall())
    except DatabaseError:
        return False
    return bool(on_disk) and on_disk <= applied


def _call(name: str, *args, **options) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    try:
        call_command(name, *args, **options)
    except CommandError as error:
        raise click.ClickException(str(error)) from error


def run() -> None:
    """The ``broadsheet`` program (the console script and ``python -m broadsheet``)."""
    global _OWN_PROCESS
    _OWN_PROCESS = True
    main()


def _end_process_now() -> None:
    """End the process at once after a command that leaves a large heap (a whole-site build).

    Tearing the interpreter down frees every object one by one: a fifth of a
    second after a 1,000-post build, for nothing. Output is flushed and database
    connections are closed first; only the program does this, never ``main``
    called from other code.
    """
    if not _OWN_PROCESS:
        return
    from django.db import connections

    connections.close_all()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # (a reader that went away, a closed stream: nothing more to say)
            pass
    os._exit(0)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="broadsheet")
def main():
    """Broadsheet: a self-hosted blog publishing engine.

    Configuration comes from environment variables (see `broadsheet config`).
    """


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", default=0, type=click.IntRange(0, 64), help="Worker processes (default: one per core).")
@click.option("--no-sample", is_flag=True, help="Do not create the sample content on a new site.")
def serve(host, port, workers, no_sample):
    """Migrate, create the sample site on first run, render the page store, and serve it with granian."""
    shown_host = f"[{host}]" if ":" in host else host
    # Absolute links (canonical, feeds, sitemap) follow the address served, unless configured.
    os.environ.setdefault("BROADSHEET_SITE_URL", f"http://{shown_host}:{port}")
    _setup_django()
    from django.conf import settings

    from broadsheet.content.sample import create_sample_site, site_is_empty

    if not no_sample and site_is_empty():
        count = create_sample_site()
        click.echo(f"Created the sample site ({count} posts).")
    _call("collectstatic", interactive=False, verbosity=0)
    from broadsheet.content.maintenance import analyze_database

    analyze_database()
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    workers = workers or os.cpu_count() or 1
    _refresh_store_if_needed()
    click.echo(f"Broadsheet is serving {settings.HOME} at http://{shown_host}:{port}/  (Ctrl+C stops it)")
    sys.stdout.flush()
    arguments = [
        sys.executable, "-m", "granian",
        "--interface", "wsgi",
        "--host", host,
        "--port", str(port),
        "--workers", str(workers),
        # A worker that does not stop within 10 s of Ctrl+C or SIGTERM is killed (granian waits forever by
        # default: a stop that hangs keeps the port and the service manager waiting).
        "--workers-kill-timeout", "10",
        "--blocking-threads", "1",
        "--no-ws",
        "--log-level", "warning",
        "--static-path-route", "/static",
        "--static-path-mount", str(settings.STATIC_ROOT),
        # /media/ is not mounted here: uploads go through broadsheet.media.serving (safe types and headers).
        "broadsheet.conf.wsgi:application",
    ]  # fmt: skip
    os.execv(sys.executable, arguments)


def _refresh_store_if_stale() -> None:
    """After a bulk import: render the page store again if the import marked it stale."""
    from broadsheet.publishing.publish import get_store, is_stale

    store = get_store()
    if store is not None and store.exists() and is_stale(store):
        click.echo("Rendering the page store again after the import...")
        _call("build_site", store=True)


def _refresh_store_if_needed() -> None:
    """Render the page store when it is new, stale after a bulk change, or rendered by other templates."""
    from broadsheet.publishing.publish import get_store, store_needs_refresh

    store = get_store()
    if store is None:
        return
    reason = store_needs_refresh(store)
    if reason:
        click.echo(f"Rendering the page store ({reason})...")
        _call("build_site", store=True)


@main.command()
@click.option("-o", "--output", default="site", show_default=True, type=click.Path(file_okay=False),
              help="Folder to write the static site to (replaced as a whole at the end).")  # fmt: skip
@click.option("--base-url", default="", help="Public address of the static site (default: BROADSHEET_SITE_URL).")
@click.option("--workers", default=0, type=click.IntRange(0, 64), help="Worker processes (default: one per core).")
@click.option("--check", is_flag=True, help="Compare a fresh build with the page store; exit 1 on any difference.")
@click.option("--store", is_flag=True, help="Render the whole page store again instead of a static site.")
def build(output, base_url, workers, check, store):
    """Render the whole public site into a folder any static host can serve (or into the page store)."""
    _setup_django()
    _call("build_site", output=output, base_url=base_url, workers=workers, check=check, store=store)
    if not (check or store):
        _end_process_now()


@main.group(name="import")
def import_group():
    """Import content from other systems."""


@import_group.command(name="markdown")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, dir_okay=True))
@click.option("--dry-run", is_flag=True, help="Report what would change and change nothing.")
def import_markdown(directory, dry_run):
    """Import a folder of Markdown posts with front matter (Jekyll, Hugo, Pelican)."""
    _setup_django()
    _call("import_markdown", directory, dry_run=dry_run)
    _refresh_store_if_stale()


@import_group.command(name="wordpress")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--media-dir", type=click.Path(exists=True, file_okay=False), help="A copy of wp-content/uploads.")
@click.option("--permalinks", help="The old site's permalink structure (default: inferred from the links).")
@click.option("--dry-run", is_flag=True, help="Report what would happen and change nothing.")
@click.option(
    "--reader-process/--no-reader-process",
    default=None,
    help="Read the export in a second process (default: large exports, 2+ cores).",
)
def import_wordpress(path, media_dir, permalinks, dry_run, reader_process):
    """Import a WordPress export (WXR) losslessly; re-running updates in place."""
    _setup_django()
    options = {"media_dir": media_dir, "permalinks": permalinks, "dry_run": dry_run, "reader_process": reader_process}
    _call("import_wordpress", path, **options)
    _refresh_store_if_stale()


@main.group()
def urls():
    """Check that old addresses keep answering."""


@urls.command(name="check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--broken-only", is_flag=True, help="List only the broken URLs.")
def urls_check(path, broken_only):
    """List every URL a WordPress export implies and what it answers now (exit 1 if any is broken)."""
    _setup_django()
    _call("check_urls", path, broken_only=broken_only)


@main.group(name="export")
def export_group():
    """Export the site for other systems."""


@export_group.command(name="wordpress")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="The file to write (default: standard output)."
)
def export_wordpress(output):
    """Write the whole site as a WordPress export (WXR 1.2) that WordPress's importer accepts."""
    _setup_django()
    _call("export_wordpress", output=output)


@main.group()
def deploy():
    """Write configuration for a production deployment."""


@deploy.command(name="nginx")
@click.option("--server-name", default="example.org", show_default=True, help="nginx's server_name.")
@click.option("--listen", default="80", show_default=True, help="nginx's listen (a port, or address:port).")
@click.option("--app", multiple=True, help="Address of an app server (`broadsheet serve`); repeat for several.")
@click.option("--example", is_flag=True, help="Use example paths under /srv/broadsheet-data instead of this site's.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="The file to write (default: standard output).")
def deploy_nginx(server_name, listen, app, example, output):
    """Print nginx's configuration: the page store, media and static files served by nginx, the rest proxied."""
    _setup_django(migrate=False)
    from broadsheet.deploy.nginx import NginxOptions, render_nginx_config

    options = NginxOptions(server_name=server_name, listen=listen, app=list(app) or ["127.0.0.1:8000"], example=example)
    try:
        text = render_nginx_config(options)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        click.echo(text, nl=False)


@main.command()
@click.argument("username")
@click.option("--email", default="", help="The user's email address.")
@click.option(
    "--role",
    type=click.Choice(["administrator", "editor", "author", "contributor"]),
    default="author",
    show_default=True,
)
@click.option("--display-name", default="", help="The name shown on the site (never the login).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
def createuser(username, email, role, display_name, password_stdin):
    """Create a user with a role; asks for the password twice at a terminal, else reads it from standard input."""
    _setup_django()
    _call("create_user", username, email=email, role=role, display_name=display_name, password_stdin=password_stdin)


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args):
    """Run any Django management command: broadsheet manage ARGS..."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "broadsheet.conf.settings")
    from django.core.management import execute_from_command_line

    _setup_django(migrate=not args or args[0] not in ("migrate", "makemigrations", "sqlmigrate", "showmigrations"))
    execute_from_command_line(["broadsheet manage", *args])


@main.command()
def config():
    """Show the configuration: each environment variable, its value and what it does."""
    from broadsheet.conf.config import CONFIG, get

    for setting in CONFIG:
        value = get(setting.name)
        if setting.name == "secret_key" and value:
            value = "(set)"
        click.echo(f"{setting.env_var}={value}")
        click.echo(f"    {setting.help}")
