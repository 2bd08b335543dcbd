"""The Matrix adapter: the only package that imports nio (bot side, send queue, the human-side test
client)."""
