"""Stats domain: derives ``fighter-records`` and ``rankings`` from roster's and results' events only."""
