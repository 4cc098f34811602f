"""Mail: composing paperwire's messages and sending them (SMTP, or files in development)."""

from paperwire.mail.messages import absolute_url, login_message
from paperwire.mail.sender import Mailer, MailError, MailSession

__all__ = ["MailError", "MailSession", "Mailer", "absolute_url", "login_message"]
