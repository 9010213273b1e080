"""One module per screen; each ``build(app, route)`` returns a ``shell.Screen``."""
