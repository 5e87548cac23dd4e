"""The accounts app's views: signing in and out (``signin``), password reset (``reset``), one's
own profile (``profile``), administrators' user management (``users``), and WordPress's old
sign-in and admin addresses (``wordpress``)."""
