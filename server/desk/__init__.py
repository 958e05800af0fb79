"""The staff's desk in the web console: what its screens need beyond the areas' own endpoints."""
