"""Demo portfolio: a deterministic generator of export files in the real formats (see data.generate)."""
