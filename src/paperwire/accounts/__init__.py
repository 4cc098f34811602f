"""Accounts: users (one per email address) and magic-link sign-in."""

from paperwire.accounts.emails import InvalidEmail, normalise_email
from paperwire.accounts.models import InvalidToken, LoginRequest, RateLimited, UnknownUser, User
from paperwire.accounts.service import (
    delete_user,
    ensure_user,
    get_user,
    get_user_by_email,
    peek_login_token,
    redeem_login_token,
    request_login,
)

__all__ = [
    "InvalidEmail",
    "InvalidToken",
    "LoginRequest",
    "RateLimited",
    "UnknownUser",
    "User",
    "delete_user",
    "ensure_user",
    "get_user",
    "get_user_by_email",
    "normalise_email",
    "peek_login_token",
    "redeem_login_token",
    "request_login",
]
