"""The chat framework, feature-agnostic: command registry, router, generated help, paging."""
