"""The message catalogue's data: one module per message family, the model, and the public sources."""
