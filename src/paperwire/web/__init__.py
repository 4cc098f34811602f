"""The web layer: pages, JSON API, Atom feeds (see :func:`paperwire.web.app.create_app`)."""
