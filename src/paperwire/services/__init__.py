"""Application services: what `paperwire` commands, the worker and the web app run.

Built once per process (:class:`paperwire.services.app.AppServices`); ``cli/`` and
``web/`` only parse what they are given, call these and render the answer.
"""
