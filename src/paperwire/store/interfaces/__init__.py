"""The store's typed interfaces, one module per concept.

Packages outside ``store/`` call these Protocols (reached as attributes of a
:class:`~paperwire.store.base.Store`) and never SQL. Each engine provides them: the
engine-neutral SQLAlchemy Core implementations live in :mod:`paperwire.store.sql`,
engine specifics in one package per engine. ``tests/store/contract`` pins what each
promises, on every engine.
"""
