"""In-repo fakes of the services staffterm talks to (see tests/fakes/placeos)."""
