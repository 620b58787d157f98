"""The registry: constituent groups, members, roles, imports and registration readiness."""
