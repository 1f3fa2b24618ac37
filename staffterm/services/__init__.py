"""Use-cases over a ``Backend``: room board, booking, reception, directory, mail templates, QR.

Submodules are imported by whoever needs them (never here), so a CLI query pays only for the
service it uses. Nothing in this package imports Textual or Rich.
"""
