"""Pure code generators: an entity spec in, a mapping of file paths to text out."""
