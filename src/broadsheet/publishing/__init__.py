"""Publishing: every public page rendered when its content changes, stored as a file, served from there.

* ``store.py``: the page store (one file per URL, written atomically, a manifest);
* ``render.py``: URL -> bytes through Django's own views, with an anonymous request;
* ``footprints.py`` and ``dependencies.py``: which URLs a change touches;
* ``changes.py``: model signals -> footprints before the change -> a render after the commit;
* ``publish.py``: applying a change, scheduled posts, full refreshes;
* ``catalogue.py`` and ``build.py``: every URL of the site; whole builds (store, static site, check);
* ``serve.py``: the WSGI layer that answers anonymous GETs from the store before Django;
* ``locks.py``: the render lock.
"""
