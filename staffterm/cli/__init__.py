"""The command line: ``main`` runs one command line, ``parser`` is its grammar, ``context`` what
every command needs, one module per area of commands (``places``, ``bookings``, ``directory``,
``admin``) and ``provider`` for a provider's raw commands. Never imports Textual; the console
is opened through ``staffterm.ui.app`` only when no command is given.
"""
