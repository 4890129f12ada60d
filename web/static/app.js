// breachreg's own script: enhancement only; every page works without it.
