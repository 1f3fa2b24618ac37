"""The demo site: ``seed`` says what the estate and each day hold (no database); ``store``
writes that into a local site, once per building-local day, and wipes it on a reset."""
