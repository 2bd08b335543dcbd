"""Use cases: they take a unit of work, check invariants and permissions, audit and commit."""
