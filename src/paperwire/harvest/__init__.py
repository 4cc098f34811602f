"""Live sources: arXiv OAI-PMH and API, Hugging Face daily papers, on a daily schedule.

Every request goes through :class:`~paperwire.harvest.http.PoliteClient`, which paces
requests per host through the store (so all processes of an installation share one
rate), identifies itself, and retries politely. The worker calls
:func:`~paperwire.harvest.runner.run_due_harvests`.
"""

from paperwire.harvest.errors import HarvestError, OaiError
from paperwire.harvest.runner import run_due_harvests

__all__ = ["HarvestError", "OaiError", "run_due_harvests"]
