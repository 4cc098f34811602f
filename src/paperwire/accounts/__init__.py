"""Accounts: users (one per email address), magic-link sign-in and signed-in sessions."""

from paperwire.accounts.emails import InvalidEmail, normalise_email
from paperwire.accounts.models import InvalidToken, LoginRequest, RateLimited, UnknownUser, User
from paperwire.accounts.service import (
    ensure_user,
    get_user_by_email,
    peek_login_token,
    redeem_login_token,
    request_login,
)
from paperwire.accounts.sessions import end_session, session_user, start_session

__all__ = [
    "InvalidEmail",
    "InvalidToken",
    "LoginRequest",
    "RateLimited",
    "UnknownUser",
    "User",
    "end_session",
    "ensure_user",
    "get_user_by_email",
    "normalise_email",
    "peek_login_token",
    "redeem_login_token",
    "request_login",
    "session_user",
    "start_session",
]
