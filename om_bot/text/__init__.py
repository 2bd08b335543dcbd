"""Message value types (`IncomingMessage`, `Reply`) and HTML/plain formatting; imports nothing of
ours."""
