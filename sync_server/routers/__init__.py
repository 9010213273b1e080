"""API routers: thin adapters from HTTP to the services (accounts, push, pull, export)."""
