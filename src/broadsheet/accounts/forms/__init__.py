"""The accounts app's forms: signing in (``signin``), one's own profile (``profile``), managing users (``users``).

Every text field has a ``max_length`` (a test checks it): nothing unbounded reaches the
password hasher or the database.
"""
