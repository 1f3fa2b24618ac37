"""Backends: one async contract (``base``), THE provider list (``registry``), shared argument
coercion (``coerce``) and raw-command data (``commands``); one package per provider, each with
the same skeleton (``local/``, ``placeos/``, ``graph/``). A provider never imports another.
"""
