"""After-sales models, one module per part of the app (returns, complaints, feedback)."""
