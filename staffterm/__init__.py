"""staffterm: a terminal console for a building's front desk."""

import time as _time

# Recorded as early as possible so the console can report how long start-up took.
STARTED_NS = _time.perf_counter_ns()

__version__ = "0.1.0"
