"""Sources of Crossref works: HTTP client, cache, snapshots. Only this package does I/O."""
