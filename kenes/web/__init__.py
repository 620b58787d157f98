"""The web interface: thin views over the registry's services, server-rendered with htmx."""
