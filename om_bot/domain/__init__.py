"""Pure rules and value types: no storage, no chat, no nio."""
