"""Search: keyword and vector indexes, embeddings, and their fusion."""
