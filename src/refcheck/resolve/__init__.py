"""Sources of Crossref works: the HTTP client, the cache and snapshots. Only this package does I/O."""
