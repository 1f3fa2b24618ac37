"""Use-cases over a ``Backend``: the estate and its one index, room board, booking, bookings,
meetings, reception, directory, mail templates, QR; ``session`` holds them for one tenant.

Submodules are imported by whoever needs them (never here), so a CLI query pays only for the
service it uses. Nothing in this package imports Textual or Rich.
"""
