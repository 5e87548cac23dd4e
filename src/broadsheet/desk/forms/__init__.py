"""The desk's forms: the editor (``entries.py``), list filters (``filters.py``), site settings (``site.py``)."""
