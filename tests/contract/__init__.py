"""The backend contract suite: one set of tests of ``Backend``, run on every backend with its fake."""
