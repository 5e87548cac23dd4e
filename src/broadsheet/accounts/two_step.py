"""Between the two steps of signing in: who gave the right password and now owes a code.

The password step does not sign the user in. It keeps, in the session, the user's id, the
backend that checked them and the time; the code step signs them in only with a right code,
within ``PENDING_SECONDS``. The session key changes at both steps (no session fixation).
"""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model

PENDING_SECONDS = 300
_KEY = "accounts_two_step"


def begin(request, user, *, next_url: str) -> None:
    """Remember that ``user`` passed the password step; the code step comes next."""
    request.session.cycle_key()
    request.session[_KEY] = {
        "user": str(user.pk),
        "backend": user.backend,
        "started": time.time(),
        "next": next_url,
    }


def pending(request):
    """Return ``(user, next_url)`` for a password step still waiting for its code, else ``(None, "")``."""
    state = request.session.get(_KEY)
    if not isinstance(state, dict):
        return None, ""
    if time.time() - float(state.get("started", 0)) > PENDING_SECONDS:
        forget(request)
        return None, ""
    user = get_user_model()._default_manager.filter(pk=state.get("user"), is_active=True).first()
    if user is None:
        forget(request)
        return None, ""
    user.backend = state.get("backend")
    return user, state.get("next", "")


def forget(request) -> None:
    request.session.pop(_KEY, None)
