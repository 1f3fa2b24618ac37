"""Buildings → levels → rooms, each room with its status now (the console's first screen)."""
