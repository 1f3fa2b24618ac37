"""Fault injection for remote backends: a faulty transport in front of a fake provider, a soak
runner that checks every write against the fake's own state, and per-backend operations.

``python -m tests.faults --operations 400`` runs the long soak and prints its figures; the
suite runs a short seeded one (tests/faults/test_faults.py). The transport and the runner know
no provider: a backend takes part by supplying its operations (see ``placeos_ops.py``).
"""
