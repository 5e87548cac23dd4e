"""The desk's views: thin, each checking with ``broadsheet.accounts.capabilities`` before it does anything.

``dashboard.py`` (/desk/), ``lists.py`` (posts and pages), ``editor.py`` (new, edit, delete, and the
editor's helpers: live preview, autosave, slugs, tags), ``revisions.py``, ``previews.py`` (private
preview links, open without signing in) and ``site.py`` (site settings).
"""
