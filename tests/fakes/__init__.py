"""Loopback stand-ins for the services the bot talks to over the network (TVmaze), for tests and e2e runs."""
